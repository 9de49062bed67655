import { readFileSync } from 'node:fs';
import { tf } from '../src/runtime/tfjs.ts';
import { describe, expect, it } from 'vitest';
import { whereRows, type Profiles } from '../src/data/profiles.ts';
import type { Roles } from '../src/data/roles.ts';
import { explainAnomalies, withoutInput } from '../src/explain/anomaly_shap.ts';
import type { Coalitions } from '../src/explain/coalitions.ts';
import { kernelExplainer } from '../src/explain/kernel_shap.ts';
import { selectedKernelRegression } from '../src/explain/l1_selection.ts';
import { aicSelectedFeatures, lassoLarsPath } from '../src/explain/lars.ts';
import { type Autoencoder, buildAutoencoder } from '../src/model/autoencoder.ts';
import { matrix, type Matrix } from '../src/numeric/matrix.ts';
import type { RunSpec } from '../src/spec/types.ts';
import { explainAnomalousWells } from '../src/stages/explain.ts';

/**
 * `explain.mode: reference` against the shap library (0.51, KernelExplainer with l1_reg='auto', the
 * default of the reference's era) run the way the reference runs it: test/oracles/shap_reference.py
 * wrote test/fixtures/shap_reference.json. Everything the test feeds the project (model weights, tables,
 * coalitions) comes from that file.
 */

interface ModelJson {
  hidden: number;
  latent: number;
  layers: { weight: number[][]; bias: number[] }[];
}
interface L1Case {
  model: ModelJson;
  background: number[][];
  x: number[];
  explained: { feature: number; masks: string[]; weights: number[]; values: number[]; expected: number; fx: number; shap: number[]; exact?: number[] }[];
}
interface LarsCase {
  x: number[][];
  y: number[];
  alphas: number[];
  coefs: number[][];
  selected: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/shap_reference.json', import.meta.url), 'utf8')) as {
  stage: {
    model: ModelJson;
    background_size: number;
    table: Record<'Metadata_Plate' | 'Metadata_Well' | 'Metadata_pert' | 'Metadata_set', string[]> & { values: number[][] };
    explanations: { row: number; feature: number; expected: number; output: number; shap: number[]; exact: number[] }[];
  };
  l1_16: L1Case;
  l1_40: L1Case;
  lars_drop: LarsCase;
  lars_plain: LarsCase;
};

/** The oracle's torch-layout model (weight out×in) in the project's autoencoder (tfjs kernels are in×out). */
function autoencoderOf(m: ModelJson): Autoencoder {
  const d = m.layers[0].weight[0].length;
  const model = buildAutoencoder({ encoder: [m.hidden], latent: m.latent, decoder: 'linear', activation: 'relu', dropout: 0, batch_norm: false }, d, 0);
  model.setWeights(m.layers.flatMap((l) => [tf.transpose(tf.tensor2d(l.weight)), tf.tensor1d(l.bias)]));
  return model;
}

