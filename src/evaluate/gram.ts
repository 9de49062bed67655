import type { Matrix } from '../numeric/matrix.ts';
import { availableParallelism } from 'node:os';
import { type Chunk, type ProductKernel, productKernel } from '../numeric/product_kernel.ts';

/**
 * The one expensive step of every replicate metric: many dot products between well profiles. Each row is
 * normalised (centred and unit-norm for Pearson, unit-norm for cosine) so that every similarity is a plain
 * dot product; the normalised rows are never stored as a table, but written straight into the product
 * kernel's memory (numeric/product_kernel.ts, WebAssembly SIMD) a few at a time, so a 50,000-well screen
 * needs no copy of its matrix.
 *
 * Every similarity is summed exactly as before the kernel existed: the normalised values are
 * (x − centre)·scale, products summed in increasing feature order within chunks of KC features, each
 * chunk's sum added to the total in chunk order. The kernel and its plain-JS fallback both keep that order.
 */

/** Vectors per kernel panel: panels hold this many rows side by side. */
export const TILE = 4;
/** Features per chunk: a panel's chunk (256 × 4 doubles, 8 KB) stays in L1 while the other operand streams. */
const KC = 256;

/** How each row is normalised before its dot products: (x − centre[i])·scale[i]; scale NaN makes the row undefined. */
export interface RowNorms {
  readonly centre: Float64Array;
  readonly scale: Float64Array;
}

/**
 * Per row, the mean and the inverse Euclidean norm of the centred row, so that normalised rows' dot product is
 * their Pearson correlation across features. A row with zero variance or a missing value is undefined (NaN):
 * its correlation is undefined, and NaN keeps it out of every mean and null downstream.
 */
export function pearsonNorms(m: Matrix): RowNorms {
  return rowNorms(m, true);
}

/** Per row, the inverse Euclidean norm (centre 0), so that normalised rows' dot product is their cosine similarity. */
export function cosineNorms(m: Matrix): RowNorms {
  return rowNorms(m, false);
}

function rowNorms(m: Matrix, centre: boolean): RowNorms {
  const { rows, cols, data } = m;
  const mus = new Float64Array(rows);
  const scale = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let mu = 0;
    if (centre) {
      for (let j = 0; j < cols; j++) mu += data[base + j];
      mu /= cols;
    }
    let ss = 0;
    for (let j = 0; j < cols; j++) ss += (data[base + j] - mu) ** 2;
    mus[i] = mu;
    scale[i] = ss > 0 && Number.isFinite(ss) ? 1 / Math.sqrt(ss) : NaN;
  }
  return { centre: mus, scale };
}

/** Whether row i is undefined (no direction: constant, all zero, or with a missing value). */
export function undefinedRow(norms: RowNorms, i: number): boolean {
  return Number.isNaN(norms.scale[i]);
}

/** Rows `idx` of m, normalised, row after row into `out` (which holds at least idx.length·cols values). */
export function normaliseRowsInto(m: Matrix, norms: RowNorms, idx: ArrayLike<number>, out: Float64Array): Float64Array {
  const { cols: k, data } = m;
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r];
    const [c, s, src, dst] = [norms.centre[i], norms.scale[i], i * k, r * k];
    for (let t = 0; t < k; t++) out[dst + t] = (data[src + t] - c) * s;
  }
  return out;
}

/**
 * Dot product of rows i and j of a row-major matrix with k columns, in four interleaved partial sums. The same
 * bits for (i, j) and (j, i): each product commutes and the sums run in one order.
 */
export function rowDot(data: Float64Array, k: number, i: number, j: number): number {
  const a = i * k;
  const b = j * k;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let t = 0;
  for (; t + 4 <= k; t += 4) {
    s0 += data[a + t] * data[b + t];
    s1 += data[a + t + 1] * data[b + t + 1];
    s2 += data[a + t + 2] * data[b + t + 2];
    s3 += data[a + t + 3] * data[b + t + 3];
  }
  for (; t < k; t++) s0 += data[a + t] * data[b + t];
  return s0 + s1 + s2 + s3;
}

/** Where a packed set of vectors sits in a kernel's memory: `padded` vectors (a multiple of TILE) of k values. */
export interface Packed {
  /** Double offset of the set. */
  readonly at: number;
  readonly padded: number;
  readonly k: number;
}

/** Doubles taken by a packed set of n vectors of k values. */
export function packedSize(n: number, k: number): number {
  return Math.ceil(n / TILE) * TILE * k;
}

/** Below this many multiply-adds, starting a worker thread costs more than it saves. */
const MIN_PARALLEL_WORK = 2e8;

