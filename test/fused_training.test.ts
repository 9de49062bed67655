import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../src/runtime/tfjs.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.ts';
import { type AutoencoderConfig, buildAutoencoder } from '../src/model/autoencoder.ts';
import { matrix, type Matrix } from '../src/numeric/matrix.ts';
import { stream } from '../src/random/streams.ts';
import { selectBackend } from '../src/runtime/backend.ts';
import { validateExperiment } from '../src/spec/schema.ts';
import type { ResolvedSpec } from '../src/spec/types.ts';
import { trainAutoencoder } from '../src/stages/train.ts';
import { type Callback, fit, type LoopOptions } from '../src/training/fit.ts';
import { float32Bits, fusedKernels, fusedModule } from '../src/training/fused_kernel.ts';
import { chooseTrainingKernel, FusedTrainer } from '../src/training/fused_step.ts';

/**
 * The fused WebAssembly SIMD training step against the tfjs path, an independent implementation of the same
 * training (tfjs' autodiff, its MatMul kernels, tfjs-core's AdamOptimizer): same initial weights, same batches,
 * same objective and update.
 *
 * Tolerance, 1e-5 relative: both run in float32 (unit roundoff 6e-8), and only the matrix products sum in
 * another order (XNNPACK blocks k; the fused kernel sums k in order), a few ulps per entry. Adam divides each
 * gradient by its own running scale, so these differences do not grow into the weights: measured, the
 * per-epoch losses agree to ≤ 2e-7 and the weights to ≤ 2e-7 (relative norm) after 65 steps. 1e-5 leaves
 * 50× room for that, while a wrong gradient or update (a dropped penalty, its factor 2, a bias correction, the
 * decay's place) moves weights by 1e-3 or more.
 */

const TOL = 1e-5;

function gaussian(rows: number, cols: number, seed: number): Matrix {
  const rs = stream(seed, 'test/fused');
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rs.normal()));
}

beforeAll(async () => {
  expect(await selectBackend({ backend: 'wasm', threads: 1 })).toBe('wasm');
});

/** Trains a fresh model (seed 7) with `kernel`; returns the epoch logs and every weight's float32 values. */
async function train(config: AutoencoderConfig, data: { train: Matrix; val: Matrix }, options: LoopOptions, seed = 11) {
  const model = buildAutoencoder(config, data.train.cols, 7);
  const result = await fit(model, data, options, seed);
  const weights = model.getWeights().map((t) => (t.dataSync() as Float32Array).slice());
  model.dispose();
  return { history: result.history, weights };
}

function relativeNorm(a: Float32Array[], b: Float32Array[]): number {
  let num = 0;
  let den = 0;
  a.forEach((w, k) =>
    w.forEach((v, i) => {
      num += (v - b[k][i]) ** 2;
      den += v * v;
    }),
  );
  return Math.sqrt(num / den);
}

