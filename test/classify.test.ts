import { tf } from '../src/runtime/tfjs.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MetaValue, Profiles } from '../src/data/profiles.ts';
import { matrix, type Matrix } from '../src/numeric/matrix.ts';
import { permutation, stream } from '../src/random/streams.ts';
import { selectBackend } from '../src/runtime/backend.ts';
import { evaluateMoa, fusionOfAll, type MoaOptions } from '../src/classify/evaluate_moa.ts';
import { foldCount, repeatedStratifiedGroupKFold, stratifiedGroupKFold } from '../src/classify/folds.ts';
import { balancedClassWeights, fitLogistic, logisticObjective, logisticProblem, predictLogistic } from '../src/classify/logistic.ts';
import { confusionMatrix, f1Scores, correctedResampledTTest, welchTTest } from '../src/classify/metrics.ts';
import { fitMlp, mlpLossAndGrads, predictMlp, SKLEARN_MLP } from '../src/classify/mlp.ts';
import { filterMoas } from '../src/classify/moa_filter.ts';
import { treatmentMeans } from '../src/classify/treatments.ts';
import { DataError, UserError } from '../src/errors.ts';
import type { Roles } from '../src/data/roles.ts';
import { percentReplicating } from '../src/evaluate/percent_replicating.ts';
import { SpecError } from '../src/spec/errors.ts';
import { loadSpec } from '../src/spec/load.ts';
import { validateExperiment } from '../src/spec/schema.ts';
import { scratchDir } from './support/files.ts';
import type { ResolvedSpec } from '../src/spec/types.ts';
import { classifyMoas } from '../src/stages/classify.ts';
import { percentReplicatingOptions, replicatingPerturbations } from '../src/stages/evaluate.ts';
import { randomOversample } from '../src/classify/oversample.ts';
import { applyMinMax, fitMinMax } from '../src/classify/scale.ts';

beforeAll(async () => {
  await selectBackend({ backend: 'wasm', threads: 1 });
});

/**
 * A screen of `moas` MoAs × `compounds` compounds each, compound c having `wells(c)` wells. Each MoA has a
 * centre (scaled by `separation`), each compound its own offset, each well noise: wells of one MoA share
 * a profile only as far as separation exceeds the compound and well noise.
 */
function screen(o: { moas: number; compounds: number; wells: (c: number) => number; features: number; separation: number; seed: number }) {
  const rs = stream(o.seed, 'test/screen');
  const centres = Array.from({ length: o.moas }, () => Array.from({ length: o.features }, () => o.separation * rs.normal()));
  const moa: MetaValue[] = [];
  const compound: MetaValue[] = [];
  const data: number[] = [];
  for (let m = 0; m < o.moas; m++) {
    for (let c = 0; c < o.compounds; c++) {
      const offset = Array.from({ length: o.features }, () => 0.3 * rs.normal());
      for (let w = 0; w < o.wells(c); w++) {
        moa.push(`moa_${m}`);
        compound.push(`cpd_${m}_${c}`);
        for (let j = 0; j < o.features; j++) data.push(centres[m][j] + offset[j] + rs.normal());
      }
    }
  }
  return { moa, compound, values: matrix(moa.length, o.features, Float64Array.from(data)) };
}

function profiles(moa: MetaValue[], compound: MetaValue[], values: Matrix): Profiles {
  return { metadata: { Metadata_moa: moa, Metadata_compound: compound }, features: Array.from({ length: values.cols }, (_, j) => `f${j}`), values };
}

const columns = { moa: 'Metadata_moa', compound: 'Metadata_compound' };
/** Every perturbation, whole ids as compounds, MoA labels as written. */
const unfiltered = { min_compounds: 4, keep_perturbations: null, compound_prefix: null, lowercase_moa: false };

