import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matrix } from '../src/numeric/matrix.ts';
import type { MetaValue, Profiles } from '../src/data/profiles.ts';
import { stream } from '../src/random/streams.ts';
import {
  averagePrecision, averagePrecisionOf, benjaminiHochberg, type MapOptions, moaConsistency, phenotypicActivity,
} from '../src/evaluate/map.ts';
import { averagePrecisionOfRanks32, meanNull, nullAveragePrecision, nullPValue } from '../src/evaluate/map_null.ts';

function table(meta: Record<string, MetaValue[]>, rows: number[][]): Profiles {
  return {
    metadata: meta,
    features: rows[0].map((_, j) => `Cells_f${j}`),
    values: matrix(rows.length, rows[0].length, Float64Array.from(rows.flat())),
  };
}

function cosine(x: number[], y: number[]): number {
  let xy = 0, xx = 0, yy = 0;
  x.forEach((_, i) => {
    xy += x[i] * y[i];
    xx += x[i] ** 2;
    yy += y[i] ** 2;
  });
  return xy / Math.sqrt(xx * yy);
}

/** All ways to choose k of the ranks 0…n−1. */
function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [...subsets(n - 1, k - 1).map((s) => [...s, n - 1]), ...subsets(n - 1, k)];
}

function relevanceOf(positions: number[], n: number): number[] {
  const rel = new Array<number>(n).fill(0);
  for (const p of positions) rel[p] = 1;
  return rel;
}

const opts: MapOptions = { null_size: 1000, threshold: 0.05, seed: 3 };

describe('average precision', () => {
  it('of hand-ranked lists', () => {
    expect(averagePrecision([1, 0, 1])).toBeCloseTo(5 / 6, 15);
    expect(averagePrecision([0, 1, 0, 1])).toBeCloseTo(0.5, 15);
    expect(averagePrecision([true, true, false, false])).toBe(1);
    expect(averagePrecision([0, 0, 1])).toBeCloseTo(1 / 3, 15);
    expect(averagePrecision([0, 0, 0])).toBeNaN();
  });

  it('from similarities: high first, ties rank positives first, undefined ranks last', () => {
    // Ranking 0.95 (neg), 0.9 (pos), 0.5 (neg), 0.1 (pos, before the tied negative), 0.1 (neg).
    const ap = averagePrecisionOf(Float64Array.from([0.1, 0.9]), 2, Float64Array.from([0.5, 0.95, 0.1]), 3);
    expect(ap).toBeCloseTo(averagePrecision([0, 1, 0, 1, 0]), 15);
    expect(averagePrecisionOf(Float64Array.from([NaN]), 1, Float64Array.from([0.2]), 1)).toBe(0.5);
    expect(averagePrecisionOf(new Float64Array(1), 0, Float64Array.from([0.2]), 1)).toBeNaN();
  });

  it("ranks by copairs' float32 key: similarities that float32 cannot tell apart tie, and positives win the tie", () => {
    // 0.3 and 0.3 + 1e-9 are one float32 (its spacing near 0.3 is 3e-8): copairs ranks the positive first.
    expect(averagePrecisionOf(Float64Array.from([0.3]), 1, Float64Array.from([0.3 + 1e-9]), 1)).toBe(1);
    // 1e-9 and 1e-10 are different float32 values, but 1 − s rounds both to the float32 1: a tie again.
    expect(averagePrecisionOf(Float64Array.from([1e-10]), 1, Float64Array.from([1e-9]), 1)).toBe(1);
    // Far enough apart, the negative stays ahead.
    expect(averagePrecisionOf(Float64Array.from([0.3]), 1, Float64Array.from([0.3 + 1e-6]), 1)).toBe(0.5);
  });
});

