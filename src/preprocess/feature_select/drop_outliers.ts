import { type Matrix, type MatrixView, viewOf } from '../../numeric/matrix.ts';
import { type NativeBeyondCounts, nativeBeyondCounts } from '../../numeric/native.ts';
import { forRowsHolding } from '../columns.ts';
import { type Exclusion, stat } from './exclusion.ts';

/**
 * pycytominer `drop_outlier_features`: drop a feature whose largest absolute value (|max| or |min|, missing
 * values skipped) exceeds `outlierCutoff`. Meant for normalized data, where 500 SDs is a broken feature.
 *
 * Whether a feature goes needs only whether one of its values lies beyond the cutoff, so each row is asked
 * whether it holds one (`forRowsHolding`, `anyBeyond`; NaN compares false, so missing values are skipped), and
 * only the features found in such rows are read again for the largest value the reason gives. 15–17 ms for
 * 14,880 × 1,700 once compiled, against pandas' 24 ms for `abs().max()`; natively where the addon is built
 * (native/column_moments.c: the same rows scanned the same way), 10 ms.
 */
export function dropOutliers(x: Matrix | MatrixView, features: readonly string[], outlierCutoff: number, native: NativeBeyondCounts | null = nativeBeyondCounts()): Exclusion[] {
  const { source, rows, cols } = viewOf(x);
  const { data, cols: stride } = source;
  const beyond = beyondCounts(x, outlierCutoff, native);
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    if (!beyond[j]) return;
    const c = cols[j];
    let largest = 0;
    for (let r = 0; r < rows.length; r++) {
      const a = Math.abs(data[rows[r] * stride + c]);
      if (a > largest) largest = a;
    }
    out.push({ feature, detail: `max |value| ${stat(largest)} > outlier_cutoff ${outlierCutoff}` });
  });
  return out;
}

/**
 * Per column of the view, its count of values beyond the cutoff: natively where the addon is built, else the
 * rows that hold one (`anyBeyond`) counted column by column, as columns.ts's `missingCounts` counts NaN.
 */
function beyondCounts(x: Matrix | MatrixView, cutoff: number, native: NativeBeyondCounts | null): Float64Array {
  const { source, rows, cols } = viewOf(x);
  const { data } = source;
  const beyond = new Float64Array(cols.length);
  if (native) {
    native(data, source.cols, rows, cols, cutoff, beyond);
    return beyond;
  }
  forRowsHolding(
    x,
    (values, start, end) => anyBeyond(values, start, end, cutoff),
    (base) => {
      for (let j = 0; j < cols.length; j++) if (Math.abs(data[base + cols[j]]) > cutoff) beyond[j]++;
    },
  );
  return beyond;
}

/**
 * Whether some |data[i]| over [start, end) exceeds the cutoff (NaN compares false). Eight independent flags
 * set without a branch: a running maximum branches on each new maximum, which random data mispredicts.
 */
function anyBeyond(data: Float64Array, start: number, end: number, cutoff: number): boolean {
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
    f0 |= +(Math.abs(data[i]) > cutoff);
    f1 |= +(Math.abs(data[i + 1]) > cutoff);
    f2 |= +(Math.abs(data[i + 2]) > cutoff);
    f3 |= +(Math.abs(data[i + 3]) > cutoff);
    f4 |= +(Math.abs(data[i + 4]) > cutoff);
    f5 |= +(Math.abs(data[i + 5]) > cutoff);
    f6 |= +(Math.abs(data[i + 6]) > cutoff);
    f7 |= +(Math.abs(data[i + 7]) > cutoff);
  }
  for (; i < end; i++) f0 |= +(Math.abs(data[i]) > cutoff);
  return (f0 | f1 | f2 | f3 | f4 | f5 | f6 | f7) !== 0;
}