describe('filterMoas', () => {
  it("leaves out wells whose MoA is a word pandas reads as missing (R's NA, None, …), as the reference's pandas reader does", () => {
    // pandas.read_csv's default na_values (pandas 3.0.6): 'NA' and 'None' are NaN there, 'Na' and 'none' are not.
    const moa = ['b', 'b', 'NA', 'NA', 'None', 'N/A', 'Na', 'Na'];
    const cpd = ['b1', 'b2', 'n1', 'n2', 'n3', 'n4', 's1', 's2'];
    const kept = filterMoas(moa, cpd, { ...unfiltered, min_compounds: 1 });
    expect(kept.classes).toEqual(['Na', 'b']);
    expect(Array.from(kept.rows)).toEqual([0, 1, 6, 7]);
  });

  it('keeps single-label MoAs with more than min_compounds compounds, counted after the compound restriction', () => {
    const moa = ['b', 'b', 'b', 'a', 'a', 'a', 'x|y', 'x|y', 'x|y', null, '', 'c'];
    const cpd = ['b1', 'b2', 'b3', 'a1', 'a1', 'a2', 'm1', 'm2', 'm3', 'n1', 'n2', 'c1'];
    const all = filterMoas(moa, cpd, { ...unfiltered, min_compounds: 1 });
    expect(all.classes).toEqual(['a', 'b']);
    expect(Array.from(all.rows)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(all.labels)).toEqual([1, 1, 1, 0, 0, 0]);
    expect(all.compounds).toEqual(['b1', 'b2', 'b3', 'a1', 'a2']);
    expect(Array.from(all.groups)).toEqual([0, 1, 2, 3, 3, 4]);
    expect(all.dropped).toEqual({ multi_label: ['x|y'], too_few_compounds: ['c'] });

    // Without a2, 'a' has one compound left: not more than min_compounds.
    const kept = filterMoas(moa, cpd, { ...unfiltered, min_compounds: 1, keep_perturbations: ['b1', 'b2', 'a1'] });
    expect(kept.classes).toEqual(['b']);
    expect(Array.from(kept.rows)).toEqual([0, 1]);
    expect(kept.dropped.too_few_compounds).toEqual(['a']);
  });

  it("groups a compound's batches by the id's prefix and MoA labels by lower case, as the reference", () => {
    // Two batches of BRD-K00000001, one MoA written in two cases; a restriction names whole ids.
    const moa = ['HDAC inhibitor', 'hdac inhibitor', 'HDAC inhibitor', 'tubulin inhibitor', 'tubulin inhibitor', 'tubulin inhibitor'];
    const pert = ['BRD-K00000001-001-01-1', 'BRD-K00000001-003-05-7', 'BRD-K00000002-001-01-1', 'BRD-K00000003-001-01-1', 'BRD-K00000004-001-02-3', 'BRD-K00000004-002-01-9'];
    const asWritten = filterMoas(moa, pert, { ...unfiltered, min_compounds: 1 });
    expect(asWritten.classes).toEqual(['HDAC inhibitor', 'tubulin inhibitor']);
    expect(asWritten.dropped.too_few_compounds).toEqual(['hdac inhibitor']);
    expect(asWritten.compounds.length).toBe(5);

    const reference = filterMoas(moa, pert, { ...unfiltered, min_compounds: 1, compound_prefix: 13, lowercase_moa: true });
    expect(reference.classes).toEqual(['hdac inhibitor', 'tubulin inhibitor']);
    expect(reference.compounds).toEqual(['BRD-K00000001', 'BRD-K00000002', 'BRD-K00000003', 'BRD-K00000004']);
    expect(Array.from(reference.groups)).toEqual([0, 0, 1, 2, 3, 3]);
    expect(Array.from(reference.labels)).toEqual([0, 0, 0, 1, 1, 1]);

    // The restriction matches whole perturbation ids: one batch of BRD-K00000004 left keeps it as a compound.
    const kept = filterMoas(moa, pert, { ...unfiltered, min_compounds: 1, compound_prefix: 13, lowercase_moa: true, keep_perturbations: pert.slice(0, 5) });
    expect(Array.from(kept.rows)).toEqual([0, 1, 2, 3, 4]);
    expect(kept.compounds).toEqual(['BRD-K00000001', 'BRD-K00000002', 'BRD-K00000003', 'BRD-K00000004']);
  });

  it('refuses a compound labelled with two MoAs', () => {
    expect(() => filterMoas(['a', 'b'], ['c1', 'c1'], { ...unfiltered, min_compounds: 0 })).toThrow(DataError);
    expect(() => filterMoas(['a', 'b'], ['c1', 'c1'], { ...unfiltered, min_compounds: 0 })).toThrow(/compound 'c1' is labelled both 'a' \(perturbation 'c1'\) and 'b'/);
  });
});

describe('treatment means', () => {
  it('average each replicate group feature by feature, keeping the first well\'s metadata', () => {
    const p: Profiles = {
      metadata: { pert: ['x', 'y', 'x', 'x', 'y'], dose: [1, 1, 1, 2, 1], plate: ['P1', 'P1', 'P2', 'P2', 'P3'] },
      features: ['f0', 'f1'],
      values: matrix(5, 2, Float64Array.from([1, 10, 2, 20, 3, 30, 7, 70, 4, 40])),
    };
    const byPert = treatmentMeans(p, ['pert']);
    expect(Array.from(byPert.profiles.values.data)).toEqual([11 / 3, 110 / 3, 3, 30]);
    expect(byPert.profiles.metadata).toEqual({ pert: ['x', 'y'], dose: [1, 1], plate: ['P1', 'P1'] });
    expect(Array.from(byPert.wells)).toEqual([3, 2]);
    const byDose = treatmentMeans(p, ['pert', 'dose']);
    expect(Array.from(byDose.profiles.values.data)).toEqual([2, 20, 3, 30, 7, 70]);
    expect(Array.from(byDose.wells)).toEqual([2, 2, 1]);
  });
});

