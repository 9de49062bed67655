import { Worker } from 'node:worker_threads';
import { NATIVE_ADDON } from '../numeric/native.ts';
import { type FusedKernels, withNativeKernels } from './fused_kernel.ts';

/**
 * The fused step's large products and its Adam update on several threads (runtime.threads), with the same
 * bits as on one.
 *
 * Why the numbers do not change: a product is cut into tiles of whole 8-column strips of C and the Adam update
 * into ranges of parameters; each tile is one call of the same kernel on its own slice, so every output
 * entry is summed by one thread in the same order as the single call would sum it. Only which thread
 * computes a tile changes.
 *
 * How: the trainer's memory is a shared WebAssembly memory and each worker thread runs its own instance of
 * the kernels on it. A job's arguments go into a shared array, then the claim word (generation·1024 + next
 * tile) is published; every thread, this one included, claims tiles by compare-and-swap until none is left,
 * and this thread blocks (Atomics.wait) until all are done. A worker that is not running yet, or is slowed
 * by the rest of the machine, simply takes fewer tiles; the step stays synchronous.
 */

/** What a job runs: a product (C's columns in tiles) or the Adam update (the parameters in ranges). */
const [GEMM_NN, GEMM_TN, ADAM] = [0, 1, 2];
// Job words: the function, its 11 arguments (gemm) or 6 (adam), the tile width (columns or floats), tiles.
const [FN, ARGS, WIDTH, TILES] = [0, 1, 12, 13];
// Control words: the claim word, tiles done, and whether a worker failed (its tiles will never be done).
const [CLAIM, DONE, FAILED] = [0, 1, 2];
const STOP = -1;

/**
 * Runs tile t of the job in `job` with kernels `k`, shared by this thread and the workers (the workers get
 * its source). gemm(a, lda, b, ldb, c, ldc, m, n, k, bias, slope): the tile is columns [t·w, t·w + w) of C,
 * so B, C and the bias start t·w floats further on. adam(w, g, m, v, count, consts): floats [t·w, t·w + w).
 */
function runTile(k: FusedKernels, job: Int32Array, t: number): void {
  const w = job[WIDTH];
  const a = ARGS;
  const skip = 4 * t * w;
  if (job[FN] === ADAM) {
    k.adam(job[a] + skip, job[a + 1] + skip, job[a + 2] + skip, job[a + 3] + skip, Math.min(w, job[a + 4] - t * w), job[a + 5]);
    return;
  }
  const n = Math.min(w, job[a + 7] - t * w);
  const gemm = job[FN] === GEMM_NN ? k.gemm_nn : k.gemm_tn;
  gemm(job[a], job[a + 1], job[a + 2] + skip, job[a + 3], job[a + 4] + skip, job[a + 5], job[a + 6], n, job[a + 8], job[a + 9] + skip, job[a + 10]);
}

/** Claims and runs tiles of the published job until none is left; false once the team is stopped. */
function work(k: FusedKernels, control: Int32Array, job: Int32Array, wait: boolean): boolean {
  for (;;) {
    const word = Atomics.load(control, CLAIM);
    if (word === STOP) return false;
    // The job's words belong to this word's generation while any of its tiles is unfinished; once all are
    // claimed, the compare-and-swap below fails for a stale word.
    if ((word & 1023) >= job[TILES]) {
      if (!wait) return true;
      // Jobs come every few hundred microseconds during a step: spin a little before sleeping, since a
      // futex wake-up costs tens of microseconds.
      for (let spin = 0; spin < 20000 && Atomics.load(control, CLAIM) === word; spin++);
      Atomics.wait(control, CLAIM, word);
      continue;
    }
    if (Atomics.compareExchange(control, CLAIM, word, word + 1) !== word) continue;
    runTile(k, job, word & 1023);
    Atomics.add(control, DONE, 1);
    Atomics.notify(control, DONE);
  }
}

