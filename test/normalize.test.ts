import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import type { Profiles } from '../src/data/profiles.ts';
import { type Matrix, matrix } from '../src/numeric/matrix.ts';
import { normalize, type NormalizeSettings } from '../src/preprocess/normalize.ts';
import { applyAffine } from '../src/preprocess/normalize/affine.ts';
import { fitMadRobustize } from '../src/preprocess/normalize/mad_robustize.ts';
import { fitRobustize } from '../src/preprocess/normalize/robustize.ts';
import { applySpherize, fitSpherize, type SpherizeSettings } from '../src/preprocess/normalize/spherize.ts';
import { fitStandardize } from '../src/preprocess/normalize/standardize.ts';

/** A matrix from rows. */
function m(rows: number[][]): Matrix {
  return matrix(rows.length, rows[0].length, Float64Array.from(rows.flat()));
}

function col(x: Matrix, j: number): number[] {
  return Array.from({ length: x.rows }, (_, i) => x.data[i * x.cols + j]);
}

describe('fitStandardize (sklearn StandardScaler)', () => {
  it('uses the population SD, skips NaN, and leaves constant features unscaled', () => {
    const a = fitStandardize(m([[1, 5, NaN], [2, 5, 1], [3, 5, 3], [4, 5, NaN]]));
    expect(Array.from(a.center)).toEqual([2.5, 5, 2]);
    expect(a.scale[0]).toBeCloseTo(Math.sqrt(1.25), 15);
    expect(a.scale[1]).toBe(1);
    expect(a.scale[2]).toBe(1);
    expect(col(applyAffine(m([[4, 6, NaN]]), a), 0)[0]).toBeCloseTo(1.5 / Math.sqrt(1.25), 15);
    expect(Number.isNaN(applyAffine(m([[4, 6, NaN]]), a).data[2])).toBe(true);
  });

  it('treats a variance that is rounding noise around the mean as constant, as sklearn does', () => {
    // 0.1·3/3 ≠ 0.1 in floating point, so the naive variance is ~1e-34, not 0.
    const a = fitStandardize(m([[0.1], [0.1], [0.1]]));
    expect(a.scale[0]).toBe(1);
  });
});

describe('fitRobustize (sklearn RobustScaler)', () => {
  it('centres on the median and scales by the linearly interpolated IQR', () => {
    const a = fitRobustize(m([[1, 1], [2, 2], [3, 3], [4, 4], [100, NaN]]));
    expect(Array.from(a.center)).toEqual([3, 2.5]);
    expect(a.scale[0]).toBe(2); // q25 = 2, q75 = 4
    expect(a.scale[1]).toBeCloseTo(1.5, 15); // q25 = 1.75, q75 = 3.25
  });

  it('replaces a zero IQR by 1', () => {
    expect(fitRobustize(m([[7], [7], [7], [7], [8]])).scale[0]).toBe(1); // q25 = q75 = 7
  });
});

describe('fitMadRobustize (pycytominer RobustMAD)', () => {
  it('scales by 1.4826·MAD + epsilon', () => {
    const a = fitMadRobustize(m([[1], [2], [3], [4], [100]]), 0.5);
    expect(a.center[0]).toBe(3);
    expect(a.scale[0]).toBeCloseTo(1.4826 + 0.5, 14); // |x − 3| = 2,1,0,1,97 → median 1
  });

  it('keeps a zero MAD, so epsilon alone divides a constant feature', () => {
    const a = fitMadRobustize(m([[7], [7], [7]]), 1e-18);
    expect(applyAffine(m([[8]]), a).data[0] / 1e18).toBeCloseTo(1, 12);
  });
});

