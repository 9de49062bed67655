import type { Matrix } from '../numeric/matrix.ts';
import type { MetaValue, Profiles } from '../data/profiles.ts';
import { mean, median, percentile } from '../numeric/stats.ts';
import { stream } from '../random/streams.ts';
import { normaliseRowsInto, pearsonNorms, rowDot, type RowNorms, SimilarityKernel, similarityThreads, upperTriangleInto, upperTriangleSize } from './gram.ts';
import { groupBy } from './groups.ts';
import { numpyPermutation } from './numpy_random.ts';

/**
 * Percent replicating (method §2.7). A perturbation's replicate correlation is the mean (or median) of the
 * pairwise Pearson correlations, across features, between its wells. The null pools, over `null_draws`
 * draws of one random well per perturbation, every pairwise correlation among the drawn wells; the
 * threshold is a percentile of that null, and a perturbation replicates when its replicate correlation
 * is strictly above it.
 *
 * Matches the reference (Haghighi et al.'s replicateCorrs, as used by the anomaly pipeline): pairs are the
 * strict upper triangle, undefined (NaN) correlations are skipped, every perturbation — singletons
 * included — contributes one well to each null draw, and the percentile is numpy's linear one.
 */

/**
 * How each null draw picks one well per perturbation.
 * - `independent`: every perturbation draws its own well (method §2.7's wording).
 * - `reference`: what the reference actually does. It calls pandas `sample(1, random_state=seed + d)` on
 *   each perturbation, which re-seeds per perturbation, so draw d takes the well at the same position
 *   (numpy `RandomState(seed + d).permutation(size)[0]`, in table order) in every perturbation of the
 *   same size. When a table lists each perturbation's wells plate by plate (jump-scope), all the wells of a
 *   draw then come from one plate, and the null becomes "same plate, different perturbation": higher than
 *   the independent null. With seed 42 this reproduces the reference's null exactly.
 */
export type NullSampling = 'independent' | 'reference';

export interface PercentReplicatingOptions {
  /** How many draws of one well per perturbation are pooled into the null (reference: 5). */
  null_draws: number;
  /** Percentile of the null used as threshold, 0–100 (reference: 90). */
  percentile: number;
  /** Replicate correlation of a group: mean of its pairwise correlations (reference) or their median. */
  aggregate: 'mean' | 'median';
  null_sampling: NullSampling;
  /** Root seed of the null's random stream (`independent`), or numpy seed of the first draw (`reference`). */
  seed: number;
  /**
   * What the percentage is of: the groups with ≥2 wells (`replicate_groups`), or every perturbation,
   * single-well ones counted as not replicating (`perturbations`, the reference's `len(corr_df)`).
   */
  denominator: 'replicate_groups' | 'perturbations';
}

export interface ReplicateGroup {
  key: string;
  /** The replicate_by columns' values. */
  by: Record<string, MetaValue>;
  replicate_correlation: number;
  n_replicates: number;
  replicating: boolean;
}

export interface PercentReplicating {
  /** Groups with at least two wells, in order of first appearance. */
  groups: ReplicateGroup[];
  /**
   * percent is 0–100 over n: the groups with ≥2 wells, plus with denominator `perturbations` the n_single
   * single-well ones. A group whose correlation is undefined counts as not replicating.
   */
  summary: { percent: number; threshold: number; n: number; n_replicating: number; n_single?: number };
  /** The pooled null correlations, draw by draw, each draw's pairs in row-major upper-triangle order. */
  null: Float64Array;
}

/** Name of the random stream the null draws come from. */
export const NULL_STREAM = 'evaluate/percent_replicating/null';

