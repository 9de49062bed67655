/** The softmax pieces the classifiers share: numerically stable (shifted by the row's maximum). */

/** log Σ exp(x[start..start+n)). */
export function logSumExp(x: Float64Array, start: number, n: number): number {
  let max = -Infinity;
  for (let k = start; k < start + n; k++) if (x[k] > max) max = x[k];
  let sum = 0;
  for (let k = start; k < start + n; k++) sum += Math.exp(x[k] - max);
  return max + Math.log(sum);
}

/** z ← softmax(z). */
export function softmaxInPlace(z: Float64Array): void {
  let zMax = -Infinity;
  for (let k = 0; k < z.length; k++) if (z[k] > zMax) zMax = z[k];
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    z[k] = Math.exp(z[k] - zMax);
    sum += z[k];
  }
  for (let k = 0; k < z.length; k++) z[k] /= sum;
}
