import { gramKernel } from './gram_kernel.ts';
import { type Matrix, matrix, range } from './matrix.ts';

/**
 * Dense linear algebra that spherizing and the correlation filter need, over row-major Float64Arrays.
 * Nothing here mutates its inputs.
 */

export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  readonly values: Float64Array;
  /** n×n row-major; row k is the unit eigenvector of values[k] (numpy's `Vt` layout). */
  readonly vectors: Float64Array;
}

/**
 * Eigendecomposition of a symmetric n×n matrix: Householder reduction to tridiagonal form, then the
 * implicit QL algorithm (EISPACK tred2/tql2, as in JAMA). Backward stable, O(n³), and deterministic, so a
 * spherizing fitted twice gives bit-identical weights. The transform is accumulated transposed (rows are
 * eigenvectors) so that every O(n³) inner loop walks contiguous memory: ~1,700 features stay fast.
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  if (a.length !== n * n) throw new Error(`symmetricEigen: ${a.length} values, expected ${n}×${n}`);
  // t[c*n + r] holds V[r][c]; A is symmetric, so its copy already is Vᵀ.
  const t = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: t };
  tridiagonalize(t, d, e, n);
  diagonalize(t, d, e, n);
  return sortDescending(t, d, n);
}

/** tred2: V·diag(d)+offdiag(e)·Vᵀ = A, with V stored transposed in t. */
function tridiagonalize(t: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  const last = n - 1;
  for (let j = 0; j < n; j++) d[j] = t[j * n + last];
  for (let i = last; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = t[j * n + i - 1];
        t[j * n + i] = 0;
        t[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        const cj = j * n;
        f = d[j];
        t[i * n + j] = f;
        g = e[j] + t[cj + j] * f;
        for (let k = j + 1; k < i; k++) {
          g += t[cj + k] * d[k];
          e[k] += t[cj + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        const cj = j * n;
        f = d[j];
        g = e[j];
        for (let k = j; k < i; k++) t[cj + k] -= f * e[k] + g * d[k];
        d[j] = t[cj + i - 1];
        t[cj + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the Householder transformations.
  for (let i = 0; i < last; i++) {
    const ci = i * n;
    const ci1 = (i + 1) * n;
    t[ci + last] = t[ci + i];
    t[ci + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = t[ci1 + k] / h;
      for (let j = 0; j <= i; j++) {
        const cj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += t[ci1 + k] * t[cj + k];
        for (let k = 0; k <= i; k++) t[cj + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) t[ci1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = t[j * n + last];
    t[j * n + last] = 0;
  }
  t[last * n + last] = 1;
  e[0] = 0;
}

/** tql2: implicit QL with shifts on the tridiagonal (d, e), rotating the rows of t. */
function diagonalize(t: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iterations = 0;
      do {
        if (++iterations > 60) throw new Error('symmetricEigen: QL iteration did not converge');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const ri = i * n;
          const ri1 = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const hk = t[ri1 + k];
            t[ri1 + k] = s * t[ri + k] + c * hk;
            t[ri + k] = c * t[ri + k] - s * hk;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

function sortDescending(t: Float64Array, d: Float64Array, n: number): SymmetricEigen {
  const order = Array.from({ length: n }, (_, k) => k).sort((p, q) => d[q] - d[p] || p - q);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, k) => {
    values[k] = d[src];
    vectors.set(t.subarray(src * n, (src + 1) * n), k * n);
  });
  return { values, vectors };
}

/** Which rows and columns of a row-major matrix a product reads, and what it subtracts from each column. */
export interface CrossProductOptions {
  /** Row indices, in summation order (default: every row in order). */
  readonly rows?: ArrayLike<number>;
  /** Column indices: the output's columns (default: every column). */
  readonly cols?: ArrayLike<number>;
  /** Subtracted from the k-th selected column before multiplying (centring without a centred copy). */
  readonly center?: Float64Array;
}

/**
 * XᵀX (cols×cols, symmetric) of a row-major n×d matrix: the Gram matrix behind covariances and correlations.
 * `options` restricts it to some rows and columns and centres them on the fly, so a caller never copies the
 * table: X = (x[rows[r]][cols[k]] − center[k]).
 *
 * Rows are taken in chunks of CHUNK, packed so each group of 4 columns is contiguous, and a 4×4-blocked
 * kernel fills the upper triangle (WebAssembly SIMD, ~14 G multiply-adds/s: 1,700 features × 50,000 wells
 * in ~5 s; see gram_kernel.ts). Every entry sums its products in row order from 0 within a chunk, then adds
 * that to its total chunk by chunk, so the result does not depend on the kernel (the plain-JS fallback sums
 * the same way) and two identical columns get bit-identical rows of XᵀX (the correlation filter's
 * tie-break relies on it).
 */
export function crossProduct(x: Matrix, options: CrossProductOptions = {}): Matrix {
  const rowAt = options.rows ?? range(x.rows);
  const colAt = options.cols ?? range(x.cols);
  const n = rowAt.length;
  const d = colAt.length;
  const center = options.center ?? new Float64Array(d);
  if (center.length !== d) throw new Error(`crossProduct: ${center.length} centres for ${d} columns`);
  const groups = Math.ceil(d / 4);
  const padded = 4 * groups;
  const panelBytes = groups * CHUNK * 32;
  const kernel = gramKernel(panelBytes + padded * padded * 8);
  if (!kernel) return crossProductScalar(x, options);
  // The kernel's memory: the packed chunk, then the padded sum. The pad slots of the last panel are never
  // written (they may hold an earlier chunk's values in another layout); they only feed entries past d,
  // which are dropped.
  const heap = new Float64Array(kernel.memory.buffer);
  const outAt = panelBytes / 8;
  const { data, cols: stride } = x;
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const len = Math.min(CHUNK, n - r0);
    const panel = len * 4;
    for (let r = 0; r < len; r++) {
      const base = rowAt[r0 + r] * stride;
      for (let k = 0; k < d; k++) heap[(k >> 2) * panel + r * 4 + (k & 3)] = data[base + colAt[k]] - center[k];
    }
    for (let g = 0; g < groups; g += GRAM_TILE) kernel.gram(0, g, Math.min(groups, g + GRAM_TILE), len, panelBytes, padded * 8);
  }
  const out = symmetricFromUpper(heap, outAt, padded, d);
  return matrix(d, d, out);
}

/** The d×d symmetric matrix whose upper triangle (diagonal included) is at `data[offset + i·ld + j]`, j ≥ i. */
export function symmetricFromUpper(data: Float64Array, offset: number, ld: number, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = data[offset + i * ld + j];
      out[i * d + j] = v;
      out[j * d + i] = v;
    }
  }
  return out;
}

/** Panels of 4 columns the kernel sweeps at a time: 32 × 4 columns × 256 rows × 8 bytes = 256 KB, in L2. */
export const GRAM_TILE = 32;

/**
 * `crossProduct` in plain JS, with the same sums in the same order (so the same bits): the fallback for an
 * engine without WebAssembly SIMD or a d×d too large for its memory. Exported for the tests.
 */
export function crossProductScalar(x: Matrix, options: CrossProductOptions = {}): Matrix {
  const rowAt = options.rows ?? range(x.rows);
  const colAt = options.cols ?? range(x.cols);
  const n = rowAt.length;
  const d = colAt.length;
  const center = options.center ?? new Float64Array(d);
  const out = new Float64Array(d * d);
  const tr = new Float64Array(d * CHUNK);
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const len = Math.min(CHUNK, n - r0);
    for (let r = 0; r < len; r++) {
      const base = rowAt[r0 + r] * x.cols;
      for (let k = 0; k < d; k++) tr[k * CHUNK + r] = x.data[base + colAt[k]] - center[k];
    }
    const chunkRows = { data: tr, offset: 0, stride: CHUNK };
    accumulateABt(chunkRows, d, chunkRows, d, len, out, true);
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) out[i * d + j] = out[j * d + i];
  }
  return matrix(d, d, out);
}

/**
 * A·Bᵀ (A: m×k, B: n×k), ~3× faster than a plain triple loop: the product that applies a spherizing to every
 * well. The inner dimension is taken in chunks so the slice of B being reused stays in cache.
 */
export function productABt(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols) throw new Error(`productABt: ${a.cols} vs ${b.cols} columns`);
  const k = a.cols;
  const out = new Float64Array(a.rows * b.rows);
  for (let k0 = 0; k0 < k; k0 += CHUNK) {
    const len = Math.min(CHUNK, k - k0);
    accumulateABt({ data: a.data, offset: k0, stride: k }, a.rows, { data: b.data, offset: k0, stride: k }, b.rows, len, out, false);
  }
  return matrix(a.rows, b.rows, out);
}

/** Rows per chunk (crossProduct) or inner-dimension slice (productABt). Part of the summation order. */
export const CHUNK = 256;

/** Rows of a row-major array: row r's slice starts at offset + r·stride. */
interface Rows {
  readonly data: Float64Array;
  readonly offset: number;
  readonly stride: number;
}

/** out (m×n) += A·Bᵀ over `len` columns of A's and B's rows; only j ≥ i when `upper` (for XᵀX). */
function accumulateABt(a: Rows, m: number, b: Rows, n: number, len: number, out: Float64Array, upper: boolean): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const jStart = upper ? i : 0;
    for (let j = jStart; j < n4; j += 4) block4x4(a, i, b, j, len, out, n);
    for (let j = Math.max(n4, jStart); j < n; j++) {
      for (let ii = i; ii < i + 4; ii++) out[ii * n + j] += dot(a, ii, b, j, len);
    }
  }
  for (let i = m4; i < m; i++) {
    for (let j = upper ? i : 0; j < n; j++) out[i * n + j] += dot(a, i, b, j, len);
  }
}

