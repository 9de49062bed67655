import { type Matrix, type MatrixView, viewOf } from '../numeric/matrix.ts';
import { type NativeColumns, type NativeMissingCounts, nativeColumnMoments, nativeMissingCounts } from '../numeric/native.ts';

/**
 * Column-wise helpers shared by the scalers and the feature filters. Missing values are NaN and are skipped,
 * as pandas (`skipna`), numpy's nan-functions and scikit-learn's scalers skip them when fitting.
 */

/** The non-missing values of column j, in row order (a fresh array: the medians and percentiles may reorder it). */
export function presentValues(m: Matrix, j: number): Float64Array {
  const out = new Float64Array(m.rows);
  let n = 0;
  for (let i = 0; i < m.rows; i++) {
    const v = m.data[i * m.cols + j];
    if (!Number.isNaN(v)) out[n++] = v;
  }
  return out.subarray(0, n);
}

export interface ColumnMoments {
  /** Non-missing values per column. */
  readonly count: Float64Array;
  readonly mean: Float64Array;
  /** Population variance (ddof 0). */
  readonly variance: Float64Array;
}

/**
 * Mean and population variance per column, skipping NaN, with scikit-learn's corrected two-pass formula
 * (`_incremental_mean_and_var`): var = (Σ(x−m)² − (Σ(x−m))²/n) / n. A column with no values gets NaN.
 * Both passes walk the rows in order (row-major, cache-friendly), summing each column in row order.
 * Natively where the addon is built (native/column_moments.c: the same sums in the same order, so the same
 * bits, at memory speed).
 */
export function columnMoments(x: Matrix | MatrixView, native: NativeColumns | null = nativeColumnMoments()): ColumnMoments {
  const { source, rows, cols: colAt } = viewOf(x);
  const n = rows.length;
  const cols = colAt.length;
  if (native) {
    const out = { count: new Float64Array(cols), mean: new Float64Array(cols), variance: new Float64Array(cols) };
    native(source.data, source.cols, rows, colAt, out.count, out.mean, out.variance);
    return out;
  }
  const missing = new Float64Array(cols);
  const sum = new Float64Array(cols);
  const zeros = rowQuads(x);
  for (let q = 0; q < zeros.count; q++) {
    const [r0, r1, r2, r3] = zeros.quad(q);
    for (let j = 0; j < cols; j++) {
      // Added one row after another, as a row-by-row loop adds them (the padding rows add +0).
      let s = sum[j];
      let m = missing[j];
      const v0 = r0[j];
      const v1 = r1[j];
      const v2 = r2[j];
      const v3 = r3[j];
      if (v0 === v0) s += v0;
      else m++;
      if (v1 === v1) s += v1;
      else m++;
      if (v2 === v2) s += v2;
      else m++;
      if (v3 === v3) s += v3;
      else m++;
      sum[j] = s;
      missing[j] = m;
    }
  }
  const count = missing.map((m) => n - m);
  const mean = sum.map((s, j) => s / count[j]);
  const correction = new Float64Array(cols);
  const squares = new Float64Array(cols);
  // Padding rows are the means: they add exactly 0 to both sums.
  const centred = rowQuads(x, mean);
  for (let q = 0; q < centred.count; q++) {
    const [r0, r1, r2, r3] = centred.quad(q);
    for (let j = 0; j < cols; j++) {
      const mu = mean[j];
      let c = correction[j];
      let s = squares[j];
      const v0 = r0[j];
      const v1 = r1[j];
      const v2 = r2[j];
      const v3 = r3[j];
      if (v0 === v0) {
        c += v0 - mu;
        s += (v0 - mu) * (v0 - mu);
      }
      if (v1 === v1) {
        c += v1 - mu;
        s += (v1 - mu) * (v1 - mu);
      }
      if (v2 === v2) {
        c += v2 - mu;
        s += (v2 - mu) * (v2 - mu);
      }
      if (v3 === v3) {
        c += v3 - mu;
        s += (v3 - mu) * (v3 - mu);
      }
      correction[j] = c;
      squares[j] = s;
    }
  }
  const variance = squares.map((s, j) => (s - (correction[j] * correction[j]) / count[j]) / count[j]);
  return { count, mean, variance };
}

/**
 * Missing values (NaN) per column of the view. They are rare in a table of features (loading imputes or
 * drops most), so each row is asked whether it holds one (`anyMissing`, at memory speed) and only such rows
 * are counted column by column. Natively where the addon is built (native/column_moments.c: the same rows
 * scanned the same way; counts have no order to keep), which takes ~10 ms on 14,880 × 1,700 where this
 * takes 15 ms in a fresh process (pandas' `isna().mean()`: 18 ms).
 */
export function missingCounts(x: Matrix | MatrixView, native: NativeMissingCounts | null = nativeMissingCounts()): Float64Array {
  const { source, rows, cols } = viewOf(x);
  const { data } = source;
  const missing = new Float64Array(cols.length);
  if (native) {
    native(data, source.cols, rows, cols, missing);
    return missing;
  }
  forRowsHolding(x, anyMissing, (base) => {
    for (let k = 0; k < cols.length; k++) if (Number.isNaN(data[base + cols[k]])) missing[k]++;
  });
  return missing;
}