describe('fused training step = the tfjs path to float rounding', () => {
  // 37 features and hidden widths 20 (or 30), 9, 3 (none a multiple of 8), 203 rows in batches of 16 (the
  // last of 11 rows, not a multiple of 4): every padding path of the kernels.
  const data = { train: gaussian(203, 37, 1), val: gaussian(31, 37, 2) };
  const loop: LoopOptions = { lr: 3e-3, beta1: 0.9, beta2: 0.999, weight_decay: 0, batch_size: 16, max_epochs: 5, output_l2: 0.007, latent_l1: 0 };
  const plain = { encoder: [20, 9] as [number, ...number[]], latent: 3, dropout: 0, batch_norm: false };
  const cases: Array<{ name: string; config: AutoencoderConfig; options: Partial<LoopOptions> }> = [
    { name: 'relu, linear decoder, output_l2 (the defaults)', config: { ...plain, activation: 'relu', decoder: 'linear' }, options: {} },
    {
      name: 'leaky_relu, mirrored decoder, latent_l1 and weight decay',
      // A width of 30 pads to 32 floats, stored in rows of 40 (fused_step.ts's stride rule).
      config: { ...plain, encoder: [30, 9], activation: 'leaky_relu', decoder: 'mirror' },
      options: { latent_l1: 0.01, weight_decay: 0.05, beta1: 0.8, beta2: 0.99 },
    },
    { name: 'tanh, mirrored decoder', config: { ...plain, activation: 'tanh', decoder: 'mirror' }, options: {} },
    { name: 'elu, no penalties', config: { ...plain, activation: 'elu', decoder: 'linear' }, options: { output_l2: 0 } },
    { name: 'linear', config: { ...plain, activation: 'linear', decoder: 'linear' }, options: { batch_size: 203 } },
  ];
  for (const { name, config, options } of cases) {
    it(`${name}: losses every epoch and the weights after 5 epochs within ${TOL}`, async () => {
      const tfjs = await train(config, data, { ...loop, ...options, kernel: 'tfjs' });
      const fused = await train(config, data, { ...loop, ...options, kernel: 'fused-wasm-simd' });
      expect(fused.history).toHaveLength(5);
      fused.history.forEach((h, e) => {
        expect(Math.abs(h.loss - tfjs.history[e].loss) / tfjs.history[e].loss, `loss, epoch ${e}`).toBeLessThan(TOL);
        expect(Math.abs(h.val_loss - tfjs.history[e].val_loss) / tfjs.history[e].val_loss, `val_loss, epoch ${e}`).toBeLessThan(TOL);
      });
      // Training moved the weights far more than the two paths differ.
      const initial = buildAutoencoder(config, 37, 7);
      const start = initial.getWeights().map((t) => (t.dataSync() as Float32Array).slice());
      initial.dispose();
      expect(relativeNorm(tfjs.weights, start)).toBeGreaterThan(0.01);
      expect(relativeNorm(tfjs.weights, fused.weights)).toBeLessThan(TOL);
    });
  }

  it('writes the weights into the model for a callback that says it reads them, for a snapshot and at the end; not otherwise', async () => {
    const config: AutoencoderConfig = { ...plain, activation: 'relu', decoder: 'linear' };
    const options: LoopOptions = { ...loop, kernel: 'fused-wasm-simd' };
    const bytes = (ts: tf.Tensor[]) => Buffer.concat(ts.map((t) => Buffer.from((t.dataSync() as Float32Array).slice().buffer)));
    // The weights after n epochs, each from a fit of n epochs alone.
    const after = async (epochs: number) => Buffer.concat((await train(config, data, { ...options, max_epochs: epochs })).weights.map((w) => Buffer.from(w.buffer)));
    const [two, three, four] = [await after(2), await after(3), await after(4)];
    const fresh = buildAutoencoder(config, 37, 7);
    const initial = bytes(fresh.getWeights());
    fresh.dispose();

    const model = buildAutoencoder(config, 37, 7);
    const seen: Record<string, Buffer[]> = { declared: [], silent: [] };
    const declared: Callback = { readsModel: (epoch) => epoch === 1, onEpochEnd: (epoch) => void (epoch === 1 && seen.declared.push(bytes(model.getWeights()))) };
    const silent: Callback = { onEpochEnd: (epoch) => void (epoch === 0 && seen.silent.push(bytes(model.getWeights()))) };
    // A snapshot after epoch 2 (the third), restored at the end of 4.
    const keeper: Callback = { onEpochEnd: (epoch) => (epoch === 2 ? { snapshot: true } : {}), onTrainEnd: () => ({ restoreSnapshot: true }) };
    await fit(model, data, { ...options, max_epochs: 4 }, 11, [silent, declared, keeper]);
    expect(seen.silent[0].equals(initial)).toBe(true); // not written after epoch 0: no callback said it reads it
    expect(seen.declared[0].equals(two)).toBe(true);
    expect(bytes(model.getWeights()).equals(three)).toBe(true);
    model.dispose();

    const plainModel = buildAutoencoder(config, 37, 7);
    await fit(plainModel, data, { ...options, max_epochs: 4 }, 11);
    expect(bytes(plainModel.getWeights()).equals(four)).toBe(true);
    expect(four.equals(three)).toBe(false);
    plainModel.dispose();
  });

  it('is deterministic: same seed ⇒ the same bytes; another shuffling seed ⇒ different weights', async () => {
    const config: AutoencoderConfig = { ...plain, activation: 'relu', decoder: 'mirror' };
    const options = { ...loop, latent_l1: 0.01, kernel: 'fused-wasm-simd' as const };
    const a = await train(config, data, options, 11);
    const b = await train(config, data, options, 11);
    const c = await train(config, data, options, 12);
    expect(b.history.map((h) => h.loss)).toEqual(a.history.map((h) => h.loss));
    a.weights.forEach((w, k) => expect(Buffer.from(b.weights[k].buffer).equals(Buffer.from(w.buffer))).toBe(true));
    expect(relativeNorm(a.weights, c.weights)).toBeGreaterThan(1e-3);
  });

  it('gives the same bytes on 2 and 3 threads as on one, at sizes where the threads share every product and the Adam update', async () => {
    // 600 → 256 → 64 → 16 at batch 256: each product is millions of multiply-adds and the update ~190,000
    // floats, above fused_team.ts' thresholds, so they are cut into tiles that the threads share.
    const big = { train: gaussian(600, 600, 3), val: gaussian(32, 600, 4) };
    const config: AutoencoderConfig = { encoder: [256, 64], latent: 16, dropout: 0, batch_norm: false, activation: 'relu', decoder: 'mirror' };
    const options = { ...loop, batch_size: 256, max_epochs: 2, weight_decay: 0.01, kernel: 'fused-wasm-simd' as const };
    const one = await train(config, big, { ...options, threads: 1 });
    for (const threads of [2, 3]) {
      const many = await train(config, big, { ...options, threads });
      expect(many.history.map((h) => h.loss)).toEqual(one.history.map((h) => h.loss));
      one.weights.forEach((w, k) => expect(Buffer.from(many.weights[k].buffer).equals(Buffer.from(w.buffer)), `weights ${k}, ${threads} threads`).toBe(true));
    }
  });

  it('leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    await train({ ...plain, activation: 'relu', decoder: 'linear' }, data, { ...loop, max_epochs: 2, kernel: 'fused-wasm-simd' });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the fused forward pass alone (predict: SHAP\'s model calls)', () => {
  it("is tfjs' reconstruction to float32 rounding for every activation, and the same bits whatever the batch or threads", () => {
    const x = gaussian(1000, 120, 21);
    for (const activation of ['relu', 'leaky_relu', 'elu', 'tanh'] as const) {
      // 120 → 256 → 96 → 12 → 120: the first products are above fused_team.ts' threshold, so threads share them.
      const model = buildAutoencoder({ encoder: [256, 96], latent: 12, dropout: 0, batch_norm: false, activation, decoder: 'mirror' }, 120, 5);
      const stack = model.denseStack();
      if (typeof stack === 'string') throw new Error(stack);
      const tfjs = model.reconstruct(x).data;
      const outputs = [[1000, 1], [64, 1], [333, 2], [1000, 3]].map(([rows, threads]) => {
        const fused = FusedTrainer.forInference(stack, rows, threads)!;
        const out = new Float64Array(x.data.length);
        fused.predict(x.data, x.rows, out);
        fused.close();
        return out;
      });
      let worst = 0;
      let scale = 0;
      tfjs.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(outputs[0][i] - v));
        scale = Math.max(scale, Math.abs(v));
      });
      // Both float32 with products summed in another order: measured 7.6e-7 to 1.0e-6 of the largest output
      // (four layers of rounding); a wrong bias, activation or layer is off by far more.
      expect(worst / scale, activation).toBeLessThan(1e-5);
      expect(worst, activation).toBeGreaterThan(0);
      for (const out of outputs.slice(1)) expect(Buffer.from(out.buffer).equals(Buffer.from(outputs[0].buffer)), activation).toBe(true);
      model.dispose();
    }
  });

  it("evaluates the validation MSE and objective (output_l2, latent_l1 terms) as tfjs' forward pass and a plain mean give them", () => {
    const x = gaussian(37, 30, 4);
    for (const activation of ['relu', 'elu'] as const) {
      const model = buildAutoencoder({ encoder: [24, 16], latent: 6, dropout: 0, batch_norm: false, activation, decoder: 'linear' }, 30, 3);
      const stack = model.denseStack();
      if (typeof stack === 'string') throw new Error(stack);
      // The oracle: tfjs' outputs (x̂ and z), their means taken in float64 here.
      const [xhat, z] = tf.tidy(() => {
        const out = model.forward(tf.tensor2d(Float32Array.from(x.data), [x.rows, x.cols]), { training: false });
        return [out.xhat.dataSync().slice(), out.z.dataSync().slice()];
      });
      const mean = (values: ArrayLike<number>, f: (v: number, i: number) => number) => Array.from(values, f).reduce((a, b) => a + b, 0) / values.length;
      const mse = mean(xhat, (v, i) => (v - Math.fround(x.data[i])) ** 2);
      const objective = mse + 0.3 * mean(xhat, (v) => v * v) + 0.2 * mean(z, Math.abs);
      // 37 rows through a trainer laid out for 16 at a time: three passes, the last of 5 rows.
      const options = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weight_decay: 0, output_l2: 0.3, latent_l1: 0.2 };
      const fused = FusedTrainer.create(stack, 16, options)!;
      const ours = fused.evaluate(x.data, x.rows);
      const bare = FusedTrainer.create(stack, 16, { ...options, output_l2: 0, latent_l1: 0 })!.evaluate(x.data, x.rows);
      // float32 forward passes with products summed in other orders: a few ulps of each output.
      expect(Math.abs(ours.mse - mse) / mse, activation).toBeLessThan(1e-5);
      expect(Math.abs(ours.objective - objective) / objective, activation).toBeLessThan(1e-5);
      expect(bare).toEqual({ mse: ours.mse, objective: ours.mse });
      fused.close();
      model.dispose();
    }
  });

  it('sums the validation MSE in float64: over 360,000 values as close to the exact mean as its float32 terms allow, where a float32 sum drifts', () => {
    const x = gaussian(300, 1200, 8);
    for (let i = 0; i < x.data.length; i++) x.data[i] += 3;
    const model = buildAutoencoder({ encoder: [64], latent: 8, dropout: 0, batch_norm: false, activation: 'relu', decoder: 'linear' }, 1200, 2);
    const stack = model.denseStack();
    if (typeof stack === 'string') throw new Error(stack);
    const [xhat, float32Mean] = tf.tidy(() => {
      const xt = tf.tensor2d(Float32Array.from(x.data), [x.rows, x.cols]);
      const out = model.forward(xt, { training: false });
      return [out.xhat.dataSync().slice(), tf.mean(tf.squaredDifference(out.xhat, xt)).dataSync()[0]];
    });
    let sum = 0;
    xhat.forEach((v, i) => (sum += (v - Math.fround(x.data[i])) ** 2));
    const exact = sum / xhat.length;
    const fused = FusedTrainer.create(stack, 32, { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weight_decay: 0, output_l2: 0, latent_l1: 0 })!;
    // Measured: 3.5e-8 off here (the float32 result's own rounding is up to 6e-8); tfjs' float32 mean 8.5e-6
    // (7e-5 over 640 × 1,700 validation values, a LINCS-size screen's).
    expect(Math.abs(fused.evaluate(x.data, x.rows).mse - exact) / exact).toBeLessThan(1e-7);
    expect(Math.abs(float32Mean - exact) / exact).toBeGreaterThan(1e-6);
    fused.close();
    model.dispose();
  });

  it("gives Kernel SHAP's coalition values (rows formed after the first layer): tfjs' on the formed rows, to float32 rounding", () => {
    const d = 120;
    const rs = stream(4, 'test/fused/coalitions');
    const x = Float64Array.from({ length: d }, () => rs.normal());
    // 50 background rows (not a multiple of 4); features 3 and 70 equal x's everywhere, so they do not vary.
    const n = 50;
    const background = gaussian(n, d, 23);
    for (let r = 0; r < n; r++) [3, 70].forEach((j) => (background.data[r * d + j] = x[j]));
    const varying = Int32Array.from({ length: d }, (_, j) => j).filter((j) => j !== 3 && j !== 70);
    const M = varying.length;
    // Empty, full, one member, all but one, and other sizes: both forms (members or non-members summed).
    const sizes = [0, M, 1, M - 1, 2, M - 2, 30, 59, 60, 61, 90, 117];
    const count = sizes.length;
    const masks = new Uint8Array(count * M);
    sizes.forEach((size, k) => {
      const order = Int32Array.from({ length: M }, (_, t) => t).sort((a, b) => ((a * 7919 + k * 104729) % 1013) - ((b * 7919 + k * 104729) % 1013));
      for (let t = 0; t < size; t++) masks[k * M + order[t]] = 1;
    });
    const formed = matrix(count * n, d);
    sizes.forEach((_, k) => {
      for (let r = 0; r < n; r++) {
        const row = formed.data.subarray((k * n + r) * d, (k * n + r + 1) * d);
        row.set(background.data.subarray(r * d, (r + 1) * d));
        for (let t = 0; t < M; t++) if (masks[k * M + t]) row[varying[t]] = x[varying[t]];
      }
    });
    const picked = Int32Array.from([0, 5, 64, 119, 7]);
    /** Each coalition's mean output over its rows (count × picked), in row order. */
    const means = (out: Float64Array) =>
      Float64Array.from({ length: count * picked.length }, (_, q) => {
        const [k, o] = [Math.floor(q / picked.length), picked[q % picked.length]];
        let sum = 0;
        for (let r = 0; r < n; r++) sum += out[(k * n + r) * d + o];
        return sum / n;
      });
    for (const activation of ['relu', 'leaky_relu', 'elu', 'tanh'] as const) {
      const model = buildAutoencoder({ encoder: [256, 96], latent: 12, dropout: 0, batch_norm: false, activation, decoder: 'mirror' }, d, 5);
      const stack = model.denseStack();
      if (typeof stack === 'string') throw new Error(stack);
      const tfjs = means(model.reconstruct(formed).data);
      // Blocks of 128 rows: two coalitions each (52 rows with padding), so the twelve take six blocks.
      const results = [1, 2].map((threads) => {
        const fused = FusedTrainer.forInference(stack, 128, threads)!;
        const values = fused.coalitions(background.data, n)!(x, varying, masks, count, picked);
        const plain = new Float64Array(formed.data.length);
        fused.predict(formed.data, formed.rows, plain);
        fused.close();
        return { values, plain: means(plain) };
      });
      const { values, plain } = results[0];
      let worst = 0;
      let scale = 0;
      tfjs.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(values[i] - v));
        scale = Math.max(scale, Math.abs(v));
      });
      // The first layer's pre-activation is a sum of other float32 terms than the plain pass's (a base plus
      // the differences' product): measured 2.1e-7 to 5.6e-7 of the largest value; the complement form's
      // differences with the wrong sign are off by 0.26.
      expect(worst / scale, activation).toBeLessThan(1e-5);
      // The empty and the full coalition are the plain pass's own products (the last layer's picked columns
      // summed in the same order): its bits.
      const m = picked.length;
      expect(values.subarray(0, 2 * m), activation).toEqual(plain.subarray(0, 2 * m));
      expect(values.subarray(2 * m)).not.toEqual(plain.subarray(2 * m));
      expect(Buffer.from(results[1].values.buffer).equals(Buffer.from(values.buffer)), activation).toBe(true);
      model.dispose();
    }
  });

  it('offers no coalition values for a background larger than a block: Kernel SHAP then forms the rows', () => {
    const model = buildAutoencoder({ encoder: [16], latent: 4, dropout: 0, batch_norm: false, activation: 'relu', decoder: 'linear' }, 10, 5);
    const stack = model.denseStack();
    if (typeof stack === 'string') throw new Error(stack);
    const fused = FusedTrainer.forInference(stack, 64, 1)!;
    expect(fused.coalitions(gaussian(64, 10, 1).data, 64)).not.toBeNull();
    expect(fused.coalitions(gaussian(65, 10, 1).data, 65)).toBeNull();
    fused.close();
    model.dispose();
  });
});

