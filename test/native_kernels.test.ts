import { tf } from '../src/runtime/tfjs.ts';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { gemmKernel } from '../src/classify/gemm_kernel.ts';
import { mlpKernels } from '../src/classify/mlp_kernel.ts';
import { buildAutoencoder } from '../src/model/autoencoder.ts';
import { gram32Module } from '../src/numeric/gram32_kernel.ts';
import { gramModule } from '../src/numeric/gram_kernel.ts';
import { kernelsInUse, nativeColumnExtents, nativeColumnMoments, nativeKernelLevels, nativeKernels, nativeBeyondCounts, nativeMissingCounts, nativePackPanels } from '../src/numeric/native.ts';
import { columnMoments, missingCounts } from '../src/preprocess/columns.ts';
import { columnSummary } from '../src/preprocess/feature_select/correlation_threshold.ts';
import { dropOutliers } from '../src/preprocess/feature_select/drop_outliers.ts';
import { packPanels } from '../src/numeric/gram_parallel.ts';
import { matrix } from '../src/numeric/matrix.ts';
import { productModule } from '../src/numeric/product_kernel.ts';
import { stream } from '../src/random/streams.ts';
import { selectBackend } from '../src/runtime/backend.ts';
import { float32Bits, fusedKernels, fusedModule } from '../src/training/fused_kernel.ts';
import { type DenseStack, FusedTrainer } from '../src/training/fused_step.ts';

/**
 * The native kernels (native/ads_kernels.c) against the WebAssembly kernels they stand in for, an independent
 * implementation of the same contracts: the same bits, for every product and for whole training runs. The
 * operands span many binary orders of magnitude, so that summing in another order, or fusing a multiply
 * with its add, changes the last bits of most entries (checked by hand: built with -ffp-contract=fast, the
 * float64 test fails on most entries).
 */

