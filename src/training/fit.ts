import { tf } from '../runtime/tfjs.ts';
import type { Matrix } from '../numeric/matrix.ts';
import { permutation, stream } from '../random/streams.ts';
import type { ResolvedSpec } from '../spec/types.ts';
import { type DenseStack, FusedTrainer, type TrainingKernel } from './fused_step.ts';

/**
 * The training loop: the reconstruction objective, Adam(W), per-epoch shuffling and validation. What to do
 * between epochs (stop, change the learning rate, keep the best weights) is decided by callbacks, which see
 * only the epoch logs and answer with signals; the loop never knows which callbacks it runs.
 */

/**
 * The training options this loop reads; reduce_lr / early_stopping are callbacks the caller wires up.
 * `kernel` is what computes each step (training/fused_step.ts chooses it): tfjs ops unless given.
 */
export type LoopOptions = Pick<
  ResolvedSpec['training'],
  'lr' | 'beta1' | 'beta2' | 'weight_decay' | 'batch_size' | 'max_epochs' | 'output_l2' | 'latent_l1'
> & {
  kernel?: TrainingKernel;
  /** Threads of the fused kernel's products and Adam update (runtime.threads); one unless given. */
  threads?: number;
};

/** What the loop needs from a model. */
export interface Trainable {
  forward(x: tf.Tensor2D, mode: { training: false } | { training: true; seed: () => number }): { z: tf.Tensor2D; xhat: tf.Tensor2D };
  trainableVariables(): tf.Variable[];
  /** All weights (moving statistics too), live: the loop clones them to keep a snapshot. */
  getWeights(): tf.Tensor[];
  setWeights(weights: tf.Tensor[]): void;
  /** The model as a plain stack of dense layers (what the fused kernel trains), or what keeps it from being one. */
  denseStack?(): DenseStack | string;
}

export interface EpochLogs {
  /** The training objective (reconstruction MSE plus the penalties), mean over the epoch's batches by row. */
  loss: number;
  /**
   * Reconstruction MSE of the validation rows: what the reference implementation logs as val_loss (its
   * validation_step logs recon_loss; the penalties go to val_l2_loss and l1_latent_reg), and so what early
   * stopping, the learning-rate schedule, the best epoch and a search watch.
   */
  val_loss: number;
  /** The full training objective on the validation rows, for comparison with `loss`. */
  val_objective: number;
  /** The learning rate this epoch ran with. */
  lr: number;
  seconds: number;
}

/** A callback's answer after an epoch. */
export interface EpochSignal {
  stop?: boolean;
  /** The learning rate from the next epoch on. */
  lr?: number;
  /** Keep a copy of the current weights (replacing any earlier copy). */
  snapshot?: boolean;
  /**
   * End training by throwing this error, once every callback has seen the epoch (so the epoch is logged).
   * The error is the callback's to word; the loop throws it as it is.
   */
  fail?: Error;
}

export interface TrainEndSignal {
  /** Put the last snapshot's weights back into the model. */
  restoreSnapshot?: boolean;
}

export interface Callback {
  onTrainStart?(info: { max_epochs: number; lr: number }): void | Promise<void>;
  /**
   * Whether onEpochEnd reads the model's weights at this epoch. A loop that keeps the weights elsewhere while
   * it trains (the fused kernel) writes them into the model before such an epoch's callbacks, and not before
   * the others'.
   */
  readsModel?(epoch: number): boolean;
  /** `epoch` counts from 0. */
  onEpochEnd?(epoch: number, logs: EpochLogs): EpochSignal | void | Promise<EpochSignal | void>;
  onTrainEnd?(info: { epochs: number; stopped_early: boolean }): TrainEndSignal | void | Promise<TrainEndSignal | void>;
}

export interface FitResult {
  history: EpochLogs[];
  /** The epoch with the lowest val_loss (first one on ties; -1 if every val_loss was NaN). */
  best_epoch: number;
  best_val_loss: number;
  stopped_early: boolean;
  /** Whether the model now holds a snapshot's weights rather than the last epoch's. */
  restored_snapshot: boolean;
}

/** PyTorch's Adam epsilon (tfjs would use 1e-7): the reference trains with PyTorch. */
const ADAM_EPSILON = 1e-8;
/** Rows per validation pass: bounds tensor memory without changing the value (every term is a mean per row). */
const EVAL_ROWS = 4096;