function dot(a: Rows, i: number, b: Rows, j: number, len: number): number {
  const p = a.offset + i * a.stride;
  const q = b.offset + j * b.stride;
  let s = 0;
  for (let k = 0; k < len; k++) s += a.data[p + k] * b.data[q + k];
  return s;
}

/** out[i..i+3][j..j+3] += the 16 dot products of A's rows i..i+3 with B's rows j..j+3 (length len). */
function block4x4(a: Rows, i: number, b: Rows, j: number, len: number, out: Float64Array, n: number): void {
  const x = a.data;
  const y = b.data;
  const a0 = a.offset + i * a.stride;
  const a1 = a0 + a.stride;
  const a2 = a1 + a.stride;
  const a3 = a2 + a.stride;
  const b0 = b.offset + j * b.stride;
  const b1 = b0 + b.stride;
  const b2 = b1 + b.stride;
  const b3 = b2 + b.stride;
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  for (let k = 0; k < len; k++) {
    const x0 = x[a0 + k], x1 = x[a1 + k], x2 = x[a2 + k], x3 = x[a3 + k];
    const y0 = y[b0 + k], y1 = y[b1 + k], y2 = y[b2 + k], y3 = y[b3 + k];
    s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
    s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
    s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
    s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
  }
  let o = i * n + j;
  out[o] += s00; out[o + 1] += s01; out[o + 2] += s02; out[o + 3] += s03;
  o += n;
  out[o] += s10; out[o + 1] += s11; out[o + 2] += s12; out[o + 3] += s13;
  o += n;
  out[o] += s20; out[o + 1] += s21; out[o + 2] += s22; out[o + 3] += s23;
  o += n;
  out[o] += s30; out[o + 1] += s31; out[o + 2] += s32; out[o + 3] += s33;
}
