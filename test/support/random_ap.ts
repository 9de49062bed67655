/**
 * Independent oracles of the AP a random ranking scores on average (the chance level of mean mAP), derived
 * apart from src/report/map_chance.ts: by enumerating every placement of the positives, and by order statistics.
 */

/** AP of one list from the 1-based ranks of its positives, by the definition: mean precision at each positive. */
function apOfRanks(ranks: readonly number[]): number {
  const sorted = [...ranks].sort((a, b) => a - b);
  return sorted.reduce((s, r, k) => s + (k + 1) / r, 0) / sorted.length;
}

/** Every way to place `p` positives among ranks 1..n (all equally likely in a random ranking). */
function* subsets(n: number, p: number, from = 1): Generator<number[]> {
  if (p === 0) return yield [];
  for (let r = from; r <= n - p + 1; r++) for (const rest of subsets(n, p - 1, r + 1)) yield [r, ...rest];
}

/** The mean AP over every equally likely placement of the positives: the oracle for small lists. */
export function enumeratedMeanAp(p: number, n: number): number {
  let sum = 0;
  let count = 0;
  for (const s of subsets(n, p)) {
    sum += apOfRanks(s);
    count++;
  }
  return sum / count;
}

function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) c = (c * (n - Math.min(k, n - k) + i)) / i;
  return c;
}

/**
 * A second derivation for long lists, by order statistics: the k-th of p positives sits at rank r with
 * probability C(r−1, k−1)·C(N−r, p−k)/C(N, p), where its precision is k/r.
 */
export function orderStatisticMeanAp(p: number, n: number): number {
  let sum = 0;
  for (let k = 1; k <= p; k++) for (let r = k; r <= n - p + k; r++) sum += ((binomial(r - 1, k - 1) * binomial(n - r, p - k)) / binomial(n, p)) * (k / r);
  return sum / p;
}
