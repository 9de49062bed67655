import { describe, expect, it } from 'vitest';
import {
  aggregateDependencies,
  drawBackground,
  explainAnomalies,
  selectExplainedFeatures,
  type AnomalyShapOptions,
} from '../src/explain/anomaly_shap.ts';
import { sampleCoalitions } from '../src/explain/coalitions.ts';
import { type BatchModel, kernelExplainer, type KernelShapOptions, shapValues } from '../src/explain/kernel_shap.ts';
import { buildAutoencoder } from '../src/model/autoencoder.ts';
import { type Matrix, matrix } from '../src/numeric/matrix.ts';
import { stream } from '../src/random/streams.ts';
import { shapModel } from '../src/stages/explain.ts';

// ---------- small known models, vectorized over rows ----------

/** Applies a per-row function to every row. */
function rowwise(m: number, g: (x: Float64Array) => number[]): BatchModel {
  return (x: Matrix) => {
    const out = matrix(x.rows, m);
    for (let r = 0; r < x.rows; r++) out.data.set(g(x.data.subarray(r * x.cols, (r + 1) * x.cols)), r * m);
    return out;
  };
}

function randomMatrix(rows: number, cols: number, seed: string): Matrix {
  const rs = stream(0, seed);
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rs.normal()));
}

function linearModel(w: Matrix, b: Float64Array): BatchModel {
  return rowwise(w.rows, (x) => Array.from({ length: w.rows }, (_, o) => {
    let s = b[o];
    for (let i = 0; i < x.length; i++) s += w.data[o * w.cols + i] * x[i];
    return s;
  }));
}

/** A d→h→m ReLU net with seeded weights. */
function reluNet(d: number, h: number, m: number, seed: string): BatchModel {
  const w1 = randomMatrix(h, d, `${seed}/w1`);
  const b1 = randomMatrix(1, h, `${seed}/b1`).data;
  const w2 = randomMatrix(m, h, `${seed}/w2`);
  return rowwise(m, (x) => {
    const hidden = Array.from({ length: h }, (_, k) => {
      let s = b1[k];
      for (let i = 0; i < d; i++) s += w1.data[k * d + i] * x[i];
      return Math.max(0, s);
    });
    return Array.from({ length: m }, (_, o) => hidden.reduce((s, v, k) => s + w2.data[o * h + k] * v, 0));
  });
}

/** Products, a max and a ReLU net side by side: interactions the Shapley value must split. */
function nonlinear(d: number): BatchModel {
  const net = reluNet(d, 6, 2, `net${d}`);
  return (x: Matrix) => {
    const a = net(x);
    return matrix(x.rows, 4, Float64Array.from({ length: x.rows * 4 }, (_, k) => {
      const r = Math.floor(k / 4);
      const v = x.data.subarray(r * x.cols, (r + 1) * x.cols);
      switch (k % 4) {
        case 0: return v[0] * v[1] * v[2] + v[3];
        case 1: return Math.max(v[0], v[1], v[d - 1]) - v[2] * v[d - 1];
        default: return a.data[r * 2 + (k % 4) - 2];
      }
    }));
  };
}

// ---------- Shapley values computed independently, one model call per row ----------

/** v(S) = mean over background rows of f(x on S, background elsewhere), by plain loops. */
function coalitionValue(f: BatchModel, bg: Matrix, x: Float64Array, inS: (i: number) => boolean): Float64Array {
  let acc: Float64Array | null = null;
  for (let r = 0; r < bg.rows; r++) {
    const z = Float64Array.from({ length: x.length }, (_, i) => (inS(i) ? x[i] : bg.data[r * bg.cols + i]));
    const y = f(matrix(1, x.length, z)).data;
    acc ??= new Float64Array(y.length);
    for (let o = 0; o < y.length; o++) acc[o] += y[o] / bg.rows;
  }
  return acc!;
}

/** The permutation definition: average marginal contribution over all d! orderings (d ≤ 6). */
function permutationShapley(f: BatchModel, bg: Matrix, x: Float64Array): number[][] {
  const d = x.length;
  const memo = new Map<number, Float64Array>();
  const v = (mask: number) => {
    if (!memo.has(mask)) memo.set(mask, coalitionValue(f, bg, x, (i) => ((mask >> i) & 1) === 1));
    return memo.get(mask)!;
  };
  const m = v(0).length;
  const phi = Array.from({ length: m }, () => new Array<number>(d).fill(0));
  let perms = 0;
  const visit = (order: number[], used: number) => {
    if (order.length === d) {
      perms++;
      let mask = 0;
      for (const i of order) {
        const before = v(mask);
        mask |= 1 << i;
        const after = v(mask);
        for (let o = 0; o < m; o++) phi[o][i] += after[o] - before[o];
      }
      return;
    }
    for (let i = 0; i < d; i++) if (!((used >> i) & 1)) visit([...order, i], used | (1 << i));
  };
  visit([], 0);
  return phi.map((p) => p.map((s) => s / perms));
}