describe('normalize', () => {
  const profiles: Profiles = {
    metadata: { Metadata_Plate: ['A', 'A', 'A', 'B', 'B', 'B'], Metadata_Well: ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'] },
    features: ['x', 'y'],
    values: m([[1, 0], [2, 1], [3, 5], [10, 0], [20, 4], [30, 2]]),
  };
  const sph: SpherizeSettings = { method: 'ZCA', epsilon: 1e-6, center: true };
  const settings = (method: NormalizeSettings['method'], by_plate: boolean): NormalizeSettings =>
    ({ method, by_plate, mad_epsilon: 1e-18, spherize: sph });
  const scope = { plateColumn: 'Metadata_Plate', fitRows: [0, 1, 3, 4] };

  it('fits each plate on its own fit wells and applies to all its wells', () => {
    const out = normalize(profiles, settings('standardize', true), scope);
    expect(col(out.values, 0)).toEqual([-1, 1, 3, -1, 1, 3]); // A: mean 1.5 sd .5; B: mean 15 sd 5
    expect(col(out.values, 1)).toEqual([-1, 1, 9, -1, 1, 0]); // A: mean .5 sd .5; B: mean 2 sd 2
    expect(out.metadata).toBe(profiles.metadata);
    expect(out.features).toEqual(['x', 'y']);
  });

  it('fits once on all fit wells when not by plate', () => {
    const out = normalize(profiles, settings('standardize', false), scope);
    const mean = (1 + 2 + 10 + 20) / 4;
    const sd = Math.sqrt(((1 - mean) ** 2 + (2 - mean) ** 2 + (10 - mean) ** 2 + (20 - mean) ** 2) / 4);
    col(out.values, 0).forEach((v, i) => expect(v).toBeCloseTo(([1, 2, 3, 10, 20, 30][i] - mean) / sd, 14));
  });

  it('writes each plate’s wells in place exactly as fitting and applying the scaler to copies of them', () => {
    // Interleaved plates, so a plate's wells are scattered through the table.
    const rng = seedrandom('plates');
    const n = 60;
    const plates = Array.from({ length: n }, (_, i) => `P${(i * 7) % 4}`);
    const values = matrix(n, 5, Float64Array.from({ length: n * 5 }, (_, k) => (k % 11 === 3 ? NaN : 100 * rng() - 20)));
    const table: Profiles = { metadata: { Metadata_Plate: plates }, features: ['a', 'b', 'c', 'd', 'e'], values };
    const fitRows = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 0);
    for (const [method, fit] of [['standardize', fitStandardize], ['robustize', fitRobustize], ['mad_robustize', (x: Matrix) => fitMadRobustize(x, 1e-18)]] as const) {
      const out = normalize(table, settings(method, true), { plateColumn: 'Metadata_Plate', fitRows });
      // Over the table's own matrix (how the pipeline's normalize stage writes): the same values.
      const own = matrix(n, 5, values.data.slice());
      const over = normalize({ ...table, values: own }, settings(method, true), { plateColumn: 'Metadata_Plate', fitRows }, true);
      expect(over.values).toBe(own);
      for (const plate of ['P0', 'P1', 'P2', 'P3']) {
        const rows = plates.flatMap((p, i) => (p === plate ? [i] : []));
        const pick = (idx: number[]) => m(idx.map((i) => Array.from(values.data.subarray(i * 5, i * 5 + 5))));
        const want = applyAffine(pick(rows), fit(pick(rows.filter((i) => fitRows.includes(i)))));
        for (const result of [out, over]) {
          const got = rows.flatMap((i) => Array.from(result.values.data.subarray(i * 5, i * 5 + 5)));
          expect(got).toEqual(Array.from(want.data));
        }
      }
    }
  });

  it('spherizes plate by plate over the table’s own matrix as into a new one', () => {
    const rng = seedrandom('sphere');
    const n = 40;
    const plates = Array.from({ length: n }, (_, i) => `P${i % 2}`);
    const values = matrix(n, 3, Float64Array.from({ length: n * 3 }, () => rng() * 10));
    const table: Profiles = { metadata: { Metadata_Plate: plates }, features: ['a', 'b', 'c'], values };
    const fitRows = Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 !== 1);
    const copied = normalize(table, settings('spherize', true), { plateColumn: 'Metadata_Plate', fitRows });
    const over = normalize({ ...table, values: matrix(n, 3, values.data.slice()) }, settings('spherize', true), { plateColumn: 'Metadata_Plate', fitRows }, true);
    expect(Array.from(over.values.data)).toEqual(Array.from(copied.values.data));
    // Spherized by plate, each plate's fit wells have identity covariance: the two plates were fitted apart.
    expect(Array.from(copied.values.data)).not.toEqual(Array.from(normalize(table, settings('spherize', false), { plateColumn: 'Metadata_Plate', fitRows }).values.data));
  });

  it('refuses a plate without fit wells', () => {
    expect(() => normalize(profiles, settings('robustize', true), { ...scope, fitRows: [0, 1] })).toThrow(/plate 'B'/);
  });

  it("returns the table unchanged for method 'none'", () => {
    expect(normalize(profiles, settings('none', true), scope)).toBe(profiles);
  });

  it('renames PCA outputs PC1..PCd', () => {
    const wide: Profiles = { ...profiles, values: m([[1, 0], [2, 1], [3, 5], [10, 3], [20, 4], [30, 2]]) };
    const out = normalize(wide, { ...settings('spherize', false), spherize: { ...sph, method: 'PCA' } }, { ...scope, fitRows: [0, 1, 2, 3, 4, 5] });
    expect(out.features).toEqual(['PC1', 'PC2']);
  });
});

