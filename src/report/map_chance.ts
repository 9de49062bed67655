/**
 * The mAP a random ranking scores on average: the chance level of mean mAP (method §2.10). It is not one number:
 * a query whose list holds many positives among few candidates scores high by chance alone, so it depends on
 * every query's positives and list length, which the run's mAP tables record per group (`n_pos`, `n_total`).
 */

/**
 * The expected average precision of a list of `total` items, `positives` of them relevant, in a uniformly
 * random order. AP is the mean over positives i of the precision at i's rank r_i, (1/r_i)·#{positives j with
 * r_j ≤ r_i}; by linearity, E[AP] = E[1/r_i] + (positives − 1)·E[[r_j < r_i]/r_i] for two distinct positives
 * i, j. With r_i uniform on 1..N (N = total) and r_j uniform on the other N − 1 ranks, E[1/r_i] = H_N/N and
 * E[[r_j < r_i]/r_i] = Σ_r (1/N)(1/r)(r − 1)/(N − 1) = (N − H_N)/(N(N − 1)), H_N the N-th harmonic number:
 *
 *   E[AP] = H_N/N + (positives − 1)(N − H_N)/(N(N − 1))
 *
 * (Bestgen 2015, "Exact expected average precision of the random baseline"). It is the mean of the null the
 * mAP p-values come from.
 */
export function expectedRandomAveragePrecision(positives: number, total: number): number {
  if (!(Number.isInteger(positives) && Number.isInteger(total) && positives >= 1 && positives <= total)) {
    throw new Error(`expected AP needs integers 1 ≤ positives ≤ total, got ${positives}/${total}`);
  }
  if (total === 1) return 1;
  let harmonic = 0;
  // From the smallest term up, so the sum of many small terms is not lost against the first.
  for (let r = total; r >= 1; r--) harmonic += 1 / r;
  return harmonic / total + ((positives - 1) * (total - harmonic)) / (total * (total - 1));
}

/** One run's mAP table of one representation and kind, as far as chance needs it. */
export interface MapGroupSizes {
  mean_average_precision: Float64Array;
  n_pos: Float64Array;
  n_total: Float64Array;
}

/**
 * The mean mAP of a random ranking, averaged as the run's mean mAP is: per group, the mean over its queries
 * (which share one list configuration), then the mean over the groups with a defined mAP. NaN without one.
 */
export function randomMeanMap(t: MapGroupSizes): number {
  let sum = 0;
  let n = 0;
  for (let g = 0; g < t.mean_average_precision.length; g++) {
    if (!Number.isFinite(t.mean_average_precision[g])) continue;
    sum += expectedRandomAveragePrecision(t.n_pos[g], t.n_total[g]);
    n++;
  }
  return n > 0 ? sum / n : NaN;
}
