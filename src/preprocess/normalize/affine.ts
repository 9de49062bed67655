import { type Matrix, matrix } from '../../numeric/matrix.ts';

/** A per-feature scaler x ↦ (x − center) / scale: what standardize, robustize and mad_robustize fit. */
export interface Affine {
  readonly center: Float64Array;
  readonly scale: Float64Array;
}

/** Applies a fitted affine scaler to every row; missing values stay missing. */
export function applyAffine(x: Matrix, a: Affine): Matrix {
  if (a.center.length !== x.cols) throw new Error(`scaler fitted on ${a.center.length} features, got ${x.cols}`);
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < x.rows; i++) {
    const base = i * x.cols;
    for (let j = 0; j < x.cols; j++) out[base + j] = (x.data[base + j] - a.center[j]) / a.scale[j];
  }
  return matrix(x.rows, x.cols, out);
}

/**
 * `applyAffine` on some rows of x, each written to the same row of `out`: how a per-plate scaler fills the
 * normalized table without copying the plate's rows out and its scaled rows back. Same arithmetic.
 */
export function applyAffineToRows(x: Matrix, a: Affine, rows: ArrayLike<number>, out: Matrix): void {
  if (a.center.length !== x.cols) throw new Error(`scaler fitted on ${a.center.length} features, got ${x.cols}`);
  const { center, scale } = a;
  for (let k = 0; k < rows.length; k++) {
    const base = rows[k] * x.cols;
    for (let j = 0; j < x.cols; j++) out.data[base + j] = (x.data[base + j] - center[j]) / scale[j];
  }
}
