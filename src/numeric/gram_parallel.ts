import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { gram32Module } from './gram32_kernel.ts';
import { type Gram, gramModule, MAX_BYTES } from './gram_kernel.ts';
import { CHUNK, type CrossProductOptions, GRAM_TILE, symmetricFromUpper } from './linalg.ts';
import { type Matrix, matrix } from './matrix.ts';
import { kernelMemory, NATIVE_ADDON, nativeKernels, nativePackPanels } from './native.ts';

/**
 * `crossProduct` (XᵀX with centring on the fly) on every core, with the same bits; and the same product
 * screened in float32 (gram32_kernel.ts), on the same machinery with panels of 8 float32 columns.
 *
 * Why the numbers do not change: the rows go through in the same chunks of CHUNK, packed the same way, and
 * each 4×4 block of the output is computed for a chunk by one thread with the same kernel call as on one
 * thread (see gram_kernel.ts), then added to the output; each block's chunks are added in order, since a
 * range of blocks starts on a chunk only when it is done on the chunk before. Only which thread computes a
 * block changes.
 *
 * How: the kernel's memory is a shared WebAssembly memory; each worker thread runs its own instance of the
 * kernel on it. Per chunk, the output's panel columns are cut into TILES ranges of about equal work (block
 * column g holds g + 1 blocks): a task is one range of one chunk. Threads take tasks in order (chunk by chunk)
 * from a shared counter, so a thread slowed by the rest of the machine takes fewer. Task (c, k) waits only for
 * chunk c to be packed and for task (c − 1, k), which wrote the same blocks: no thread idles at a chunk's end
 * while another finishes its last range. Only this thread packs (the matrix is not shared memory), AHEAD chunks
 * ahead of the task it takes, into a ring of BUFFERS panel buffers; a buffer is packed again once every range
 * of the chunk it held is done. Nothing is waited for at the start: if the workers are not running yet, this
 * thread takes every task.
 *
 * The calling thread blocks (Atomics.wait) until the product is done: callers stay synchronous.
 */

/** Ranges of block columns per chunk: enough that the last one taken is a small share of a chunk's work. */
const TILES = 16;
/** Below this many multiply-adds (n·d²/2), starting threads costs more than it saves. */
const MIN_WORK = 2e9;

/**
 * Chunks packed ahead of the task this thread takes, and the panel buffers that needs: more than AHEAD + 1, or
 * packing chunk c + AHEAD would wait for chunk c, whose task this thread has taken and not yet done (a
 * deadlock); one more lets the workers run a chunk behind without holding the packing up.
 */
const AHEAD = 2;
const BUFFERS = AHEAD + 2;

// Control words (Int32, shared): the next task to take (c·TILES + k); chunks packed; 1 once the caller has
// given up (an exception); then, for each range k, how many chunks have it done.
const [NEXT, PACKED, ABORT, DONE] = [0, 1, 2, 3];

const WORKER = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, ranges, tile, rows, chunk, panelBytes, outAt, ldo, native } = workerData;
const view = new Uint8Array(memory.buffer);
const gram = native
  ? ((kernel) => (panels, gj0, gj1, len, out, ldo) => kernel(view, panels, gj0, gj1, len, out, ldo))(require(native.path)[native.kernel])
  : new WebAssembly.Instance(module, { env: { memory } }).exports.gram;
