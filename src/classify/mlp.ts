import { matrix, type Matrix } from '../numeric/matrix.ts';
import { permutation, stream } from '../random/streams.ts';
import { gemmKernel } from './gemm_kernel.ts';
import { logSumExp, softmaxInPlace } from './softmax.ts';

/**
 * sklearn's MLPClassifier(hidden_layer_sizes=(h,), activation='relu', solver='adam') in float64, as sklearn
 * computes it: per-batch loss = mean cross-entropy + ½·alpha·‖W‖²/batch (weights only, not biases),
 * Glorot-uniform init of weights and biases (bound √(6/(fan_in+fan_out)), sklearn's for ReLU), the epoch's
 * rows reshuffled every epoch, and sklearn's Adam (bias correction folded into the step size, epsilon
 * added to √v unscaled). No validation split (early_stopping=False); like sklearn, training stops when
 * the epoch's mean training loss has failed to improve on the best by `tol` for more than
 * `n_iter_no_change` epochs in a row, or after `max_epochs`.
 *
 * Forward and backward passes are written out by hand over typed arrays (one hidden layer is short enough),
 * every product in a WebAssembly SIMD kernel (gemm_kernel.ts): a step is a few milliseconds, where tfjs
 * spent more on dispatching its ~30 small kernels than on the arithmetic, in float32. Being float64 and
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
  // One flat parameter vector [W1, b1, W2, b2] (sklearn's draw order, each layer's weights then biases
  // from the same bound), so Adam is one loop over it.
  const theta = start
    ? Float64Array.from([...Array.from(start.w1), ...Array.from(start.b1), ...Array.from(start.w2), ...Array.from(start.b2)])
    : Float64Array.from([...glorot(d, h, d * h + h), ...glorot(h, K, h * K + K)]);
  const size = d * h + h + h * K + K;
  if (theta.length !== size) throw new Error(`fitMlp: initial weights have ${theta.length} values, the network ${size}`);
  const batchSize = Math.min(options.batch_size, n);
  const net = mlpNetwork(d, h, K, batchSize);
  const grad = new Float64Array(size);
  const m = new Float64Array(size);
  const v = new Float64Array(size);
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
      const loss = net.lossAndGrads(theta, x.data, labels, order, first, rows, options.alpha / rows, grad);
      lossSum += loss * rows;
      step++;
      // sklearn's Adam: lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε).
      const lr = (options.learning_rate * Math.sqrt(1 - BETA2 ** step)) / (1 - BETA1 ** step);
      for (let t = 0; t < size; t++) {
        const g = grad[t];
        const mt = BETA1 * m[t] + (1 - BETA1) * g;
        const vt = BETA2 * v[t] + (1 - BETA2) * g * g;
        m[t] = mt;
        v[t] = vt;
        theta[t] -= (lr * mt) / (Math.sqrt(vt) + EPSILON);
      }
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
  const offsets = [0, d * h, d * h + h, d * h + h + h * K, size];
  const [w1, b1, w2, b2] = [0, 1, 2, 3].map((k) => theta.slice(offsets[k], offsets[k + 1]));
  return { n_features: d, n_classes: K, hidden: h, w1, b1, w2, b2, epochs: lossCurve.length, converged, loss_curve: lossCurve };
}

/**
 * The batch objective and its gradient for the flat parameters [W1 (d × h), b1, W2 (h × K), b2], on all rows
 * of `x`. `l2` is alpha / batch size: sklearn adds ½·l2·‖W‖² to the loss and l2·W to the weight gradients.
 * Exported so tests can hold it against tfjs's automatic differentiation.
 */
export function mlpLossAndGrads(theta: Float64Array, hidden: number, nClasses: number, x: Matrix, labels: Int32Array, l2: number): { loss: number; grad: Float64Array } {
  const grad = new Float64Array(theta.length);
  const rows = Int32Array.from({ length: x.rows }, (_, i) => i);
  const loss = mlpNetwork(x.cols, hidden, nClasses, x.rows).lossAndGrads(theta, x.data, labels, rows, 0, x.rows, l2, grad);
  return { loss, grad };
}

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

/**
 * Forward and backward pass of a d → h (ReLU) → K (softmax) network on batches of up to `maxRows` rows.
 * Every product runs in the kernel, on operands padded to multiples of 4 with zeros: padded features,
 * hidden units, classes and rows contribute nothing to any sum, and only real entries are read back.
 */
