import { matrix, type Matrix } from '../numeric/matrix.ts';
import { permutation, stream } from '../random/streams.ts';
import { gemmKernel } from './gemm_kernel.ts';
import { mlpKernels } from './mlp_kernel.ts';
import { softmaxRows } from './softmax_kernel.ts';
import { softmaxInto } from './softmax.ts';

/**
 * sklearn's MLPClassifier(hidden_layer_sizes=(h,), activation='relu', solver='adam') in float64, as sklearn
 * computes it: per-batch loss = mean cross-entropy + ½·alpha·‖W‖²/batch (weights only, not biases),
 * Glorot-uniform init of weights and biases (bound √(6/(fan_in+fan_out)), sklearn's for ReLU), the epoch's
 * rows reshuffled every epoch, and sklearn's Adam (bias correction folded into the step size, epsilon
 * added to √v unscaled). No validation split (early_stopping=False); like sklearn, training stops when
 * the epoch's mean training loss has failed to improve on the best by `tol` for more than
 * `n_iter_no_change` epochs in a row, or after `max_epochs`.
 *
 * Forward and backward passes are written out by hand (one hidden layer is short enough), every product in a
 * WebAssembly SIMD kernel (gemm_kernel.ts) and every pass over the weights or the activations (ReLU, its
 * gradient, bias sums, the L2 term, Adam) in another (mlp_kernel.ts): a step is a few milliseconds, nearly
 * all of it the two large products, where tfjs spent more on dispatching its ~30 small kernels than on the
 * arithmetic, in float32. Being float64 and
 * summing as sklearn does up to order, it follows sklearn's loss curve to ~1e-15 from the same initial
 * weights (test/classify.sklearn.test.ts). Initialization and shuffling come from the
 * seed's named streams, so a seed fixes the result.
 */

export interface MlpOptions {
  hidden: number;
  learning_rate: number;
  /** L2 strength (sklearn's alpha). */
  alpha: number;
  /** Rows per batch, capped at the number of rows (sklearn's batch_size='auto' is min(200, n)). */
  batch_size: number;
  max_epochs: number;
  tol: number;
  n_iter_no_change: number;
}

/** MLPClassifier's defaults with the 200 hidden units of method §2.8. */
export const SKLEARN_MLP: MlpOptions = {
  hidden: 200,
  learning_rate: 1e-3,
  alpha: 1e-4,
  batch_size: 200,
  max_epochs: 200,
  tol: 1e-4,
  n_iter_no_change: 10,
};

export interface MlpModel {
  n_features: number;
  n_classes: number;
  hidden: number;
  /** d × h row-major. */
  w1: Float64Array;
  b1: Float64Array;
  /** h × K row-major. */
  w2: Float64Array;
  b2: Float64Array;
  epochs: number;
  /** Stopped by the loss criterion rather than by max_epochs. */
  converged: boolean;
  loss_curve: number[];
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** Initial weights in MlpModel's layout (sklearn's coefs_ and intercepts_), instead of the seeded draw. */
export interface MlpWeights {
  w1: ArrayLike<number>;
  b1: ArrayLike<number>;
  w2: ArrayLike<number>;
  b2: ArrayLike<number>;
}

export function fitMlp(x: Matrix, labels: Int32Array, nClasses: number, options: MlpOptions, seed: number, start?: MlpWeights): MlpModel {
  if (labels.length !== x.rows) throw new Error(`fitMlp: ${x.rows} rows but ${labels.length} labels`);
  const n = x.rows;
  const d = x.cols;
  const h = options.hidden;
  const K = nClasses;
  const init = stream(seed, 'classify/mlp/init');
  const shuffling = stream(seed, 'classify/mlp/shuffle');
  const glorot = (fanIn: number, fanOut: number, size: number) => {
    const bound = Math.sqrt(6 / (fanIn + fanOut));
    return Array.from({ length: size }, () => (2 * init.next() - 1) * bound);
  };
  const batchSize = Math.min(options.batch_size, n);
  const net = mlpNetwork(x, h, K, batchSize);
  // sklearn's draw order: each layer's weights then biases, from the same bound.
  net.setWeights(start ?? { w1: glorot(d, h, d * h), b1: glorot(d, h, h), w2: glorot(h, K, h * K), b2: glorot(h, K, K) });
  const lossCurve: number[] = [];
  let step = 0;
  let best = Infinity;
  let noImprovement = 0;
  let converged = false;

  for (let epoch = 0; epoch < options.max_epochs; epoch++) {
    const order = permutation(shuffling, n);
    let lossSum = 0;
    for (let first = 0; first < n; first += batchSize) {
      const rows = Math.min(batchSize, n - first);
      const loss = net.lossAndGrads(labels, order, first, rows, options.alpha / rows);
      lossSum += loss * rows;
      step++;
      // sklearn's Adam: lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε).
      net.adam((options.learning_rate * Math.sqrt(1 - BETA2 ** step)) / (1 - BETA1 ** step));
    }
    const loss = lossSum / n;
    lossCurve.push(loss);
    noImprovement = loss > best - options.tol ? noImprovement + 1 : 0;
    if (loss < best) best = loss;
    if (noImprovement > options.n_iter_no_change) {
      converged = true;
      break;
    }
  }
  return { n_features: d, n_classes: K, hidden: h, ...net.weights(), epochs: lossCurve.length, converged, loss_curve: lossCurve };
}