describe('fitSpherize (pycytominer Spherize)', () => {
  // Fit rows centred at (10, −5) with XcᵀXc = diag(2, 8): σ = (√8, √2), n − 1 = 3.
  const fit = m([[11, -5], [9, -5], [10, -3], [10, -7]]);
  const probe = m([[13, -1]]); // (3, 4) from the centre
  const eps = 1e-6;

  it('PCA projects on the principal axes scaled by √(n−1)/(σ+ε)', () => {
    const out = applySpherize(probe, fitSpherize(fit, { method: 'PCA', epsilon: eps, center: true }));
    expect(Math.abs(out.data[0])).toBeCloseTo((4 * Math.sqrt(3)) / (Math.sqrt(8) + eps), 13);
    expect(Math.abs(out.data[1])).toBeCloseTo((3 * Math.sqrt(3)) / (Math.sqrt(2) + eps), 13);
  });

  it('ZCA rotates back to the input axes', () => {
    const out = applySpherize(probe, fitSpherize(fit, { method: 'ZCA', epsilon: eps, center: true }));
    expect(out.data[0]).toBeCloseTo((3 * Math.sqrt(3)) / (Math.sqrt(2) + eps), 13);
    expect(out.data[1]).toBeCloseTo((4 * Math.sqrt(3)) / (Math.sqrt(8) + eps), 13);
  });

  it('ZCA-cor standardizes first (here the correlation matrix is I, so σ = 2 twice)', () => {
    const out = applySpherize(probe, fitSpherize(fit, { method: 'ZCA-cor', epsilon: eps, center: true }));
    const f = Math.sqrt(3) / (2 + eps);
    expect(out.data[0]).toBeCloseTo((3 / Math.sqrt(0.5)) * f, 13);
    expect(out.data[1]).toBeCloseTo((4 / Math.sqrt(2)) * f, 13);
  });

  it('without centring, projects the raw values', () => {
    const s = fitSpherize(m([[1, 0], [-1, 0], [0, 2], [0, -2]]), { method: 'ZCA', epsilon: 0, center: false });
    const out = applySpherize(m([[3, 4]]), s);
    expect(out.data[0]).toBeCloseTo((3 * Math.sqrt(3)) / Math.sqrt(2), 13);
    expect(out.data[1]).toBeCloseTo((4 * Math.sqrt(3)) / Math.sqrt(8), 13);
  });

  it.each(['PCA', 'ZCA', 'PCA-cor', 'ZCA-cor'] as const)('%s whitens its fit rows (sample covariance I)', (method) => {
    const rng = seedrandom(method);
    const rows = Array.from({ length: 200 }, () => {
      const a = rng() - 0.5;
      const b = rng() - 0.5;
      return [a, a + 0.3 * b, 5 * b + rng(), 2 + rng() * 0.1, a * b + 0.1 * rng()];
    });
    const x = m(rows);
    const y = applySpherize(x, fitSpherize(x, { method, epsilon: 1e-9, center: true }));
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 5; j++) {
        const ci = col(y, i);
        const cj = col(y, j);
        const mi = ci.reduce((s, v) => s + v, 0) / 200;
        const mj = cj.reduce((s, v) => s + v, 0) / 200;
        const cov = ci.reduce((s, v, k) => s + (v - mi) * (cj[k] - mj), 0) / 199;
        expect(cov).toBeCloseTo(i === j ? 1 : 0, 6);
      }
    }
  });

  it('with n ≤ d fit rows pads the missing singular values; ZCA is PCA rotated back', () => {
    const x = m([[1, 2, 0, 4, 1], [0, 1, 3, 1, 1], [2, 0, 1, 0, 5]]);
    const pca = applySpherize(x, fitSpherize(x, { method: 'PCA', epsilon: 1e-6, center: true }));
    expect(pca.cols).toBe(5);
    for (const j of [0, 1]) expect(col(pca, j).reduce((s, v) => s + v * v, 0) / 2).toBeCloseTo(1, 5);
    for (const j of [2, 3, 4]) for (const v of col(pca, j)) expect(Math.abs(v)).toBeLessThan(1e-6);
    const zca = applySpherize(x, fitSpherize(x, { method: 'ZCA', epsilon: 1e-6, center: true }));
    // A rotation keeps the rows' inner products.
    const inner = (y: Matrix, a: number, b: number) => [0, 1, 2, 3, 4].reduce((s, j) => s + y.data[a * 5 + j] * y.data[b * 5 + j], 0);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) expect(inner(zca, a, b)).toBeCloseTo(inner(pca, a, b), 8);
    }
  });

  it('refuses what pycytominer refuses', () => {
    const dependent = m([[1, 2, 3], [2, 1, 3], [0, 5, 5], [4, 4, 8], [3, 0, 3]]); // col3 = col1 + col2
    expect(() => fitSpherize(dependent, { method: 'PCA', epsilon: 1e-6, center: true })).toThrow(/rank 2, not full rank/);
    expect(() => fitSpherize(m([[1, 2]]), { method: 'PCA', epsilon: 1e-6, center: true })).toThrow(/no variance/);
    const constant = m([[1, 7], [2, 7], [4, 7]]);
    expect(() => fitSpherize(constant, { method: 'ZCA-cor', epsilon: 1e-6, center: true })).toThrow(/zero variance/);
    // Named, where the caller gives the names (the normalize stage does).
    expect(() => fitSpherize(constant, { method: 'ZCA-cor', epsilon: 1e-6, center: true }, ['Cells_a', 'Cells_b'])).toThrow(
      "spherize: feature 'Cells_b' has zero variance on the fit rows (3 rows)",
    );
    expect(() => fitSpherize(fit, { method: 'PCA-cor', epsilon: 1e-6, center: false })).toThrow(/center/);
    expect(() => fitSpherize(m([[1, 2], [NaN, 1], [3, 3]]), { method: 'PCA', epsilon: 1e-6, center: true })).toThrow(/missing/);
  });
});