describe('stratified group folds', () => {
  const s = screen({ moas: 6, compounds: 7, wells: (c) => 1 + (c % 4), features: 2, separation: 1, seed: 1 });
  const sel = filterMoas(s.moa, s.compound, { ...unfiltered, min_compounds: 4 });

  it('never splits a compound, covers every well once, and puts every MoA in every test fold', () => {
    const nFolds = foldCount(5, 4);
    expect(nFolds).toBe(5);
    for (const folds of repeatedStratifiedGroupKFold(sel.labels, sel.groups, nFolds, 3, 11)) {
      const seen = new Int32Array(sel.labels.length);
      for (const { train, test } of folds) {
        const testGroups = new Set(Array.from(test, (i) => sel.groups[i]));
        for (const i of train) expect(testGroups.has(sel.groups[i])).toBe(false);
        expect(train.length + test.length).toBe(sel.labels.length);
        expect(new Set(Array.from(test, (i) => sel.labels[i])).size).toBe(sel.classes.length);
        for (const i of test) seen[i]++;
      }
      expect(Array.from(seen).every((v) => v === 1)).toBe(true);
    }
  });

  it('is fixed by the seed and differs between repeats', () => {
    const a = repeatedStratifiedGroupKFold(sel.labels, sel.groups, 5, 2, 3);
    const b = repeatedStratifiedGroupKFold(sel.labels, sel.groups, 5, 2, 3);
    expect(a).toEqual(b);
    expect(a[0].map((f) => Array.from(f.test))).not.toEqual(a[1].map((f) => Array.from(f.test)));
  });

  it('caps the fold count at min_compounds + 1 and needs two folds', () => {
    expect(foldCount(5, 1)).toBe(2);
    expect(foldCount(3, 10)).toBe(3);
    expect(() => foldCount(5, 0)).toThrow(/at least 2 folds/);
    expect(() => stratifiedGroupKFold(Int32Array.of(0, 1), Int32Array.of(0, 1), 3, stream(1, 'x'))).toThrow(/3 folds for 2 groups/);
  });
});