/** The subset definition with factorial weights, for d too large to walk every ordering. */
function subsetShapley(f: BatchModel, bg: Matrix, x: Float64Array): number[][] {
  const d = x.length;
  const values = Array.from({ length: 2 ** d }, (_, mask) => coalitionValue(f, bg, x, (i) => ((mask >> i) & 1) === 1));
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const m = values[0].length;
  const phi = Array.from({ length: m }, () => new Array<number>(d).fill(0));
  for (let mask = 0; mask < 2 ** d; mask++) {
    const s = mask.toString(2).split('').filter((c) => c === '1').length;
    const w = (fact(s) * fact(d - s - 1)) / fact(d);
    for (let i = 0; i < d; i++) {
      if ((mask >> i) & 1) continue;
      for (let o = 0; o < m; o++) phi[o][i] += w * (values[mask | (1 << i)][o] - values[mask][o]);
    }
  }
  return phi;
}

function rows(m: Matrix): number[][] {
  return Array.from({ length: m.rows }, (_, r) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)));
}

function maxAbsDiff(a: number[][], b: number[][]): number {
  return Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i][j]))));
}

function efficiencyGap(result: ReturnType<typeof shapValues>): number {
  const { values, fx, expected } = result;
  let worst = 0;
  for (let o = 0; o < values.rows; o++) {
    let s = 0;
    for (let i = 0; i < values.cols; i++) s += values.data[o * values.cols + i];
    worst = Math.max(worst, Math.abs(s - (fx[o] - expected[o])));
  }
  return worst;
}

const exactOpts: KernelShapOptions = { nsamples: 0, exact_max_features: 12, l1_reg: false };

// ---------- Kernel SHAP ----------

describe('Kernel SHAP on linear models', () => {
  const linearCase = (d: number) => {
    const w = randomMatrix(3, d, `lin${d}/w`);
    const f = linearModel(w, Float64Array.of(0.5, -1, 2));
    const bg = randomMatrix(9, d, `lin${d}/bg`);
    const x = randomMatrix(1, d, `lin${d}/x`).data;
    const expected = rows(w).map((wo) => wo.map((wi, i) => {
      let mean = 0;
      for (let r = 0; r < bg.rows; r++) mean += bg.data[r * d + i] / bg.rows;
      return wi * (x[i] - mean);
    }));
    return { f, bg, x, expected };
  };

  it('gives φ_i = w_i (x_i − E_bg[x_i]) on the exact path', () => {
    const { f, bg, x, expected } = linearCase(7);
    const result = shapValues(kernelExplainer(f, bg), x, exactOpts, stream(1, 'shap'));
    expect(result.exact).toBe(true);
    expect(result.coalitions).toBe(2 ** 7 - 2);
    expect(maxAbsDiff(rows(result.values), expected)).toBeLessThan(1e-12);
  });

  it('gives the same on the sampled path, where the regression fits an additive model without residual', () => {
    const { f, bg, x, expected } = linearCase(40);
    const result = shapValues(kernelExplainer(f, bg), x, { nsamples: 2 * 40 + 2048, exact_max_features: 12, l1_reg: false }, stream(1, 'shap'));
    expect(result.exact).toBe(false);
    expect(result.coalitions).toBe(2 * 40 + 2048);
    expect(maxAbsDiff(rows(result.values), expected)).toBeLessThan(1e-9);
  });
});

