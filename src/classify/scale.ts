import { matrix, type Matrix } from '../numeric/matrix.ts';

/**
 * Min-max scaling to [0, 1] with sklearn's MinMaxScaler semantics: fitted on the training fold only, then
 * applied unchanged to the test fold, whose values may fall outside [0, 1] (sklearn's default clip=False).
 * A feature whose training range is (numerically) zero gets scale 1, so it becomes x − min rather than
 * dividing by zero. Inputs must be finite (sklearn would skip NaNs; the caller rejects them instead).
 */

export interface MinMaxScaler {
  /** Per-feature training minimum. */
  readonly min: Float64Array;
  /** Per-feature 1 / (max − min), or 1 where that range is below sklearn's 10·machine-epsilon cut-off. */
  readonly scale: Float64Array;
}

/** Fitted on the rows `rows` of x (all of them by default). */
export function fitMinMax(x: Matrix, rows?: ArrayLike<number>): MinMaxScaler {
  const n = rows ? rows.length : x.rows;
  if (n === 0) throw new Error('fitMinMax: no rows to fit on');
  const min = new Float64Array(x.cols).fill(Infinity);
  const max = new Float64Array(x.cols).fill(-Infinity);
  for (let r = 0; r < n; r++) {
    const base = (rows ? rows[r] : r) * x.cols;
    for (let j = 0; j < x.cols; j++) {
      const v = x.data[base + j];
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  const scale = new Float64Array(x.cols);
  for (let j = 0; j < x.cols; j++) {
    const range = max[j] - min[j];
    // sklearn's _handle_zeros_in_scale: ranges below 10·eps count as zero.
    scale[j] = range < 10 * Number.EPSILON ? 1 : 1 / range;
  }
  return { min, scale };
}

/**
 * The rows `rows` of x (all of them by default), in that order, scaled: one pass and one copy, where selecting
 * the rows first would copy them twice (a fold of a 50,000-well screen is hundreds of MB per copy).
 */
export function applyMinMax(scaler: MinMaxScaler, x: Matrix, rows?: ArrayLike<number>): Matrix {
  if (x.cols !== scaler.min.length) throw new Error(`applyMinMax: scaler fitted on ${scaler.min.length} features, got ${x.cols}`);
  const n = rows ? rows.length : x.rows;
  const out = new Float64Array(n * x.cols);
  for (let r = 0; r < n; r++) {
    const [src, dst] = [(rows ? rows[r] : r) * x.cols, r * x.cols];
    for (let j = 0; j < x.cols; j++) out[dst + j] = (x.data[src + j] - scaler.min[j]) * scaler.scale[j];
  }
  return matrix(n, x.cols, out);
}
