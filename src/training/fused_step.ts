import { tf } from '../runtime/tfjs.ts';
import { kernelMemory, type NativeKernels, nativeKernels } from '../numeric/native.ts';
import { float32Bits, type FusedKernels, fusedKernels, fusedModule } from './fused_kernel.ts';
import { FusedTeam } from './fused_team.ts';

/**
 * The fused training step: forward pass, backward pass and Adam(W) update of a stack of dense layers, as a
 * handful of calls into the hand-written WebAssembly SIMD kernels of training/fused_kernel.ts (its two
 * products in the native kernels where they are built, numeric/native.ts: the same bits), over weights,
 * moments and activations laid out once in one WebAssembly memory. It computes what fit()'s tfjs path
 * computes, op for op in float32 (the same objective and its gradient as tfjs' autodiff forms it, the same
 * Adam update and decoupled weight decay, on the batches fit() gathers), and differs from it only by the
 * summation order inside the matrix products. Per batch it costs no tfjs kernel dispatch, no tensor
 * allocation and no transposed copy of an activation (only of the weights): at batch 256 the tfjs-wasm path
 * spends most of its step in the backward products (58% of its kernel time, against 10% for the forward ones)
 * and a fifth of it outside any kernel; here every product runs at the forward one's speed.
 *
 * tfjs stays the model format: the weights start as the tfjs model's and are written back into its
 * variables after every epoch (validation, callbacks and snapshots see them there). The same layout runs the
 * forward pass alone (`predict`) for the explain stage's model calls.
 */

export type Activation = 'relu' | 'leaky_relu' | 'elu' | 'tanh' | 'linear';

/** A model that is a plain stack of dense layers, what the fused step trains. */
export interface DenseStack {
  /** Widths from input to output, e.g. [600, 256, 128, 64, 32, 600]. */
  sizes: number[];
  /** The activation after each dense layer. */
  activations: Activation[];
  /** The negative slope of leaky_relu. */
  leakySlope: number;
  /** The dense layer whose output is the latent code z (for the latent_l1 penalty). */
  latent: number;
  /** Each layer's kernel ([in, out]) and bias variables. */
  kernels: tf.Variable[];
  biases: tf.Variable[];
}

/** kernel_shap.ts' CoalitionModel (this layer does not import the explainer's). */
export type CoalitionForward = (x: Float64Array, varying: Int32Array, masks: Uint8Array, count: number, picked: Int32Array) => Float64Array;

export type TrainingKernel = 'fused-wasm-simd' | 'tfjs';
export type TrainingKernelRequest = 'auto' | TrainingKernel;

/** The settings the step reads (fit's LoopOptions less the schedule) and tfjs' Adam epsilon. */
export interface StepOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  weight_decay: number;
  output_l2: number;
  latent_l1: number;
}

/**
 * Backends whose training the fused step replaces under auto: tfjs-wasm (single-threaded under Node; the fused
 * step trained 3–5× faster than its ops in bench/train.bench.ts) and the plain-JS cpu backend. Native
 * TensorFlow keeps its own kernels.
 */
const FUSED_BACKENDS = new Set(['wasm', 'cpu']);

/**
 * Which kernel trains a model (runtime.training_kernel, whose schema description states the rule), and why:
 * `stack` is the model as a dense stack, or what keeps it from being one. A fused request the model or
 * engine cannot honour is a message for the user (thrown by the caller); auto falls back to tfjs and says why.
 */
export function chooseTrainingKernel(
  request: TrainingKernelRequest,
  backend: string,
  stack: DenseStack | string,
): { kernel: TrainingKernel; reason: string } | { error: string } {
  if (request === 'tfjs') return { kernel: 'tfjs', reason: 'runtime.training_kernel: tfjs' };
  const unsupported =
    typeof stack === 'string' ? `the model has ${stack}, which the fused step does not implement` : fusedModule() ? null : 'this JavaScript engine has no WebAssembly SIMD';
  if (request === 'fused-wasm-simd') {
    return unsupported ? { error: `runtime.training_kernel: fused-wasm-simd cannot train this model: ${unsupported} (use auto or tfjs)` } : { kernel: request, reason: 'runtime.training_kernel: fused-wasm-simd' };
  }
  if (unsupported) return { kernel: 'tfjs', reason: `${unsupported}: trained with tfjs ops` };
  if (!FUSED_BACKENDS.has(backend)) return { kernel: 'tfjs', reason: `backend ${backend}: trained with its native kernels (the fused step stands in for wasm and cpu only)` };
  return { kernel: 'fused-wasm-simd', reason: `backend ${backend}, a plain dense stack` };
}