/**
 * The batch objective and its gradient for the flat parameters [W1 (d × h), b1, W2 (h × K), b2], on all rows
 * of `x`. `l2` is alpha / batch size: sklearn adds ½·l2·‖W‖² to the loss and l2·W to the weight gradients.
 * Exported so tests can hold it against tfjs's automatic differentiation.
 */
export function mlpLossAndGrads(theta: Float64Array, hidden: number, nClasses: number, x: Matrix, labels: Int32Array, l2: number): { loss: number; grad: Float64Array } {
  const [d, h, K] = [x.cols, hidden, nClasses];
  const net = mlpNetwork(x, h, K, x.rows);
  const offsets = [0, d * h, d * h + h, d * h + h + h * K, theta.length];
  const [w1, b1, w2, b2] = [0, 1, 2, 3].map((k) => theta.subarray(offsets[k], offsets[k + 1]));
  net.setWeights({ w1, b1, w2, b2 });
  const rows = Int32Array.from({ length: x.rows }, (_, i) => i);
  const loss = net.lossAndGrads(labels, rows, 0, x.rows, l2);
  const g = net.weights(net.grad);
  return { loss, grad: Float64Array.from([...g.w1, ...g.b1, ...g.w2, ...g.b2]) };
}

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

/** Regions of the given sizes laid end to end, in order: each one's offset, and where the last ends. */
function regions<K extends string>(sizes: Record<K, number>): { at: Record<K, number>; end: number } {
  const at = {} as Record<K, number>;
  let end = 0;
  for (const [name, size] of Object.entries(sizes) as [K, number][]) {
    at[name] = end;
    end += size;
  }
  return { at, end };
}

/**
 * Forward and backward pass of a d → h (ReLU) → K (softmax) network on batches of up to `maxRows` rows of `x`.
 * Every product runs in the kernel, on operands padded to multiples of 4 with zeros: padded features,
 * hidden units, classes and rows contribute nothing to any sum, and only real entries are read back.
 * The parameters and their gradient live in the kernel's memory in that padded layout (`theta`, `grad`:
 * W1 d4 × h4, b1, W2 h4 × k4, b2), so a step copies only its batch in; the products with a transposed
 * operand (Xᵀ·δ1, hiddenᵀ·δ2) read it in place through the kernel's step along k.
 */
