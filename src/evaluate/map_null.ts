import { stream } from '../random/streams.ts';

/**
 * The null of mean average precision, in copairs' float32 arithmetic (compute.py `random_ap`,
 * `average_precision`; map.py `get_p_value`). The arithmetic matters because the p-value counts null values
 * strictly above the observed mAP, and small groups' mAPs often sit exactly on a null value (1, 1/2, 1/3…):
 * whether such a value counts depends on float32 rounding, not on the draws. The draws themselves come from
 * this project's seeded streams, so they equal copairs' (numpy PCG64) only in distribution.
 */

/**
 * `size` APs of lists of `total` items with `positives` of them at ranks drawn uniformly at random, from a
 * stream named after the configuration (a configuration's null does not depend on which others exist). Each AP
 * is copairs' float32 `sum_k(k / (rank_k + 1)) / positives`, summed in numpy's pairwise order.
 */
export function nullAveragePrecision(positives: number, total: number, size: number, seed: number): Float32Array {
  if (!(positives >= 1 && positives <= total)) throw new Error(`null AP needs 1 ≤ positives ≤ total, got ${positives}/${total}`);
  const rng = stream(seed, `evaluate/map/null/${positives}/${total}`);
  const slots = new Int32Array(total);
  for (let i = 0; i < total; i++) slots[i] = i;
  const chosen = new Int32Array(positives);
  const terms = new Float32Array(positives);
  const out = new Float32Array(size);
  for (let d = 0; d < size; d++) {
    // A partial Fisher–Yates shuffle picks a uniform subset of ranks, whatever order `slots` is left in.
    for (let a = 0; a < positives; a++) {
      const b = a + rng.int(total - a);
      const t = slots[a];
      slots[a] = slots[b];
      slots[b] = t;
      chosen[a] = slots[a];
    }
    chosen.sort();
    out[d] = averagePrecisionOfRanks32(chosen, terms);
  }
  return out;
}

/**
 * copairs' `compute.average_precision` of one list, in float32: the positives sit at the sorted 0-based
 * `ranks`; `terms` is scratch space of the same length.
 */
export function averagePrecisionOfRanks32(ranks: Int32Array, terms = new Float32Array(ranks.length)): number {
  const k = ranks.length;
  // float32(j) / (rank + 1): a double division rounded once to float32 is the correctly rounded float32
  // quotient, because a double carries more than 2·24 + 2 bits (likewise for the sums below).
  for (let a = 0; a < k; a++) terms[a] = (a + 1) / (ranks[a] + 1);
  return Math.fround(pairwiseSum32(terms, 0, k) / k);
}

/** numpy's float32 `add.reduce` along a contiguous row: pairwise summation with 8 accumulators per block. */
export function pairwiseSum32(a: Float32Array, start: number, n: number): number {
  const f = Math.fround;
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f(res + a[start + i]);
    return res;
  }
  if (n <= 128) {
    const r = Array.from({ length: 8 }, (_, j) => a[start + j]);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = f(r[j] + a[start + i + j]);
    let res = f(f(f(r[0] + r[1]) + f(r[2] + r[3])) + f(f(r[4] + r[5]) + f(r[6] + r[7])));
    for (; i < n; i++) res = f(res + a[start + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return f(pairwiseSum32(a, start, n2) + pairwiseSum32(a, start + n2, n - n2));
}

/**
 * A group's null: the element-wise float32 mean of its members' null rows, in member order (numpy's
 * `null_dists[rows].mean(axis=0)` on float32 adds the rows one after another, then divides once).
 */
export function meanNull(rows: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(rows[0].length);
  for (const row of rows) for (let d = 0; d < out.length; d++) out[d] += row[d];
  for (let d = 0; d < out.length; d++) out[d] /= rows.length;
  return out;
}

/**
 * copairs' p-value of a group's mAP: (#{null > mAP} + 1) / (null_size + 1), strictly greater. numpy 1.x
 * compares a float32 array with a float scalar in float32, so the mAP is rounded to float32 first: a null
 * value equal to it after rounding does not count (this reproduces copairs 0.5.2 under numpy 1.24, e.g. a
 * mAP of exactly 1/3 against null values float32(1/3)).
 */
export function nullPValue(null_: Float32Array, map: number): number {
  const observed = Math.fround(map);
  let above = 0;
  for (let d = 0; d < null_.length; d++) if (null_[d] > observed) above++;
  return (above + 1) / (null_.length + 1);
}
