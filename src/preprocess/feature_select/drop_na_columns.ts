import { type Matrix, type MatrixView, viewOf } from '../../numeric/matrix.ts';
import { forRowsHolding } from '../columns.ts';
import { type Exclusion, stat } from './exclusion.ts';

/**
 * pycytominer `get_na_columns`: drop a feature whose fraction of missing values exceeds `naCutoff`. Missing
 * values are rare in a table of features (loading imputes or drops most), so each row is asked whether it
 * holds one (`forRowsHolding`) and only such rows are counted column by column.
 */
export function dropNaColumns(x: Matrix | MatrixView, features: readonly string[], naCutoff: number): Exclusion[] {
  const { source, rows, cols } = viewOf(x);
  const { data } = source;
  const n = rows.length;
  const missing = new Float64Array(cols.length);
  forRowsHolding(x, anyMissing, (base) => {
    for (let k = 0; k < cols.length; k++) if (Number.isNaN(data[base + cols[k]])) missing[k]++;
  });
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    const fraction = missing[j] / n;
    if (fraction > naCutoff) out.push({ feature, detail: `${missing[j]}/${n} values missing (${stat(fraction)} > na_cutoff ${naCutoff})` });
  });
  return out;
}

/**
 * Whether data[start, end) may hold a NaN: its sum is NaN if it does (NaN propagates through +). The sum is
 * also NaN for +∞ and −∞ together, a false alarm that the caller's count settles. Eight running sums, the
 * loop's only work, scan at memory speed: ~11 ms for 14,880 × 1,700 warm, 15 ms cold, where comparing each
 * value with itself took 23 and 32 ms, and pandas' `isna().mean()` 18 ms.
 */
function anyMissing(data: Float64Array, start: number, end: number): boolean {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  let i = start;
  for (; i + 7 < end; i += 8) {
    s0 += data[i];
    s1 += data[i + 1];
    s2 += data[i + 2];
    s3 += data[i + 3];
    s4 += data[i + 4];
    s5 += data[i + 5];
    s6 += data[i + 6];
    s7 += data[i + 7];
  }
  for (; i < end; i++) s0 += data[i];
  const sum = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
  return sum !== sum;
}
