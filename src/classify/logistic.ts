import { matrix, type Matrix } from '../numeric/matrix.ts';
import { minimizeLbfgs } from './lbfgs.ts';

/**
 * Multinomial logistic regression as sklearn's LogisticRegression(class_weight='balanced', penalty='l2',
 * solver='lbfgs'): minimizes C·Σᵢ wᵢ·CEᵢ + ½‖W‖² with the intercepts unpenalized. Solved here as sklearn
 * does, divided by S = Σᵢ wᵢ (the same minimizer, and gradients of order one, so `tol` means what sklearn's
 * does), by L-BFGS in float64 from zero weights.
 *
 * Softmax is unchanged by adding a constant to every intercept and the intercepts are unpenalized, so they
 * are determined only up to that constant; from a zero start every gradient keeps their sum at zero (what
 * sklearn returns too), and the result is re-centred to make that exact.
 */

export interface LogisticOptions {
  /** Inverse L2 strength (sklearn's C; reference 1). */
  C: number;
  /** Stop when max |gradient| of the S-scaled objective ≤ tol (sklearn's default 1e-4 is looser). */
  tol: number;
  max_iter: number;
}

export interface LogisticModel {
  n_classes: number;
  n_features: number;
  /** K × d row-major, sklearn's coef_. */
  coef: Float64Array;
  /** K, sklearn's intercept_ (summing to zero). */
  intercept: Float64Array;
  iterations: number;
  converged: boolean;
}

/** sklearn's compute_class_weight('balanced'): n_samples / (n_classes · count_c). Every class must occur. */
export function balancedClassWeights(labels: ArrayLike<number>, nClasses: number): Float64Array {
  const counts = new Float64Array(nClasses);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts.map((n, c) => {
    if (n === 0) throw new Error(`balancedClassWeights: class ${c} has no samples`);
    return labels.length / (nClasses * n);
  });
}

/**
 * The S-scaled objective and its gradient at `params` = [W as K × d row-major (sklearn's coef_), b (K)].
 * Exported so tests can check optimality.
 */
export function logisticObjective(
  x: Matrix,
  labels: ArrayLike<number>,
  sampleWeights: Float64Array,
  C: number,
  params: Float64Array,
  grad: Float64Array,
): number {
  const { rows: n, cols: d, data: X } = x;
  const K = (params.length / (d + 1)) | 0;
  const bOffset = K * d;
  let weightSum = 0;
  for (let i = 0; i < n; i++) weightSum += sampleWeights[i];
  grad.fill(0);
  const z = new Float64Array(K);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const xi = i * d;
    // Inner loops run over the d features, contiguous in both x and W: far faster than over K classes.
    for (let k = 0; k < K; k++) {
      const wk = k * d;
      let s = params[bOffset + k];
      for (let j = 0; j < d; j++) s += X[xi + j] * params[wk + j];
      z[k] = s;
    }
    let zMax = -Infinity;
    for (let k = 0; k < K; k++) if (z[k] > zMax) zMax = z[k];
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp(z[k] - zMax);
    const logSumExp = zMax + Math.log(sum);
    const w = sampleWeights[i] / weightSum;
    loss += w * (logSumExp - z[labels[i]]);
    // z becomes the residual w·(p − onehot): row i's coefficient in each class's gradient.
    for (let k = 0; k < K; k++) z[k] = w * Math.exp(z[k] - logSumExp);
    z[labels[i]] -= w;
    for (let k = 0; k < K; k++) {
      const r = z[k];
      const gk = k * d;
      grad[bOffset + k] += r;
      for (let j = 0; j < d; j++) grad[gk + j] += r * X[xi + j];
    }
  }
  const penalty = 1 / (C * weightSum);
  let norm2 = 0;
  for (let t = 0; t < bOffset; t++) {
    norm2 += params[t] * params[t];
    grad[t] += penalty * params[t];
  }
  return loss + 0.5 * penalty * norm2;
}

/** Fit on rows `x` with class indices `labels` in [0, nClasses), every class present. */
export function fitLogistic(x: Matrix, labels: Int32Array, nClasses: number, options: LogisticOptions): LogisticModel {
  if (labels.length !== x.rows) throw new Error(`fitLogistic: ${x.rows} rows but ${labels.length} labels`);
  const weights = balancedClassWeights(labels, nClasses);
  const sampleWeights = Float64Array.from(labels, (c) => weights[c]);
  const d = x.cols;
  const K = nClasses;
  const result = minimizeLbfgs(
    (params, grad) => logisticObjective(x, labels, sampleWeights, options.C, params, grad),
    new Float64Array((d + 1) * K),
    { gtol: options.tol, max_iter: options.max_iter, memory: 10 },
  );
  const coef = result.x.slice(0, K * d);
  const intercept = result.x.slice(d * K);
  let shift = 0;
  for (let k = 0; k < K; k++) shift += intercept[k] / K;
  for (let k = 0; k < K; k++) intercept[k] -= shift;
  return { n_classes: K, n_features: d, coef, intercept, iterations: result.iterations, converged: result.converged };
}

/** Class probabilities, rows × K. */
export function predictLogistic(model: LogisticModel, x: Matrix): Matrix {
  if (x.cols !== model.n_features) throw new Error(`predictLogistic: model has ${model.n_features} features, got ${x.cols}`);
  const K = model.n_classes;
  const d = model.n_features;
  const out = new Float64Array(x.rows * K);
  for (let i = 0; i < x.rows; i++) {
    const z = out.subarray(i * K, (i + 1) * K);
    for (let k = 0; k < K; k++) {
      let s = model.intercept[k];
      const ck = k * d;
      for (let j = 0; j < d; j++) s += model.coef[ck + j] * x.data[i * d + j];
      z[k] = s;
    }
    softmaxInPlace(z);
  }
  return matrix(x.rows, K, out);
}

function softmaxInPlace(z: Float64Array): void {
  let zMax = -Infinity;
  for (let k = 0; k < z.length; k++) if (z[k] > zMax) zMax = z[k];
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    z[k] = Math.exp(z[k] - zMax);
    sum += z[k];
  }
  for (let k = 0; k < z.length; k++) z[k] /= sum;
}
