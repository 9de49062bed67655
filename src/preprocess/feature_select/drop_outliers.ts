import { type Matrix, type MatrixView, viewOf } from '../../numeric/matrix.ts';
import { type Exclusion, stat } from './exclusion.ts';

/**
 * pycytominer `drop_outlier_features`: drop a feature whose largest absolute value (|max| or |min|, missing
 * values skipped) exceeds `outlierCutoff`. Meant for normalized data, where 500 SDs is a broken feature.
 *
 * Whether a feature goes needs only whether one of its values lies beyond the cutoff, so the table is read
 * once as it lies in memory: each row's stretch from the view's first column to its last is asked whether
 * a value lies beyond (see `anyBeyond`; NaN compares false, so missing values are skipped). Only such a row
 * is read again value by value, and only the features found there again for the largest value the reason
 * gives. About memory speed: 15–20 ms for 14,880 × 1,700 against pandas' 25 ms for `abs().max()`.
 */
export function dropOutliers(x: Matrix | MatrixView, features: readonly string[], outlierCutoff: number): Exclusion[] {
  const { source, rows, cols } = viewOf(x);
  const { data, cols: stride } = source;
  if (cols.length === 0) return [];
  let first = stride;
  let last = -1;
  for (const c of cols) {
    if (c < first) first = c;
    if (c > last) last = c;
  }
  // Source columns holding a value beyond the cutoff (those between the view's columns are read, and ignored).
  const beyond = new Uint8Array(stride);
  for (let r = 0; r < rows.length; r++) {
    const start = rows[r] * stride + first;
    const end = start + last + 1 - first;
    if (!anyBeyond(data, start, end, outlierCutoff)) continue;
    for (let i = start; i < end; i++) if (Math.abs(data[i]) > outlierCutoff) beyond[i - start + first] = 1;
  }
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
