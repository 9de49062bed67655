import type { RandomStream } from '../random/streams.ts';

/**
 * Random oversampling with imblearn's RandomOverSampler(sampling_strategy='not majority') semantics:
 * every class other than the majority gets (majority count − its count) extra rows, drawn uniformly with
 * replacement from its own rows. The majority is the most frequent class, the first to appear on ties.
 * Classes are topped up in ascending class order and the result lists the original rows first, then the
 * draws, as imblearn stacks them.
 */

/** Row indices of the oversampled set: 0..n−1, then the drawn duplicates. */
export function randomOversample(labels: ArrayLike<number>, rs: RandomStream): Int32Array {
  const rowsOf = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const rows = rowsOf.get(labels[i]);
    if (rows) rows.push(i);
    else rowsOf.set(labels[i], [i]);
  }
  let majority = -1;
  let majorityCount = 0;
  // Map iteration is first-appearance order, so a strict ">" keeps the first of tied classes.
  for (const [c, rows] of rowsOf) {
    if (rows.length > majorityCount) {
      majority = c;
      majorityCount = rows.length;
    }
  }
  const out = Array.from({ length: labels.length }, (_, i) => i);
  for (const c of [...rowsOf.keys()].sort((a, b) => a - b)) {
    if (c === majority) continue;
    const rows = rowsOf.get(c)!;
    for (let k = rows.length; k < majorityCount; k++) out.push(rows[rs.int(rows.length)]);
  }
  return Int32Array.from(out);
}
