/**
 * A·Bᵀ for two sets of packed vectors, as a small WebAssembly module using 128-bit SIMD (two float64 lanes):
 * the similarity products of the replicate metrics (every query well against every control well for mAP, a
 * Gram matrix for percent replicating's null). Plain JS reaches ~2.5 G multiply-adds/s here; this kernel is
 * gram_kernel.ts's 4×4 block of eight f64x2 accumulators (whose comment explains why WebAssembly, and why
 * the numbers do not change), over a rectangle instead of a triangle. Where the native kernels are built
 * (numeric/native.ts), their product64 computes the same bits with wider vectors.
 *
 * Layout (byte offsets passed in; all doubles): a set of vectors is packed in panels of 4 vectors, panel g at
 * `base + g·len·32`, position t of its 4 vectors side by side at +t·32. out is row-major with `ldo` bytes per
 * row.
 *
 * product(a, na, b, nb, len, out, ldo): for every panel gi < na of a and gj < nb of b, the 16 dot products
 * (over `len` positions, summed in increasing position from 0) of panel gi's vectors with panel gj's are added
 * to out's 4×4 block (gi, gj): out[(4gi + r)·ldo/8 + 4gj + c] += a_{4gi+r} · b_{4gj+c}. The loop runs over b's
 * panels outside a's, so one panel of b stays in L1 while a's panels (kept few by the caller) stream from L2.
 */

export type Product = (a: number, na: number, b: number, nb: number, len: number, out: number, ldo: number) => void;

import { Worker } from 'node:worker_threads';
import { kernelMemory, NATIVE_ADDON, type NativeKernels, nativeKernels } from './native.ts';
import {
  addTo, breakIf, compileOrNull, I32_ADD, I32_GE_U, I32_MUL, I32_SHL, i32Const, kernelModuleBytes, localGet, localSet, panelBlock, whileLoop,
} from './wasm.ts';

// Parameters, then locals: i32 counters and addresses, v128 accumulators and operands.
const [A, NA, B, NB, LEN, OUT, LDO] = [0, 1, 2, 3, 4, 5, 6];
const [GI, GJ, K, PA, PB, O, PANEL_BYTES] = [7, 8, 9, 10, 11, 12, 13];
const ACC = 14; // ACC + 2r + h: vector r (0..3) of a's panel, vectors 2h, 2h + 1 of b's panel
const [Y0, Y1, X] = [22, 23, 24];

const productBody: number[] = [
  // PANEL_BYTES = len · 32
  ...localGet(LEN), ...i32Const(5), I32_SHL, ...localSet(PANEL_BYTES),
  ...i32Const(0), ...localSet(GJ),
  // for (gj = 0; gj < nb; gj++)
  ...whileLoop(
    [...localGet(GJ), ...localGet(NB), I32_GE_U, ...breakIf],
    [...i32Const(0), ...localSet(GI)],
    // for (gi = 0; gi < na; gi++)
    whileLoop(
      [...localGet(GI), ...localGet(NA), I32_GE_U, ...breakIf],
      [...localGet(A), ...localGet(GI), ...localGet(PANEL_BYTES), I32_MUL, I32_ADD, ...localSet(PA)],
      [...localGet(B), ...localGet(GJ), ...localGet(PANEL_BYTES), I32_MUL, I32_ADD, ...localSet(PB)],
      ...panelBlock({ a: PA, b: PB, len: LEN, k: K, out: OUT, ldo: LDO, o: O, gi: GI, gj: GJ, acc: ACC, y0: Y0, y1: Y1, x: X }),
      addTo(GI, i32Const(1)),
    ),
    addTo(GJ, i32Const(1)),
  ),
  0x0b,
];

const compiled = new Map<boolean, WebAssembly.Module | null>();