const tiles = ranges.length - 1;
const total = Math.ceil(rows / chunk) * tiles;
/** Waits until control[at] > value; false if the caller gave up meanwhile. */
const awaitAbove = (at, value) => {
  for (let now; (now = Atomics.load(control, at)) <= value; ) {
    if (Atomics.load(control, ${ABORT})) return false;
    Atomics.wait(control, at, now);
  }
  return !Atomics.load(control, ${ABORT});
};
for (;;) {
  const t = Atomics.add(control, ${NEXT}, 1);
  if (t >= total) break;
  const c = Math.floor(t / tiles);
  const k = t % tiles;
  if (!awaitAbove(${PACKED}, c) || !awaitAbove(${DONE} + k, c - 1)) break;
  const len = Math.min(chunk, rows - c * chunk);
  const panels = (c % ${BUFFERS}) * panelBytes;
  for (let g = ranges[k]; g < ranges[k + 1]; g += tile) gram(panels, g, Math.min(ranges[k + 1], g + tile), len, outAt, ldo);
  Atomics.store(control, ${DONE} + k, c + 1);
  Atomics.notify(control, ${DONE} + k);
}
`;

/**
 * XᵀX as `crossProduct` computes it, bit for bit, on the machine's cores (or `threads` threads, whatever the
 * size); null where one thread is all there is or worth using (small products, no shared WebAssembly
 * memory): the caller then calls `crossProduct`.
 */
export function crossProductParallel(x: Matrix, options: CrossProductOptions, threads?: number): Matrix | null {
  const n = options.rows?.length ?? x.rows;
  const d = options.cols?.length ?? x.cols;
  if (threads === undefined && (n * d * d) / 2 < MIN_WORK) return null;
  const count = threads ?? Math.min(availableParallelism(), 8);
  if (count < 2) return null;
  const upper = gramOnThreads(x, options, count, FLOAT64);
  return upper && matrix(d, d, symmetricFromUpper(upper.data, upper.offset, upper.ld, d));
}

/** The upper triangle (diagonal included) of a d×d symmetric result: entry (i, j ≥ i) at data[offset + i·ld + j]. */
export interface UpperTriangle {
  readonly data: Float64Array;
  readonly offset: number;
  readonly ld: number;
}

/**
 * XᵀX screened in float32 (see gram32_kernel.ts for its error bound, GRAM32_BOUND), on `threads` threads
 * (the machine's cores by default; one runs on the calling thread alone), each selected column multiplied by
 * `scale[k]` after centring (a power of two keeps the products exact in range); null where the engine lacks
 * WebAssembly SIMD or the product would not fit its memory. Same bits on any number of threads.
 * Its upper triangle as the kernel left it: a caller that derives a d×d matrix from it (correlations) can
 * write it there, without another d×d array (a fresh 23 MB costs ~80 ms of page faults on these machines).
 */
export function crossProductScreen(x: Matrix, options: CrossProductOptions & { scale: Float64Array }, threads?: number): UpperTriangle | null {
  return gramOnThreads(x, options, threads ?? Math.min(availableParallelism(), 8), FLOAT32);
}

/** How a kernel wants its panels: columns per panel (32 bytes a row either way) and the element type. */
interface PanelFormat {
  readonly width: 4 | 8;
  readonly module: () => WebAssembly.Module | null;
  /** Its kernel among the native ones (numeric/native.ts), used where they are built: the same bits. */
  readonly native: 'gram64' | 'gram32';
  readonly view: (buffer: ArrayBufferLike) => Float64Array | Float32Array;
}
const FLOAT64: PanelFormat = { width: 4, module: () => gramModule(true), native: 'gram64', view: (b) => new Float64Array(b) };
const FLOAT32: PanelFormat = { width: 8, module: () => gram32Module(true), native: 'gram32', view: (b) => new Float32Array(b) };

function gramOnThreads(x: Matrix, options: CrossProductOptions & { scale?: Float64Array }, count: number, format: PanelFormat): UpperTriangle | null {
  const rowAt = options.rows ?? Int32Array.from({ length: x.rows }, (_, i) => i);
  const colAt = options.cols ?? Int32Array.from({ length: x.cols }, (_, j) => j);
  const n = rowAt.length;
  const d = colAt.length;
  const center = options.center ?? new Float64Array(d);
  const { scale } = options;
  const { width } = format;
  const groups = Math.ceil(d / width);
  const padded = width * groups;
  const panelBytes = groups * CHUNK * 32;
  const bytes = BUFFERS * panelBytes + padded * padded * 8;
  const module = format.module();
  const native = nativeKernels();
  if (n === 0 || d === 0 || !(module || native) || bytes > MAX_BYTES) return null;
  const pages = Math.ceil(bytes / 65536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const view = kernelMemory(memory);
  const gram: Gram = native
    ? (panels, gj0, gj1, len, out, ldo) => native[format.native](view(), panels, gj0, gj1, len, out, ldo)
    : (new WebAssembly.Instance(module!, { env: { memory } }).exports.gram as Gram);
  const heap = format.view(memory.buffer);
  const out64 = new Float64Array(memory.buffer);
  const outAt = BUFFERS * panelBytes;
  const ranges = equalWork(groups, TILES);
  const control = new Int32Array(new SharedArrayBuffer((DONE + TILES) * Int32Array.BYTES_PER_ELEMENT));
  const chunks = Math.ceil(n / CHUNK);
  const total = chunks * TILES;
  if (total + count >= 2 ** 31) return null; // the task counter would overflow its Int32
  // Natively where the addon is built (the same values: the same operations on each): packing in JavaScript
  // took this thread a quarter of the correlation filter's time on 14,880 × 1,700, beside its share of the products.
  const nativePack = nativePackPanels();
  const indices = (at: ArrayLike<number>) => (at instanceof Int32Array ? at : Int32Array.from(at));
  const [rowIndex, colIndex] = nativePack ? [indices(rowAt), indices(colAt)] : [];
  const noScale = new Float64Array(0);
  const pack = (c: number) => {
    const r0 = c * CHUNK;
    const len = Math.min(CHUNK, n - r0);
    const at = (c % BUFFERS) * panelBytes;
    if (nativePack) nativePack(view(), at, width, x.data, x.cols, rowIndex!, r0, len, colIndex!, center, scale ?? noScale);
    else packPanels(heap, at / heap.BYTES_PER_ELEMENT, width, x, rowAt, r0, len, colAt, center, scale);
  };
  /**
   * Waits until control[at] > value. Every wait, here and in the workers, is for a task taken earlier (or a
   * chunk packed earlier), by a thread that has no earlier task left undone: no cycle.
   */
  const awaitAbove = (at: number, value: number) => {
    for (let now; (now = Atomics.load(control, at)) <= value; ) Atomics.wait(control, at, now);
  };

  pack(0);
  Atomics.store(control, PACKED, 1);
  const workers = Array.from({ length: count - 1 }, () => {
    const worker = new Worker(WORKER, {
      eval: true,
      execArgv: [],
      workerData: {
        module, memory, control, ranges, tile: GRAM_TILE, rows: n, chunk: CHUNK, panelBytes, outAt, ldo: padded * 8,
        native: native && { path: NATIVE_ADDON, kernel: format.native },
      },
    });
    worker.unref();
    return worker;
  });
  try {
    let packed = 1;
    for (let t; (t = Atomics.add(control, NEXT, 1)) < total; ) {
      const c = Math.floor(t / TILES);
      const k = t % TILES;
      // Pack up to AHEAD chunks past this task's, each into the buffer of the chunk BUFFERS before it once
      // every range of that chunk is done (all its tasks were taken before this one).
      for (; packed < chunks && packed <= c + AHEAD; packed++) {
        for (let r = 0; r < TILES; r++) awaitAbove(DONE + r, packed - BUFFERS);
        pack(packed);
        Atomics.store(control, PACKED, packed + 1);
        Atomics.notify(control, PACKED);
      }
      awaitAbove(DONE + k, c - 1);
      const len = Math.min(CHUNK, n - c * CHUNK);
      const panels = (c % BUFFERS) * panelBytes;
      for (let g = ranges[k]; g < ranges[k + 1]; g += GRAM_TILE) gram(panels, g, Math.min(ranges[k + 1], g + GRAM_TILE), len, outAt, padded * 8);
      Atomics.store(control, DONE + k, c + 1);
      Atomics.notify(control, DONE + k);
    }
    // The workers' last tasks.
    for (let k = 0; k < TILES; k++) awaitAbove(DONE + k, chunks - 1);
  } finally {
    Atomics.store(control, ABORT, 1);
    Atomics.store(control, NEXT, total);
    for (const at of [PACKED, ...Array.from({ length: TILES }, (_, k) => DONE + k)]) Atomics.notify(control, at);
    for (const worker of workers) void worker.terminate();
  }
  return { data: out64, offset: outAt / 8, ld: padded };
}

/**
 * Rows rowAt[r0 + r] (r < len) of columns colAt[k] of x, less center[k] and times scale[k] where given, into
 * panels of `width` columns from element `base0` of `heap` (float64 panels of 4, float32 of 8): row r of
 * column k at r·width + ⌊k / width⌋·len·width + k mod width. numeric/native.ts's packPanels is its twin.
 */
export function packPanels(
  heap: Float64Array | Float32Array, base0: number, width: 4 | 8, x: Matrix, rowAt: ArrayLike<number>, r0: number, len: number, colAt: ArrayLike<number>, center: Float64Array, scale?: Float64Array,
): void {
  const { data, cols: stride } = x;
  const d = colAt.length;
  const shift = width === 4 ? 2 : 3;
  const panel = len * width;
  for (let r = 0; r < len; r++) {
    const base = rowAt[r0 + r] * stride;
    const at = base0 + r * width;
    if (scale) {
      for (let k = 0; k < d; k++) heap[at + (k >> shift) * panel + (k & (width - 1))] = (data[base + colAt[k]] - center[k]) * scale[k];
    } else {
      for (let k = 0; k < d; k++) heap[at + (k >> shift) * panel + (k & (width - 1))] = data[base + colAt[k]] - center[k];
    }
  }
}

/**
 * Cuts block columns [0, groups) into `parts` ranges of about equal work: block column g holds g + 1 blocks,
 * so the cuts go at groups·√(k/parts). Empty ranges are kept (taken in no time), so there are parts + 1 cuts.
 */
function equalWork(groups: number, parts: number): Int32Array {
  const cuts = new Int32Array(parts + 1);
  for (let k = 1; k <= parts; k++) cuts[k] = Math.max(cuts[k - 1], Math.min(groups, Math.round(groups * Math.sqrt(k / parts))));
  cuts[parts] = groups;
  return cuts;
}
