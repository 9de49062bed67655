import { matrix, type Matrix } from '../numeric/matrix.ts';
import { gemmKernel } from './gemm_kernel.ts';
import { minimizeLbfgs } from './lbfgs.ts';
import { softmaxInPlace } from './softmax.ts';
import { softmaxRows } from './softmax_kernel.ts';

/**
 * Multinomial logistic regression as sklearn's LogisticRegression(class_weight='balanced', penalty='l2',
 * solver='lbfgs'): minimizes C·Σᵢ wᵢ·CEᵢ + ½‖W‖² with the intercepts unpenalized. Solved as sklearn does,
 * divided by S = Σᵢ wᵢ (the same minimizer, with gradients of order one whatever n), by L-BFGS in float64
 * from zero weights.
 *
 * Softmax is unchanged by adding a constant to every intercept and the intercepts are unpenalized, so they
 * are determined only up to that constant; they are returned summing to zero (what sklearn's zero start
 * gives too). Predictions do not depend on that choice.
 */

export interface LogisticOptions {
  /** Inverse L2 strength (sklearn's C; reference 1). */
  C: number;
  /**
   * Stop when max |gradient| of the S-scaled objective ≤ tol, measured in the centred coordinates of
   * fitLogistic (the gradient in the original ones is then at most (1 + max|μⱼ|)·tol). sklearn's default
   * is 1e-4.
   */
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
  /** The solver met `tol` (or could not lower the loss further in float64) within max_iter. */
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
 * A fitting problem: rows, labels and balanced sample weights, with the rows and their transpose in a
 * product kernel's memory (gemm_kernel.ts), padded to multiples of 4 with zeros, so both products of an
 * objective evaluation (X·Wᵀ and Xᵀ·R) run in it.
 */
export interface LogisticProblem {
  /** The rows as given; the kernel holds them minus the problem's centre, if it has one. */
  x: Matrix;
  labels: Int32Array;
  n_classes: number;
  sample_weights: Float64Array;
  C: number;
  kernel: ReturnType<typeof problemKernel>;
}

/** The problem on the rows of x, or with `centre` on the rows x − centre (written so into the kernel: no centred copy). */
export function logisticProblem(x: Matrix, labels: Int32Array, nClasses: number, C: number, centre?: Float64Array): LogisticProblem {
  if (labels.length !== x.rows) throw new Error(`logisticProblem: ${x.rows} rows but ${labels.length} labels`);
  const weights = balancedClassWeights(labels, nClasses);
  return { x, labels, n_classes: nClasses, sample_weights: Float64Array.from(labels, (c) => weights[c]), C, kernel: problemKernel(x, nClasses, centre) };
}

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

/**
 * Double offsets in the kernel's memory: X (n4 × d4), written once; Wᵀ (d4 × k4), the logits Z (n4 × k4), the
 * residuals R (n4 × k4), each row's softmax [max, Σexp] and the weight gradient Xᵀ·R (d4 × k4), per
 * evaluation. Xᵀ is read from X in place.
 */
function problemKernel(x: Matrix, K: number, centre?: Float64Array) {
  const [n4, d4, k4] = [pad4(x.rows), pad4(x.cols), pad4(K)];
  const X = 0;
  const WT = X + n4 * d4;
  const Z = WT + d4 * k4;
  const R = Z + n4 * k4;
  const SM = R + n4 * k4;
  const G = SM + 2 * n4;
  const { gemm, gemmBlocked, heap, memory } = gemmKernel((G + d4 * k4) * 8);
  const { rows: n, cols: d, data } = x;
  for (let i = 0; i < n; i++) {
    if (!centre) heap.set(data.subarray(i * d, (i + 1) * d), X + i * d4);
    else for (let j = 0; j < d; j++) heap[X + i * d4 + j] = data[i * d + j] - centre[j];
  }
  return { gemm, gemmBlocked, softmax: softmaxRows(memory), heap, n4, d4, k4, X, WT, Z, R, SM, G };
}

/**
 * The S-scaled objective and its gradient at `params` = [W as K × d row-major (sklearn's coef_), b (K)].
 * Exported so tests can check optimality.
 */
export function logisticObjective(problem: LogisticProblem, params: Float64Array, grad: Float64Array): number {
  const { x, labels, sample_weights: sw, C } = problem;
  const { rows: n, cols: d } = x;
  const K = problem.n_classes;
  const { gemm, gemmBlocked, softmax, heap, n4, d4, k4, X, WT, Z, R, SM, G } = problem.kernel;
  const bOffset = K * d;
  let weightSum = 0;
  for (let i = 0; i < n; i++) weightSum += sw[i];
  // Z = X·Wᵀ + b, every row (padding rows too, never read) starting from the intercepts.
  for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) heap[WT + j * k4 + k] = params[k * d + j];
  for (let i = 0; i < n4; i++) for (let k = 0; k < K; k++) heap[Z + i * k4 + k] = params[bOffset + k];
  gemm(X * 8, d4 * 8, WT * 8, k4 * 8, Z * 8, k4 * 8, n4, k4, d4);
  // R[i][k] = wᵢ/S·(p_ik − [k = yᵢ]): row i's coefficient in class k's gradient (zero in padding rows and
  // columns).
  softmax(Z * 8, k4 * 8, n, K, R * 8, k4 * 8, SM * 8);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const r = R + i * k4;
    const w = sw[i] / weightSum;
    loss += w * (heap[SM + 2 * i] + Math.log(heap[SM + 2 * i + 1]) - heap[Z + i * k4 + labels[i]]);
    for (let k = 0; k < K; k++) heap[r + k] *= w;
    heap[r + labels[i]] -= w;
  }
  // ∂W = (Xᵀ·R)ᵀ + penalty·W, ∂b = Σᵢ R[i].
  // Xᵀ as a view of X (row j of Xᵀ starts at column j of X, steps by X's rows), blocked: its inner dimension is
  // the rows, so unblocked it would stream all of R once per 4 × 4 block.
  heap.fill(0, G, G + d4 * k4);
  gemmBlocked(X * 8, 8, R * 8, k4 * 8, G * 8, k4 * 8, d4, k4, n4, d4 * 8);
  const penalty = 1 / (C * weightSum);
  let norm2 = 0;
  // ∂b summed row after row (each class's sum in row order still), reading R as it lies.
  const gb = grad.subarray(bOffset, bOffset + K).fill(0);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) gb[k] += heap[R + i * k4 + k];
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < d; j++) {
      const w = params[k * d + j];
      norm2 += w * w;
      grad[k * d + j] = heap[G + j * k4 + k] + penalty * w;
    }
  }
  return loss + 0.5 * penalty * norm2;
}

/**
 * Fit on rows `x` with class indices `labels` in [0, nClasses), every class present. The solver works on
 * column-centred rows: W·x + b = W·(x − μ) + (b + W·μ) and b is unpenalized, so this is the same problem
 * exactly, but min-max scaled features (all in [0, 1]) otherwise couple every weight to the intercepts and
 * L-BFGS needs several times the iterations.
 */
export function fitLogistic(x: Matrix, labels: Int32Array, nClasses: number, options: LogisticOptions): LogisticModel {
  const { rows: n, cols: d } = x;
  const K = nClasses;
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += x.data[i * d + j] / n;
  const problem = logisticProblem(x, labels, nClasses, options.C, mu);
  const result = minimizeLbfgs((params, grad) => logisticObjective(problem, params, grad), new Float64Array((d + 1) * K), {
    gtol: options.tol,
    max_iter: options.max_iter,
    memory: 10,
  });
  const coef = result.x.slice(0, K * d);
  const intercept = result.x.slice(K * d);
  for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) intercept[k] -= coef[k * d + j] * mu[j];
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
