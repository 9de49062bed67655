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