describe('oversampling and scaling', () => {
  it('tops every class up to the majority count exactly, with rows of that class', () => {
    const labels = Int32Array.of(2, 0, 0, 1, 0, 2, 0, 0);
    const idx = randomOversample(labels, stream(5, 'os'));
    expect(Array.from(idx.subarray(0, labels.length))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const counts = [0, 0, 0];
    for (const i of idx) counts[labels[i]]++;
    expect(counts).toEqual([5, 5, 5]);
    // Class 1 (one row) comes before class 2 in the draws, as imblearn stacks classes in sorted order.
    expect(Array.from(idx.subarray(8, 12))).toEqual([3, 3, 3, 3]);
    expect(Array.from(idx.subarray(12)).every((i) => labels[i] === 2)).toBe(true);
    expect(randomOversample(labels, stream(5, 'os'))).toEqual(idx);
  });

  it('fits min-max on the training rows only and does not clip the test rows', () => {
    const train = matrix(3, 2, Float64Array.of(1, 5, 3, 5, 2, 5));
    const test = matrix(2, 2, Float64Array.of(0, 7, 4, 5));
    const scaler = fitMinMax(train);
    expect(Array.from(applyMinMax(scaler, train).data)).toEqual([0, 0, 1, 0, 0.5, 0]);
    // Feature 0: (x − 1) / 2 from the training range; feature 1 is constant in training: scale 1.
    expect(Array.from(applyMinMax(scaler, test).data)).toEqual([-0.5, 2, 1.5, 0]);
  });
});

describe('logistic regression', () => {
  it('balanced class weights are n / (K · count)', () => {
    expect(Array.from(balancedClassWeights(Int32Array.of(0, 0, 0, 1, 2, 2), 3))).toEqual([6 / 9, 2, 1]);
  });

  it('recovers the analytic optimum of a symmetric two-point problem', () => {
    // x = −1 (class 0), x = +1 (class 1): by symmetry W = [−w, w], b = 0, and C·Σ CE + ½‖W‖² =
    // 2C·log(1 + e^{−2w}) + w² is stationary where w·(1 + e^{2w}) = 2C.
    for (const C of [1, 0.1, 10]) {
      let lo = 0;
      let hi = 2 * C;
      for (let i = 0; i < 200; i++) {
        const mid = (lo + hi) / 2;
        if (mid * (1 + Math.exp(2 * mid)) < 2 * C) lo = mid;
        else hi = mid;
      }
      const model = fitLogistic(matrix(2, 1, Float64Array.of(-1, 1)), Int32Array.of(0, 1), 2, { C, tol: 1e-10, max_iter: 1000 });
      expect(model.converged).toBe(true);
      expect(model.coef[0]).toBeCloseTo(-lo, 8);
      expect(model.coef[1]).toBeCloseTo(lo, 8);
      expect(model.intercept[0]).toBeCloseTo(0, 8);
      expect(model.intercept[1]).toBeCloseTo(0, 8);
    }
    // At C = 1: w = 0.5212984570002789 (bisection in float64, independently of the solver).
    const m = fitLogistic(matrix(2, 1, Float64Array.of(-1, 1)), Int32Array.of(0, 1), 2, { C: 1, tol: 1e-10, max_iter: 1000 });
    expect(m.coef[1]).toBeCloseTo(0.5212984570002789, 9);
  });

  it('has a correct gradient, and the fit is stationary for the uncentred weighted objective', () => {
    const rs = stream(3, 'test/lr');
    const [n, d, K] = [40, 6, 3];
    const x = matrix(n, d, Float64Array.from({ length: n * d }, () => rs.next()));
    // Imbalanced labels, so the balanced weights are not all 1.
    const y = Int32Array.from({ length: n }, (_, i) => (i < 20 ? 0 : i < 32 ? 1 : 2));
    const problem = logisticProblem(x, y, K, 0.7);
    const params = Float64Array.from({ length: K * (d + 1) }, () => rs.normal());
    const grad = new Float64Array(params.length);
    logisticObjective(problem, params, grad);
    const scratch = new Float64Array(params.length);
    for (let t = 0; t < params.length; t++) {
      const h = 1e-6;
      const up = Float64Array.from(params);
      const down = Float64Array.from(params);
      up[t] += h;
      down[t] -= h;
      const numeric = (logisticObjective(problem, up, scratch) - logisticObjective(problem, down, scratch)) / (2 * h);
      expect(grad[t]).toBeCloseTo(numeric, 7);
    }

    // A tolerance so tight that float64 rounding in f ends the run: the gradient is then ~1e-8.
    const model = fitLogistic(x, y, K, { C: 0.7, tol: 1e-12, max_iter: 1000 });
    expect(model.converged).toBe(true);
    const optimum = Float64Array.from([...model.coef, ...model.intercept]);
    logisticObjective(problem, optimum, grad);
    expect(Math.max(...grad.map(Math.abs))).toBeLessThan(1e-7);
    // Intercepts sum to zero; probabilities are a distribution.
    expect(model.intercept.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    const proba = predictLogistic(model, x);
    for (let i = 0; i < n; i++) expect(proba.data.subarray(i * K, (i + 1) * K).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('weights enter as C·Σ wᵢ·CEᵢ: doubling a class\'s rows equals scaling C by the change in weights', () => {
    const rs = stream(9, 'test/lr-dup');
    const base = Array.from({ length: 12 }, () => [rs.next(), rs.next()]);
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
    const twice = [...base, ...base.slice(8)];
    const twiceLabels = [...labels, 2, 2, 2, 2];
    const fit = (rows: number[][], y: number[]) => fitLogistic(matrix(rows.length, 2, Float64Array.from(rows.flat())), Int32Array.from(y), 3, { C: 2, tol: 1e-10, max_iter: 1000 });
    const a = fit(base, labels);
    const b = fit(twice, twiceLabels);
    // Class 2's rows twice: balanced weights become 16/(3·4) = 4/3 for classes 0, 1 and 16/(3·8) = 2/3 for
    // class 2's two copies, so Σ wᵢ·CEᵢ is 4/3 of the original sum (all weights 1): the same problem at C·4/3.
    const c = fitLogistic(matrix(12, 2, Float64Array.from(base.flat())), Int32Array.from(labels), 3, { C: 2 * (4 / 3), tol: 1e-10, max_iter: 1000 });
    for (let t = 0; t < b.coef.length; t++) expect(b.coef[t]).toBeCloseTo(c.coef[t], 7);
    expect(a.coef[0]).not.toBeCloseTo(c.coef[0], 3);
  });
});

describe('MLP', () => {
  it('hand-written gradients equal tfjs automatic differentiation', () => {
    const rs = stream(4, 'test/mlp-grad');
    // d and h not multiples of 4, and 7 rows: the kernel's zero padding is exercised.
    const [m, d, h, K] = [7, 5, 6, 3];
    const values = (n: number) => Float64Array.from({ length: n }, () => 0.5 * rs.normal());
    const [w1, b1, w2, b2, xs] = [values(d * h), values(h), values(h * K), values(K), values(m * d)];
    const labels = Int32Array.from([0, 2, 1, 1, 0, 2, 2]);
    const l2 = 0.3 / m;
    const manual = mlpLossAndGrads(Float64Array.from([...w1, ...b1, ...w2, ...b2]), h, K, matrix(m, d, xs), labels, l2);
    const x = tf.tensor2d(Float32Array.from(xs), [m, d]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), K) as tf.Tensor2D;
    const objective = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
      const hidden = tf.relu(tf.add(tf.matMul(x, w1 as tf.Tensor2D), b1));
      const logits = tf.add(tf.matMul(hidden as tf.Tensor2D, w2 as tf.Tensor2D), b2);
      const ce = tf.losses.softmaxCrossEntropy(y, logits);
      return tf.add(ce, tf.mul(tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2))), 0.5 * l2)) as tf.Scalar;
    };
    const f32 = Float32Array.from.bind(Float32Array);
    const params = [tf.tensor2d(f32(w1), [d, h]), tf.tensor1d(f32(b1)), tf.tensor2d(f32(w2), [h, K]), tf.tensor1d(f32(b2))];
    const auto = tf.valueAndGrads(objective)(params);
    expect(manual.loss).toBeCloseTo(auto.value.dataSync()[0], 5);
    const flat = auto.grads.flatMap((g) => Array.from(g.dataSync()));
    expect(flat.length).toBe(manual.grad.length);
    flat.forEach((v, t) => expect(manual.grad[t]).toBeCloseTo(v, 5));
  });

  it('is fixed by its seed, and learns separable classes', () => {
    const s = screen({ moas: 3, compounds: 4, wells: () => 5, features: 8, separation: 3, seed: 2 });
    const y = Int32Array.from(s.moa, (m) => Number(String(m).slice(4)));
    const options = { ...SKLEARN_MLP, max_epochs: 60 };
    const tensors = tf.memory().numTensors;
    const a = fitMlp(s.values, y, 3, options, 1);
    expect(tf.memory().numTensors).toBe(tensors);
    const b = fitMlp(s.values, y, 3, options, 1);
    const c = fitMlp(s.values, y, 3, options, 2);
    expect(a.w1).toEqual(b.w1);
    expect(a.loss_curve).toEqual(b.loss_curve);
    expect(a.w1).not.toEqual(c.w1);
    expect(a.loss_curve.at(-1)!).toBeLessThan(a.loss_curve[0]);
    const proba = predictMlp(a, s.values);
    let correct = 0;
    for (let i = 0; i < y.length; i++) {
      const row = Array.from(proba.data.subarray(i * 3, i * 3 + 3));
      if (row.indexOf(Math.max(...row)) === y[i]) correct++;
    }
    expect(correct / y.length).toBeGreaterThan(0.95);
  });
});