export async function fit(
  model: Trainable,
  data: { train: Matrix; val: Matrix },
  options: LoopOptions,
  seed: number,
  callbacks: readonly Callback[] = [],
): Promise<FitResult> {
  const { train, val } = data;
  if (train.rows === 0 || val.rows === 0) throw new Error(`fit needs training and validation rows (got ${train.rows} and ${val.rows})`);
  const shuffling = stream(seed, 'train/shuffle');
  const dropout = stream(seed, 'train/dropout');
  const dropoutSeed = () => dropout.seed();
  const xTrain = Float32Array.from(train.data);
  const fused = options.kernel === 'fused-wasm-simd' ? fusedTrainer(model, Math.min(options.batch_size, train.rows), options) : null;
  const optimizer = fused ? null : tf.train.adam(options.lr, options.beta1, options.beta2, ADAM_EPSILON);
  const variables = model.trainableVariables();
  // The fused trainer evaluates the float64 rows itself; tfjs takes them as float32.
  const xVal = fused ? null : Float32Array.from(val.data);
  const history: EpochLogs[] = [];
  let lr = options.lr;
  let snapshot: tf.Tensor[] | null = null;
  let stoppedEarly = false;
  // Whether the model holds the fused trainer's weights: written into it only when read (a callback that
  // says so, a snapshot, the end), not every epoch (1 ms an epoch for 216,000 weights, 2 % of it at batch 256).
  let written = true;
  const writeBack = () => {
    if (!written) fused!.writeBack();
    written = true;
  };

  try {
    for (const cb of callbacks) await cb.onTrainStart?.({ max_epochs: options.max_epochs, lr });
    for (let epoch = 0; epoch < options.max_epochs; epoch++) {
      const started = performance.now();
      const order = permutation(shuffling, train.rows);
      let loss: number;
      if (fused) {
        loss = fused.epoch(xTrain, train.cols, order, options.batch_size, lr);
        written = false;
      } else {
        setLearningRate(optimizer!, lr);
        loss = trainEpoch(model, xTrain, train.cols, order, variables, optimizer!, options, lr, dropoutSeed);
      }
      const { mse, objective: valObjective } = fused ? fused.evaluate(val.data, val.rows) : evaluate(model, xVal!, val.cols, options);
      const logs: EpochLogs = { loss, val_loss: mse, val_objective: valObjective, lr, seconds: 0 };
      logs.seconds = (performance.now() - started) / 1000;
      history.push(logs);

      let takeSnapshot = false;
      let failure: Error | undefined;
      if (callbacks.some((cb) => cb.readsModel?.(epoch))) writeBack();
      for (const cb of callbacks) {
        const signal = (await cb.onEpochEnd?.(epoch, { ...logs })) ?? {};
        if (signal.stop) stoppedEarly = true;
        if (signal.lr !== undefined) lr = signal.lr;
        if (signal.snapshot) takeSnapshot = true;
        failure ??= signal.fail;
      }
      if (failure) throw failure;
      if (takeSnapshot) {
        writeBack();
        snapshot?.forEach((t) => t.dispose());
        snapshot = model.getWeights().map((t) => t.clone());
      }
      // Let timers and renderers (listr2 progress) run between epochs; training itself is synchronous.
      await new Promise((resolve) => setImmediate(resolve));
      if (stoppedEarly) break;
    }

    writeBack();
    let restore = false;
    for (const cb of callbacks) {
      const signal = (await cb.onTrainEnd?.({ epochs: history.length, stopped_early: stoppedEarly })) ?? {};
      if (signal.restoreSnapshot) restore = true;
    }
    const restored = restore && snapshot !== null;
    if (restored) model.setWeights(snapshot!);
    return { history, ...best(history), stopped_early: stoppedEarly, restored_snapshot: restored };
  } finally {
    snapshot?.forEach((t) => t.dispose());
    optimizer?.dispose();
    fused?.close();
  }
}

function fusedTrainer(model: Trainable, maxBatch: number, options: LoopOptions): FusedTrainer {
  const stack = model.denseStack?.() ?? 'no dense-stack description';
  if (typeof stack === 'string') throw new Error(`fit: the fused kernel cannot train this model (${stack})`);
  const trainer = FusedTrainer.create(stack, maxBatch, { ...options, epsilon: ADAM_EPSILON }, options.threads);
  if (!trainer) throw new Error('fit: the fused kernel needs WebAssembly SIMD, which this engine lacks');
  return trainer;
}