function rowsMatrix(rows: number[][]): Matrix {
  return matrix(rows.length, rows[0].length, Float64Array.from(rows.flat()));
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe('explain.mode reference: the explain stage against shap.KernelExplainer', () => {
  const st = fixture.stage;
  const d = st.table.values[0].length;
  const n = st.table.values.length;
  const model = autoencoderOf(st.model);
  const { values, ...columns } = st.table;
  const profiles: Profiles = { metadata: columns, features: Array.from({ length: d }, (_, i) => `f${i}`), values: rowsMatrix(values) };
  const roles: Roles = {
    plate: 'Metadata_Plate', well: 'Metadata_Well', perturbation: 'Metadata_pert', moa: null, dose: null, batch: null,
    control: { column: 'Metadata_pert', values: ['DMSO'] }, replicateBy: ['Metadata_pert'],
  };
  const settings: RunSpec['explain'] = {
    enabled: true, mode: 'reference', group_by: 'perturbation', wells_per_group: 10, background_size: st.background_size,
    error_fraction: 1, max_features: d, nsamples: null, exact_max_features: 12, top_pairs: 5,
  };
  const rowsOf = (set: string) => whereRows(n, (i) => columns.Metadata_set[i] === set);
  const oracle = new Map(st.explanations.map((e) => [`${columns.Metadata_Well[e.row]}/f${e.feature}`, e]));

  it('gives shap values of x̂_j with input j zeroed, against the first test controls, to 1e-6', () => {
    const { table, metrics } = explainAnomalousWells(profiles, rowsOf, model, roles, settings, 1, { training_kernel: 'auto', threads: 1 });
    expect(metrics.records).toBe(12);
    const wells = table.well as string[];
    const explained = table.explained_feature as string[];
    const inputs = table.input_feature as string[];
    const phi = table.shap as Float64Array;
    let worst = 0;
    let worstExact = 0;
    const seen = new Set<string>();
    wells.forEach((key, r) => {
      const e = oracle.get(`${key.split('/')[1]}/${explained[r]}`)!;
      const i = Number(inputs[r].slice(1));
      seen.add(`${key}/${explained[r]}`);
      worst = Math.max(worst, Math.abs(phi[r] - e.shap[i]));
      worstExact = Math.max(worstExact, Math.abs(phi[r] - e.exact[i]));
    });
    // Every treated well, every feature (error_fraction 1), each with the other 7 inputs attributed.
    expect(seen.size).toBe(12 * d);
    expect(wells.length).toBeGreaterThanOrEqual(12 * d * (d - 1));
    // Measured: 4.3e-8 against both (float32 models: tfjs and numpy round their products differently).
    expect(worst).toBeLessThan(1e-6);
    expect(worstExact).toBeLessThan(1e-6);
  });

  it('takes the background from test_ctrl in table order, and differs from the default mode', () => {
    const first = st.explanations[0];
    const x = Float64Array.from(values[first.row]);
    const background = rowsMatrix(values.filter((_, i) => columns.Metadata_set[i] === 'test_ctrl').slice(0, st.background_size));
    const options = { ...settings, nsamples: 2 * d + 2048 };
    const [e] = explainAnomalies(kernelExplainer((m) => model.reconstruct(m), background), matrix(1, d, x), ['r'], options, 1);
    const f = e.explained.find((g) => g.feature === first.feature)!;
    expect(Math.abs(f.expected - first.expected)).toBeLessThan(1e-6);
    expect(Math.abs(f.output - first.output)).toBeLessThan(1e-6);
    expect(maxAbs(f.shap, first.shap)).toBeLessThan(1e-6);
    expect(e.exact).toBe(true);
    // The default mode explains the model's own x̂_j: its values add up to x̂_j − E[x̂_j] instead.
    const [g] = explainAnomalies(kernelExplainer((m) => model.reconstruct(m), background), matrix(1, d, x), ['r'], { ...options, mode: 'default' }, 1);
    const h = g.explained.find((k) => k.feature === first.feature)!;
    expect(h.output).toBe(h.reconstruction);
    expect(Math.abs(h.output - first.output)).toBeGreaterThan(1e-3);
  });
});

describe('explain.mode reference: the model with feature j input weights zeroed', () => {
  const m = fixture.l1_16.model;
  const model = autoencoderOf(m);
  const d = m.layers[0].weight[0].length;
  const rows = rowsMatrix(fixture.l1_16.background);

  it('is the autoencoder whose first-layer weights of input j are 0, bit for bit', () => {
    for (const j of [0, 5, d - 1]) {
      const zeroed = autoencoderOf({ ...m, layers: m.layers.map((l, k) => (k === 0 ? { ...l, weight: l.weight.map((w) => w.map((v, i) => (i === j ? 0 : v))) } : l)) });
      const a = withoutInput((x) => model.reconstruct(x), j)(rows);
      expect(Array.from(a.data)).toEqual(Array.from(zeroed.reconstruct(rows).data));
      expect(Array.from(a.data)).not.toEqual(Array.from(model.reconstruct(rows).data));
      zeroed.dispose();
    }
  });

  it("gives shap's coalition values, E[f] and f(x) for the reference's explained output", () => {
    const { x, explained } = fixture.l1_16;
    for (const c of explained) {
      const f = withoutInput((v) => model.reconstruct(v), c.feature);
      const out = (v: Matrix) => Array.from({ length: v.rows }, (_, r) => f(v).data[r * d + c.feature]);
      const mean = (v: Matrix) => out(v).reduce((s, y) => s + y, 0) / v.rows;
      expect(Math.abs(mean(rows) - c.expected)).toBeLessThan(1e-6);
      expect(Math.abs(mean(matrix(1, d, Float64Array.from(x))) - c.fx)).toBeLessThan(1e-6);
      let worst = 0;
      for (let k = 0; k < c.masks.length; k += 37) {
        const synth = matrix(rows.rows, d, Float64Array.from(rows.data));
        for (let r = 0; r < rows.rows; r++) for (let i = 0; i < d; i++) if (c.masks[k][i] === '1') synth.data[r * d + i] = x[i];
        worst = Math.max(worst, Math.abs(mean(synth) - c.values[k]));
      }
      expect(worst).toBeLessThan(1e-6);
    }
  });
});

describe("shap's l1_reg='auto' on shap's own coalitions", () => {
  const cases = [
    ['16 features', fixture.l1_16],
    ['40 features', fixture.l1_40],
  ] as const;
  it.each(cases)('selects the same features and gives the same values (%s)', (_, l1) => {
    const M = l1.x.length;
    for (const c of l1.explained) {
      const coalitions: Coalitions = {
        masks: Uint8Array.from(c.masks.flatMap((row) => Array.from(row, Number))),
        weights: Float64Array.from(c.weights),
        count: c.masks.length,
      };
      const phi = selectedKernelRegression(coalitions, M, Float64Array.from(c.values), Float64Array.of(c.expected), Float64Array.of(c.fx));
      const chosen = (v: ArrayLike<number>) => Array.from(v, (p, i) => (p !== 0 ? i : -1)).filter((i) => i >= 0);
      expect(chosen(phi)).toEqual(chosen(c.shap));
      expect(chosen(phi).length).toBeLessThan(M);
      // Measured: ≤ 1.1e-15 (the same float64 regression, solved by Cholesky here and LU in numpy).
      expect(maxAbs(phi, c.shap)).toBeLessThan(1e-12);
    }
  });
});

describe('explain.mode reference with its own seeded coalitions', () => {
  it("lands as close to shap's sampled values and to the exact ones as shap's own reruns do", () => {
    const c = fixture.l1_16;
    const d = c.x.length;
    const model = autoencoderOf(c.model);
    const explainer = kernelExplainer((m) => model.reconstruct(m), rowsMatrix(c.background));
    const options = { mode: 'reference' as const, background_size: c.background.length, error_fraction: 1, max_features: 2, nsamples: 2 * d + 2048, exact_max_features: 12, top_pairs: 3 };
    const [e] = explainAnomalies(explainer, matrix(1, d, Float64Array.from(c.x)), ['r'], options, 1);
    expect(e.exact).toBe(false);
    expect(e.explained.map((f) => f.feature)).toEqual(c.explained.map((f) => f.feature));
    for (const f of e.explained) {
      const o = c.explained.find((k) => k.feature === f.feature)!;
      // Values of size ≤ 0.26. shap against itself with other seeds: 1.3e-3 to 1.6e-3; shap against the
      // exact values: 0.9e-3 and 1.5e-3. Measured here: 1.8e-3 and 2.1e-3 against shap, 1.5e-3 and
      // 1.4e-3 against the exact values; the default mode (another model) is 0.13 to 0.25 away.
      expect(maxAbs(f.shap, o.shap)).toBeLessThan(4e-3);
      expect(maxAbs(f.shap, o.exact!)).toBeLessThan(3e-3);
      // AIC left features out, as it did for shap (10 and 9 of 16).
      expect(Array.from(f.shap).filter((v) => v !== 0).length).toBeLessThan(d - 3);
      expect(Math.abs(f.shap.reduce((s, v) => s + v, 0) - (f.output - f.expected))).toBeLessThan(1e-9);
    }
  });
});

describe("scikit-learn's lasso path and AIC selection", () => {
  it.each([
    ['with a coefficient leaving the active set', fixture.lars_drop],
    ['without', fixture.lars_plain],
  ] as const)('reproduces lars_path(method=lasso) and LassoLarsIC(aic) %s', (_, c) => {
    const n = c.y.length;
    const p = c.x[0].length;
    const mean = (i: number) => c.x.reduce((s, r) => s + r[i], 0) / n;
    const means = Array.from({ length: p }, (_, i) => mean(i));
    const yMean = c.y.reduce((s, v) => s + v, 0) / n;
    const xc = c.x.map((r) => r.map((v, i) => v - means[i]));
    const yc = c.y.map((v) => v - yMean);
    const gram = new Float64Array(p * p);
    const xy = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      for (let r = 0; r < n; r++) xy[i] += xc[r][i] * yc[r];
      for (let j = 0; j < p; j++) for (let r = 0; r < n; r++) gram[i * p + j] += xc[r][i] * xc[r][j];
    }
    const path = lassoLarsPath(gram, xy, p, n, 500);
    expect(path.coefs.length).toBe(c.coefs.length);
    // Measured: alphas to 3.4e-15, coefficients to 3.2e-14.
    expect(maxAbs(path.alphas, c.alphas)).toBeLessThan(1e-12);
    path.coefs.forEach((coef, k) => expect(maxAbs(coef, c.coefs[k])).toBeLessThan(1e-12));
    expect(Array.from(aicSelectedFeatures(Float64Array.from(c.x.flat()), Float64Array.from(c.y), n, p))).toEqual(c.selected);
  });
});