function mlpNetwork(x: Matrix, h: number, K: number, maxRows: number) {
  const d = x.cols;
  const [d4, h4, k4, r4] = [pad4(d), pad4(h), pad4(K), pad4(maxRows)];
  // Offsets within a parameter vector, then doubles in the kernel's memory: the parameters, their gradient,
  // Adam's two moments, every row of x, the batch, the hidden activations, W2ᵀ, the logits, δ2, δ1, each
  // batch row's softmax [max, Σexp] and the kernels' scalars.
  const { at: { W1, B1, W2, B2 }, end: P } = regions({ W1: d4 * h4, B1: h4, W2: h4 * k4, B2: k4 });
  const { at, end } = regions({ TH: P, GR: P, M1: P, M2: P, XS: x.rows * d4, XB: r4 * d4, HID: r4 * h4, W2T: k4 * h4, LOG: r4 * k4, D2: r4 * k4, D1: r4 * h4, SM: 2 * r4, CONSTS: 8 });
  const { TH, GR, M1, M2, XS, XB, HID, W2T, LOG, D2, D1, SM, CONSTS } = at;
  // Scalars handed to the kernels: Adam's six constants, then L2's strength and the weights' squared norm.
  const [L2, NORM] = [CONSTS + 6, CONSTS + 7];
  const { gemm, gemmBlocked, heap, memory } = gemmKernel(end * 8);
  const kernels = mlpKernels(memory);
  const softmax = softmaxRows(memory);
  const theta = heap.subarray(TH, TH + P);
  const grad = heap.subarray(GR, GR + P);
  // The rows once, so that a batch is gathered within the memory (a view of x per row cost more than its copy).
  for (let i = 0; i < x.rows; i++) heap.set(x.data.subarray(i * d, (i + 1) * d), XS + i * d4);
  /** C (rows × cols, row stride ldc) += A (row stride lda) · B (row stride ldb) over `inner`; offsets and strides in doubles. */
  const product = (a: number, lda: number, b: number, ldb: number, c: number, ldc: number, rows: number, cols: number, inner: number) =>
    gemm(a * 8, lda * 8, b * 8, ldb * 8, c * 8, ldc * 8, rows, cols, inner);
  /** C (rows × cols, zeroed first) = Aᵀ·B, A being `inner` × rows with row stride lda, read in place. */
  const productAt = (a: number, lda: number, b: number, ldb: number, c: number, ldc: number, rows: number, cols: number, inner: number) => {
    heap.fill(0, c, c + rows * ldc);
    gemmBlocked(a * 8, 8, b * 8, ldb * 8, c * 8, ldc * 8, rows, cols, inner, lda * 8);
  };

  /** Parameters in MlpModel's layout into the padded vector (padding entries zero). */
  function setWeights(w: MlpWeights): void {
    const sizes = { w1: d * h, b1: h, w2: h * K, b2: K };
    for (const [name, size] of Object.entries(sizes)) {
      const got = w[name as keyof MlpWeights].length;
      if (got !== size) throw new Error(`fitMlp: initial ${name} has ${got} values, the network ${size}`);
    }
    theta.fill(0);
    for (let j = 0; j < d; j++) for (let u = 0; u < h; u++) theta[W1 + j * h4 + u] = w.w1[j * h + u];
    for (let u = 0; u < h; u++) theta[B1 + u] = w.b1[u];
    for (let u = 0; u < h; u++) for (let c = 0; c < K; c++) theta[W2 + u * k4 + c] = w.w2[u * K + c];
    for (let c = 0; c < K; c++) theta[B2 + c] = w.b2[c];
  }

  /** A padded parameter vector (the parameters by default) in MlpModel's layout, copied out. */
  function weights(from: Float64Array = theta): { w1: Float64Array; b1: Float64Array; w2: Float64Array; b2: Float64Array } {
    const w1 = new Float64Array(d * h);
    const w2 = new Float64Array(h * K);
    for (let j = 0; j < d; j++) w1.set(from.subarray(W1 + j * h4, W1 + j * h4 + h), j * h);
    for (let u = 0; u < h; u++) w2.set(from.subarray(W2 + u * k4, W2 + u * k4 + K), u * K);
    return { w1, b1: from.slice(B1, B1 + h), w2, b2: from.slice(B2, B2 + K) };
  }

  /** Writes the gradient into `grad` and returns the loss, for rows order[first .. first + m). */
  function lossAndGrads(labels: Int32Array, order: ArrayLike<number>, first: number, m: number, l2: number): number {
    const m4 = pad4(m);
    // Padding rows of the batch must be zero (a shorter last batch leaves earlier rows there); padding
    // columns are never written.
    heap.fill(0, XB + m * d4, XB + m4 * d4);
    for (let k = 0; k < m; k++) {
      const i = order[first + k];
      heap.copyWithin(XB + k * d4, XS + i * d4, XS + (i + 1) * d4);
    }
    for (let c = 0; c < k4; c++) for (let u = 0; u < h4; u++) heap[W2T + c * h4 + u] = theta[W2 + u * k4 + c];

    // hidden = relu(X·W1 + b1)
    for (let k = 0; k < m4; k++) heap.copyWithin(HID + k * h4, TH + B1, TH + B1 + h4);
    product(XB, d4, TH + W1, h4, HID, h4, m4, h4, d4);
    kernels.relu(HID * 8, m4 * h4);

    // logits = hidden·W2 + b2; softmax cross-entropy; δ2 = (p − onehot) / m, zero in padding rows.
    for (let k = 0; k < m4; k++) heap.copyWithin(LOG + k * k4, TH + B2, TH + B2 + k4);
    product(HID, h4, TH + W2, k4, LOG, k4, m4, k4, h4);
    heap.fill(0, D2, D2 + m4 * k4);
    softmax(LOG * 8, k4 * 8, m, K, D2 * 8, k4 * 8, SM * 8);
    let ce = 0;
    for (let k = 0; k < m; k++) {
      const [z, d2] = [LOG + k * k4, D2 + k * k4];
      const y = labels[order[first + k]];
      ce += heap[SM + 2 * k] + Math.log(heap[SM + 2 * k + 1]) - heap[z + y];
      for (let c = 0; c < K; c++) heap[d2 + c] = (heap[d2 + c] - (c === y ? 1 : 0)) / m;
    }

    // ∂W2 = hiddenᵀ·δ2 + l2·W2, ∂b2 = Σ δ2; δ1 = δ2·W2ᵀ where the unit is active, ∂b1 = Σ δ1.
    heap[L2] = l2;
    productAt(HID, h4, D2, k4, GR + W2, k4, h4, k4, m4);
    kernels.addscaled((GR + W2) * 8, (TH + W2) * 8, h4 * k4, L2 * 8);
    heap.fill(0, D1, D1 + m4 * h4);
    product(D2, k4, W2T, h4, D1, h4, m4, h4, k4);
    kernels.mask(D1 * 8, HID * 8, m4 * h4);
    kernels.colsum(D2 * 8, k4 * 8, m, k4, (GR + B2) * 8);
    kernels.colsum(D1 * 8, h4 * 8, m, h4, (GR + B1) * 8);

    // ∂W1 = Xᵀ·δ1 + l2·W1 (δ1's padding rows are zero: δ2's are)
    productAt(XB, d4, D1, h4, GR + W1, h4, d4, h4, m4);
    kernels.addscaled((GR + W1) * 8, (TH + W1) * 8, d4 * h4, L2 * 8);

    // ‖W‖², W2's entries then W1's, each in row order (padding entries add +0 to a sum that is ≥ +0).
    heap[NORM] = 0;
    kernels.sumsq((TH + W2) * 8, h4 * k4, NORM * 8);
    kernels.sumsq((TH + W1) * 8, d4 * h4, NORM * 8);
    return ce / m + 0.5 * l2 * heap[NORM];
  }

  /**
   * One Adam step over the padded parameter vector at the bias-corrected rate `lr`; padding entries have zero
   * gradients, so they stay zero.
   */
  function adam(lr: number): void {
    heap.set([BETA1, 1 - BETA1, BETA2, 1 - BETA2, lr, EPSILON], CONSTS);
    kernels.adam(TH * 8, GR * 8, M1 * 8, M2 * 8, P, CONSTS * 8);
  }
  return { grad, setWeights, weights, lossAndGrads, adam };
}