describe('fused kernels', () => {
  const memory = new WebAssembly.Memory({ initial: 4 });
  const k = fusedKernels(fusedModule()!, memory);
  const f = new Float32Array(memory.buffer);

  it('adam: bit for bit what tfjs-core AdamOptimizer (and fit.ts weight decay) computes, step after step', () => {
    const n = 64;
    const rs = stream(3, 'test/adam');
    const w0 = Float32Array.from({ length: n }, () => rs.normal());
    const grads = [0, 1, 2].map(() => Float32Array.from({ length: n }, () => rs.normal() * 10 ** (rs.int(8) - 6)));
    const [lr, beta1, beta2, eps, decay] = [0.003, 0.85, 0.995, 1e-8, 0.02];
    // tfjs: decoupled decay as fit.ts applies it, then the optimizer.
    const v = tf.variable(tf.tensor1d(w0));
    const optimizer = tf.train.adam(lr, beta1, beta2, eps);
    for (const g of grads) {
      tf.tidy(() => {
        v.assign(tf.mul(v, 1 - lr * decay));
        optimizer.applyGradients({ [v.name]: tf.tensor1d(g) } as unknown as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
      });
    }
    const expected = (v.dataSync() as Float32Array).slice();
    v.dispose();
    optimizer.dispose();
    // The kernel: w, g, m, v at 0, 256, 512, 768 bytes; constants at 1024.
    f.fill(0, 0, 512);
    f.set(w0, 0);
    let acc1 = Math.fround(beta1);
    let acc2 = Math.fround(beta2);
    for (const g of grads) {
      f.set(g, 64);
      f.set([1 - lr * decay, beta1, 1 - beta1, beta2, 1 - beta2, 1 - acc1, 1 - acc2, eps, -lr], 256);
      k.adam(0, 256, 512, 768, n, 1024);
      acc1 = Math.fround(acc1 * Math.fround(beta1));
      acc2 = Math.fround(acc2 * Math.fround(beta2));
    }
    expect(Array.from(f.subarray(0, n))).toEqual(Array.from(expected));
  });

  it('gemm_nn, gemm_tn, transpose: float64 products within float32 rounding; bias and the activation slope applied', () => {
    const [m, n, kk] = [8, 16, 12];
    const rs = stream(4, 'test/gemm');
    const a = Float32Array.from({ length: m * kk }, () => rs.normal());
    const b = Float32Array.from({ length: kk * n }, () => rs.normal());
    const bias = Float32Array.from({ length: n }, () => rs.normal());
    const [A, AT, B, C, BIAS, Z] = [0, 4096, 8192, 12288, 16384, 20480];
    f.set(a, A / 4);
    f.set(b, B / 4);
    f.set(bias, BIAS / 4);
    f.fill(0, Z / 4, Z / 4 + n);
    k.transpose(A, kk * 4, AT, m * 4, m, kk);
    for (let i = 0; i < m; i++) for (let t = 0; t < kk; t++) expect(f[AT / 4 + t * m + i]).toBe(a[i * kk + t]);
    const check = (slope: number, withBias: boolean) => {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = withBias ? bias[j] : 0;
          let bound = withBias ? Math.abs(bias[j]) : 0;
          for (let t = 0; t < kk; t++) {
            sum += a[i * kk + t] * b[t * n + j];
            bound += Math.abs(a[i * kk + t] * b[t * n + j]);
          }
          const want = sum > 0 ? sum : slope * sum;
          expect(Math.abs(f[C / 4 + i * n + j] - want)).toBeLessThanOrEqual((kk + 2) * 2 ** -24 * bound);
        }
      }
    };
    k.gemm_nn(A, kk * 4, B, n * 4, C, n * 4, m, n, kk, BIAS, float32Bits(0.01));
    check(0.01, true);
    k.gemm_tn(AT, m * 4, B, n * 4, C, n * 4, m, n, kk, Z, float32Bits(1));
    check(1, false);
    k.gemm_nn(A, kk * 4, B, n * 4, C, n * 4, m, n, kk, BIAS, float32Bits(0));
    check(0, true);
  });
});