const pad8 = (n: number) => Math.ceil(n / 8) * 8;
/**
 * The row stride (in floats) of a matrix `width` wide: its width padded to 8, plus 8 where that is a multiple
 * of 32. A stride that is a multiple of 128 bytes maps the rows of a matrix column to a fraction of the L1
 * cache's sets (a 1 KiB stride, 256 floats, to 4 of 64), so the k × 8 panel the product kernel walks down
 * can evict itself; the extra 8 floats of a row are never read.
 */
const stride = (width: number) => (pad8(width) % 32 === 0 ? pad8(width) + 8 : pad8(width));
const pad4 = (n: number) => Math.ceil(n / 4) * 4;
const PAGE = 65536;
/** What a trainer laid out for the forward pass alone is given: it never takes a step, so nothing reads these. */
const NO_STEP: StepOptions = { beta1: 0, beta2: 0, epsilon: 0, weight_decay: 0, output_l2: 0, latent_l1: 0 };
const ONE = float32Bits(1);

interface LayerLayout {
  inDim: number;
  outDim: number;
  inP: number;
  outP: number;
  /** Row strides in floats of the layer's input and output (stride(inDim), stride(outDim)): W is inP × ldOut. */
  ldIn: number;
  ldOut: number;
  /** Byte offsets of the kernel and bias inside the parameter block (gradients and moments share them). */
  w: number;
  b: number;
  /** Byte address of the transposed kernel (layers after the first: the input gradient needs Wᵀ). */
  wt: number;
  /** φ's slope as float32 bits (for relu / leaky_relu / linear), or null for elu / tanh (done in JS). */
  slopeBits: number | null;
  activation: Activation;
}

export class FusedTrainer {
  private readonly k: FusedKernels;
  private readonly f: Float32Array;
  private readonly layers: LayerLayout[];
  /** Byte addresses of the parameter, gradient, first- and second-moment blocks, and their length in floats. */
  private readonly params: number;
  private readonly grads: number;
  private readonly moments: [number, number];
  private readonly paramFloats: number;
  /** Byte address of each layer's input activation (h[0] = the batch), and their row strides in bytes. */
  private readonly h: number[];
  private readonly ldh: number[];
  private readonly g: [number, number];
  private readonly zeros: number;
  private readonly consts: number;
  /** Byte address of the loss kernel's four float64 sums. */
  private readonly sums: number;
  private readonly d: Float64Array;
  private accBeta1: number;
  private accBeta2: number;

  /** The threads that share the large products and the Adam update (fused_team.ts): one or more. */
  private readonly team: FusedTeam;
  /** Rows `rows` of x (cols wide) to the batch at h[0], row after row. */
  private readonly gather: (x: Float32Array, cols: number, rows: Int32Array) => void;

  /**
   * A trainer of `stack` for batches of at most `maxBatch` rows on `threads` threads (the same bits on any
   * number, and with or without `native` kernels), or null without WebAssembly SIMD (or, for threads, shared
   * WebAssembly memory). Close it after.
   */
  static create(stack: DenseStack, maxBatch: number, options: StepOptions, threads = 1, native: NativeKernels | null = nativeKernels()): FusedTrainer | null {
    const module = fusedModule(threads > 1);
    return module ? new FusedTrainer(stack, maxBatch, options, module, threads, native) : null;
  }

  /** The same layout for the forward pass alone (`predict`), `maxBatch` rows at a time; it never steps. */
  static forInference(stack: DenseStack, maxBatch: number, threads = 1): FusedTrainer | null {
    return FusedTrainer.create(stack, maxBatch, NO_STEP, threads);
  }