describe('metrics', () => {
  it('F1 scores and the confusion matrix match hand-computed values', () => {
    const yTrue = [0, 0, 0, 1, 1, 2];
    const yPred = [0, 0, 1, 1, 2, 0];
    expect(Array.from(confusionMatrix(yTrue, yPred, 3))).toEqual([2, 1, 0, 0, 1, 1, 1, 0, 0]);
    const f1 = f1Scores(yTrue, yPred, 3);
    // class 0: TP 2, FP 1, FN 1 → 4/6; class 1: TP 1, FP 1, FN 1 → 1/2; class 2: TP 0 → 0 (zero division).
    expect(f1.per_class[0]).toBeCloseTo(2 / 3, 12);
    expect(f1.per_class[1]).toBeCloseTo(0.5, 12);
    expect(f1.per_class[2]).toBe(0);
    expect(f1.macro).toBeCloseTo((2 / 3 + 0.5 + 0) / 3, 12);
    expect(f1.weighted).toBeCloseTo((3 * (2 / 3) + 2 * 0.5) / 6, 12);
  });

  it('macro-F1 averages over the labels that are true or predicted, as sklearn', () => {
    // Class 3 only predicted (F1 0, counted); class 2 never seen (left out).
    const f1 = f1Scores([0, 1, 1], [0, 1, 3], 4);
    expect(Number.isNaN(f1.per_class[2])).toBe(true);
    expect(f1.per_class[3]).toBe(0);
    expect(f1.macro).toBeCloseTo((1 + 2 / 3 + 0) / 3, 12);
    expect(f1.weighted).toBeCloseTo((1 + 2 * (2 / 3)) / 3, 12);
  });

  it("Welch's t-test matches hand-computed values", () => {
    // Equal n and variances: df = 2(n−1) = 2, where the t CDF is closed-form: p = 1 − |t|/√(2 + t²).
    const eq = welchTTest([0, 2], [3, 5]);
    expect(eq.t).toBeCloseTo(-3 / Math.SQRT2, 12);
    expect(eq.df).toBeCloseTo(2, 12);
    expect(eq.p).toBeCloseTo(1 - (3 / Math.SQRT2) / Math.sqrt(2 + 4.5), 10);
    // Unequal variances: s² = 2.5 and 10, n = 5: t = −4/√2.5, df = 2.5²/((0.5² + 2²)/4) = 5.882352…;
    // p by Gauss–Legendre quadrature of the t density (400 nodes).
    const w = welchTTest([1, 2, 3, 4, 5], [3, 5, 7, 9, 11]);
    expect(w.t).toBeCloseTo(-4 / Math.sqrt(2.5), 12);
    expect(w.df).toBeCloseTo(6.25 / 1.0625, 12);
    expect(w.p).toBeCloseTo(0.04546461897093082, 9);
    expect(Number.isNaN(welchTTest([1], [2, 3]).p)).toBe(true);
  });
});