const native = nativeKernels();
/** Every instruction set this CPU has (AVX-512 and AVX2 here): a machine without the widest runs another. */
const levels = nativeKernelLevels();
const same = (a: ArrayBufferView, b: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** Values of random sign spread over 2⁻²⁰ … 2²⁰, as doubles. */
function spread(count: number, seed: number): Float64Array {
  const rs = stream(seed, 'test/native');
  return Float64Array.from({ length: count }, () => rs.normal() * 2 ** (rs.int(41) - 20));
}

describe.skipIf(!native)(`native kernels${native ? '' : ` [skipped: ${kernelsInUse()}]`}`, () => {
  beforeAll(async () => {
    expect(await selectBackend({ backend: 'wasm', threads: 1 })).toBe('wasm');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it.each(levels.map((level) => [level.isa, level] as const))('gemm64 (%s): C += A·B and the blocked Aᵀ·B read in place, the bits of the WebAssembly kernels', (_, level) => {
    // Widths below, at and above the native 8-wide block and its tail; sums across the blocked kernel's 256.
    // (The WebAssembly kernel takes rows and columns in fours.)
    for (const [m, n, k] of [[4, 4, 4], [8, 12, 36], [12, 20, 600], [200, 200, 352], [300, 8, 12]] as const) {
      const [A, B, C] = [0, m * k, m * k + k * n];
      const bytes = (C + m * n + k * n) * 8;
      const results = [null, level].map((kernels) => {
        const { gemm, gemmBlocked, heap } = gemmKernel(bytes, kernels);
        heap.set(spread(C + m * n, m * 1000 + k));
        gemm(A * 8, k * 8, B * 8, n * 8, C * 8, n * 8, m, n, k);
        // Aᵀ·B' (k × n, after C), Aᵀ read in place from A (lda 8, step k·8) and B' the m × n rows from B.
        const T = C + m * n;
        heap.fill(0, T, T + k * n);
        gemmBlocked(A * 8, 8, B * 8, n * 8, T * 8, n * 8, k, n, m, k * 8);
        return heap.slice(C, T + k * n);
      });
      expect(same(results[0], results[1]), `${m} × ${n} × ${k}`).toBe(true);
    }
  });

  it.each(levels.map((level) => [level.isa, level] as const))('gemm32 (%s): φ(A·B + bias), A row-major or transposed, the bits of the WebAssembly gemm_nn and gemm_tn', (_, level) => {
    const slopes = [0, 0.01, 1];
    // Rows past the native kernels' row block (264), widths past 16 and 8, sums past their block of 256, and rows that
    // leave 8, then 4, then 1–3 past the blocks of 12 (23, 19).
    for (const [m, n, k] of [[4, 8, 3], [8, 24, 40], [32, 40, 300], [12, 256, 17], [540, 24, 20], [23, 40, 70], [19, 24, 33]] as const) {
      const [A, B, BIAS, C] = [0, m * k, m * k + k * n, m * k + k * n + n];
      const floats = C + 2 * m * n * slopes.length;
      const pages = Math.ceil((floats * 4) / 65536);
      const outputs = [null, level].map((kernels) => {
        const memory = new WebAssembly.Memory({ initial: pages });
        const f = new Float32Array(memory.buffer);
        f.set(Float32Array.from(spread(C, m * 7 + n)));
        const kk = fusedKernels(fusedModule()!, memory, kernels);
        slopes.forEach((slope, s) => {
          const out = C + 2 * s * m * n;
          kk.gemm_nn(A * 4, k * 4, B * 4, n * 4, out * 4, n * 4, m, n, k, BIAS * 4, float32Bits(slope));
          // A read as transposed: the same floats as an m × k operand stored k × m (A(i, t) at i + t·m).
          kk.gemm_tn(A * 4, m * 4, B * 4, n * 4, (out + m * n) * 4, n * 4, m, n, k, BIAS * 4, float32Bits(slope));
        });
        return f.slice(C, floats);
      });
      expect(same(outputs[0], outputs[1]), `${m} × ${n} × ${k}`).toBe(true);
    }
  });

  it.each(levels.map((level) => [level.isa, level] as const))("adam32 (%s): the fused step's Adam(W) update, the bits of the WebAssembly adam", (_, level) => {
    // 148 floats: past a vector's 16 and not a multiple of it. Moments ≥ 0 where √ reads v; constants as a
    // step late in training (bias corrections near 1) and at its first step (c1 = 0.1, c2 = 0.001).
    const count = 148;
    const [W, G, M, V, CONSTS] = [0, count, 2 * count, 3 * count, 4 * count];
    const values = Float32Array.from(spread(4 * count, 11));
    for (let i = V; i < V + count; i++) values[i] = Math.abs(values[i]);
    for (const consts of [[1 - 1e-4, 0.9, 0.1, 0.999, 0.001, 0.98, 0.7, 1e-7, -1e-3], [1, 0.9, 0.1, 0.999, 0.001, 0.1, 0.001, 1e-8, -0.01]]) {
      const outputs = [null, level].map((kernels) => {
        const memory = new WebAssembly.Memory({ initial: 1 });
        const f = new Float32Array(memory.buffer);
        f.set(values);
        f.set(consts, CONSTS);
        fusedKernels(fusedModule()!, memory, kernels).adam(W * 4, G * 4, M * 4, V * 4, count, CONSTS * 4);
        return f.slice(0, CONSTS);
      });
      expect(same(outputs[0], outputs[1]), 'native = WebAssembly').toBe(true);
      // And the update did something: the first moments all moved (the weights, spread over 2⁻²⁰ … 2²⁰, not all).
      expect(outputs[1].subarray(M, V).every((m, i) => m !== values[M + i])).toBe(true);
    }
  });

  it.each(levels.map((level) => [level.isa, level] as const))("adam64 (%s): the MoA MLP's Adam update (sklearn's), the bits of the WebAssembly adam", (_, level) => {
    // 150 doubles: past a vector's 8 and not a multiple of it; moments ≥ 0 where √ reads v.
    const count = 150;
    const [W, G, M, V, CONSTS] = [0, count, 2 * count, 3 * count, 4 * count];
    const values = spread(4 * count, 12);
    for (let i = V; i < V + count; i++) values[i] = Math.abs(values[i]);
    const outputs = [null, level].map((kernels) => {
      const memory = new WebAssembly.Memory({ initial: 1 });
      const f = new Float64Array(memory.buffer);
      f.set(values);
      f.set([0.9, 0.1, 0.999, 0.001, 3e-4, 1e-8], CONSTS);
      mlpKernels(memory, kernels).adam(W * 8, G * 8, M * 8, V * 8, count, CONSTS * 8);
      return f.slice(0, CONSTS);
    });
    expect(same(outputs[0], outputs[1]), 'native = WebAssembly').toBe(true);
    expect(outputs[1].subarray(M, V).every((m, i) => m !== values[M + i])).toBe(true);
  });

  it.each(levels.map((level) => [level.isa, level] as const))('gram64 and gram32 (%s): the upper triangle of XᵀX, panels of 4 doubles or 8 floats, the bits of the WebAssembly kernels', (_, level) => {
    // 7 panels, 150 rows (two float32 runs of 64 and a short one); gj in a sub-range, so the triangle's edges and
    // a lone last panel are covered.
    const [groups, len] = [7, 150];
    for (const [name, module, width] of [['gram64', gramModule(), 4], ['gram32', gram32Module(false), 8]] as const) {
      const panelBytes = groups * len * 32;
      const out = panelBytes;
      const ldo = groups * width * 8;
      const bytes = out + groups * width * ldo;
      const values = spread(panelBytes / 8, width);
      const results = [null, level].map((kernels) => {
        const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
        if (width === 4) new Float64Array(memory.buffer).set(values);
        else new Float32Array(memory.buffer).set(Float32Array.from(values.subarray(0, panelBytes / 4)));
        const gram = kernels
          ? (...args: [number, number, number, number, number, number]) => kernels[name](memory.buffer, ...args)
          : (new WebAssembly.Instance(module!, { env: { memory } }).exports.gram as (...args: number[]) => void);
        gram(0, 0, 3, len, out, ldo);
        gram(0, 3, 7, len, out, ldo);
        gram(0, 2, 5, len - 1, out, ldo);
        return new Float64Array(memory.buffer, out, (bytes - out) / 8).slice();
      });
      expect(results[1].some((v) => v !== 0)).toBe(true);
      expect(same(results[0], results[1]), name).toBe(true);
    }
  });

  it.each(levels.map((level) => [level.isa, level] as const))('product64 (%s): A·Bᵀ over panels of 4 doubles, the bits of the WebAssembly kernel', (_, level) => {
    // 5 panels of a against 7 of b (an odd count: the last without a partner), twice into the same out.
    const [na, nb, len] = [5, 7, 301];
    const [a, b, out] = [0, na * len * 32, (na + nb) * len * 32];
    const ldo = nb * 4 * 8;
    const bytes = out + na * 4 * ldo;
    const values = spread((na + nb) * len * 4, 11);
    const results = [null, level].map((kernels) => {
      const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
      new Float64Array(memory.buffer).set(values);
      const product = kernels
        ? (...args: [number, number, number, number, number, number, number]) => kernels.product64(memory.buffer, ...args)
        : (new WebAssembly.Instance(productModule(false)!, { env: { memory } }).exports.product as (...args: number[]) => void);
      product(a, na, b, nb, len, out, ldo);
      product(b, 3, a, 2, len - 5, out, ldo);
      return new Float64Array(memory.buffer, out, (bytes - out) / 8).slice();
    });
    expect(results[1].some((v) => v !== 0)).toBe(true);
    expect(same(results[0], results[1])).toBe(true);
  });

  it('trains an autoencoder to the same bytes as the WebAssembly kernels, on one thread and on two', () => {
    const rs = stream(5, 'test/native/train');
    // Enough rows that the worker thread takes part in the two-thread run (it takes tiles once it has started,
    // ~30 ms in: counted by hand, 1,045 of 4,476; with 300 rows the calling thread took all 360).
    const [rows, cols] = [4000, 120];
    const x = Float32Array.from({ length: rows * cols }, () => rs.normal());
    const options = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weight_decay: 0.01, output_l2: 0, latent_l1: 0.001 };
    const weightsAfter = (threads: number, kernels: typeof native) => {
      const model = buildAutoencoder({ encoder: [256, 64], latent: 16, dropout: 0, batch_norm: false, activation: 'leaky_relu', decoder: 'mirror' }, cols, 3);
      const trainer = FusedTrainer.create(model.denseStack() as DenseStack, 128, options, threads, kernels)!;
      try {
        for (let epoch = 0; epoch < 3; epoch++) {
          const order = Int32Array.from({ length: rows }, (_, i) => (i * 37 + epoch * 11) % rows);
          trainer.epoch(x, cols, order, 128, 1e-3);
        }
        trainer.writeBack();
      } finally {
        trainer.close();
      }
      const weights = model.getWeights().map((t) => (t.dataSync() as Float32Array).slice());
      model.dispose();
      return weights;
    };
    const wasm = weightsAfter(1, null);
    for (const threads of [1, 2]) {
      const got = weightsAfter(threads, native);
      wasm.forEach((w, k) => expect(same(got[k], w), `weights ${k}, ${threads} thread(s)`).toBe(true));
    }
    expect(tf.memory().numTensors).toBeLessThan(50);
  });

  it('fits the MoA MLP and logistic regression to the same bits with ADS_NATIVE=0 (the WebAssembly kernels)', async () => {
    const fitBoth = async () => {
      const { fitMlp, SKLEARN_MLP } = await import('../src/classify/mlp.ts');
      const { fitLogistic } = await import('../src/classify/logistic.ts');
      const { kernelsInUse: inUse } = await import('../src/numeric/native.ts');
      const { matrix } = await import('../src/numeric/matrix.ts');
      const [rows, cols] = [150, 30];
      const x = matrix(rows, cols, spread(rows * cols, 9).map((v) => Math.tanh(v)));
      const labels = Int32Array.from({ length: rows }, (_, i) => (i * 7) % 3);
      const mlp = fitMlp(x, labels, 3, { ...SKLEARN_MLP, max_epochs: 30 }, 4);
      const logistic = fitLogistic(x, labels, 3, { C: 1, tol: 1e-6, max_iter: 100 });
      return { kernels: inUse(), w: [mlp.w1, mlp.b1, mlp.w2, mlp.b2, logistic.coef, logistic.intercept] };
    };
    const withNative = await fitBoth();
    vi.resetModules();
    vi.stubEnv('ADS_NATIVE', '0');
    const without = await fitBoth();
    expect(withNative.kernels).toMatch(/^native /);
    expect(without.kernels).toBe('webassembly (turned off by ADS_NATIVE=0)');
    withNative.w.forEach((w, k) => expect(same(w, without.w[k]), `array ${k}`).toBe(true));
  });

  it('gatherRows copies the rows named, in their order, to rows of the stride given, and refuses a row outside the source or the memory', () => {
    const [cols, ld] = [5, 32];
    const src = Float32Array.from({ length: 7 * cols }, (_, i) => i + 0.5);
    const rows = Int32Array.of(6, 0, 3, 3);
    const buffer = new SharedArrayBuffer(256);
    const heap = new Float32Array(buffer).fill(-1);
    native!.gatherRows(new Uint8Array(buffer), 16, ld, src, cols, rows);
    // Rows of 8 floats from float 4: the named row's 5 values, then the 3 floats between rows untouched.
    const expected = new Float32Array(64).fill(-1);
    rows.forEach((row, r) => expected.set(src.subarray(row * cols, (row + 1) * cols), 4 + r * 8));
    expect(Array.from(heap)).toEqual(Array.from(expected));
    expect(() => native!.gatherRows(new Uint8Array(buffer), 16, ld, src, cols, Int32Array.of(7))).toThrow(RangeError);
    expect(() => native!.gatherRows(new Uint8Array(buffer), 16, ld, src, cols, Int32Array.of(-1))).toThrow(RangeError);
    // 8 rows of 32 bytes from byte 16 end 12 bytes past the end (the last row's 5 floats end at 16 + 7·32 + 20).
    expect(() => native!.gatherRows(new Uint8Array(buffer), 16, ld, src, cols, new Int32Array(8))).toThrow(RangeError);
    expect(Array.from(heap)).toEqual(Array.from(expected));
  });

  it('refuses an operand outside its memory or a malformed argument, without touching the memory', () => {
    const buffer = new ArrayBuffer(1024);
    const heap = new Float64Array(buffer);
    heap.fill(1);
    // 4 × 4 doubles with row stride 32 bytes end 128 bytes after their start: C at 896 just fits, at 904 not.
    native!.gemm64(buffer, 0, 32, 128, 32, 896, 32, 4, 4, 4, 8, 0);
    expect(Array.from(heap.subarray(112))).toEqual(new Array(16).fill(5));
    heap.fill(1);
    expect(() => native!.gemm64(buffer, 0, 32, 128, 32, 904, 32, 4, 4, 4, 8, 0)).toThrow(RangeError);
    // The bias row (8 floats) at 1,000 ends 8 bytes past the end.
    expect(() => native!.gemm32(buffer, 0, 16, 64, 32, 0, 32, 4, 8, 4, 1000, float32Bits(1), false)).toThrow(RangeError);
    expect(() => native!.gemm64(buffer, -8, 32, 128, 32, 256, 32, 4, 4, 4, 8, 0)).toThrow(TypeError);
    expect(() => (native!.gemm64 as (...args: unknown[]) => void)(buffer, 0)).toThrow(TypeError);
    expect(() => native!.gemm64(new Float64Array(buffer) as unknown as ArrayBuffer, 0, 32, 128, 32, 256, 32, 4, 4, 4, 8, 0)).toThrow(TypeError);
    expect(heap.every((v) => v === 1)).toBe(true);
  });
});

const pack = nativePackPanels();
describe.skipIf(!pack)(`the native packing of Gram panels${pack ? '' : ' [skipped: the native addon is not loaded (not built, or ADS_NATIVE=0)]'}`, () => {
  it.each([
    [4, false],
    [4, true],
    [8, false],
    [8, true],
  ] as const)('packs panels of %i, scaled: %s, to the bytes of the JavaScript, over chosen rows and columns', (width, scaled) => {
    const x = matrix(40, 23, spread(40 * 23, 9));
    const rows = Int32Array.from({ length: 30 }, (_, i) => (i * 7) % 40);
    const cols = Int32Array.from({ length: 21 }, (_, k) => (k * 5) % 23);
    const center = spread(21, 10);
    const scale = scaled ? Float64Array.from({ length: 21 }, (_, k) => 2 ** ((k % 9) - 4)) : new Float64Array(0);
    // Chunk rows 5 … 24 (len 20), into panels at element 16 of each memory.
    const Type = width === 4 ? Float64Array : Float32Array;
    const groups = Math.ceil(21 / width);
    const elements = 16 + groups * 20 * width + 8;
    const theirs = new Type(elements).fill(-1);
    packPanels(theirs, 16, width, x, rows, 5, 20, cols, center, scaled ? scale : undefined);
    // On shared memory, as the Gram products pack it.
    const memory = new Uint8Array(new SharedArrayBuffer(elements * Type.BYTES_PER_ELEMENT));
    (width === 4 ? new Float64Array(memory.buffer) : new Float32Array(memory.buffer)).fill(-1);
    pack!(memory, 16 * Type.BYTES_PER_ELEMENT, width, x.data, x.cols, rows, 5, 20, cols, center, scale);
    expect(same(memory, theirs)).toBe(true);
  });

  it('refuses a chunk, a row or a column outside the matrix or the memory', () => {
    const x = matrix(4, 3, new Float64Array(12));
    const memory = new Uint8Array(4 * 4 * 8);
    const all = Int32Array.of(0, 1, 2, 3);
    const center = new Float64Array(4);
    pack!(memory, 0, 4, x.data, 3, all, 0, 4, Int32Array.of(0, 1, 2), center, new Float64Array(0));
    expect(() => pack!(memory, 8, 4, x.data, 3, all, 0, 4, Int32Array.of(0, 1, 2), center, new Float64Array(0))).toThrow(RangeError);
    expect(() => pack!(memory, 0, 4, x.data, 3, all, 1, 4, Int32Array.of(0, 1, 2), center, new Float64Array(0))).toThrow(RangeError);
    expect(() => pack!(memory, 0, 4, x.data, 3, Int32Array.of(0, 4), 0, 2, Int32Array.of(0), center, new Float64Array(0))).toThrow(RangeError);
    expect(() => pack!(memory, 0, 4, x.data, 3, all, 0, 4, Int32Array.of(0, 3), center, new Float64Array(0))).toThrow(RangeError);
    expect(() => pack!(memory, 0, 4, x.data, 3, all, 0, 4, Int32Array.of(0, -1), center, new Float64Array(0))).toThrow(RangeError);
    expect(() => pack!(memory, 0, 6 as 4, x.data, 3, all, 0, 4, Int32Array.of(0), center, new Float64Array(0))).toThrow(RangeError);
  });
});

const moments = nativeColumnMoments();
describe.skipIf(!moments)(`the native column moments${moments ? '' : ' [skipped: the native addon is not loaded (not built, or ADS_NATIVE=0)]'}`, () => {
  it('gives the bits of the JavaScript: whole matrices and views, missing values, −0, a tail of rows and of columns', () => {
    // 203 rows (a last quad of 3) × 37 columns (an odd one past the vectors), spread over 2⁻²⁰ … 2²⁰.
    const x = matrix(203, 37, spread(203 * 37, 11));
    const rs = stream(12, 'test/native-moments');
    for (let i = 0; i < x.data.length; i++) {
      const u = rs.next();
      if (u < 0.05) x.data[i] = NaN;
      else if (u < 0.07) x.data[i] = -0;
    }
    // A column of nothing but missing values, and one of nothing but −0.
    for (let r = 0; r < 203; r++) [x.data[r * 37 + 5], x.data[r * 37 + 6]] = [NaN, -0];
    const views = [x, { source: x, rows: Int32Array.from({ length: 150 }, (_, i) => (i * 4) % 203), cols: Int32Array.from({ length: 30 }, (_, k) => 36 - k) }];
    for (const view of views) {
      const ours = columnMoments(view, moments);
      const theirs = columnMoments(view, null);
      for (const key of ['count', 'mean', 'variance'] as const) expect([key, same(ours[key], theirs[key])]).toEqual([key, true]);
    }
  });

  it('gives the correlation filter the column summary of the JavaScript: sums, extents, ±∞, −0 against +0, constant columns', () => {
    const x = matrix(203, 37, spread(203 * 37, 13));
    const rs = stream(14, 'test/native-extents');
    for (let i = 0; i < x.data.length; i++) if (rs.next() < 0.02) x.data[i] = rs.next() < 0.5 ? -0 : 0;
    // Columns of nothing but missing values, of −0 and +0 mixed (equal: no variation), and of one value; one
    // missing value, +∞, and both infinities, in three more (the others' sums stay finite, so they are compared).
    for (let r = 0; r < 203; r++) [x.data[r * 37 + 5], x.data[r * 37 + 6], x.data[r * 37 + 7]] = [NaN, r % 2 ? -0 : 0, 2.5];
    [x.data[50 * 37 + 8], x.data[60 * 37 + 9], x.data[70 * 37 + 10], x.data[80 * 37 + 10]] = [NaN, Infinity, Infinity, -Infinity];
    const extents = nativeColumnExtents()!;
    const views = [{ source: x, rows: Int32Array.from({ length: 203 }, (_, i) => i), cols: Int32Array.from({ length: 37 }, (_, k) => k) }, { source: x, rows: Int32Array.from({ length: 150 }, (_, i) => (i * 4) % 203), cols: Int32Array.from({ length: 30 }, (_, k) => 36 - k) }];
    for (const view of views) {
      const ours = columnSummary(view, extents);
      const theirs = columnSummary(view, null);
      expect(ours.complete).toEqual(theirs.complete);
      for (const key of ['means', 'largest', 'varies', 'hasMissing'] as const) expect([key, same(ours[key], theirs[key])]).toEqual([key, true]);
    }
  });
});

const missing = nativeMissingCounts();
describe.skipIf(!missing)(`the native count of missing values${missing ? '' : ' [skipped: the native addon is not loaded (not built, or ADS_NATIVE=0)]'}`, () => {
  it('counts each column\'s NaN as comparing every value with itself does, in views that skip, repeat and reorder', () => {
    // 61 rows × 37 columns (four runs of 8 and a tail of 5 in a whole row), finite but for the values set below.
    const x = matrix(61, 37, spread(61 * 37, 15));
    const rs = stream(16, 'test/native-missing');
    // Random NaN past row 9; in rows 3 … 6, a NaN in the last column only (the tail), in the first only, +∞ beside −∞ (a NaN sum, no NaN), and a
    // NaN between a view's columns but in none of them.
    for (let i = 10 * 37; i < x.data.length; i++) if (rs.next() < 0.01) x.data[i] = NaN;
    x.data[3 * 37 + 36] = NaN;
    x.data[4 * 37] = NaN;
    [x.data[5 * 37 + 9], x.data[5 * 37 + 20]] = [Infinity, -Infinity];
    x.data[6 * 37 + 10] = NaN;
    const byHand = (view: { rows: Int32Array; cols: Int32Array }) =>
      Float64Array.from(view.cols, (c) => view.rows.reduce((n, r) => n + (Number.isNaN(x.data[r * 37 + c]) ? 1 : 0), 0));
    const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
    const views = [
      { source: x, rows: all(61), cols: all(37) },
      { source: x, rows: Int32Array.from([6, 5, 6, 0, 3]), cols: Int32Array.from([30, 2, 36, 9]) },
      { source: x, rows: Int32Array.from({ length: 80 }, (_, i) => (i * 7) % 61), cols: Int32Array.from({ length: 20 }, (_, k) => 36 - k) },
      { source: x, rows: all(61), cols: new Int32Array(0) },
      { source: x, rows: new Int32Array(0), cols: all(37) },
    ];
    for (const view of views) {
      const expected = byHand(view);
      expect(Array.from(missingCounts(view, missing))).toEqual(Array.from(expected));
      expect(Array.from(missingCounts(view, null))).toEqual(Array.from(expected));
    }
    expect(Array.from(missingCounts(views[1], missing))).toEqual([0, 0, 1, 0]);
  });
});

const beyond = nativeBeyondCounts();
describe.skipIf(!beyond)(`the native outlier counts${beyond ? '' : ' [skipped: the native addon is not loaded (not built, or ADS_NATIVE=0)]'}`, () => {
  it('drops the features with a value beyond the cutoff, either sign, as the JavaScript and a count by hand do', () => {
    // 61 rows × 37 columns of values within ±4, but for: beyond +10 and −10, exactly 10 (not beyond), ±∞
    // (beyond), NaN (never), in the last column (the tail), and between a view's columns but in none of them.
    const rs = stream(17, 'test/native-beyond');
    const x = matrix(61, 37, Float64Array.from({ length: 61 * 37 }, () => rs.normal()).map((v) => Math.max(-4, Math.min(4, v))));
    const set = (r: number, c: number, v: number) => (x.data[r * 37 + c] = v);
    // Exactly 10 also in rows that are read column by column (beside 10.5, and in the tail of row 7).
    set(1, 3, 10.5), set(1, 9, -10), set(7, 33, 10), set(2, 4, -12), set(3, 5, 10), set(4, 6, Infinity), set(5, 7, -Infinity), set(6, 8, NaN), set(7, 36, 11), set(8, 20, 50);
    const features = Array.from({ length: 37 }, (_, j) => `f${j}`);
    const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
    const views = [
      { source: x, rows: all(61), cols: all(37) },
      { source: x, rows: Int32Array.from([8, 7, 1, 1, 2]), cols: Int32Array.from([36, 3, 19, 21, 4]) },
      { source: x, rows: Int32Array.from({ length: 90 }, (_, i) => (i * 11) % 61), cols: Int32Array.from({ length: 30 }, (_, k) => 36 - k) },
    ];
    for (const view of views) {
      const names = Array.from(view.cols, (c) => features[c]);
      const byHand = names.filter((_, j) => view.rows.some((r) => Math.abs(x.data[r * 37 + view.cols[j]]) > 10));
      const ours = dropOutliers(view, names, 10, beyond);
      expect(ours.map((e) => e.feature)).toEqual(byHand);
      expect(ours).toEqual(dropOutliers(view, names, 10, null));
    }
    expect(dropOutliers(views[1], ['f36', 'f3', 'f19', 'f21', 'f4'], 10, beyond).map((e) => e.feature)).toEqual(['f36', 'f3', 'f4']);
    expect(dropOutliers(views[0], features, 10, beyond).map((e) => e.feature)).toEqual(['f3', 'f4', 'f6', 'f7', 'f20', 'f36']);
  });
});