export function percentReplicating(
  p: Profiles,
  replicateBy: readonly string[],
  opts: PercentReplicatingOptions,
): PercentReplicating {
  const groups = groupBy(p, replicateBy);
  // One pass for every row's centre and scale: from here on every correlation is a single dot product.
  const norms = pearsonNorms(p.values);
  const k = p.values.cols;

  const groupsOut: ReplicateGroup[] = [];
  const pairs: number[] = [];
  const scratch = new Float64Array(groups.rows.reduce((m, r) => Math.max(m, r.length), 0) * k);
  groups.rows.forEach((rows, g) => {
    if (rows.length < 2) return;
    pairs.length = 0;
    const z = normaliseRowsInto(p.values, norms, rows, scratch);
    for (let a = 0; a < rows.length; a++) {
      for (let b = a + 1; b < rows.length; b++) {
        const r = rowDot(z, k, a, b);
        if (!Number.isNaN(r)) pairs.push(r);
      }
    }
    groupsOut.push({
      key: groups.keys[g],
      by: groups.by[g],
      replicate_correlation: opts.aggregate === 'mean' ? mean(pairs) : median(pairs),
      n_replicates: rows.length,
      replicating: false,
    });
  });

  const draw = opts.null_sampling === 'reference' ? referenceDraws(opts.seed) : independentDraws(opts.seed);
  const nulls = nullCorrelations(p.values, norms, groups.rows, opts.null_draws, draw);
  const threshold = percentile(nulls, opts.percentile);
  let nReplicating = 0;
  for (const g of groupsOut) {
    g.replicating = g.replicate_correlation > threshold;
    if (g.replicating) nReplicating++;
  }
  const nSingle = opts.denominator === 'perturbations' ? groups.rows.length - groupsOut.length : 0;
  const n = groupsOut.length + nSingle;
  return {
    groups: groupsOut,
    summary: {
      percent: groupsOut.length > 0 ? (100 * nReplicating) / n : NaN,
      threshold,
      n,
      n_replicating: nReplicating,
      ...(opts.denominator === 'perturbations' ? { n_single: nSingle } : {}),
    },
    null: nulls,
  };
}

/** Picks, for draw d, the well of each group (given as its rows) that enters the null. */
type DrawWells = (d: number, rows: number[][], into: Int32Array) => void;

function independentDraws(seed: number): DrawWells {
  const rng = stream(seed, NULL_STREAM);
  return (_d, rows, into) => {
    for (let i = 0; i < rows.length; i++) into[i] = rows[i][rng.int(rows[i].length)];
  };
}

function referenceDraws(seed: number): DrawWells {
  return (d, rows, into) => {
    const position = new Map<number, number>(); // one numpy draw per group size, as re-seeding implies
    for (let i = 0; i < rows.length; i++) {
      const size = rows[i].length;
      let at = position.get(size);
      if (at === undefined) {
        at = numpyPermutation(seed + d, size)[0];
        position.set(size, at);
      }
      into[i] = rows[i][at];
    }
  };
}

/** Every pairwise correlation among one well per group, pooled over `draws` draws; NaN dropped. */
function nullCorrelations(m: Matrix, norms: RowNorms, rows: number[][], draws: number, draw: DrawWells): Float64Array {
  const g = rows.length;
  const perDraw = (g * (g - 1)) / 2;
  const out = new Float64Array(draws * perDraw);
  const drawn = new Int32Array(g);
  const kernel = new SimilarityKernel(upperTriangleSize(g, m.cols), similarityThreads(perDraw * m.cols));
  let end = 0;
  try {
    for (let d = 0; d < draws; d++) {
      draw(d, rows, drawn);
      const start = end;
      end = upperTriangleInto(kernel, m, norms, drawn, out, start);
      // Compact away undefined correlations (wells with constant or missing values), as the reference does.
      let w = start;
      for (let r = start; r < end; r++) if (!Number.isNaN(out[r])) out[w++] = out[r];
      end = w;
    }
  } finally {
    kernel.close();
  }
  return end === out.length ? out : out.slice(0, end);
}

/**
 * Which representations replicate which groups: for every non-empty subset of representations, the number
 * of groups replicating in exactly those (exclusive Venn regions). Regions are listed by bitmask over the
 * representations in key order, so the first one is "only the first representation".
 */
export function replicatingOverlaps(
  sets: Readonly<Record<string, ReadonlySet<string>>>,
): { sets: string[]; count: number }[] {
  const names = Object.keys(sets);
  if (names.length > 16) throw new Error(`replicatingOverlaps: ${names.length} sets make too many regions`);
  const membership = new Map<string, number>();
  names.forEach((name, b) => {
    for (const key of sets[name]) membership.set(key, (membership.get(key) ?? 0) | (1 << b));
  });
  const counts = new Array<number>(1 << names.length).fill(0);
  for (const mask of membership.values()) counts[mask]++;
  return counts.slice(1).map((count, m) => ({ sets: names.filter((_, b) => ((m + 1) >> b) & 1), count }));
}