describe('evaluateMoa', () => {
  const options: MoaOptions = { ...unfiltered, min_compounds: 4, folds: 5, repeats: 2, classifiers: ['logistic'], C: 1, logistic_tol: 1e-6, mlp_max_epochs: 200, fusions: [], seed: 3 };

  it('separable MoAs score near 1 and MoAs shuffled between compounds near chance', async () => {
    const s = screen({ moas: 5, compounds: 5, wells: (c) => 2 + (c % 2), features: 20, separation: 1.5, seed: 4 });
    const sep = await evaluateMoa({ cp: profiles(s.moa, s.compound, s.values) }, columns, options);
    expect(sep.scores[0].macro_f1.mean).toBeGreaterThan(0.95);
    expect(sep.scores[0].unconverged_fits).toBe(0);

    // Each compound gets another compound's MoA: grouping intact, no signal left. Chance is 1/5.
    const compounds = [...new Set(s.compound)];
    const perm = permutation(stream(8, 'test/shuffle'), compounds.length);
    const moaOf = new Map(compounds.map((c, k) => [c, s.moa[s.compound.indexOf(compounds[perm[k]])]]));
    const shuffled = s.compound.map((c) => moaOf.get(c)!);
    const chance = await evaluateMoa({ cp: profiles(shuffled, s.compound, s.values) }, columns, { ...options, repeats: 4 });
    expect(chance.scores[0].macro_f1.mean).toBeGreaterThan(0.05);
    expect(chance.scores[0].macro_f1.mean).toBeLessThan(0.4);
  });

  it('tests on the seeded folds, and the majority baseline is the hand-computed one', async () => {
    const s = screen({ moas: 4, compounds: 6, wells: (c) => 1 + (c % 3), features: 5, separation: 1, seed: 9 });
    const result = await evaluateMoa({ cp: profiles(s.moa, s.compound, s.values) }, columns, options);
    const sel = filterMoas(s.moa, s.compound, options);
    const folds = repeatedStratifiedGroupKFold(sel.labels, sel.groups, 5, options.repeats, options.seed);
    const p = result.scores[0].predictions;
    folds.forEach((set, r) =>
      set.forEach((fold, f) => {
        const wells = Array.from(p.well).filter((_, t) => p.repeat[t] === r && p.fold[t] === f);
        expect(wells).toEqual(Array.from(fold.test, (i) => sel.rows[i]));

        const trainCounts = [0, 0, 0, 0];
        for (const i of fold.train) trainCounts[sel.labels[i]]++;
        const majority = trainCounts.indexOf(Math.max(...trainCounts));
        const test = Array.from(fold.test, (i) => sel.labels[i]);
        const hits = test.filter((c) => c === majority).length;
        const labels = new Set([...test, majority]).size;
        const expected = (2 * hits) / (hits + test.length) / labels;
        expect(result.baseline.folds[r * 5 + f].macro_f1).toBeCloseTo(expected, 12);
      }),
    );
  });

  it('scores every representation and fusion on the same folds, with consistent outputs, deterministically', async () => {
    const s = screen({ moas: 4, compounds: 5, wells: () => 3, features: 10, separation: 0.8, seed: 5 });
    const noise = stream(6, 'test/noise');
    const other = matrix(s.values.rows, 6, Float64Array.from({ length: s.values.rows * 6 }, () => noise.normal()));
    const reps = { anomaly: profiles(s.moa, s.compound, s.values), cellprofiler: profiles(s.moa, s.compound, other) };
    const opts: MoaOptions = { ...options, classifiers: ['logistic', 'mlp'], fusions: fusionOfAll(['early', 'late'], Object.keys(reps)), repeats: 2 };
    const result = await evaluateMoa(reps, columns, opts);
    expect(result.n_folds).toBe(5);
    expect(result.classes).toEqual(['moa_0', 'moa_1', 'moa_2', 'moa_3']);
    expect(result.class_compounds).toEqual([5, 5, 5, 5]);
    expect(result.scores.map((x) => `${x.classifier}/${x.representation}`)).toEqual([
      'logistic/anomaly', 'logistic/cellprofiler', 'logistic/early_fusion', 'logistic/late_fusion',
      'mlp/anomaly', 'mlp/cellprofiler', 'mlp/early_fusion', 'mlp/late_fusion',
    ]);
    for (const sc of result.scores) {
      expect(sc.folds.length).toBe(10);
      expect(sc.predictions.well.length).toBe(2 * result.n_wells);
      expect(sc.confusion.flat().reduce((a, b) => a + b, 0)).toBe(2 * result.n_wells);
      expect(sc.macro_f1_per_repeat.length).toBe(2);
      // Every well predicted once per repeat.
      for (let r = 0; r < 2; r++) {
        const wells = Array.from(sc.predictions.well).filter((_, t) => sc.predictions.repeat[t] === r).sort((a, b) => a - b);
        expect(wells).toEqual(Array.from({ length: result.n_wells }, (_, i) => i));
      }
    }
    // The informative representation beats pure noise.
    const get = (c: string, r: string) => result.scores.find((x) => x.classifier === c && x.representation === r)!;
    expect(get('logistic', 'anomaly').macro_f1.mean).toBeGreaterThan(get('logistic', 'cellprofiler').macro_f1.mean);
    // 4 entries → 6 pairs per classifier.
    expect(result.comparisons.length).toBe(12);
    const cmp = result.comparisons.find((c) => c.classifier === 'logistic' && c.a === 'anomaly' && c.b === 'cellprofiler')!;
    expect(cmp.t).toBeCloseTo(welchTTest(get('logistic', 'anomaly').macro_f1_per_repeat, get('logistic', 'cellprofiler').macro_f1_per_repeat).t, 12);
    // The corrected test pairs fold k of one with fold k of the other over all 5 folds × 2 repeats; held-out compounds are about a fifth.
    const diffs = get('logistic', 'anomaly').folds.map((f, k) => f.macro_f1 - get('logistic', 'cellprofiler').folds[k].macro_f1);
    expect(cmp.corrected).toMatchObject({ n: 10, df: 9 });
    expect(cmp.corrected.test_train_ratio).toBeGreaterThan(0.15);
    expect(cmp.corrected.test_train_ratio).toBeLessThan(0.4);
    expect(cmp.corrected.t).toBeCloseTo(correctedResampledTTest(diffs, cmp.corrected.test_train_ratio).t, 12);
    expect(cmp.corrected.p).toBeGreaterThan(correctedResampledTTest(diffs, 0).p);

    const again = await evaluateMoa(reps, columns, opts);
    expect(again).toEqual(result);
    // Folds fitted in two worker processes (started whatever the size), out of order: the same results, and every fit reported.
    const fits: string[] = [];
    const parallel = await evaluateMoa(reps, columns, { ...opts, workers: 2, min_pool_work: 0 }, (f) => fits.push(`${f.repeat}/${f.repeats} ${f.fold}/${f.folds} ${f.classifier} ${f.representation}`));
    expect(parallel).toEqual(result);
    expect(fits.length).toBe(2 * 5 * 2 * 3);
    expect(fits).toContain('2/2 5/5 mlp early_fusion');
    const reseeded = await evaluateMoa(reps, columns, { ...opts, classifiers: ['logistic'], seed: 99 });
    expect(Array.from(reseeded.scores[0].predictions.well)).not.toEqual(Array.from(get('logistic', 'anomaly').predictions.well));
  });

  it('refuses misaligned representations and fusion of one representation', async () => {
    const s = screen({ moas: 2, compounds: 5, wells: () => 2, features: 3, separation: 1, seed: 7 });
    const a = profiles(s.moa, s.compound, s.values);
    const b = profiles([...s.moa].reverse(), [...s.compound].reverse(), s.values);
    await expect(evaluateMoa({ a, b }, columns, options)).rejects.toThrow(/not the same wells/);
    await expect(evaluateMoa({ a }, columns, { ...options, fusions: [{ kind: 'late', name: 'late_fusion', members: ['a'] }] })).rejects.toThrow(/at least two representations/);
  });
});

