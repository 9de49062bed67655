import { type Matrix, type MatrixView, viewOf } from '../../numeric/matrix.ts';
import { forRowsHolding } from '../columns.ts';
import { type Exclusion, stat } from './exclusion.ts';

/**
 * pycytominer `drop_outlier_features`: drop a feature whose largest absolute value (|max| or |min|, missing
 * values skipped) exceeds `outlierCutoff`. Meant for normalized data, where 500 SDs is a broken feature.
 *
 * Whether a feature goes needs only whether one of its values lies beyond the cutoff, so each row is asked
 * whether it holds one (`forRowsHolding`, `anyBeyond`; NaN compares false, so missing values are skipped), and
 * only the features found in such rows are read again for the largest value the reason gives. 15–17 ms for
 * 14,880 × 1,700 once compiled, against pandas' 24 ms for `abs().max()`.
 */
export function dropOutliers(x: Matrix | MatrixView, features: readonly string[], outlierCutoff: number): Exclusion[] {
  const { source, rows, cols } = viewOf(x);
  const { data, cols: stride } = source;
  // The view's source columns holding a value beyond the cutoff.
  const beyond = new Uint8Array(stride);
  forRowsHolding(
    x,
    (values, start, end) => anyBeyond(values, start, end, outlierCutoff),
    (base) => {
      for (const c of cols) if (Math.abs(data[base + c]) > outlierCutoff) beyond[c] = 1;
    },
  );
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    const c = cols[j];
    if (!beyond[c]) return;
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
