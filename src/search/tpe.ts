import type { RandomStream } from '../random/streams.ts';
import { draw } from '../sweep/expand.ts';

/** A declared distribution of a searched setting, as in the spec (`{log_uniform: [1e-5, 1e-3]}`). */
export type Distribution = Readonly<Record<string, readonly unknown[]>>;

export interface ScoredTrial {
  params: Readonly<Record<string, unknown>>;
  /** Lower is better (best validation loss). */
  objective: number;
}

/** Share of the trials, best first, that make the "good" density. */
const GAMMA = 0.25;
/** Candidates drawn from the good density; the one with the best good/bad ratio is suggested. */
const CANDIDATES = 24;

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), univariate as in Optuna's default: for each
 * setting, the earlier trials are split into the best quarter ("good") and the rest; a Parzen density of each
 * is built in the setting's natural space (log space for log-uniform ranges), and among candidates drawn from
 * the good density the one maximising good/bad density is taken. Both densities include the prior (the
 * declared range), so an unexplored region keeps some chance.
 */
export function tpeSuggest(space: Readonly<Record<string, Distribution>>, trials: readonly ScoredTrial[], rs: RandomStream): Record<string, unknown> {
  const ranked = [...trials].filter((t) => Number.isFinite(t.objective)).sort((a, b) => a.objective - b.objective);
  const nGood = Math.max(1, Math.ceil(GAMMA * ranked.length));
  const good = ranked.slice(0, nGood);
  const bad = ranked.slice(nGood);
  return Object.fromEntries(
    Object.entries(space).map(([path, dist]) => {
      const [kind, args] = Object.entries(dist)[0];
      const values = (ts: readonly ScoredTrial[]) => ts.map((t) => t.params[path]);
      const value = kind === 'choices' ? suggestChoice(args, values(good), values(bad), rs) : suggestNumber(kind, args as number[], values(good) as number[], values(bad) as number[], rs);
      return [path, value];
    }),
  );
}

/** Random draws of every setting: the sampler before TPE has enough trials, and the `random` sampler. */
export function randomSuggest(space: Readonly<Record<string, Distribution>>, rs: RandomStream): Record<string, unknown> {
  return Object.fromEntries(Object.entries(space).map(([path, dist]) => [path, draw(rs, dist)]));
}

function suggestChoice(choices: readonly unknown[], good: unknown[], bad: unknown[], rs: RandomStream): unknown {
  // Categorical Parzen estimator: counts plus one (the uniform prior) per choice.
  const weight = (obs: unknown[]) => choices.map((c) => 1 + obs.filter((o) => JSON.stringify(o) === JSON.stringify(c)).length);
  const l = weight(good);
  const g = weight(bad);
  const lSum = l.reduce((a, b) => a + b, 0);
  const gSum = g.reduce((a, b) => a + b, 0);
  let best = 0;
  let bestScore = -Infinity;
  for (let c = 0; c < CANDIDATES; c++) {
    let u = rs.next() * lSum;
    let k = 0;
    while (u >= l[k]) u -= l[k++];
    const score = Math.log(l[k] / lSum) - Math.log(g[k] / gSum);
    if (score > bestScore) [best, bestScore] = [k, score];
  }
  return choices[best];
}

function suggestNumber(kind: string, [low, high]: number[], good: number[], bad: number[], rs: RandomStream): number {
  const log = kind === 'log_uniform';
  const to = (x: number) => (log ? Math.log(x) : x);
  const from = (u: number) => (log ? Math.exp(u) : u);
  const lo = to(low);
  const hi = to(high);
  const l = parzen(good.map(to), lo, hi);
  const g = parzen(bad.map(to), lo, hi);
  let best = (lo + hi) / 2;
  let bestScore = -Infinity;
  for (let c = 0; c < CANDIDATES; c++) {
    const u = sample(l, lo, hi, rs);
    const score = logDensity(l, u) - logDensity(g, u);
    if (score > bestScore) [best, bestScore] = [u, score];
  }
  const value = Math.min(high, Math.max(low, from(best)));
  return kind === 'int_uniform' ? Math.round(value) : value;
}

/** Equal-weight Gaussians at the observations and one wide one (the prior) at the middle of the range. */
interface Parzen {
  mu: number[];
  sigma: number[];
}

function parzen(obs: number[], lo: number, hi: number): Parzen {
  const range = hi - lo;
  const mu = [...obs, (lo + hi) / 2];
  // Bandwidth shrinks with the number of observations (Scott-like), but never below 1% of the range.
  const sigma = mu.map((_, i) => (i === obs.length ? range : Math.max(range / 100, range / Math.sqrt(obs.length + 1))));
  return { mu, sigma };
}

function sample(p: Parzen, lo: number, hi: number, rs: RandomStream): number {
  const k = rs.int(p.mu.length);
  // Truncated to the range by rejection; a few tries, then the clipped value.
  for (let tries = 0; tries < 16; tries++) {
    const u = p.mu[k] + p.sigma[k] * rs.normal();
    if (u >= lo && u <= hi) return u;
  }
  return Math.min(hi, Math.max(lo, p.mu[k]));
}

function logDensity(p: Parzen, u: number): number {
  let s = 0;
  for (let k = 0; k < p.mu.length; k++) s += Math.exp(-0.5 * ((u - p.mu[k]) / p.sigma[k]) ** 2) / p.sigma[k];
  return Math.log(s / p.mu.length + 1e-300);
}