/**
 * One pass over the training rows in `order`; returns the row-weighted mean batch loss. Batches are
 * gathered in JS and uploaded one by one: slicing a large tensor costs milliseconds on tfjs-wasm.
 */
function trainEpoch(
  model: Trainable,
  x: Float32Array,
  cols: number,
  order: Int32Array,
  variables: tf.Variable[],
  optimizer: tf.AdamOptimizer,
  options: LoopOptions,
  lr: number,
  dropoutSeed: () => number,
): number {
  const n = order.length;
  // The epoch's loss is summed on the device and read once, so GPU backends are not synced every batch.
  let lossSum: tf.Scalar = tf.scalar(0);
  for (let start = 0; start < n; start += options.batch_size) {
    const size = Math.min(options.batch_size, n - start);
    const rows = new Float32Array(size * cols);
    for (let k = 0; k < size; k++) rows.set(x.subarray(order[start + k] * cols, (order[start + k] + 1) * cols), k * cols);
    const next = tf.tidy(() => {
      const batch = tf.tensor2d(rows, [size, cols]);
      const { value, grads } = tf.variableGrads(
        () => objective(model.forward(batch, { training: true, seed: dropoutSeed }), batch, options),
        variables,
      );
      if (options.weight_decay > 0) {
        // Decoupled weight decay (AdamW): shrink every weight before the Adam step, as PyTorch does.
        const keep = 1 - lr * options.weight_decay;
        for (const v of variables) v.assign(tf.mul(v, keep));
      }
      // Gradients keyed by variable name are what applyGradients reads; its declared type says Variables.
      optimizer.applyGradients(grads as unknown as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
      return tf.add(lossSum, tf.mul(value, size)) as tf.Scalar;
    });
    lossSum.dispose();
    lossSum = next;
  }
  const total = lossSum.dataSync()[0];
  lossSum.dispose();
  return total / n;
}

/**
 * Reconstruction MSE and the training objective on `x` in inference mode (no dropout, batch-norm moving
 * statistics), each a mean over all rows and features.
 */
function evaluate(model: Trainable, x: Float32Array, cols: number, options: LoopOptions): { mse: number; objective: number } {
  const n = x.length / cols;
  let mse = 0;
  let total = 0;
  for (let start = 0; start < n; start += EVAL_ROWS) {
    const size = Math.min(EVAL_ROWS, n - start);
    const both = tf.tidy(() => {
      const part = tf.tensor2d(x.subarray(start * cols, (start + size) * cols), [size, cols]);
      const out = model.forward(part, { training: false });
      const recon = reconstructionMse(out, part);
      return tf.stack([recon, withPenalties(recon, out, options)]);
    });
    const [m, o] = both.dataSync();
    both.dispose();
    mse += m * size;
    total += o * size;
  }
  return { mse: mse / n, objective: total / n };
}

/** The training objective: MSE(x̂, x) + output_l2·MSE(x̂, 0) + latent_l1·mean|z|. */
function objective(out: { z: tf.Tensor2D; xhat: tf.Tensor2D }, x: tf.Tensor2D, options: LoopOptions): tf.Scalar {
  return withPenalties(reconstructionMse(out, x), out, options);
}

function reconstructionMse(out: { xhat: tf.Tensor2D }, x: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.squaredDifference(out.xhat, x)) as tf.Scalar;
}

/** `recon` plus the weighted penalties; zero-weighted terms are skipped, not multiplied by 0. */
function withPenalties(recon: tf.Scalar, out: { z: tf.Tensor2D; xhat: tf.Tensor2D }, options: LoopOptions): tf.Scalar {
  let loss = recon;
  if (options.output_l2 > 0) loss = tf.add(loss, tf.mul(tf.mean(tf.square(out.xhat)), options.output_l2));
  if (options.latent_l1 > 0) loss = tf.add(loss, tf.mul(tf.mean(tf.abs(out.z)), options.latent_l1));
  return loss;
}

function best(history: readonly EpochLogs[]): { best_epoch: number; best_val_loss: number } {
  let bestEpoch = -1;
  history.forEach((h, i) => {
    if (!Number.isNaN(h.val_loss) && (bestEpoch < 0 || h.val_loss < history[bestEpoch].val_loss)) bestEpoch = i;
  });
  return { best_epoch: bestEpoch, best_val_loss: bestEpoch < 0 ? NaN : history[bestEpoch].val_loss };
}

function setLearningRate(optimizer: tf.AdamOptimizer, lr: number): void {
  // tfjs reads this field on every step but declares it protected; there is no public setter.
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}