  private constructor(
    private readonly stack: DenseStack,
    private readonly maxBatch: number,
    private readonly options: StepOptions,
    module: WebAssembly.Module,
    threads: number,
    native: NativeKernels | null,
  ) {
    const { sizes } = stack;
    let paramFloats = 0;
    const layers: LayerLayout[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const [inDim, outDim] = [sizes[l], sizes[l + 1]];
      const [inP, outP] = [pad8(inDim), pad8(outDim)];
      const w = paramFloats * 4;
      paramFloats += inP * stride(outDim);
      const b = paramFloats * 4;
      paramFloats += outP;
      const activation = stack.activations[l];
      const slope = activation === 'relu' ? 0 : activation === 'leaky_relu' ? stack.leakySlope : activation === 'linear' ? 1 : null;
      layers.push({ inDim, outDim, inP, outP, ldIn: stride(inDim), ldOut: stride(outDim), w, b, wt: 0, slopeBits: slope === null ? null : float32Bits(slope), activation });
    }
    const rowsP = pad4(maxBatch);
    const widest = Math.max(...sizes.map(stride));
    let bytes = 0;
    const take = (floats: number) => {
      const at = bytes;
      bytes += floats * 4;
      return at;
    };
    this.params = take(paramFloats);
    this.grads = take(paramFloats);
    this.moments = [take(paramFloats), take(paramFloats)];
    this.paramFloats = paramFloats;
    for (const layer of layers.slice(1)) layer.wt = take(layer.outP * layer.ldIn);
    this.h = sizes.map((s) => take(rowsP * stride(s)));
    this.ldh = sizes.map((s) => stride(s) * 4);
    this.g = [take(rowsP * widest), take(rowsP * widest)];
    this.zeros = take(widest);
    this.consts = take(16);
    this.sums = take(8);
    const pages = Math.ceil(bytes / PAGE);
    const memory = threads > 1 ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) : new WebAssembly.Memory({ initial: pages });
    this.k = fusedKernels(module, memory, native);
    this.team = new FusedTeam(this.k, module, memory, threads, native !== null);
    this.f = new Float32Array(memory.buffer);
    this.d = new Float64Array(memory.buffer);
    // Natively, one call a batch. Row by row from here (a view, then a copy, each row) an epoch of batches of
    // 256 rows × 600 features took 2–4 % longer (a quiet 2-core Zen 4).
    const [x0, ld0, f] = [this.h[0], this.ldh[0], this.f];
    const mem = kernelMemory(memory);
    this.gather = native
      ? (x, cols, rows) => native.gatherRows(mem(), x0, ld0, x, cols, rows)
      : (x, cols, rows) => {
          for (let r = 0; r < rows.length; r++) f.set(x.subarray(rows[r] * cols, (rows[r] + 1) * cols), x0 / 4 + r * (ld0 / 4));
        };
    this.layers = layers;
    this.accBeta1 = Math.fround(options.beta1);
    this.accBeta2 = Math.fround(options.beta2);
    // The tfjs model's weights, each row of a kernel into its padded row (padding stays zero for good: its
    // gradient is zero, so Adam never moves it).
    layers.forEach((layer, l) => {
      const kernel = stack.kernels[l].dataSync() as Float32Array;
      for (let i = 0; i < layer.inDim; i++) {
        this.f.set(kernel.subarray(i * layer.outDim, (i + 1) * layer.outDim), (this.params + layer.w) / 4 + i * layer.ldOut);
      }
      this.f.set(stack.biases[l].dataSync() as Float32Array, (this.params + layer.b) / 4);
    });
  }

  /**
   * One pass over the rows of `x` (cols wide) in `order`, in batches of `batch`: each a step of the
   * objective's gradient and Adam(W) at learning rate `lr`. Returns the row-weighted mean batch objective.
   */
  epoch(x: Float32Array, cols: number, order: Int32Array, batch: number, lr: number): number {
    // The kernels write wherever they are pointed: a larger batch would run over the next buffer.
    if (Math.min(batch, order.length) > this.maxBatch) throw new Error(`FusedTrainer: batches of ${batch} rows, laid out for ${this.maxBatch}`);
    if (cols !== this.stack.sizes[0]) throw new Error(`FusedTrainer: rows of ${cols} features, laid out for ${this.stack.sizes[0]}`);
    let total = 0;
    for (let start = 0; start < order.length; start += batch) {
      const size = Math.min(batch, order.length - start);
      total += this.step(x, cols, order.subarray(start, start + size), lr) * size;
    }
    return total / order.length;
  }

  /**
   * The reconstruction MSE of the first `rows` rows of x (row-major float64, the stack's input width) and the
   * objective (MSE plus the output_l2 and latent_l1 terms), each a mean over rows and features, in inference:
   * what fit's tfjs evaluation gives, from the forward pass alone here. Differences and squares are float32 as
   * there, their sums float64: tfjs' float32 mean drifts from the exact one (7e-5 relative over 640 × 1,700
   * values), this one is the exact mean of its terms to the float32 rounding of the result. Through tfjs-wasm
   * the 64 validation rows of bench/train.bench.ts took 3.3 ms an epoch, 6 % of it at batch 256.
   */
  evaluate(x: Float64Array, rows: number): { mse: number; objective: number } {
    const { f, layers, options, stack } = this;
    const L = layers.length;
    const [width, zWidth] = [stack.sizes[L], stack.sizes[stack.latent + 1]];
    const [y0, ldy, x0, ld0] = [this.h[L] / 4, this.ldh[L] / 4, this.h[0] / 4, this.ldh[0] / 4];
    const [z0, ldz] = [this.h[stack.latent + 1] / 4, this.ldh[stack.latent + 1] / 4];
    let [squares, outputs, latents] = [0, 0, 0];
    this.forwardBlocks(x, rows, (_, size) => {
      for (let r = 0; r < size; r++) {
        for (let j = 0; j < width; j++) {
          const y = f[y0 + r * ldy + j];
          const e = Math.fround(y - f[x0 + r * ld0 + j]);
          squares += Math.fround(e * e);
          outputs += Math.fround(y * y);
        }
        if (options.latent_l1 > 0) for (let j = 0; j < zWidth; j++) latents += Math.abs(f[z0 + r * ldz + j]);
      }
    });
    const mse = squares / (rows * width);
    let objective = mse;
    if (options.output_l2 > 0) objective += (outputs / (rows * width)) * options.output_l2;
    if (options.latent_l1 > 0) objective += (latents / (rows * zWidth)) * options.latent_l1;
    return { mse: Math.fround(mse), objective: Math.fround(objective) };
  }

  /**
   * x̂ of the first `rows` rows of x (row-major float64, as many columns as the stack's input) into `out` (rows ×
   * the output width), widened from the float32 the kernels compute: the forward pass alone, up to `maxBatch`
   * rows at a time. A row's values depend on that row alone, not on the batches or the number of threads.
   */
  predict(x: Float64Array, rows: number, out: Float64Array): void {
    const { f, layers } = this;
    const width = this.stack.sizes[layers.length];
    const [y0, ldy] = [this.h[layers.length] / 4, this.ldh[layers.length] / 4];
    this.forwardBlocks(x, rows, (start, size) => {
      for (let r = 0; r < size; r++) {
        const [from, to] = [y0 + r * ldy, (start + r) * width];
        for (let j = 0; j < width; j++) out[to + j] = f[from + j];
      }
    });
  }

  /** The forward pass of the first `rows` rows of x, `maxBatch` at a time, each block's outputs in h[] for `use`. */
  private forwardBlocks(x: Float64Array, rows: number, use: (start: number, size: number) => void): void {
    for (let start = 0; start < rows; start += this.maxBatch) {
      const size = Math.min(this.maxBatch, rows - start);
      this.place(x, start, size);
      this.forward(pad4(size));
      use(start, size);
    }
  }

  /**
   * Kernel SHAP's coalition values (kernel_shap.ts' CoalitionModel) against `n` background rows (row-major
   * float64), without forming the coalitions' rows. The first layer is affine, so the pre-activation of
   * background row b with x on the coalition S is b·W + c + Σ_{i∈S} (x_i − b_i)·W_i, or x·W + c +
   * Σ_{i∉S} (b_i − x_i)·W_i, the sum taken over the shorter of S and its complement among the varying features
   * (A): a product of the differences (n × |A|) by A's rows of W, gathered. Kernel SHAP samples mostly small or
   * nearly full coalitions, so this reads a few rows of W where the plain pass reads all d (the first layer is
   * 40 % of the quickstart model's products, 90 % of a 1,700-feature one's). And the last layer computes only
   * the outputs asked for (10 of 1,700, say). b·W + c and x·W + c are the plain pass's own products (the same
   * bits); the rest agrees with predict on the formed rows to float32 rounding. Each value is the mean over
   * the background rows in order, in float64. Null where n rows (padded to 4) exceed a block, or for a
   * single layer.
   */
  coalitions(background: Float64Array, n: number): CoalitionForward | null {
    const n4 = pad4(n);
    const { f, k: kernels, layers } = this;
    const L = layers.length;
    if (n4 > this.maxBatch || L < 2) return null;
    const [first, last] = [layers[0], layers[L - 1]];
    const cols = this.stack.sizes[0];
    const { ldOut, outP } = first;
    const ld1 = ldOut * 4;
    const weights = (this.params + first.w) / 4;
    // Where a step's gradients and moments would go, which the forward pass alone never uses: b·W + c of the
    // background (g[1]), x·W + c (g[0], the complement form's bias), A's rows of W (grads), the last layer's
    // columns of the picked outputs and their biases (moments[0]).
    const [fromBackground, fromX, gathered, lastW] = [this.g[1], this.g[0], this.grads, this.moments[0]];
    // u·W + c of `rows` rows u (cols wide, from h[0]) into `to`: the plain pass's first product, before φ.
    const affine = (data: Float64Array, rows: number, to: number) => {
      this.place(data, 0, rows);
      this.team.gemm('nn', this.h[0], this.ldh[0], this.params + first.w, ld1, this.h[1], ld1, pad4(rows), outP, first.inP, this.params + first.b, ONE);
      f.copyWithin(to / 4, this.h[1] / 4, this.h[1] / 4 + rows * ldOut);
    };
    affine(background, n, fromBackground);
    const members = new Int32Array(cols);
    const perBlock = Math.floor(this.maxBatch / n4);
    const slope = first.slopeBits ?? ONE;
    return (x, varying, masks, count, picked) => {
      affine(x, 1, fromX);
      const [M, m] = [varying.length, picked.length];
      // The last layer restricted to the picked outputs: their columns of W (zero-padded to 8) and biases.
      const [mP, ldm] = [pad8(m), stride(m)];
      const lastBias = lastW + last.inP * ldm * 4;
      f.fill(0, lastW / 4, lastBias / 4 + mP);
      const [lw, lb] = [(this.params + last.w) / 4, (this.params + last.b) / 4];
      for (let o = 0; o < m; o++) {
        for (let i = 0; i < last.inDim; i++) f[lastW / 4 + i * ldm + o] = f[lw + i * last.ldOut + picked[o]];
        f[lastBias / 4 + o] = f[lb + picked[o]];
      }
      const values = new Float64Array(count * m);
      const d0 = this.h[0] / 4;
      for (let b0 = 0; b0 < count; b0 += perBlock) {
        const b1 = Math.min(count, b0 + perBlock);
        for (let k = b0; k < b1; k++) {
          const mask = masks.subarray(k * M, (k + 1) * M);
          let inS = 0;
          for (let t = 0; t < M; t++) inS += mask[t];
          // A: S itself (base b·W + c, differences x − b) or its complement (base x·W + c, differences b − x).
          const fromS = inS <= M - inS;
          let a = 0;
          for (let t = 0; t < M; t++) if ((mask[t] === 1) === fromS) members[a++] = varying[t];
          // The differences (n4 × a, row-major; padding rows zero) where a batch would go.
          for (let r = 0; r < n; r++) {
            const [row, bg] = [d0 + r * a, r * cols];
            for (let t = 0; t < a; t++) f[row + t] = fromS ? x[members[t]] - background[bg + members[t]] : background[bg + members[t]] - x[members[t]];
          }
          f.fill(0, d0 + n * a, d0 + n4 * a);
          for (let t = 0; t < a; t++) f.copyWithin(gathered / 4 + t * ldOut, weights + members[t] * ldOut, weights + (members[t] + 1) * ldOut);
          const at = this.h[1] + (k - b0) * n4 * ld1;
          if (fromS) {
            this.team.gemm('nn', this.h[0], a * 4, gathered, ld1, at, ld1, n4, outP, a, this.zeros, ONE);
            kernels.addact(at, fromBackground, n4 * ldOut, slope);
          } else {
            this.team.gemm('nn', this.h[0], a * 4, gathered, ld1, at, ld1, n4, outP, a, fromX, slope);
          }
          if (first.slopeBits === null) this.mapRows(at, ld1, n4, first.outDim, first.activation === 'tanh' ? tanh : elu);
        }
        const rowsP = (b1 - b0) * n4;
        this.forward(rowsP, 1, L - 1);
        const y = this.h[L];
        this.team.gemm('nn', this.h[L - 1], this.ldh[L - 1], lastW, ldm * 4, y, ldm * 4, rowsP, mP, last.inP, lastBias, last.slopeBits ?? ONE);
        if (last.slopeBits === null) this.mapRows(y, ldm * 4, rowsP, m, last.activation === 'tanh' ? tanh : elu);
        for (let k = b0; k < b1; k++) {
          for (let o = 0; o < m; o++) {
            let sum = 0;
            for (let r = 0; r < n; r++) sum += f[y / 4 + ((k - b0) * n4 + r) * ldm + o];
            values[k * m + o] = sum / n;
          }
        }
      }
      return values;
    };
  }

  /** Rows [start, start + size) of x (row-major float64, the stack's input width) as the batch in h[0], zeros to a multiple of 4. */
  private place(x: Float64Array, start: number, size: number): void {
    const { f } = this;
    const cols = this.stack.sizes[0];
    const [x0, ld0] = [this.h[0] / 4, this.ldh[0] / 4];
    // Plain loops: TypedArray.set between float types converts value by value outside the JIT, 4× slower here.
    for (let r = 0; r < size; r++) {
      const [from, to] = [(start + r) * cols, x0 + r * ld0];
      for (let j = 0; j < cols; j++) f[to + j] = x[from + j];
    }
    f.fill(0, x0 + size * ld0, x0 + pad4(size) * ld0);
  }

  /** Ends the team's worker threads. */
  close(): void {
    this.team.close();
  }

  /** Puts the current weights into the tfjs model's variables. */
  writeBack(): void {
    this.layers.forEach((layer, l) => {
      const kernel = new Float32Array(layer.inDim * layer.outDim);
      const base = (this.params + layer.w) / 4;
      for (let i = 0; i < layer.inDim; i++) kernel.set(this.f.subarray(base + i * layer.ldOut, base + i * layer.ldOut + layer.outDim), i * layer.outDim);
      const bias = this.f.slice((this.params + layer.b) / 4, (this.params + layer.b) / 4 + layer.outDim);
      tf.tidy(() => {
        this.stack.kernels[l].assign(tf.tensor2d(kernel, [layer.inDim, layer.outDim]));
        this.stack.biases[l].assign(tf.tensor1d(bias));
      });
    });
  }

  /** One step on the rows `rows` of x; returns the batch objective. */
  private step(x: Float32Array, cols: number, rows: Int32Array, lr: number): number {
    const { f, k, layers, options } = this;
    const size = rows.length;
    const rowsP = pad4(size);
    const L = layers.length;
    // The batch, rows gathered in order; rows past `size` up to the multiple of 4 are zero.
    const x0 = this.h[0] / 4;
    const ld0 = this.ldh[0] / 4;
    this.gather(x, cols, rows);
    f.fill(0, x0 + size * ld0, x0 + rowsP * ld0);

    this.forward(rowsP);

    // The objective's gradient with respect to x̂, as tfjs' autodiff forms it in float32:
    // (1/n)·(2·(x̂ − x)) from the MSE, plus (output_l2/n)·(2·x̂) from the output penalty. Padding is zero in
    // x̂ and x alike, so only the rows past the batch need clearing.
    const n = size * layers[L - 1].outDim;
    const ld = this.ldh[L];
    let g = this.g[0];
    f.set([1 / n, options.output_l2 > 0 ? Math.fround(options.output_l2) / n : 0], this.consts / 4);
    k.lossgrad(this.h[L], this.h[0], g, (size * ld) / 4, this.consts, this.sums);
    f.fill(0, (g + size * ld) / 4, (g + rowsP * ld) / 4);
    const sums = this.d.subarray(this.sums / 8, this.sums / 8 + 4);
    let loss = (sums[0] + sums[1]) / n + (options.output_l2 > 0 ? options.output_l2 * ((sums[2] + sums[3]) / n) : 0);

    for (let l = L - 1; l >= 0; l--) {
      const layer = layers[l];
      const ldg = layer.ldOut * 4;
      // ∂W = hᵀ·g (A read transposed: i runs along a row of h, kk down its rows), ∂b = Σ_rows g.
      this.team.gemm('tn', this.h[l], this.ldh[l], g, ldg, this.grads + layer.w, ldg, layer.inP, layer.outP, rowsP, this.zeros, ONE);
      k.colsum(g, ldg, rowsP, layer.outP, this.grads + layer.b);
      if (l === 0) break;
      // ∂h = g·Wᵀ, then through the previous layer's activation (read off its output h[l]).
      const next = g === this.g[0] ? this.g[1] : this.g[0];
      k.transpose(this.params + layer.w, layer.ldOut * 4, layer.wt, layer.ldIn * 4, layer.inP, layer.outP);
      this.team.gemm('nn', g, ldg, layer.wt, layer.ldIn * 4, next, layer.ldIn * 4, rowsP, layer.inP, layer.outP, this.zeros, ONE);
      const below = layers[l - 1];
      if (below.activation === 'relu' || below.activation === 'leaky_relu') k.actgrad(next, this.h[l], rowsP * layer.ldIn, below.slopeBits!);
      else if (below.activation !== 'linear') this.activationGrad(next, this.h[l], this.ldh[l], size, layer.inDim, below.activation);
      if (l - 1 === this.stack.latent && options.latent_l1 > 0) loss += this.latentL1(next, this.h[l], this.ldh[l], size, layer.inDim);
      g = next;
    }

    this.adam(lr);
    return Math.fround(loss);
  }

  /** Layer l's output h[l + 1] = φ(h[l]·W + b) for the first `rowsP` rows of the batch, for l in [from, to) (every layer). */
  private forward(rowsP: number, from = 0, to = this.layers.length): void {
    this.layers.forEach((layer, l) => {
      if (l < from || l >= to) return;
      this.team.gemm('nn', this.h[l], this.ldh[l], this.params + layer.w, layer.ldOut * 4, this.h[l + 1], this.ldh[l + 1], rowsP, layer.outP, layer.inP, this.params + layer.b, layer.slopeBits ?? ONE);
      if (layer.slopeBits === null) this.mapRows(this.h[l + 1], this.ldh[l + 1], rowsP, layer.outDim, layer.activation === 'tanh' ? tanh : elu);
    });
  }

  /**
   * Adds the latent_l1 term's gradient (latent_l1/n)·sign(z) to ∂z — tfjs' Abs gradient, whose sign is −1 at
   * 0 (step(z, −1)) — and returns the term itself, latent_l1·mean|z|.
   */
  private latentL1(grad: number, z: number, ldz: number, size: number, width: number): number {
    const { f } = this;
    const n = size * width;
    const c = Math.fround(Math.fround(this.options.latent_l1) / n);
    let sum = 0;
    for (let r = 0; r < size; r++) {
      for (let j = 0; j < width; j++) {
        const v = f[z / 4 + r * (ldz / 4) + j];
        sum += Math.abs(v);
        const at = grad / 4 + r * (ldz / 4) + j;
        f[at] = Math.fround(f[at] + (v > 0 ? c : -c));
      }
    }
    return this.options.latent_l1 * (sum / n);
  }

  private adam(lr: number): void {
    const { options, f } = this;
    const keep = options.weight_decay > 0 ? 1 - lr * options.weight_decay : 1;
    const c = this.consts / 4;
    f.set([keep, options.beta1, 1 - options.beta1, options.beta2, 1 - options.beta2, 1 - this.accBeta1, 1 - this.accBeta2, options.epsilon, -lr], c);
    this.team.adam(this.params, this.grads, this.moments[0], this.moments[1], this.paramFloats, this.consts);
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(options.beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(options.beta2));
  }

  /** Applies `fn` to the first `width` columns of `rows` rows at byte address `at`. */
  private mapRows(at: number, ld: number, rows: number, width: number, fn: (v: number) => number): void {
    const f = this.f;
    for (let r = 0; r < rows; r++) {
      const base = at / 4 + r * (ld / 4);
      for (let j = 0; j < width; j++) f[base + j] = fn(f[base + j]);
    }
  }

  /** The gradient through tanh (dy·(1 − y²)) or elu (dy where y ≥ 0, dy·(y + 1) below), as tfjs forms them. */
  private activationGrad(grad: number, y: number, ld: number, size: number, width: number, activation: 'elu' | 'tanh'): void {
    const f = this.f;
    for (let r = 0; r < size; r++) {
      for (let j = 0; j < width; j++) {
        const at = r * (ld / 4) + j;
        const dy = f[grad / 4 + at];
        const v = f[y / 4 + at];
        f[grad / 4 + at] = activation === 'tanh' ? Math.fround(dy * Math.fround(1 - Math.fround(v * v))) : v >= 0 ? dy : Math.fround(dy * Math.fround(v + 1));
      }
    }
  }
}

const tanh = (v: number) => Math.fround(Math.tanh(v));
const elu = (v: number) => (v >= 0 ? v : Math.fround(Math.expm1(v)));
