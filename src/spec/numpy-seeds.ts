import { dottedPath, SpecError, type SpecIssue } from './errors.ts';
import { locate, type SiteTree } from './sites.ts';
import type { ResolvedSpec } from './types.ts';

/** numpy's RandomState takes a seed below 2^32. */
const NUMPY_SEEDS = 2 ** 32;

/**
 * percent_replicating's null_sampling: reference draws null d with numpy's RandomState(seed + d), as the
 * reference does, so every seed it is given must stay below 2^32 − null_draws. The seed is null_seed, else
 * (for the MoA compound filter) replicating_seed, else the run's seed; each is checked where it is written,
 * before any run trains.
 */
export function checkNumpySeeds(spec: ResolvedSpec, sites: SiteTree): void {
  const { null_sampling, null_draws, null_seed } = spec.evaluation.percent_replicating;
  if (null_sampling !== 'reference') return;
  // Draws 0 … null_draws − 1: the largest seed is 2^32 − null_draws.
  const limit = NUMPY_SEEDS - null_draws + 1;
  const runSeeds: [number, string[]][] = spec.sweep.seeds.length ? spec.sweep.seeds.map((s, i) => [s, ['sweep', 'seeds', String(i)]]) : [[spec.seed, ['seed']]];
  const { compounds, replicating_seed } = spec.evaluation.moa;
  const filter: [number, string[]][] = replicating_seed !== null ? [[replicating_seed, ['evaluation', 'moa', 'replicating_seed']]] : runSeeds;
  const seeds = null_seed !== null ? [[null_seed, ['evaluation', 'percent_replicating', 'null_seed']] as [number, string[]]] : [...runSeeds, ...(compounds !== 'all' ? filter : [])];
  const issues: SpecIssue[] = seeds
    .filter(([seed]) => seed >= limit)
    .map(([seed, keys]) => ({
      where: locate(sites, keys).where,
      path: dottedPath(keys),
      message: `${seed} is too large for evaluation.percent_replicating.null_sampling: reference, which seeds numpy's RandomState with the seed plus each of the ${null_draws} null draws' number, below 2^32: at most ${limit - 1}`,
    }));
  if (issues.length) throw new SpecError(issues.filter((a, i) => issues.findIndex((b) => b.where === a.where) === i));
}
