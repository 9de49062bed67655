/** The softmax the classifiers share, as scikit-learn computes it: shifted by the row's maximum. */

/**
 * out[to + k] = exp(x[from + k] − max) / Σ exp(x[from + · ] − max) for k < n, each exponential taken once
 * (sklearn's softmax); returns log Σ exp(x[from + ·]), the row's log-partition for its cross-entropy. `out`
 * may be `x` itself, at the same place or another.
 */
export function softmaxInto(x: Float64Array, from: number, n: number, out: Float64Array, to: number): number {
  let max = -Infinity;
  for (let k = 0; k < n; k++) if (x[from + k] > max) max = x[from + k];
  let sum = 0;
  for (let k = 0; k < n; k++) sum += out[to + k] = Math.exp(x[from + k] - max);
  for (let k = 0; k < n; k++) out[to + k] /= sum;
  return max + Math.log(sum);
}

/** z ← softmax(z). */
export const softmaxInPlace = (z: Float64Array): void => void softmaxInto(z, 0, z.length, z, 0);