describe('Kernel SHAP against brute-force Shapley values', () => {
  const bg = randomMatrix(6, 5, 'nl5/bg');
  const x = randomMatrix(1, 5, 'nl5/x').data;
  const f = nonlinear(5);

  it('matches the permutation formula exactly on the exact path', () => {
    const result = shapValues(kernelExplainer(f, bg), x, exactOpts, stream(1, 'shap'));
    expect(maxAbsDiff(rows(result.values), permutationShapley(f, bg, x))).toBeLessThan(1e-12);
    expect(efficiencyGap(result)).toBeLessThan(1e-12);
  });

  it('matches them on the sampled path when the budget covers every coalition', () => {
    const bg8 = randomMatrix(5, 8, 'nl8/bg');
    const x8 = randomMatrix(1, 8, 'nl8/x').data;
    const f8 = nonlinear(8);
    const result = shapValues(kernelExplainer(f8, bg8), x8, { nsamples: 1000, exact_max_features: 0, l1_reg: false }, stream(1, 'shap'));
    expect(result.exact).toBe(true);
    expect(result.coalitions).toBe(254);
    expect(maxAbsDiff(rows(result.values), subsetShapley(f8, bg8, x8))).toBeLessThan(1e-9);
  });

  it("gives them for an autoencoder through the explain stage's model calls (coalitions formed after the first layer)", () => {
    // The oracle: the subset formula over tfjs' reconstruction of every formed coalition row.
    const d = 9;
    const model = buildAutoencoder({ encoder: [16], latent: 3, decoder: 'linear', activation: 'relu', dropout: 0, batch_norm: false }, d, 3);
    const tfjs: BatchModel = (m, out) => model.reconstruct(m, out);
    const bg9 = randomMatrix(7, d, 'ae9/bg');
    const x9 = randomMatrix(1, d, 'ae9/x').data;
    const truth = subsetShapley(tfjs, bg9, x9);
    const scale = Math.max(...truth.flat().map(Math.abs));
    const stage = shapModel(model, { training_kernel: 'fused-wasm-simd', threads: 1 });
    const explainer = kernelExplainer(stage.f, bg9, stage);
    expect(explainer.coalitions).toBeDefined();
    for (const options of [exactOpts, { nsamples: 1000, exact_max_features: 0, l1_reg: false as const }]) {
      const result = shapValues(explainer, x9, options, stream(1, 'shap'));
      expect(result.exact).toBe(true);
      // float32 models summed in other orders: measured 4.4e-8 of the largest value; the complement form's
      // differences with the wrong sign are off by 1.0.
      expect(maxAbsDiff(rows(result.values), truth) / scale).toBeLessThan(1e-6);
    }
    stage.close();
    model.dispose();
  });

  it('approaches them on the sampled path with a partial budget', () => {
    const d = 11;
    const bg11 = randomMatrix(4, d, 'nl11/bg');
    const x11 = randomMatrix(1, d, 'nl11/x').data;
    const f11 = nonlinear(d);
    const truth = subsetShapley(f11, bg11, x11);
    const scale = Math.max(...truth.flat().map(Math.abs));
    const explainer = kernelExplainer(f11, bg11);
    const error = (nsamples: number) => {
      const r = shapValues(explainer, x11, { nsamples, exact_max_features: 0, l1_reg: false }, stream(3, 'shap'));
      expect(r.exact).toBe(false);
      expect(efficiencyGap(r)).toBeLessThan(1e-9);
      return maxAbsDiff(rows(r.values), truth) / scale;
    };
    const small = error(200);
    const large = error(1800);
    expect(large).toBeLessThan(0.02);
    expect(large).toBeLessThan(small);
  });
});