// The worker runs the two functions above from their source (compiled JS under tsx and in dist alike); a
// transpiler that keeps function names may wrap them in __name(), defined here as the identity.
const WORKER = `
const __name = (f) => f;
const { workerData } = require('node:worker_threads');
const { module, memory, control, job, native } = workerData;
${withNativeKernels.toString()}
const wasm = new WebAssembly.Instance(module, { env: { memory } }).exports;
const view = new Uint8Array(memory.buffer);
const k = native ? withNativeKernels(wasm, require(native), () => view) : wasm;
const [FN, ARGS, WIDTH, TILES, CLAIM, DONE, FAILED, STOP, ADAM, GEMM_NN] = [${FN}, ${ARGS}, ${WIDTH}, ${TILES}, ${CLAIM}, ${DONE}, ${FAILED}, ${STOP}, ${ADAM}, ${GEMM_NN}];
${runTile.toString()}
${work.toString()}
try {
  work(k, control, job, true);
} catch (err) {
  Atomics.store(control, FAILED, 1);
  Atomics.notify(control, DONE);
  throw err;
}
`;

/** Below this many multiply-adds a product runs on this thread alone: waking the others costs more. */
const MIN_PRODUCT = 1 << 20;
/** Adam ranges: fewer floats than this are not worth a thread. */
const MIN_ADAM = 1 << 16;

export class FusedTeam {
  private readonly control = new Int32Array(new SharedArrayBuffer(3 * 4));
  private readonly job = new Int32Array(new SharedArrayBuffer(16 * 4));
  private readonly workers: Worker[];
  private generation = 0;

  /**
   * `threads` − 1 workers running `module`'s kernels over `memory` (shared where threads > 1), their products
   * native where `native` (this thread's kernels have them so), and `kernels`, this thread's instance. With
   * one thread there are no workers and every call runs here.
   */
  constructor(
    private readonly kernels: FusedKernels,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    private readonly threads: number,
    native: boolean,
  ) {
    const workerData = { module, memory, control: this.control, job: this.job, native: native ? NATIVE_ADDON : null };
    this.workers = Array.from({ length: threads - 1 }, () => {
      const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData });
      worker.unref();
      return worker;
    });
  }

  /** kernels.gemm_nn / gemm_tn with the kernel's arguments, C's columns shared out among the threads. */
  gemm(kind: 'nn' | 'tn', a: number, lda: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number, bias: number, slope: number): void {
    if (this.threads === 1 || m * n * k < MIN_PRODUCT || n < 16) {
      (kind === 'nn' ? this.kernels.gemm_nn : this.kernels.gemm_tn)(a, lda, b, ldb, c, ldc, m, n, k, bias, slope);
      return;
    }
    // About two tiles per thread, whole 8-column strips each.
    const width = 8 * Math.ceil(n / 8 / (2 * this.threads));
    this.run(kind === 'nn' ? GEMM_NN : GEMM_TN, [a, lda, b, ldb, c, ldc, m, n, k, bias, slope], width, Math.ceil(n / width));
  }

  /** kernels.adam over `count` floats (a multiple of 4), in ranges shared out among the threads. */
  adam(w: number, g: number, m: number, v: number, count: number, consts: number): void {
    if (this.threads === 1 || count < MIN_ADAM) {
      this.kernels.adam(w, g, m, v, count, consts);
      return;
    }
    const width = 4 * Math.ceil(count / 4 / (2 * this.threads));
    this.run(ADAM, [w, g, m, v, count, consts], width, Math.ceil(count / width));
  }

  /** Stops and ends the workers. */
  close(): void {
    Atomics.store(this.control, CLAIM, STOP);
    Atomics.notify(this.control, CLAIM);
    for (const worker of this.workers) void worker.terminate();
  }

  private run(fn: number, args: number[], width: number, tiles: number): void {
    const { control, job } = this;
    job[FN] = fn;
    job.set(args, ARGS);
    job[WIDTH] = width;
    job[TILES] = tiles;
    Atomics.store(control, DONE, 0);
    this.generation = (this.generation + 1) & 0x1fffff;
    Atomics.store(control, CLAIM, this.generation << 10);
    Atomics.notify(control, CLAIM);
    work(this.kernels, control, job, false);
    for (let spin = 0; spin < 20000 && Atomics.load(control, DONE) < tiles; spin++);
    for (let done; (done = Atomics.load(control, DONE)) < tiles; ) {
      if (Atomics.load(control, FAILED)) throw new Error('fused training: a worker thread of runtime.threads failed');
      Atomics.wait(control, DONE, done);
    }
  }
}