function mlpNetwork(d: number, h: number, K: number, maxRows: number) {
  const [d4, h4, k4, r4] = [pad4(d), pad4(h), pad4(K), pad4(maxRows)];
  // Double offsets in the kernel's memory: the batch and its transpose, W1, the hidden activations and
  // their transpose, W2 and its transpose, the logits, δ2, δ1, ∂W1 and ∂W2.
  const layout = { XB: r4 * d4, XT: d4 * r4, W1: d4 * h4, HID: r4 * h4, HT: h4 * r4, W2: h4 * k4, W2T: k4 * h4, LOG: r4 * k4, D2: r4 * k4, D1: r4 * h4, GW1: d4 * h4, GW2: h4 * k4 };
  const at = {} as Record<keyof typeof layout, number>;
  let end = 0;
  for (const [name, size] of Object.entries(layout)) {
    at[name as keyof typeof layout] = end;
    end += size;
  }
  const { XB, XT, W1, HID, HT, W2, W2T, LOG, D2, D1, GW1, GW2 } = at;
  const { gemm, heap } = gemmKernel(end * 8);
  const [B1, W2_, B2] = [d * h, d * h + h, d * h + h + h * K];
  /** C (rows × cols, row stride ldc) += A (row stride lda) · B (row stride ldb) over `inner`; offsets and strides in doubles. */
  const product = (a: number, lda: number, b: number, ldb: number, c: number, ldc: number, rows: number, cols: number, inner: number) =>
    gemm(a * 8, lda * 8, b * 8, ldb * 8, c * 8, ldc * 8, rows, cols, inner);
  const transpose = (from: number, rows: number, cols: number, to: number) => {
    for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) heap[to + j * rows + i] = heap[from + i * cols + j];
  };

  /** Writes the gradient into `grad` and returns the loss, for rows order[first .. first + m). */
  function lossAndGrads(theta: Float64Array, x: Float64Array, labels: Int32Array, order: ArrayLike<number>, first: number, m: number, l2: number, grad: Float64Array): number {
    const m4 = pad4(m);
    // Padding rows of the batch must be zero (a shorter last batch leaves earlier rows there).
    heap.fill(0, XB + m * d4, XB + m4 * d4);
    for (let k = 0; k < m; k++) {
      const i = order[first + k];
      heap.set(x.subarray(i * d, (i + 1) * d), XB + k * d4);
    }
    transpose(XB, m4, d4, XT);
    for (let j = 0; j < d; j++) heap.set(theta.subarray(j * h, (j + 1) * h), W1 + j * h4);
    for (let u = 0; u < h; u++) heap.set(theta.subarray(W2_ + u * K, W2_ + (u + 1) * K), W2 + u * k4);
    transpose(W2, h4, k4, W2T);

    // hidden = relu(X·W1 + b1)
    const b1 = theta.subarray(B1, B1 + h);
    for (let k = 0; k < m4; k++) heap.set(b1, HID + k * h4);
    product(XB, d4, W1, h4, HID, h4, m4, h4, d4);
    for (let t = HID; t < HID + m4 * h4; t++) if (!(heap[t] > 0)) heap[t] = 0;

    // logits = hidden·W2 + b2; softmax cross-entropy; δ2 = (p − onehot) / m, zero in padding rows.
    const b2 = theta.subarray(B2, B2 + K);
    for (let k = 0; k < m4; k++) heap.set(b2, LOG + k * k4);
    product(HID, h4, W2, k4, LOG, k4, m4, k4, h4);
    heap.fill(0, D2, D2 + m4 * k4);
    let ce = 0;
    for (let k = 0; k < m; k++) {
      const z = LOG + k * k4;
      const lse = logSumExp(heap, z, K);
      const y = labels[order[first + k]];
      ce += lse - heap[z + y];
      for (let c = 0; c < K; c++) heap[D2 + k * k4 + c] = (Math.exp(heap[z + c] - lse) - (c === y ? 1 : 0)) / m;
    }

    // ∂W2 = hiddenᵀ·δ2 + l2·W2, ∂b2 = Σ δ2; δ1 = δ2·W2ᵀ where the unit is active, ∂b1 = Σ δ1.
    transpose(HID, m4, h4, HT);
    heap.fill(0, GW2, GW2 + h4 * k4);
    product(HT, m4, D2, k4, GW2, k4, h4, k4, m4);
    heap.fill(0, D1, D1 + m4 * h4);
    product(D2, k4, W2T, h4, D1, h4, m4, h4, k4);
    grad.fill(0, B1, B1 + h);
    grad.fill(0, B2, B2 + K);
    for (let k = 0; k < m; k++) {
      for (let c = 0; c < K; c++) grad[B2 + c] += heap[D2 + k * k4 + c];
      const row = k * h4;
      for (let u = 0; u < h; u++) {
        if (heap[HID + row + u] === 0) heap[D1 + row + u] = 0;
        else grad[B1 + u] += heap[D1 + row + u];
      }
    }
    let norm2 = 0;
    for (let u = 0; u < h; u++) {
      for (let c = 0; c < K; c++) {
        const t = W2_ + u * K + c;
        norm2 += theta[t] * theta[t];
        grad[t] = heap[GW2 + u * k4 + c] + l2 * theta[t];
      }
    }

    // ∂W1 = Xᵀ·δ1 + l2·W1 (δ1's padding rows are zero: δ2's are)
    heap.fill(0, GW1, GW1 + d4 * h4);
    product(XT, m4, D1, h4, GW1, h4, d4, h4, m4);
    for (let j = 0; j < d; j++) {
      for (let u = 0; u < h; u++) {
        const t = j * h + u;
        norm2 += theta[t] * theta[t];
        grad[t] = heap[GW1 + j * h4 + u] + l2 * theta[t];
      }
    }
    return ce / m + 0.5 * l2 * norm2;
  }
  return { lossAndGrads };
}

/** Class probabilities, rows × K. */
export function predictMlp(model: MlpModel, x: Matrix): Matrix {
  const { n_features: d, hidden: h, n_classes: K } = model;
  if (x.cols !== d) throw new Error(`predictMlp: model has ${d} features, got ${x.cols}`);
  const out = new Float64Array(x.rows * K);
  const a = new Float64Array(h);
  for (let i = 0; i < x.rows; i++) {
    a.set(model.b1);
    for (let j = 0; j < d; j++) {
      const v = x.data[i * d + j];
      const base = j * h;
      for (let u = 0; u < h; u++) a[u] += v * model.w1[base + u];
    }
    const z = out.subarray(i * K, (i + 1) * K);
    z.set(model.b2);
    for (let u = 0; u < h; u++) {
      const v = Math.max(0, a[u]);
      if (v === 0) continue;
      for (let k = 0; k < K; k++) z[k] += v * model.w2[u * K + k];
    }
    softmaxInPlace(z);
  }
  return matrix(x.rows, K, out);
}
