import * as tf from '@tensorflow/tfjs';
import { matrix, type Matrix } from '../numeric/matrix.ts';
import { permutation, stream } from '../random/streams.ts';

/**
 * sklearn's MLPClassifier(hidden_layer_sizes=(h,), activation='relu', solver='adam') trained with tfjs on
 * the active backend: per-batch loss = mean cross-entropy + ½·alpha·‖W‖²/batch (weights only, not biases),
 * Glorot-uniform init of weights and biases (bound √(6/(fan_in+fan_out)), sklearn's for ReLU), the epoch's
 * rows reshuffled every epoch, and sklearn's Adam (bias correction folded into the step size, epsilon
 * added to √v unscaled). No validation split (early_stopping=False); like sklearn, training stops when
 * the epoch's mean training loss has failed to improve on the best by `tol` for more than
 * `n_iter_no_change` epochs in a row, or after `max_epochs`.
 *
 * Gradients are written out by hand (one hidden layer is short enough) instead of taped: half the
 * kernels per step, which on tfjs-wasm is what the time goes to at these sizes. Initialization and
 * shuffling come from the seed's named streams, so a seed fixes the result on a given backend.
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
  w1: Float32Array;
  b1: Float32Array;
  /** h × K row-major. */
  w2: Float32Array;
  b2: Float32Array;
  epochs: number;
  /** Stopped by the loss criterion rather than by max_epochs. */
  converged: boolean;
  loss_curve: number[];
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** Initial weights in MlpModel's layout (sklearn's coefs_ and intercepts_), instead of the seeded draw. */
export type MlpWeights = Pick<MlpModel, 'w1' | 'b1' | 'w2' | 'b2'>;

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
  // from the same bound): Adam then runs as a handful of kernels per step instead of a handful per tensor.
  const sizes = [d * h, h, h * K, K];
  const offsets = [0, d * h, d * h + h, d * h + h + h * K];
  const initial = start
    ? Float32Array.from([...start.w1, ...start.b1, ...start.w2, ...start.b2])
    : Float32Array.from([...glorot(d, h, d * h + h), ...glorot(h, K, h * K + K)]);
  if (initial.length !== offsets[3] + sizes[3]) throw new Error(`fitMlp: initial weights have ${initial.length} values, the network ${offsets[3] + sizes[3]}`);
  // tidy frees the initial values once copied; it leaves variables alone.
  const [theta, m, v] = tf.tidy(() => [tf.variable(tf.tensor1d(initial)), tf.variable(tf.zeros([initial.length])), tf.variable(tf.zeros([initial.length]))]);
  const unpack = (flat: tf.Tensor1D): tf.Tensor[] => [
    flat.slice(offsets[0], sizes[0]).reshape([d, h]),
    flat.slice(offsets[1], sizes[1]),
    flat.slice(offsets[2], sizes[2]).reshape([h, K]),
    flat.slice(offsets[3], sizes[3]),
  ];
  const xs = Float32Array.from(x.data);
  const batchSize = Math.min(options.batch_size, n);
  const lossCurve: number[] = [];
  let step = 0;
  let best = Infinity;
  let noImprovement = 0;
  let converged = false;

  try {
    for (let epoch = 0; epoch < options.max_epochs; epoch++) {
      const order = permutation(shuffling, n);
      let lossSum: tf.Scalar = tf.scalar(0);
      for (let start = 0; start < n; start += batchSize) {
        const size = Math.min(batchSize, n - start);
        const rows = new Float32Array(size * d);
        const targets = new Int32Array(size);
        for (let k = 0; k < size; k++) {
          const i = order[start + k];
          rows.set(xs.subarray(i * d, (i + 1) * d), k * d);
          targets[k] = labels[i];
        }
        step++;
        // sklearn's Adam: lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε).
        const lr = (options.learning_rate * Math.sqrt(1 - BETA2 ** step)) / (1 - BETA1 ** step);
        const next = tf.tidy(() => {
          const xb = tf.tensor2d(rows, [size, d]);
          const yb = tf.oneHot(tf.tensor1d(targets, 'int32'), K) as tf.Tensor2D;
          const { loss, grads } = mlpLossAndGrads(unpack(theta), xb, yb, options.alpha / size);
          const g = tf.concat(grads.map((t) => t.reshape([-1])));
          m.assign(m.mul(BETA1).add(g.mul(1 - BETA1)));
          v.assign(v.mul(BETA2).add(g.square().mul(1 - BETA2)));
          theta.assign(theta.sub(m.div(v.sqrt().add(EPSILON)).mul(lr)));
          return lossSum.add(loss.mul(size)) as tf.Scalar;
        });
        lossSum.dispose();
        lossSum = next;
      }
      const loss = lossSum.dataSync()[0] / n;
      lossSum.dispose();
      lossCurve.push(loss);
      noImprovement = loss > best - options.tol ? noImprovement + 1 : 0;
      if (loss < best) best = loss;
      if (noImprovement > options.n_iter_no_change) {
        converged = true;
        break;
      }
    }
    const flat = (theta.dataSync() as Float32Array).slice();
    const [w1, b1, w2, b2] = sizes.map((size, k) => flat.subarray(offsets[k], offsets[k] + size));
    return { n_features: d, n_classes: K, hidden: h, w1, b1, w2, b2, epochs: lossCurve.length, converged, loss_curve: lossCurve };
  } finally {
    theta.dispose();
    m.dispose();
    v.dispose();
  }
}

/**
 * The batch objective and its gradients, backpropagated by hand, for `params` = [W1, b1, W2, b2]. `l2` is
 * alpha / batch size: sklearn adds ½·l2·‖W‖² to the loss and l2·W to the weight gradients. Exported so
 * tests can hold it against tfjs's automatic differentiation.
 */
export function mlpLossAndGrads(params: tf.Tensor[], x: tf.Tensor2D, y: tf.Tensor2D, l2: number): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const [w1, b1, w2, b2] = params as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
  const m = x.shape[0];
  const hidden = tf.fused.matMul({ a: x, b: w1, bias: b1, activation: 'relu' });
  const logits = tf.fused.matMul({ a: hidden, b: w2, bias: b2 });
  const logProb = tf.logSoftmax(logits);
  const penalty = tf.sum(tf.square(w1)).add(tf.sum(tf.square(w2))).mul(0.5 * l2);
  const loss = tf.neg(tf.sum(logProb.mul(y))).div(m).add(penalty) as tf.Scalar;
  const delta2 = tf.exp(logProb).sub(y).div(m) as tf.Tensor2D;
  const gw2 = tf.matMul(hidden, delta2, true, false).add(w2.mul(l2));
  const gb2 = tf.sum(delta2, 0);
  const delta1 = tf.matMul(delta2, w2, false, true).mul(tf.step(hidden)) as tf.Tensor2D;
  const gw1 = tf.matMul(x, delta1, true, false).add(w1.mul(l2));
  const gb1 = tf.sum(delta1, 0);
  return { loss, grads: [gw1, gb1, gw2, gb2] };
}

/** Class probabilities, rows × K, computed in float64 from the trained float32 weights. */
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
    let zMax = -Infinity;
    for (let k = 0; k < K; k++) if (z[k] > zMax) zMax = z[k];
    let sum = 0;
    for (let k = 0; k < K; k++) {
      z[k] = Math.exp(z[k] - zMax);
      sum += z[k];
    }
    for (let k = 0; k < K; k++) z[k] /= sum;
  }
  return matrix(x.rows, K, out);
}
