import { type Matrix, matrix } from '../numeric/matrix.ts';

/**
 * The one expensive step of every replicate metric: many dot products between well profiles. Rows are
 * normalised once (centred and unit-norm for Pearson, unit-norm for cosine) so that every similarity is a
 * plain dot product, and the products run through one cache-blocked kernel.
 */

/** Rows per kernel tile: callers pack panels whose row count is a multiple of this. */
export const TILE = 4;
// Inner-product chunk and column block: a 64-row × 256-value block of B (128 KB) stays in L2 while A
// streams past it; measured best among nearby sizes on this project's 2-core machine.
const KC = 256;
const JB = 64;

/**
 * Rows centred and scaled to unit Euclidean norm, so the dot product of two rows is their Pearson
 * correlation across features. A row with zero variance or a missing value becomes all NaN: its
 * correlation is undefined, and NaN keeps it out of every mean and null downstream.
 */
export function pearsonRows(m: Matrix): Matrix {
  return normaliseRows(m, true);
}

/** Rows scaled to unit Euclidean norm, so the dot product of two rows is their cosine similarity. */
export function cosineRows(m: Matrix): Matrix {
  return normaliseRows(m, false);
}

function normaliseRows(m: Matrix, centre: boolean): Matrix {
  const { rows, cols, data } = m;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let mu = 0;
    if (centre) {
      for (let j = 0; j < cols; j++) mu += data[base + j];
      mu /= cols;
    }
    let ss = 0;
    for (let j = 0; j < cols; j++) ss += (data[base + j] - mu) ** 2;
    const scale = ss > 0 && Number.isFinite(ss) ? 1 / Math.sqrt(ss) : NaN;
    for (let j = 0; j < cols; j++) out[base + j] = (data[base + j] - mu) * scale;
  }
  return matrix(rows, cols, out);
}

/** Rows `idx` of m copied into a panel padded with zero rows up to a multiple of TILE. */
export function packRows(m: Matrix, idx: ArrayLike<number>): Float64Array {
  const padded = Math.ceil(idx.length / TILE) * TILE;
  const out = new Float64Array(padded * m.cols);
  for (let r = 0; r < idx.length; r++) {
    out.set(m.data.subarray(idx[r] * m.cols, (idx[r] + 1) * m.cols), r * m.cols);
  }
  return out;
}

/**
 * out[(i − a0)·ldo + (j − b0)] = a_i · b_j for panel rows i ∈ [a0, a1) of `a` and j ∈ [b0, b1) of `b`,
 * both panels with `k` values per row. Both row ranges must span a multiple of TILE rows.
 */
export function productInto(
  a: Float64Array, a0: number, a1: number,
  b: Float64Array, b0: number, b1: number,
  k: number, out: Float64Array, ldo: number,
): void {
  if ((a1 - a0) % TILE !== 0 || (b1 - b0) % TILE !== 0) throw new Error('productInto: ranges must be whole tiles');
  for (let i = a0; i < a1; i++) out.fill(0, (i - a0) * ldo, (i - a0) * ldo + (b1 - b0));
  for (let t0 = 0; t0 < k; t0 += KC) {
    const t1 = Math.min(k, t0 + KC);
    for (let jb = b0; jb < b1; jb += JB) {
      const je = Math.min(b1, jb + JB);
      for (let i = a0; i < a1; i += 4) {
        const r0 = i * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
        const o0 = (i - a0) * ldo - b0;
        for (let j = jb; j < je; j += 4) {
          const c0 = j * k, c1 = c0 + k, c2 = c1 + k, c3 = c2 + k;
          // 4×4 register tile: 8 loads feed 16 multiply-adds per step.
          let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
          let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
          for (let t = t0; t < t1; t++) {
            const x0 = a[r0 + t], x1 = a[r1 + t], x2 = a[r2 + t], x3 = a[r3 + t];
            const y0 = b[c0 + t], y1 = b[c1 + t], y2 = b[c2 + t], y3 = b[c3 + t];
            s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
            s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
            s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
            s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
          }
          let o = o0 + j;
          out[o] += s00; out[o + 1] += s01; out[o + 2] += s02; out[o + 3] += s03;
          o += ldo;
          out[o] += s10; out[o + 1] += s11; out[o + 2] += s12; out[o + 3] += s13;
          o += ldo;
          out[o] += s20; out[o + 1] += s21; out[o + 2] += s22; out[o + 3] += s23;
          o += ldo;
          out[o] += s30; out[o + 1] += s31; out[o + 2] += s32; out[o + 3] += s33;
        }
      }
    }
  }
}

/** Rows of a panel per pass of `upperTriangleInto`: its tile buffer is this many rows × n. */
const PANEL = 64;

/**
 * The strict upper triangle of the Gram matrix of the first n rows of a packed panel, written row-major
 * (numpy's triu_indices(n, 1) order) into out from `offset`; returns the offset after the last value.
 * Works one band of rows at a time so memory stays O(PANEL·n), not O(n²).
 */
export function upperTriangleInto(panel: Float64Array, n: number, k: number, out: Float64Array, offset: number): number {
  const padded = Math.ceil(n / TILE) * TILE;
  const tile = new Float64Array(PANEL * padded);
  let pos = offset;
  for (let i0 = 0; i0 < padded; i0 += PANEL) {
    const i1 = Math.min(padded, i0 + PANEL);
    const ldo = padded - i0;
    productInto(panel, i0, i1, panel, i0, padded, k, tile, ldo);
    for (let i = i0; i < Math.min(i1, n); i++) {
      const rowBase = (i - i0) * ldo - i0;
      for (let j = i + 1; j < n; j++) out[pos++] = tile[rowBase + j];
    }
  }
  return pos;
}

/** Dot product of rows i and j of a row-major matrix with k columns. */
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
