import { stream } from '../random/streams.ts';

/**
 * Intervals that respect their quantity's range. A percent, an F1 or a mean |SHAP| cannot leave its range,
 * and neither can a mean of such values; a t interval over a handful of seeds can, so the figures use a
 * bootstrap interval of the mean (its ends are means of resamples, hence inside the data's own range).
 */

/** Up to this many values the bootstrap distribution is enumerated exactly (C(2n−1, n) = 92 378 multisets at 10). */
const EXACT_MAX = 10;
/** Resamples drawn beyond that, from a fixed stream: the same data gives the same interval. */
const RESAMPLES = 20_000;

/**
 * The percentile bootstrap interval of the mean: the α/2 and 1 − α/2 quantiles of the mean of n values drawn
 * with replacement from `x` (lower: the smallest mean whose cumulative probability reaches α/2; upper: the
 * largest whose upper tail does). Exact — every multiset weighted by its multinomial probability — for up to
 * ten values, so a report over a few seeds has no Monte Carlo noise; a seeded draw of 20 000 resamples beyond.
 */
export function bootstrapMeanInterval(x: readonly number[], level = 0.95): [number, number] {
  const n = x.length;
  if (n === 0) return [NaN, NaN];
  if (n === 1) return [x[0], x[0]];
  const dist = n <= EXACT_MAX ? exactMeans(x) : sampledMeans(x);
  dist.sort((a, b) => a.mean - b.mean);
  const tail = (1 - level) / 2;
  // A little slack so that a tail of exactly α/2 (a sum of rounded weights) counts as reaching it.
  const eps = 1e-12;
  let cum = 0;
  let low = dist[dist.length - 1].mean;
  for (const d of dist) {
    cum += d.p;
    if (cum >= tail - eps) {
      low = d.mean;
      break;
    }
  }
  cum = 0;
  let high = dist[0].mean;
  for (let i = dist.length - 1; i >= 0; i--) {
    cum += dist[i].p;
    if (cum >= tail - eps) {
      high = dist[i].mean;
      break;
    }
  }
  return [low, high];
}

/** Every multiset of n draws from x with its probability n! / (∏ cᵢ! · nⁿ). */
function exactMeans(x: readonly number[]): { mean: number; p: number }[] {
  const n = x.length;
  const fact = [1];
  for (let i = 1; i <= n; i++) fact.push(fact[i - 1] * i);
  const base = fact[n] / n ** n;
  const out: { mean: number; p: number }[] = [];
  const visit = (i: number, left: number, sum: number, denom: number) => {
    if (i === n - 1) {
      out.push({ mean: (sum + left * x[i]) / n, p: base / (denom * fact[left]) });
      return;
    }
    for (let c = 0; c <= left; c++) visit(i + 1, left - c, sum + c * x[i], denom * fact[c]);
  };
  visit(0, n, 0, 1);
  return out;
}

function sampledMeans(x: readonly number[]): { mean: number; p: number }[] {
  const rs = stream(0, 'report/bootstrap');
  const n = x.length;
  return Array.from({ length: RESAMPLES }, () => {
    let s = 0;
    for (let k = 0; k < n; k++) s += x[rs.int(n)];
    return { mean: s / n, p: 1 / RESAMPLES };
  });
}