describe('null of random rankings', () => {
  it('places the positives uniformly: matches the exact distribution over all rankings', () => {
    const n = 20000;
    const null_ = nullAveragePrecision(2, 5, n, 1);
    // The null is float32: compare values at 1e-6, which still tells these 10 rankings' APs apart.
    const exact = new Map<number, number>();
    for (const s of subsets(5, 2)) {
      const ap = Math.round(averagePrecision(relevanceOf(s, 5)) * 1e6);
      exact.set(ap, (exact.get(ap) ?? 0) + 1 / 10);
    }
    const seen = new Map<number, number>();
    for (const v of null_) seen.set(Math.round(v * 1e6), (seen.get(Math.round(v * 1e6)) ?? 0) + 1 / n);
    expect([...seen.keys()].sort()).toEqual([...exact.keys()].sort());
    for (const [ap, pr] of exact) expect(Math.abs(seen.get(ap)! - pr)).toBeLessThan(0.015);
  });

  it('is deterministic by seed and configuration', () => {
    expect(nullAveragePrecision(3, 40, 50, 9)).toEqual(nullAveragePrecision(3, 40, 50, 9));
    expect(nullAveragePrecision(3, 40, 50, 9)).not.toEqual(nullAveragePrecision(3, 40, 50, 10));
  });

  // test/oracles/map_null_float32.py: copairs' own float32 expressions, run by numpy.
  const fixture = JSON.parse(readFileSync(new URL('./fixtures/map_null_float32.json', import.meta.url), 'utf8')) as {
    null_rows: number[][];
    lists: { num_pos: number; total: number; ranks: number[][]; ap: number[] }[];
    means: { members: number[]; mean: number[] }[];
  };

  it("computes each null AP bit for bit as copairs' float32 numpy code (pairwise sums past 8 and 128 positives)", () => {
    let compared = 0;
    for (const list of fixture.lists) {
      list.ranks.forEach((ranks, r) => {
        expect(averagePrecisionOfRanks32(Int32Array.from(ranks)), `${list.num_pos}/${list.total} #${r}`).toBe(list.ap[r]);
        compared++;
      });
    }
    expect(compared).toBeGreaterThan(200);
  });

  it("averages members' null rows in float32 as numpy's mean(axis=0) does", () => {
    const rows = fixture.null_rows.map((r) => Float32Array.from(r));
    for (const m of fixture.means) expect(Array.from(meanNull(m.members.map((i) => rows[i])))).toEqual(m.mean);
  });

  it('counts null values strictly above the mAP, compared in float32 (copairs under numpy 1.x)', () => {
    const third = Math.fround(1 / 3);
    const null_ = Float32Array.from([1, 0.5, third, third, 0.25]);
    // mAP 1/3 (two APs of 1/3) rounds to float32(1/3): the two null values equal to it do not count.
    expect(nullPValue(null_, (1 / 3 + 1 / 3) / 2)).toBe((2 + 1) / 6);
    expect(nullPValue(null_, 1)).toBe(1 / 6);
    expect(nullPValue(null_, 0.3)).toBe((4 + 1) / 6);
  });
});

describe('phenotypic activity', () => {
  it('p-values of a tiny case agree with brute-force enumeration of all rankings', () => {
    const rs = stream(4, 'test/map/tiny');
    const rows = Array.from({ length: 9 }, () => Array.from({ length: 4 }, () => rs.normal()));
    const pert = ['A', 'A', 'A', 'B', 'B', 'B', 'DMSO', 'DMSO', 'DMSO'];
    const p = table({ pert }, rows);
    const res = phenotypicActivity(p, { replicate_by: ['pert'], control: (r) => r.pert === 'DMSO' }, { ...opts, null_size: 20000 });
    expect(res.groups.map((g) => g.key)).toEqual(['A', 'B']);
    res.groups.forEach((g, gi) => {
      // Observed AP per well, by explicit ranking of the other replicates and the controls.
      const members = [0, 1, 2].map((r) => 3 * gi + r);
      const aps = members.map((i) => {
        const cands = [...members.filter((j) => j !== i).map((j) => ({ j, pos: 1 })), ...[6, 7, 8].map((j) => ({ j, pos: 0 }))];
        const ranked = cands
          .map((c) => ({ ...c, s: cosine(rows[i], rows[c.j]) }))
          .sort((a, b) => b.s - a.s || b.pos - a.pos);
        return averagePrecision(ranked.map((c) => c.pos));
      });
      aps.forEach((ap, r) => expect(res.average_precision[members[r]]).toBeCloseTo(ap, 12));
      const map = aps.reduce((a, b) => a + b, 0) / 3;
      expect(g.mean_average_precision).toBeCloseTo(map, 12);
      // Each well ranks its 2 replicates among them and the 3 controls.
      expect([g.n_pos, g.n_total]).toEqual([2, 5]);
      // Exact p: the share of the 10 placements of 2 positives among 5 ranks with an AP strictly above the
      // mAP (copairs counts null > mAP; this test used to count ≥, the rule before copairs parity).
      const all = subsets(5, 2).map((s) => averagePrecision(relevanceOf(s, 5)));
      const exact = all.filter((ap) => Math.fround(ap) > Math.fround(map)).length / all.length;
      expect(Math.abs(g.p_value - exact)).toBeLessThan(0.015);
    });
  });

  it('finds strong perturbations and not noise, with BH-corrected p-values', () => {
    const rs = stream(6, 'test/map/sim');
    const rows: number[][] = [];
    const pert: string[] = [];
    for (let g = 0; g < 20; g++) {
      const effect = Array.from({ length: 50 }, () => (g < 10 ? 2 * rs.normal() : 0));
      for (let r = 0; r < 4; r++) {
        rows.push(effect.map((e) => e + rs.normal()));
        pert.push(`${g < 10 ? 'strong' : 'noise'}${g}`);
      }
    }
    for (let c = 0; c < 30; c++) {
      rows.push(Array.from({ length: 50 }, () => rs.normal()));
      pert.push('DMSO');
    }
    const control = pert.map((v) => v === 'DMSO');
    const res = phenotypicActivity(table({ pert }, rows), { replicate_by: ['pert'], control }, opts);
    const strong = res.groups.filter((g) => g.key.startsWith('strong'));
    expect(strong.every((g) => g.mean_average_precision === 1 && g.significant)).toBe(true);
    expect(res.groups.filter((g) => g.key.startsWith('noise') && g.significant).length).toBeLessThanOrEqual(1);
    const n = res.groups.filter((g) => g.significant).length;
    expect(res.summary).toEqual({ fraction_significant: n / 20, n: 20, n_significant: n, threshold: 0.05 });
    expect(Array.from(benjaminiHochberg(res.groups.map((g) => g.p_value)))).toEqual(res.groups.map((g) => g.corrected_p_value));
    expect(res.average_precision.slice(80).every((v) => Number.isNaN(v))).toBe(true); // controls are no queries
    const again = phenotypicActivity(table({ pert }, rows), { replicate_by: ['pert'], control }, opts);
    expect(again.groups).toEqual(res.groups);
  });
});