/** The compiled module (with `shared`, over a shared memory), or null where WebAssembly SIMD (or sharing) is unavailable. */
export function productModule(shared: boolean): WebAssembly.Module | null {
  if (!compiled.has(shared)) {
    const fn = { name: 'product', params: 7, i32Locals: ACC - GI, v128Locals: X + 1 - ACC, body: productBody };
    compiled.set(shared, compileOrNull(kernelModuleBytes({ ...fn, sharedMemory: shared })));
  }
  return compiled.get(shared)!;
}

/** Plain JS with the kernel's contract and summation order, where WebAssembly SIMD is missing. */
function productJs(heap: Float64Array): Product {
  return (a, na, b, nb, len, out, ldo) => {
    const [a8, b8, out8, ldo8, panel] = [a / 8, b / 8, out / 8, ldo / 8, len * 4];
    for (let gj = 0; gj < nb; gj++) {
      for (let gi = 0; gi < na; gi++) {
        for (let r = 0; r < 4; r++) {
          for (let c = 0; c < 4; c++) {
            let s = 0;
            const pa = a8 + gi * panel + r;
            const pb = b8 + gj * panel + c;
            for (let t = 0; t < len; t++) s += heap[pa + 4 * t] * heap[pb + 4 * t];
            heap[out8 + (4 * gi + r) * ldo8 + 4 * gj + c] += s;
          }
        }
      }
    }
  };
}

/** wasm32 memories are capped at 4 GiB, and engines may refuse more than 2. */
const MAX_BYTES = 2 ** 31 - 2 ** 16;

/** One chunk of a product: a's and b's panels (byte offsets) over `len` positions. */
export interface Chunk {
  a: number;
  b: number;
  len: number;
}

/**
 * A product kernel over its own memory (freed with it): `heap` is that memory as doubles, and
 * `products(chunks, na, nb, out, ldo)` adds, chunk after chunk, every chunk's product of na panels of a with nb
 * panels of b to out (`Product`'s contract). `close` stops its threads.
 */
export interface ProductKernel {
  readonly heap: Float64Array;
  products(chunks: readonly Chunk[], na: number, nb: number, out: number, ldo: number): void;
  close(): void;
}

/**
 * A kernel over at least `bytes` bytes, on `threads` threads (the calling one and threads − 1 workers).
 *
 * Why the numbers do not depend on the thread count: b's panels are cut into RANGES ranges, and one thread
 * computes a range whole, chunk after chunk in order, with the same kernel calls as one thread makes; only
 * which thread computes a range changes. Threads take ranges from a shared counter until none is left, so one
 * slowed by the rest of the machine takes fewer; the caller blocks (Atomics.wait) until all are done, so
 * callers stay synchronous. Without shared WebAssembly memory it is one thread.
 */
export function productKernel(bytes: number, threads = 1, native: NativeKernels | null = nativeKernels()): ProductKernel {
  const shared = threads > 1 ? productModule(true) : null;
  const module = shared ?? productModule(false);
  if ((!module && !native) || bytes > MAX_BYTES) {
    const heap = new Float64Array(Math.ceil(bytes / 8));
    const product = productJs(heap);
    return { heap, products: (chunks, na, nb, out, ldo) => chunks.forEach((c) => product(c.a, na, c.b, nb, c.len, out, ldo)), close() {} };
  }
  const pages = Math.ceil(bytes / 65536);
  const memory = shared ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) : new WebAssembly.Memory({ initial: pages });
  // The native kernel where it is built (numeric/native.ts: the same bits at the CPU's full vector width).
  const view = kernelMemory(memory);
  const product: Product = native
    ? (a, na, b, nb, len, out, ldo) => native.product64(view(), a, na, b, nb, len, out, ldo)
    : (new WebAssembly.Instance(module!, { env: { memory } }).exports.product as Product);
  const heap = new Float64Array(memory.buffer);
  if (!shared) return { heap, products: (chunks, na, nb, out, ldo) => chunks.forEach((c) => product(c.a, na, c.b, nb, c.len, out, ldo)), close() {} };

  const control = new Int32Array(new SharedArrayBuffer((CHUNKS + 3 * MAX_CHUNKS) * 4));
  const workerData = { module, memory, control, layout: LAYOUT, native: native ? NATIVE_ADDON : null };
  const workers = Array.from({ length: threads - 1 }, () => {
    const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData });
    worker.unref();
    return worker;
  });
  let job = 0;
  return {
    heap,
    products(chunks, na, nb, out, ldo) {
      if (chunks.length > MAX_CHUNKS) throw new Error(`productKernel: ${chunks.length} chunks, at most ${MAX_CHUNKS}`);
      // The job's parameters, then the range cuts, then the chunks; published by the claim word below.
      control.set([na, nb, out, ldo, chunks.length], JOB);
      for (let r = 0; r <= RANGES; r++) control[CUTS + r] = Math.round((nb * r) / RANGES);
      chunks.forEach((c, k) => control.set([c.a, c.b, c.len], CHUNKS + 3 * k));
      job = (job + 1) & 0xfffff;
      Atomics.store(control, DONE, 0);
      Atomics.store(control, CLAIM, job << 10);
      Atomics.notify(control, CLAIM);
      claimRanges(control, product, LAYOUT);
      for (let done; (done = Atomics.load(control, DONE)) < RANGES; ) Atomics.wait(control, DONE, done);
    },
    close() {
      Atomics.store(control, CLAIM, STOP);
      Atomics.notify(control, CLAIM);
      for (const worker of workers) void worker.terminate();
    },
  };
}