describe('which kernel trains (runtime.training_kernel)', () => {
  const config: AutoencoderConfig = { encoder: [8], latent: 2, decoder: 'linear', activation: 'relu', dropout: 0, batch_norm: false };
  const stackOf = (c: AutoencoderConfig) => {
    const model = buildAutoencoder(c, 10, 1);
    const stack = model.denseStack();
    model.dispose();
    return stack;
  };

  it('auto: fused on wasm and cpu for a plain dense stack; tfjs for dropout, batch norm or a native backend, saying why', () => {
    expect(chooseTrainingKernel('auto', 'wasm', stackOf(config))).toMatchObject({ kernel: 'fused-wasm-simd' });
    expect(chooseTrainingKernel('auto', 'cpu', stackOf({ ...config, activation: 'leaky_relu', decoder: 'mirror' }))).toMatchObject({ kernel: 'fused-wasm-simd' });
    expect(chooseTrainingKernel('auto', 'wasm', stackOf({ ...config, dropout: 0.1 }))).toEqual({ kernel: 'tfjs', reason: expect.stringMatching(/dropout/) });
    expect(chooseTrainingKernel('auto', 'wasm', stackOf({ ...config, batch_norm: true }))).toEqual({ kernel: 'tfjs', reason: expect.stringMatching(/batch norm/) });
    expect(chooseTrainingKernel('auto', 'tensorflow', stackOf(config))).toMatchObject({ kernel: 'tfjs', reason: expect.stringMatching(/tensorflow/) });
    expect(chooseTrainingKernel('tfjs', 'wasm', stackOf(config))).toMatchObject({ kernel: 'tfjs' });
    expect(chooseTrainingKernel('fused-wasm-simd', 'tensorflow', stackOf(config))).toMatchObject({ kernel: 'fused-wasm-simd' });
  });

  it('the train stage: auto records the fused kernel; fused-wasm-simd with dropout is a UserError naming the setting', async () => {
    const data = { train: gaussian(40, 10, 5), val: gaussian(10, 10, 6) };
    const out = mkdtempSync(join(tmpdir(), 'ads-fused-'));
    const spec = (runtime: object, model: object) =>
      validateExperiment({ experiment: 'x', model: { ...config, ...model }, training: { max_epochs: 2 }, runtime }).value as ResolvedSpec;
    const trained = await trainAutoencoder(data, spec({}, {}), 1, { tbDir: join(out, 'a'), report: () => {}, callbacks: [] });
    trained.model.dispose();
    expect(trained.kernel.kernel).toBe('fused-wasm-simd');
    const failing = trainAutoencoder(data, spec({ training_kernel: 'fused-wasm-simd' }, { dropout: 0.2 }), 1, { tbDir: join(out, 'b'), report: () => {}, callbacks: [] });
    await expect(failing).rejects.toBeInstanceOf(UserError);
    await expect(failing).rejects.toThrow(/runtime\.training_kernel: fused-wasm-simd .*dropout/);
    rmSync(out, { recursive: true, force: true });
  });
});
