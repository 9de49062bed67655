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

/** Whether data[start, end) holds a NaN: eight independent flags, without a branch per value. */
function anyMissing(data: Float64Array, start: number, end: number): boolean {
  let f0 = 0;
  let f1 = 0;
  let f2 = 0;
  let f3 = 0;
  let f4 = 0;
  let f5 = 0;
  let f6 = 0;
  let f7 = 0;
  let i = start;
  for (; i + 7 < end; i += 8) {
    f0 |= +(data[i] !== data[i]);
    f1 |= +(data[i + 1] !== data[i + 1]);
    f2 |= +(data[i + 2] !== data[i + 2]);
    f3 |= +(data[i + 3] !== data[i + 3]);
    f4 |= +(data[i + 4] !== data[i + 4]);
    f5 |= +(data[i + 5] !== data[i + 5]);
    f6 |= +(data[i + 6] !== data[i + 6]);
    f7 |= +(data[i + 7] !== data[i + 7]);
  }
  for (; i < end; i++) f0 |= +(data[i] !== data[i]);
  return (f0 | f1 | f2 | f3 | f4 | f5 | f6 | f7) !== 0;
}