describe('classifyMoas: which compounds are classified', () => {
  const scratch = scratchDir('ads-classify-');
  const roles: Roles = {
    plate: 'Metadata_Plate',
    well: 'Metadata_Well',
    perturbation: 'Metadata_pert',
    moa: 'Metadata_moa',
    dose: null,
    batch: null,
    control: { column: 'Metadata_pert', values: ['DMSO'] },
    replicateBy: ['Metadata_pert'],
  };
  // MoAs a and b: 4 compounds each whose 3 wells share a strong profile (they replicate whatever the null);
  // MoA c: 4 compounds of pure noise (a noise compound passes the 90th-percentile null with probability 0.1).
  const moa: MetaValue[] = [];
  const pert: MetaValue[] = [];
  for (const m of ['a', 'b', 'c']) for (let c = 0; c < 4; c++) for (let w = 0; w < 3; w++) (moa.push(m), pert.push(`${m}${c}`));
  const table = (values: Matrix): Profiles => ({
    metadata: { Metadata_moa: moa, Metadata_pert: pert, Metadata_Plate: pert.map(() => 'P1') },
    features: Array.from({ length: values.cols }, (_, j) => `f${j}`),
    values,
  });
  const d = 30;
  const rs = stream(11, 'test/filter');
  const centre = Array.from({ length: 12 }, () => Array.from({ length: d }, () => 3 * rs.normal()));
  const cellprofiler = table(matrix(36, d, Float64Array.from({ length: 36 * d }, (_, t) => {
    const i = Math.floor(t / d);
    return (moa[i] === 'c' ? 0 : centre[Math.floor(i / 3)][t % d]) + rs.normal();
  })));
  /**
   * The anomaly representation of a run, different in every run as a retrained model's is: it sees three of
   * MoA c's four compounds, a different three for each seed, and nothing else.
   */
  const anomaly = (seed: number) => {
    const noise = stream(seed, 'test/anomaly');
    const seen = (i: number) => moa[i] === 'c' && Math.floor(i / 3) % 4 !== seed % 4;
    return table(matrix(36, d, Float64Array.from({ length: 36 * d }, (_, t) => (seen(Math.floor(t / d)) ? centre[Math.floor(t / d / 3)][t % d] : 0) + noise.normal())));
  };
  const evaluation = (moaSettings: Record<string, unknown>) =>
    (validateExperiment({ experiment: 'x', evaluation: { moa: { min_compounds: 2, repeats: 1, classifiers: ['logistic'], ...moaSettings } } }).value as ResolvedSpec).evaluation;
  /** A run at `seed`: its union of replicating perturbations as the evaluate stage computes it, then the MoA stage. */
  const run = async (seed: number, moaSettings: Record<string, unknown>) => {
    const treated = { anomaly: anomaly(seed), cellprofiler };
    const ev = evaluation(moaSettings);
    const union = new Set<MetaValue>();
    for (const t of Object.values(treated)) {
      for (const g of percentReplicating(t, roles.replicateBy, percentReplicatingOptions(ev, seed)).groups) if (g.replicating) union.add(g.by.Metadata_pert);
    }
    return (await classifyMoas(treated, roles, ev, [...union], seed)).metrics;
  };

  it('all: every compound, the same in every run, with classes and counts recorded', async () => {
    const runs = await Promise.all([1, 2, 3].map((seed) => run(seed, { compounds: 'all' })));
    for (const m of runs) {
      expect(m.classes).toEqual(['a', 'b', 'c']);
      expect(m.class_wells).toEqual([12, 12, 12]);
      expect(m.class_compounds).toEqual([4, 4, 4]);
      expect([m.n_wells, m.n_compounds]).toEqual([36, 12]);
      expect(m.compound_set).toBe(runs[0].compound_set);
    }
  });

  it("replicating in cellprofiler at a fixed seed: the strong MoAs' compounds, the same whatever the run's seed and model", async () => {
    const runs = await Promise.all([1, 2, 3, 4, 5].map((seed) => run(seed, { compounds: 'replicating', replicating_in: ['cellprofiler'], replicating_seed: 0 })));
    // The noise MoA keeps at most one replicating compound of 4: not more than min_compounds (2).
    for (const m of runs) {
      expect(m.classes).toEqual(['a', 'b']);
      expect([m.n_compounds, m.class_compounds]).toEqual([8, [4, 4]]);
      expect(m.dropped).toEqual({ multi_label: [], too_few_compounds: runs[0].dropped!.too_few_compounds });
      expect(m.compound_set).toBe(runs[0].compound_set);
    }
    // Same compounds as classifying a and b alone with no filter.
    const ab = await classifyMoas({ cellprofiler: { ...cellprofiler, metadata: { ...cellprofiler.metadata, Metadata_moa: moa.map((m) => (m === 'c' ? null : m)) } } }, roles, evaluation({}), [], 1);
    expect(runs[0].compound_set).toBe(ab.metrics.compound_set);
  });

  it("replicating in every representation at the run's seed (the reference's union) follows each run's model", async () => {
    const runs = await Promise.all([1, 2, 3, 4].map((seed) => run(seed, { compounds: 'replicating' })));
    // Each run's model lets three compounds of c through, a different three each time: four compound sets.
    expect(new Set(runs.map((m) => m.compound_set)).size).toBe(4);
    for (const m of runs) {
      expect(m.classes).toEqual(['a', 'b', 'c']);
      expect(m.class_compounds![2]).toBeGreaterThanOrEqual(3);
    }
  });

  it('replicating_in_all keeps the compounds replicating in every named representation (the reference\'s highRepOverlap)', async () => {
    // One set: the intersection is the set itself.
    const one = { replicating_in: ['cellprofiler'], replicating_seed: 0 };
    expect((await run(1, { compounds: 'replicating_in_all', ...one })).compound_set).toBe((await run(1, { compounds: 'replicating', ...one })).compound_set);
    // anomaly sees only MoA c, cellprofiler only a and b: what replicates in both is at most a chance compound
    // or two, too few for any MoA, while their union classifies all three MoAs.
    const both = await run(1, { compounds: 'replicating_in_all' });
    // The note says the filter left too few, not only that min_compounds is too high.
    expect(both.note).toMatch(
      /^[01] MoA\(s\) have more than 2 compounds among the \d compound\(s\) that evaluation\.moa\.compounds: replicating_in_all kept \(those replicating in every one of anomaly, cellprofiler\); lower evaluation\.moa\.min_compounds, or choose a wider evaluation\.moa\.compounds, to classify this data$/,
    );
    expect((await run(1, { compounds: 'replicating' })).classes).toEqual(['a', 'b', 'c']);
  });

  it('replicate_by other than the perturbation column: the filter keeps the perturbations of the replicating groups', async () => {
    // One replicate group per compound under another name (a sample id): the same groups, so the same compounds
    // as grouping by the perturbation; a group's key names no perturbation, its wells do.
    const sampled = { ...cellprofiler, metadata: { ...cellprofiler.metadata, Metadata_sample: pert.map((p) => `S-${String(p)}`) } };
    const bySample = { ...roles, replicateBy: ['Metadata_sample'] };
    const ev = evaluation({ compounds: 'replicating', replicating_in: ['cellprofiler'], replicating_seed: 0 });
    const m = (await classifyMoas({ cellprofiler: sampled }, bySample, ev, [], 1)).metrics;
    expect(m.classes).toEqual(['a', 'b']);
    expect([m.n_compounds, m.class_compounds]).toEqual([8, [4, 4]]);
    expect(m.compound_set).toBe((await classifyMoas({ cellprofiler }, roles, ev, [], 1)).metrics.compound_set);
    // The run's own union, as the evaluate stage hands it over: every wells' perturbation of a replicating group.
    const result = percentReplicating(sampled, ['Metadata_sample'], percentReplicatingOptions(ev, 0));
    const kept = replicatingPerturbations(sampled, ['Metadata_sample'], 'Metadata_pert', result);
    expect(kept.sort()).toEqual(result.groups.filter((g) => g.replicating).map((g) => String(g.by.Metadata_sample).slice(2)).sort());
    expect(kept.filter((p) => String(p).startsWith('a') || String(p).startsWith('b'))).toHaveLength(8);
  });

  it('profiles: treatments classifies each compound\'s mean profile and counts the wells behind it', async () => {
    const m = await run(1, { compounds: 'all', profiles: 'treatments' });
    expect(m.classes).toEqual(['a', 'b', 'c']);
    expect([m.n_profiles, m.n_wells, m.n_compounds]).toEqual([12, 36, 12]);
    expect(m.class_wells).toEqual([12, 12, 12]);
    expect(m.compound_set).toBe((await run(1, { compounds: 'all' })).compound_set);
  });

  it('replicating_in naming a representation the spec does not build is a located spec error', () => {
    const file = scratch.write('filter.yaml', 'experiment: x\nrepresentations: [anomaly, cellprofiler]\nevaluation:\n  moa:\n    compounds: replicating\n    replicating_in: [spherized]\n');
    expect(() => loadSpec(file)).toThrow(SpecError);
    expect(() => loadSpec(file)).toThrow(/filter\.yaml:6:\d+: evaluation\.moa\.replicating_in: spherized is not among representations or modalities \(anomaly, cellprofiler\)/);
  });

  it('names a replicating_in representation the run does not have', async () => {
    const ev = evaluation({ compounds: 'replicating', replicating_in: ['spherized'] });
    await expect(classifyMoas({ anomaly: anomaly(1), cellprofiler }, roles, ev, [], 1)).rejects.toThrow(UserError);
    await expect(classifyMoas({ anomaly: anomaly(1), cellprofiler }, roles, ev, [], 1)).rejects.toThrow(/evaluation\.moa\.replicating_in: spherized is not among this run's representations \(anomaly, cellprofiler\)/);
  });
});