/**
 * Class probabilities, rows × K. The forward pass runs in the product kernel as the training step's does, with
 * the products' carrying form: each hidden unit's sum starts from its bias and adds the products in increasing
 * input order, each output's from its bias over the hidden units in order (an inactive unit adds a zero
 * product, which changes no sum), the very sums of the scalar loops this replaced.
 */
export function predictMlp(model: MlpModel, x: Matrix): Matrix {
  const { n_features: d, hidden: h, n_classes: K } = model;
  if (x.cols !== d) throw new Error(`predictMlp: model has ${d} features, got ${x.cols}`);
  const n = x.rows;
  const [n4, d4, h4, k4] = [pad4(n), pad4(d), pad4(h), pad4(K)];
  // Doubles in the kernel's memory: the rows, W1, the hidden activations, W2 and the logits, padded with zeros.
  const { at: { X, W1, HID, W2, LOG }, end } = regions({ X: n4 * d4, W1: d4 * h4, HID: n4 * h4, W2: h4 * k4, LOG: n4 * k4 });
  const { gemmBlocked, heap, memory } = gemmKernel(end * 8);
  for (let i = 0; i < n; i++) heap.set(x.data.subarray(i * d, (i + 1) * d), X + i * d4);
  for (let j = 0; j < d; j++) heap.set(model.w1.subarray(j * h, (j + 1) * h), W1 + j * h4);
  for (let u = 0; u < h; u++) heap.set(model.w2.subarray(u * K, (u + 1) * K), W2 + u * k4);
  for (let i = 0; i < n; i++) heap.set(model.b1, HID + i * h4);
  gemmBlocked(X * 8, d4 * 8, W1 * 8, h4 * 8, HID * 8, h4 * 8, n4, h4, d4, 8);
  mlpKernels(memory).relu(HID * 8, n4 * h4);
  for (let i = 0; i < n; i++) heap.set(model.b2, LOG + i * k4);
  gemmBlocked(HID * 8, h4 * 8, W2 * 8, k4 * 8, LOG * 8, k4 * 8, n4, k4, h4, 8);
  const out = new Float64Array(n * K);
  for (let i = 0; i < n; i++) softmaxInto(heap, LOG + i * k4, K, out, i * K);
  return matrix(n, K, out);
}