describe('Benjamini–Hochberg', () => {
  it('matches hand values', () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.2]);
    // Sorted 0.01, 0.03, 0.04, 0.2 → ×4/rank: 0.04, 0.06, 0.0533, 0.2 → running minimum from the top.
    expect(q[0]).toBeCloseTo(0.04, 15);
    expect(q[1]).toBeCloseTo(0.16 / 3, 15);
    expect(q[2]).toBeCloseTo(0.16 / 3, 15);
    expect(q[3]).toBeCloseTo(0.2, 15);
    expect(Array.from(benjaminiHochberg([0.5, 0.9, 0.9]))).toEqual([0.9, 0.9, 0.9]);
    expect(Array.from(benjaminiHochberg([0.8, 0.9]))).toEqual([0.9, 0.9]);
    expect(Array.from(benjaminiHochberg([0.6]))).toEqual([0.6]);
  });
});

describe('MoA consistency', () => {
  const rs = stream(8, 'test/map/moa');
  const rows: number[][] = [];
  const cpd: string[] = [];
  const moa: (string | null)[] = [];
  for (let m = 0; m < 3; m++) {
    const signature = Array.from({ length: 30 }, () => 3 * rs.normal());
    for (let c = 0; c < 3; c++) {
      for (let r = 0; r < 2; r++) {
        rows.push(signature.map((s) => s + rs.normal()));
        cpd.push(`m${m}c${c}`);
        moa.push(`moa${m}`);
      }
    }
  }
  rows.push(Array.from({ length: 30 }, () => rs.normal()));
  cpd.push('unknown');
  moa.push(null);

  it('ranks perturbation-level profiles: same MoA positive, other MoAs negative', () => {
    const res = moaConsistency(table({ cpd, moa }, rows), { replicate_by: ['cpd'], moa: 'moa' }, opts);
    // 9 perturbations (the one without a MoA is left out), each the median (here the mean) of its two wells.
    expect(res.perturbations.values.rows).toBe(9);
    expect(res.perturbations.metadata.n_wells).toEqual(new Array(9).fill(2));
    expect(res.perturbations.values.data[0]).toBeCloseTo((rows[0][0] + rows[1][0]) / 2, 15);
    expect(res.groups.map((g) => g.key)).toEqual(['moa0', 'moa1', 'moa2']);
    for (const g of res.groups) {
      expect(g.mean_average_precision).toBe(1);
      expect(g.n_queries).toBe(3);
      // Each of the MoA's 3 perturbations ranks its 2 MoA mates among the 8 other perturbations.
      expect([g.n_pos, g.n_total]).toEqual([2, 8]);
      // No random ranking has an AP above 1, so copairs' p (null > mAP) is 1/(null_size + 1). This test used
      // to expect ≈ 1/28 (the share of the C(8, 2) placements with AP ≥ 1), the rule before copairs parity.
      expect(g.p_value).toBe(1 / (opts.null_size + 1));
    }
  });

  it('takes the per-feature median of a perturbation\'s wells, skipping missing values (copairs\' consistency example)', () => {
    const p = table({ cpd: ['a', 'a', 'a', 'b', 'b', 'c', 'c'], moa: ['x', 'x', 'x', 'x', 'x', 'y', 'y'] }, [
      [1, NaN], [10, 4], [2, 6], [1, 1], [3, 2], [5, 5], [6, 7],
    ]);
    const res = moaConsistency(p, { replicate_by: ['cpd'], moa: 'moa' }, opts);
    expect(Array.from(res.perturbations.values.data.subarray(0, 4))).toEqual([2, 5, 2, 1.5]);
    expect(res.perturbations.metadata.n_wells).toEqual([3, 2, 2]);
    // a and b (MoA x) are positives of each other; c is alone in y: a negative, but no query.
    expect(Array.from(res.n_pos_pairs)).toEqual([1, 1, 0]);
    expect(Array.from(res.n_total_pairs)).toEqual([2, 2, 0]);
    expect(res.average_precision[2]).toBeNaN();
  });

  it('refuses a replicate group whose wells disagree on the MoA', () => {
    const bad = moa.slice();
    bad[1] = 'moa9';
    expect(() => moaConsistency(table({ cpd, moa: bad }, rows), { replicate_by: ['cpd'], moa: 'moa' }, opts))
      .toThrow(/replicate group m0c0 \(cpd\) disagree on moa: 'moa0' and 'moa9'/);
  });
});