/** Threads for a product of `work` multiply-adds: every core (up to 4) when there is enough to share. */
export function similarityThreads(work: number): number {
  return work < MIN_PARALLEL_WORK ? 1 : Math.min(availableParallelism(), 4);
}

/**
 * A product kernel over its own memory, for one evaluation: callers lay out their packed sets and output
 * tiles in `heap` (double offsets), pack rows with `pack` and multiply with `product`, on `threads` threads
 * (the same numbers on any number: see numeric/product_kernel.ts), and `close` it when done.
 */
export class SimilarityKernel {
  readonly heap: Float64Array;
  private readonly kernel: ProductKernel;

  constructor(doubles: number, threads = 1) {
    this.kernel = productKernel(doubles * 8, threads);
    this.heap = this.kernel.heap;
  }

  /**
   * Rows `idx` of m, normalised, packed at double offset `at` (chunk c of the KC features from at + t0·padded,
   * panel g of the chunk at + g·len·TILE); the padding vectors are zero.
   */
  pack(at: number, m: Matrix, norms: RowNorms, idx: ArrayLike<number>): Packed {
    const { cols: k, data } = m;
    const padded = Math.ceil(idx.length / TILE) * TILE;
    const heap = this.heap;
    for (let t0 = 0; t0 < k; t0 += KC) {
      const len = Math.min(KC, k - t0);
      const chunk = at + t0 * padded;
      for (let r = 0; r < padded; r++) {
        const base = chunk + (r >> 2) * len * TILE + (r & 3);
        if (r >= idx.length) {
          for (let t = 0; t < len; t++) heap[base + t * TILE] = 0;
          continue;
        }
        const i = idx[r];
        const [c, s, src] = [norms.centre[i], norms.scale[i], i * k + t0];
        for (let t = 0; t < len; t++) heap[base + t * TILE] = (data[src + t] - c) * s;
      }
    }
    return { at, padded, k };
  }

  /**
   * heap[out + (i − a0)·ldo + (j − b0)] = a_i · b_j for vectors i ∈ [a0, a1) of `a` and j ∈ [b0, b1) of `b`
   * (both ranges whole panels), written over what was there.
   */
  product(a: Packed, a0: number, a1: number, b: Packed, b0: number, b1: number, out: number, ldo: number): void {
    if (a.k !== b.k || [a0, a1, b0, b1].some((v) => v % TILE !== 0)) throw new Error('SimilarityKernel.product: ranges must be whole panels of one length');
    for (let i = a0; i < a1; i++) this.heap.fill(0, out + (i - a0) * ldo, out + (i - a0) * ldo + (b1 - b0));
    const chunks: Chunk[] = [];
    for (let t0 = 0; t0 < a.k; t0 += KC) {
      const len = Math.min(KC, a.k - t0);
      chunks.push({ a: 8 * (a.at + t0 * a.padded + a0 * len), b: 8 * (b.at + t0 * b.padded + b0 * len), len });
    }
    this.kernel.products(chunks, (a1 - a0) / TILE, (b1 - b0) / TILE, 8 * out, 8 * ldo);
  }

  /** Stops the kernel's threads. */
  close(): void {
    this.kernel.close();
  }
}

/** Rows of a band of `upperTriangleInto`: its tile is this many rows × n. */
const PANEL = 64;

/**
 * The strict upper triangle of the Gram matrix of normalised rows `idx` of m, written row-major (numpy's
 * triu_indices(n, 1) order) into out from `offset`; returns the offset after the last value. `kernel` must
 * hold packedSize(n, k) + PANEL·padded doubles. Works one band of rows at a time so memory stays O(PANEL·n).
 */
export function upperTriangleInto(kernel: SimilarityKernel, m: Matrix, norms: RowNorms, idx: ArrayLike<number>, out: Float64Array, offset: number): number {
  const n = idx.length;
  const packed = kernel.pack(0, m, norms, idx);
  const padded = packed.padded;
  const tile = packedSize(n, m.cols);
  const heap = kernel.heap;
  let pos = offset;
  for (let i0 = 0; i0 < padded; i0 += PANEL) {
    const i1 = Math.min(padded, i0 + PANEL);
    const ldo = padded - i0;
    kernel.product(packed, i0, i1, packed, i0, padded, tile, ldo);
    for (let i = i0; i < Math.min(i1, n); i++) {
      const rowBase = tile + (i - i0) * ldo - i0;
      for (let j = i + 1; j < n; j++) out[pos++] = heap[rowBase + j];
    }
  }
  return pos;
}

/** Doubles `upperTriangleInto` needs in its kernel for n rows of k values. */
export function upperTriangleSize(n: number, k: number): number {
  return packedSize(n, k) + PANEL * Math.ceil(n / TILE) * TILE;
}