describe('Kernel SHAP properties', () => {
  it('keeps Σφ = f(x) − E_bg[f] to 1e-9 on both paths for a ReLU net', () => {
    for (const d of [10, 60]) {
      const f = reluNet(d, 16, 5, `eff${d}`);
      const explainer = kernelExplainer(f, randomMatrix(20, d, `eff${d}/bg`));
      const x = randomMatrix(1, d, `eff${d}/x`).data;
      const result = shapValues(explainer, x, { nsamples: 2 * d + 2048, exact_max_features: 12, l1_reg: false }, stream(1, 'shap'));
      expect(result.exact).toBe(d <= 12);
      expect(efficiencyGap(result)).toBeLessThan(1e-9);
    }
  });

  it('is deterministic for a seed and varies with it', () => {
    const d = 30;
    const explainer = kernelExplainer(reluNet(d, 8, 3, 'det'), randomMatrix(10, d, 'det/bg'));
    const x = randomMatrix(1, d, 'det/x').data;
    const opts: KernelShapOptions = { nsamples: 300, exact_max_features: 12, l1_reg: false };
    const a = shapValues(explainer, x, opts, stream(7, 'shap/row'));
    const b = shapValues(explainer, x, opts, stream(7, 'shap/row'));
    const c = shapValues(explainer, x, opts, stream(8, 'shap/row'));
    expect(Array.from(a.values.data)).toEqual(Array.from(b.values.data));
    expect(Array.from(a.values.data)).not.toEqual(Array.from(c.values.data));
  });

  it('explains a subset of the outputs exactly as it explains them among all', () => {
    for (const d of [6, 30]) {
      const explainer = kernelExplainer(nonlinear(d), randomMatrix(10, d, `sub${d}/bg`));
      const x = randomMatrix(1, d, `sub${d}/x`).data;
      const opts: KernelShapOptions = { nsamples: 500, exact_max_features: 12, l1_reg: false };
      const all = shapValues(explainer, x, opts, stream(2, 'shap'));
      const some = shapValues(explainer, x, opts, stream(2, 'shap'), [3, 1]);
      expect(Array.from(some.outputs)).toEqual([3, 1]);
      expect(rows(some.values)).toEqual([rows(all.values)[3], rows(all.values)[1]]);
    }
  });

  it('gives exactly 0 to a feature the background never varies from x', () => {
    const bg = randomMatrix(8, 4, 'const/bg');
    const x = randomMatrix(1, 4, 'const/x').data;
    for (let r = 0; r < bg.rows; r++) bg.data[r * 4 + 2] = x[2];
    const f = nonlinear(4);
    const result = shapValues(kernelExplainer(f, bg), x, exactOpts, stream(1, 'shap'));
    for (let o = 0; o < 4; o++) expect(result.values.data[o * 4 + 2]).toBe(0);
    expect(maxAbsDiff(rows(result.values), permutationShapley(f, bg, x))).toBeLessThan(1e-12);
  });

  it('samples coalitions as shap does: pairs with complements, full sizes first, mass preserved', () => {
    // Odd M: every size is paired (with even M the middle size M/2 is sampled alone, as in shap).
    const M = 21;
    const c = sampleCoalitions(M, 2 * M + 2048, stream(1, 'coalitions'));
    expect(c.count).toBe(2 * M + 2048);
    // Sizes 1 and 20 fit entirely in the budget: 42 coalitions with equal weight come first.
    const size = (k: number) => c.masks.subarray(k * M, (k + 1) * M).reduce((s, v) => s + v, 0);
    for (let k = 0; k < 2 * M; k += 2) {
      expect(size(k)).toBe(1);
      expect(size(k + 1)).toBe(M - 1);
      expect(c.weights[k]).toBe(c.weights[0]);
    }
    expect(size(2 * M)).toBeGreaterThan(1);
    for (let k = 2 * M; k < c.count; k += 2) {
      for (let i = 0; i < M; i++) expect(c.masks[k * M + i] + c.masks[(k + 1) * M + i]).toBe(1);
    }
    expect(c.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
  });
});

// ---------- Anomaly explanations ----------

describe('anomaly explanations', () => {
  const options: AnomalyShapOptions = {
    mode: 'default', background_size: 50, error_fraction: 0.8, max_features: 10, nsamples: 2048, exact_max_features: 12, top_pairs: 3,
  };
  // x̂_0 = x_1 + x_2 (feature 0 is predicted from features 1 and 2); every other feature is copied.
  const d = 5;
  const model = rowwise(d, (x) => [x[1] + x[2], x[1], x[2], x[3], x[4]]);
  // Controls respect the dependency x_0 = x_1 + x_2 and are centred, so E_bg[x_i] = 0.
  const controls = (() => {
    const raw = randomMatrix(100, d, 'ctrl');
    for (let r = 0; r < raw.rows; r++) raw.data[r * d] = raw.data[r * d + 1] + raw.data[r * d + 2];
    for (let i = 0; i < d; i++) {
      let mean = 0;
      for (let r = 0; r < raw.rows; r++) mean += raw.data[r * d + i] / raw.rows;
      for (let r = 0; r < raw.rows; r++) raw.data[r * d + i] -= mean;
    }
    return raw;
  })();

  it('selects the features holding the requested share of the squared error', () => {
    const x = [3, 0, 1, 0, 2];
    const xhat = [0, 2, 0, 0, 1]; // squared errors 9, 4, 1, 0, 1 (total 15)
    expect(selectExplainedFeatures(x, xhat, 0.8, 10)).toEqual([0, 1]); // 9 < 12 ≤ 13
    expect(selectExplainedFeatures(x, xhat, 0.5, 10)).toEqual([0]);
    expect(selectExplainedFeatures(x, xhat, 1, 10)).toEqual([0, 1, 2, 4]);
    expect(selectExplainedFeatures(x, xhat, 0.8, 1)).toEqual([0]);
    expect(selectExplainedFeatures(x, x, 0.8, 10)).toEqual([]);
  });

  it('draws distinct background rows deterministically', () => {
    const a = drawBackground(controls, 50, stream(1, 'explain/background'));
    const b = drawBackground(controls, 50, stream(1, 'explain/background'));
    expect(a.rows).toBe(50);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const distinct = new Set(Array.from({ length: a.rows }, (_, r) => a.data[r * d + 1]));
    expect(distinct.size).toBe(50);
    expect(drawBackground(controls, 500, stream(1, 'x')).rows).toBe(100);
  });

  it('names the input that broke the learned dependency as the contributor', () => {
    const bg = drawBackground(controls, options.background_size, stream(1, 'explain/background'));
    const explainer = kernelExplainer(model, bg);
    // Record A: x_0 = 3 but x_1 + x_2 = −2, all driven by x_1. Record B: x̂_0 = 3 − 1 = 2 > x_0 = 0, where x_1
    // pushes x̂_0 up (away from x_0) and x_2 pulls it down (towards x_0).
    const records = matrix(2, d, Float64Array.of(3, -2, 0, 0, 0, 0, 3, -1, 0, 0));
    const [a, b] = explainAnomalies(explainer, records, ['A', 'B'], options, 1);
    const meanBg = (i: number) => {
      let s = 0;
      for (let r = 0; r < bg.rows; r++) s += bg.data[r * d + i] / bg.rows;
      return s;
    };

    expect(a.exact).toBe(true);
    expect(a.totalSquaredError).toBeCloseTo(25, 12);
    expect(a.explained.map((e) => e.feature)).toEqual([0]);
    const a0 = a.explained[0];
    expect(a0.reconstruction).toBeCloseTo(-2, 12);
    expect(a0.contributing[0].feature).toBe(1);
    expect(a0.contributing[0].phi).toBeCloseTo(-2 - meanBg(1), 12);
    expect(a0.shap[0]).toBe(0);
    expect(a0.shap.reduce((s, v) => s + v, 0)).toBeCloseTo(a0.reconstruction - a0.expected, 12);

    const b0 = b.explained[0];
    expect(b0.feature).toBe(0);
    expect(b0.contributing.map((c) => c.feature)).toEqual([1]);
    expect(b0.contributing[0].phi).toBeCloseTo(3 - meanBg(1), 12);
    expect(b0.offsetting.map((c) => c.feature)).toEqual([2]);
    expect(b0.offsetting[0].phi).toBeCloseTo(-1 - meanBg(2), 12);
  });

  it('leaves the explained feature out of its own contributors', () => {
    // x̂_0 = 0.5·x_0 + x_1: feature 0 echoes into its own reconstruction.
    const echo = rowwise(3, (x) => [0.5 * x[0] + x[1], x[1], x[2]]);
    const explainer = kernelExplainer(echo, randomMatrix(20, 3, 'echo/bg'));
    const [e] = explainAnomalies(explainer, matrix(1, 3, Float64Array.of(4, -3, 0)), ['r'], options, 1);
    const f0 = e.explained[0];
    expect(f0.feature).toBe(0);
    expect(f0.shap[0]).not.toBe(0);
    expect([...f0.contributing, ...f0.offsetting].map((c) => c.feature)).not.toContain(0);
  });

  it('aggregates the strongest (explained ← contributor) pairs per group', () => {
    const explained = (feature: number, contributing: Array<[number, number]>) => ({
      feature, input: 0, reconstruction: 0, squaredError: 0, output: 0, expected: 0, shap: new Float64Array(0),
      contributing: contributing.map(([f, phi]) => ({ feature: f, phi })), offsetting: [],
    });
    const rec = (key: string, ...features: ReturnType<typeof explained>[]) => ({ key, totalSquaredError: 1, explained: features, exact: true });
    const explanations = [
      rec('w1', explained(0, [[1, -2], [3, 0.5]]), explained(4, [[2, 1]])),
      rec('w2', explained(0, [[1, 1]])),
      rec('w3', explained(0, [[3, 5]])),
      rec('w4', explained(2, [[1, 1]])),
    ];
    const moa: Record<string, string | null> = { w1: 'A', w2: 'A', w3: 'B', w4: null };
    const groups = aggregateDependencies(explanations, (e) => moa[e.key], 2);
    expect(groups.map((g) => g.group)).toEqual(['A', 'B']);
    expect(groups[0]).toEqual({
      group: 'A',
      records: 2,
      pairs: [
        { explained: 0, contributor: 1, count: 2, sum: 3, mean: 1.5 },
        { explained: 4, contributor: 2, count: 1, sum: 1, mean: 0.5 },
      ],
    });
    expect(groups[1].pairs).toEqual([{ explained: 0, contributor: 3, count: 1, sum: 5, mean: 5 }]);
  });
});