/**
 * Whether data[start, end) may hold a NaN: its sum is NaN if it does (NaN propagates through +). The sum is
 * also NaN for +∞ and −∞ together, a false alarm that the caller's count settles. Eight running sums, the
 * loop's only work, scan at memory speed: ~11 ms for 14,880 × 1,700 warm, 15 ms cold, where comparing each
 * value with itself took 23 and 32 ms, and pandas' `isna().mean()` 18 ms.
 */
function anyMissing(data: Float64Array, start: number, end: number): boolean {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  let i = start;
  for (; i + 7 < end; i += 8) {
    s0 += data[i];
    s1 += data[i + 1];
    s2 += data[i + 2];
    s3 += data[i + 3];
    s4 += data[i + 4];
    s5 += data[i + 5];
    s6 += data[i + 6];
    s7 += data[i + 7];
  }
  for (; i < end; i++) s0 += data[i];
  const sum = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
  return sum !== sum;
}

/**
 * Calls `each(base)` (the row's offset in the source's data) for every row of the view whose stretch of the
 * source row, from the view's first column to its last, passes `holds(data, start, end)`. For filters that
 * look for rare values (missing, beyond a cutoff): the table is read once as it lies in memory, by a tight loop
 * over each row, and only the few rows that hold such a value are read again, column by column.
 */
export function forRowsHolding(
  x: Matrix | MatrixView,
  holds: (data: Float64Array, start: number, end: number) => boolean,
  each: (base: number) => void,
): void {
  const { source, rows, cols } = viewOf(x);
  const { data, cols: stride } = source;
  if (cols.length === 0) return;
  let first = stride;
  let last = -1;
  for (const c of cols) {
    if (c < first) first = c;
    if (c > last) last = c;
  }
  for (let r = 0; r < rows.length; r++) {
    const base = rows[r] * stride;
    if (holds(data, base + first, base + last + 1)) each(base);
  }
}

type Quad = readonly [Float64Array, Float64Array, Float64Array, Float64Array];

/**
 * The view's rows four at a time, each row's values at the view's columns contiguous: the source row itself
 * (a subarray, no copy) when the view takes every column in order, else gathered into one of four buffers
 * that the next call reuses. Past the last row, `pad` (zeros unless given) stands in, so a reduction needs no
 * tail loop. A column reduction over a quad holds each column's accumulator in a register across four rows
 * and reads consecutive elements, which V8 compiles to a tight loop: at 14,880 × 1,700 a pass takes ~15 ms,
 * against ~70 ms row by row through the column index.
 */
export function rowQuads(x: Matrix | MatrixView, pad?: Float64Array): { count: number; quad: (q: number) => Quad } {
  const { source, rows, cols } = viewOf(x);
  const { data, cols: stride } = source;
  const d = cols.length;
  const n = rows.length;
  const padRow = pad ?? new Float64Array(d);
  let inOrder = d === stride;
  for (let k = 0; inOrder && k < d; k++) inOrder = cols[k] === k;
  const buffers = inOrder ? [] : [0, 1, 2, 3].map(() => new Float64Array(d));
  const row = (r: number, slot: number): Float64Array => {
    if (r >= n) return padRow;
    const base = rows[r] * stride;
    if (inOrder) return data.subarray(base, base + d);
    const buffer = buffers[slot];
    for (let k = 0; k < d; k++) buffer[k] = data[base + cols[k]];
    return buffer;
  };
  return { count: Math.ceil(n / 4), quad: (q) => [row(4 * q, 0), row(4 * q + 1, 1), row(4 * q + 2, 2), row(4 * q + 3, 3)] };
}

/** Columns gathered per block, and rows per tile of the copy (see forEachColumn). */
const BLOCK = 64;
const TILE_ROWS = 64;

/**
 * Calls `f(k, values)` for every column k of the view, in order, with its values (one per view row, in row
 * order) contiguous; `values` is reused between calls. Columns are gathered BLOCK at a time, by tiles of
 * TILE_ROWS rows × BLOCK columns: at 1,700 features each row of the table is 13.6 KB, so reading a column
 * straight down costs a cache and TLB miss per value; a tile reads 512 contiguous bytes of each of its rows
 * and writes 64 short runs, ~3× faster than gathering 16 columns row by row.
 */
export function forEachColumn(x: Matrix | MatrixView, f: (k: number, values: Float64Array) => void): void {
  const { source, rows, cols } = viewOf(x);
  const { data, cols: stride } = source;
  const n = rows.length;
  const block = new Float64Array(Math.min(BLOCK, cols.length) * n);
  for (let k0 = 0; k0 < cols.length; k0 += BLOCK) {
    const width = Math.min(BLOCK, cols.length - k0);
    for (let r0 = 0; r0 < n; r0 += TILE_ROWS) {
      const r1 = Math.min(n, r0 + TILE_ROWS);
      for (let b = 0; b < width; b++) {
        const col = cols[k0 + b];
        const at = b * n;
        for (let r = r0; r < r1; r++) block[at + r] = data[rows[r] * stride + col];
      }
    }
    for (let b = 0; b < width; b++) f(k0 + b, block.subarray(b * n, (b + 1) * n));
  }
}
