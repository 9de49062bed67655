import { describe, expect, it } from 'vitest';
import { matrix } from '../src/numeric/matrix.ts';
import type { MetaValue, Profiles } from '../src/data/profiles.ts';
import { stream } from '../src/random/streams.ts';
import {
  averagePrecision, averagePrecisionOf, benjaminiHochberg, type MapOptions, moaConsistency,
  nullAveragePrecision, phenotypicActivity,
} from '../src/evaluate/map.ts';

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
});

describe('null of random rankings', () => {
  it('places the positives uniformly: matches the exact distribution over all rankings', () => {
    const n = 20000;
    const null_ = nullAveragePrecision(2, 5, n, 1);
    const exact = new Map<number, number>();
    for (const s of subsets(5, 2)) {
      const ap = Math.round(averagePrecision(relevanceOf(s, 5)) * 1e9);
      exact.set(ap, (exact.get(ap) ?? 0) + 1 / 10);
    }
    const seen = new Map<number, number>();
    for (const v of null_) seen.set(Math.round(v * 1e9), (seen.get(Math.round(v * 1e9)) ?? 0) + 1 / n);
    expect([...seen.keys()].sort()).toEqual([...exact.keys()].sort());
    for (const [ap, pr] of exact) expect(Math.abs(seen.get(ap)! - pr)).toBeLessThan(0.015);
  });

  it('is deterministic by seed and configuration', () => {
    expect(nullAveragePrecision(3, 40, 50, 9)).toEqual(nullAveragePrecision(3, 40, 50, 9));
    expect(nullAveragePrecision(3, 40, 50, 9)).not.toEqual(nullAveragePrecision(3, 40, 50, 10));
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
      // Exact p: the share of the 10 placements of 2 positives among 5 ranks with AP ≥ mAP.
      const all = subsets(5, 2).map((s) => averagePrecision(relevanceOf(s, 5)));
      const exact = all.filter((ap) => ap >= map - 1e-12).length / all.length;
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
    // 9 perturbations (the one without a MoA is left out), each the mean of its two wells.
    expect(res.perturbations.values.rows).toBe(9);
    expect(res.perturbations.metadata.n_wells).toEqual(new Array(9).fill(2));
    expect(res.perturbations.values.data[0]).toBeCloseTo((rows[0][0] + rows[1][0]) / 2, 15);
    expect(res.groups.map((g) => g.key)).toEqual(['moa0', 'moa1', 'moa2']);
    for (const g of res.groups) {
      expect(g.mean_average_precision).toBe(1);
      expect(g.n_queries).toBe(3);
      // AP = 1 needs both positives on top: 1 of C(8, 2) = 28 placements, so p ≈ 1/28 under the null.
      expect(Math.abs(g.p_value - 1 / 28)).toBeLessThan(0.02);
    }
  });

  it('refuses a replicate group whose wells disagree on the MoA', () => {
    const bad = moa.slice();
    bad[1] = 'moa9';
    expect(() => moaConsistency(table({ cpd, moa: bad }, rows), { replicate_by: ['cpd'], moa: 'moa' }, opts)).toThrow(/MoAs/);
  });
});
