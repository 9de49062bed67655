import { describe, expect, it } from 'vitest';
import { matrix } from '../src/numeric/matrix.ts';
import { percentile } from '../src/numeric/stats.ts';
import type { MetaValue, Profiles } from '../src/data/profiles.ts';
import { stream } from '../src/random/streams.ts';
import {
  fillUndefined, keepHighestDose, prepareForEvaluation, zscorePerPlate,
} from '../src/evaluate/prepare.ts';
import {
  percentReplicating, type PercentReplicatingOptions, replicatingOverlaps,
} from '../src/evaluate/percent_replicating.ts';
import { numpyPermutation } from '../src/evaluate/numpy_random.ts';

function table(meta: Record<string, MetaValue[]>, rows: number[][]): Profiles {
  const cols = rows[0].length;
  return {
    metadata: meta,
    features: Array.from({ length: cols }, (_, j) => `Cells_f${j}`),
    values: matrix(rows.length, cols, Float64Array.from(rows.flat())),
  };
}

/** Pearson correlation written out plainly, independent of the module's row normalisation. */
function pearson(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0, sxx = 0, syy = 0;
  x.forEach((_, i) => {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

const opts: PercentReplicatingOptions = {
  null_draws: 5, percentile: 90, aggregate: 'mean', null_sampling: 'independent', seed: 7, denominator: 'replicate_groups',
};

describe('replicate correlation', () => {
  // a~b: r = 1; c is a reversed: r(a,c) = r(b,c) = −1. One-hot rows: r = −1/3 for every pair.
  const rows = [[1, 2, 3, 4], [2, 4, 6, 8], [4, 3, 2, 1], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
  const p = table({ pert: ['A', 'A', 'A', 'B', 'B', 'C'] }, rows);

  it('is the mean of the pairwise Pearson correlations among a group', () => {
    const pr = percentReplicating(p, ['pert'], opts);
    expect(pr.groups.map((g) => g.key)).toEqual(['A', 'B']); // C has one well: no replicate correlation
    expect(pr.groups[0].replicate_correlation).toBeCloseTo(-1 / 3, 14);
    expect(pr.groups[0].n_replicates).toBe(3);
    expect(pr.groups[1].replicate_correlation).toBeCloseTo(-1 / 3, 14);
    expect(pr.groups[1].by).toEqual({ pert: 'B' });
  });

  it('or their median', () => {
    const pr = percentReplicating(p, ['pert'], { ...opts, aggregate: 'median' });
    expect(pr.groups[0].replicate_correlation).toBeCloseTo(-1, 14);
  });

  it('is a percentage of the groups with replicates, or of every perturbation as the reference divides', () => {
    // A and B: two identical wells each (r = 1, above any null of distinct profiles); C: a single well.
    const q = table({ pert: ['A', 'A', 'B', 'B', 'C'] }, [[1, 2, 3, 4], [1, 2, 3, 4], [4, 1, 3, 2], [4, 1, 3, 2], [1, 0, 0, 0]]);
    const groups = percentReplicating(q, ['pert'], opts).summary;
    expect(groups).toMatchObject({ percent: 100, n: 2, n_replicating: 2 });
    expect(groups.n_single).toBeUndefined();
    // The reference: sum(RepCor > threshold) / len(corr_df), C's RepCor NaN counting as not above → 2 / 3.
    const all = percentReplicating(q, ['pert'], { ...opts, denominator: 'perturbations' }).summary;
    expect(all).toMatchObject({ n: 3, n_replicating: 2, n_single: 1 });
    expect(all.percent).toBeCloseTo(200 / 3, 12);
  });

  it('draws one well per group, singletons included, and pools all pairs among them', () => {
    const pr = percentReplicating(p, ['pert'], opts);
    expect(pr.null.length).toBe(opts.null_draws * 3); // 3 groups → 3 pairs per draw
    // Every null value is the correlation of wells from two different groups.
    const possible = new Set<number>();
    const group = ['A', 'A', 'A', 'B', 'B', 'C'];
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) {
      if (group[i] !== group[j]) possible.add(Math.round(pearson(rows[i], rows[j]) * 1e12));
    }
    for (const v of pr.null) expect(possible.has(Math.round(v * 1e12))).toBe(true);
  });

  it('joins several replicate_by columns into one key', () => {
    const q = table({ cpd: ['x', 'x', 'x', 'x'], dose: [1, 1, 2, 2] }, rows.slice(0, 4));
    const pr = percentReplicating(q, ['cpd', 'dose'], opts);
    expect(pr.groups.map((g) => g.key)).toEqual(['["x",1]', '["x",2]']);
    expect(pr.groups[0].replicate_correlation).toBeCloseTo(1, 14);
  });

  it('skips undefined correlations of constant wells', () => {
    const q = table({ pert: ['A', 'A', 'A', 'B'] }, [[1, 2, 3], [2, 4, 7], [5, 5, 5], [3, 1, 2]]);
    const pr = percentReplicating(q, ['pert'], opts);
    expect(pr.groups[0].replicate_correlation).toBeCloseTo(pearson([1, 2, 3], [2, 4, 7]), 14);
    expect(pr.null.every((v) => Number.isFinite(v))).toBe(true);
  });
});

describe('threshold and percent replicating', () => {
  it('counts a group as replicating only strictly above the threshold', () => {
    // Three identical profiles: A's replicate correlation and every null pair (a well of A, S) are the
    // same dot product, so the threshold equals A's correlation exactly, and A is not above it.
    const q = table({ pert: ['A', 'A', 'S'] }, [[1, 2, 4], [1, 2, 4], [1, 2, 4]]);
    const pr = percentReplicating(q, ['pert'], opts);
    expect(pr.summary.threshold).toBe(pr.groups[0].replicate_correlation);
    expect(pr.groups[0].replicating).toBe(false);
    expect(pr.summary).toMatchObject({ percent: 0, n: 1, n_replicating: 0 });
  });

  it('separates strongly replicating perturbations from pure noise', () => {
    const rs = stream(11, 'test/simulate');
    const features = 60;
    const data: number[][] = [];
    const pert: string[] = [];
    for (let g = 0; g < 80; g++) {
      const strong = g < 40;
      const effect = Array.from({ length: features }, () => (strong ? 1.5 * rs.normal() : 0));
      for (let r = 0; r < 4; r++) {
        data.push(effect.map((e) => e + rs.normal()));
        pert.push(`${strong ? 'strong' : 'noise'}${g}`);
      }
    }
    const pr = percentReplicating(table({ pert }, data), ['pert'], opts);
    const strong = pr.groups.filter((g) => g.key.startsWith('strong'));
    const noise = pr.groups.filter((g) => g.key.startsWith('noise'));
    expect(strong.every((g) => g.replicating)).toBe(true);
    // Noise groups pass only by chance: about 10% at a 90th-percentile threshold, here well under 25%.
    expect(noise.filter((g) => g.replicating).length).toBeLessThan(10);
    const n = pr.groups.filter((g) => g.replicating).length;
    expect(pr.summary).toMatchObject({ n: 80, n_replicating: n, percent: (100 * n) / 80 });
    expect(pr.summary.threshold).toBe(percentile(pr.null, 90));
  });

  it('is deterministic given the seed, and the seed matters', () => {
    const rs = stream(5, 'test/det');
    const data = Array.from({ length: 60 }, () => Array.from({ length: 20 }, () => rs.normal()));
    const p = table({ pert: data.map((_, i) => `P${i % 20}`) }, data);
    const a = percentReplicating(p, ['pert'], opts);
    const b = percentReplicating(p, ['pert'], opts);
    const c = percentReplicating(p, ['pert'], { ...opts, seed: 8 });
    expect(b.null).toEqual(a.null);
    expect(b.summary).toEqual(a.summary);
    expect(c.null).not.toEqual(a.null);
  });
});

describe('reference-compatible null sampling', () => {
  it('reproduces numpy RandomState(seed).permutation bit for bit', () => {
    // Values printed by numpy 1.24: np.random.RandomState(s).permutation(n)[:12]
    expect(Array.from(numpyPermutation(42, 10))).toEqual([8, 1, 5, 0, 7, 2, 9, 4, 3, 6]);
    expect(Array.from(numpyPermutation(0, 7))).toEqual([6, 2, 1, 3, 0, 5, 4]);
    expect(Array.from(numpyPermutation(42, 48).slice(0, 12))).toEqual([27, 40, 26, 43, 24, 37, 12, 19, 4, 25, 8, 3]);
    expect(Array.from(numpyPermutation(7, 1000).slice(0, 6))).toEqual([778, 334, 271, 802, 216, 408]);
    expect(Array.from(numpyPermutation(4294967295, 5))).toEqual([4, 1, 0, 2, 3]);
    expect([42, 43, 44, 45, 46].map((s) => numpyPermutation(s, 3)[0])).toEqual([0, 1, 2, 0, 0]);
  });

  it('takes the same within-group position in every group of a size, as pandas sample(random_state) does', () => {
    const rs = stream(9, 'test/reference-null');
    const data = Array.from({ length: 12 }, () => Array.from({ length: 8 }, () => rs.normal()));
    const pert = ['A', 'B', 'C', 'D', 'A', 'B', 'C', 'D', 'A', 'B', 'C', 'D'];
    const pr = percentReplicating(table({ pert }, data), ['pert'], { ...opts, null_sampling: 'reference', seed: 42, null_draws: 3 });
    // Seeds 42, 43, 44 pick positions 0, 1, 2 of groups of 3: rows 0–3, then 4–7, then 8–11.
    const expected: number[] = [];
    for (const base of [0, 4, 8]) {
      for (let a = 0; a < 4; a++) for (let b = a + 1; b < 4; b++) expected.push(pearson(data[base + a], data[base + b]));
    }
    expect(pr.null.length).toBe(expected.length);
    pr.null.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 13));
  });
});

describe('replicating overlaps', () => {
  it('counts every exclusive Venn region', () => {
    const regions = replicatingOverlaps({
      a: new Set(['1', '2', '3']), b: new Set(['2', '3', '4']), c: new Set(['3', '5']),
    });
    const byName = Object.fromEntries(regions.map((r) => [r.sets.join('&'), r.count]));
    expect(byName).toEqual({ a: 1, b: 1, 'a&b': 1, c: 1, 'a&c': 0, 'b&c': 0, 'a&b&c': 1 });
    expect(replicatingOverlaps({ x: new Set(['1']), y: new Set() })).toEqual([
      { sets: ['x'], count: 1 }, { sets: ['y'], count: 0 }, { sets: ['x', 'y'], count: 0 },
    ]);
  });
});

describe('evaluation-time preparation', () => {
  const p = table(
    { plate: ['p1', 'p1', 'p1', 'p2', 'p2', 'p2'], role: ['ctl', 'trt', 'trt', 'ctl', 'trt', 'trt'],
      cpd: ['DMSO', 'x', 'x', 'DMSO', 'x', 'y'], dose: [0, 1, 3, 0, 3, 1] },
    [[1, 5], [2, 5], [3, 5], [10, 1], [20, 2], [30, 3]],
  );

  it('z-scores each feature per plate with all its wells (sample SD, as pandas std)', () => {
    const z = zscorePerPlate(p, 'plate');
    // Plate p1, feature 0: values 1,2,3 → mean 2, SD 1. Plate p2, feature 0: 10,20,30 → mean 20, SD 10.
    expect(Array.from(z.values.data.filter((_, i) => i % 2 === 0))).toEqual([-1, 0, 1, -1, 0, 1]);
    // Feature 1 is constant on p1: its z-score is undefined there.
    expect(Number.isNaN(z.values.data[1])).toBe(true);
  });

  it('keeps treated wells and, optionally, each compound\'s highest dose', () => {
    const roles = { plate: 'plate', perturbation: 'cpd', dose: 'dose', control: (r: Record<string, MetaValue>) => r.role === 'ctl', replicate_by: ['cpd'] };
    const all = prepareForEvaluation(p, roles, { per_plate_zscore: true, highest_dose_only: false, fill_undefined: 'zero' });
    expect(all.metadata.dose).toEqual([1, 3, 3, 1]);
    const top = prepareForEvaluation(p, roles, { per_plate_zscore: true, highest_dose_only: true, fill_undefined: 'zero' });
    expect(top.metadata.cpd).toEqual(['x', 'x', 'y']);
    expect(top.metadata.dose).toEqual([3, 3, 1]);
    expect(Array.from(top.values.data)).toEqual([1, 0, 0, 0, 1, 1]);
    const masked = prepareForEvaluation(p, { ...roles, control: [true, false, false, true, false, false] },
      { per_plate_zscore: false, highest_dose_only: false, fill_undefined: 'zero' });
    expect(masked.values.rows).toBe(4);
    expect(() => keepHighestDose(table({ cpd: ['x'], dose: ['high'] }, [[1]]), { perturbation: 'cpd', dose: 'dose' })).toThrow(/non-numeric/);
  });

  it('fills undefined values like pandas interpolate(), or with zero', () => {
    const q = table({ w: [1, 2, 3, 4, 5] }, [[NaN, 1], [2, NaN], [NaN, 3], [4, NaN], [NaN, NaN]]);
    const lin = fillUndefined(q, 'interpolate').values.data;
    // Column 0: leading gap takes the first value (pandas would leave NaN), inner gap on the line,
    // trailing gap the last value. Column 1: 1, 2, 3, 3, 3.
    expect(Array.from(lin)).toEqual([2, 1, 2, 2, 3, 3, 4, 3, 4, 3]);
    expect(Array.from(fillUndefined(q, 'zero').values.data)).toEqual([0, 1, 2, 0, 0, 3, 4, 0, 0, 0]);
  });
});