/** Ranges of b's panels per product: enough that the last one taken is a small share of the work. */
const RANGES = 16;
/** Chunks per product at most (features / chunk length). */
const MAX_CHUNKS = 1024;

/** Where the control words are: the claim word (job·1024 + next range; −1: stop), ranges done, the job's
 * parameters (na, nb, out, ldo, chunk count), the range cuts, then (a, b, len) per chunk. */
const LAYOUT = { CLAIM: 0, DONE: 1, JOB: 2, CUTS: 7, CHUNKS: 7 + RANGES + 1, RANGES } as const;
const { CLAIM, DONE, JOB, CUTS, CHUNKS } = LAYOUT;
const STOP = -1;

/**
 * Takes ranges of the published job until none is left, computing each whole. The same function runs in the
 * workers (as source text), so both sides claim and compute alike.
 */
function claimRanges(control: Int32Array, product: Product, L: typeof LAYOUT): void {
  for (;;) {
    const word = Atomics.load(control, L.CLAIM);
    if (word < 0 || (word & 1023) >= L.RANGES) return;
    if (Atomics.compareExchange(control, L.CLAIM, word, word + 1) !== word) continue;
    const r = word & 1023;
    const na = control[L.JOB];
    const out = control[L.JOB + 2];
    const ldo = control[L.JOB + 3];
    const count = control[L.JOB + 4];
    const g0 = control[L.CUTS + r];
    const g1 = control[L.CUTS + r + 1];
    for (let k = 0; k < count && g1 > g0; k++) {
      const [a, b, len] = [control[L.CHUNKS + 3 * k], control[L.CHUNKS + 3 * k + 1], control[L.CHUNKS + 3 * k + 2]];
      product(a, na, b + g0 * len * 32, g1 - g0, len, out + g0 * 32, ldo);
    }
    Atomics.add(control, L.DONE, 1);
    Atomics.notify(control, L.DONE);
  }
}

const WORKER = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, layout, native } = workerData;
const view = new Uint8Array(memory.buffer);
const product = native
  ? ((kernel) => (a, na, b, nb, len, out, ldo) => kernel(view, a, na, b, nb, len, out, ldo))(require(native).product64)
  : new WebAssembly.Instance(module, { env: { memory } }).exports.product;
const claimRanges = ${claimRanges.toString()};
for (;;) {
  const word = Atomics.load(control, layout.CLAIM);
  if (word === ${STOP}) break;
  if ((word & 1023) >= layout.RANGES) {
    Atomics.wait(control, layout.CLAIM, word);
    continue;
  }
  claimRanges(control, product, layout);
}
`;
