import { mean, percentile, sampleSd } from '../numeric/stats.ts';

/**
 * Gaussian kernel density of `values` at each point of `grid`, with Silverman's rule-of-thumb bandwidth.
 * The values are first binned onto a fine grid, so a null of hundreds of thousands of correlations costs no
 * more than a few hundred kernel evaluations per output point.
 */
export function kernelDensity(values: ArrayLike<number>, grid: readonly number[]): number[] {
  const finite = Float64Array.from(values).filter(Number.isFinite);
  const n = finite.length;
  if (n < 2) return grid.map(() => 0);
  const iqr = percentile(finite, 75) - percentile(finite, 25);
  const spread = Math.min(sampleSd(finite), iqr > 0 ? iqr / 1.34 : Infinity);
  const h = 0.9 * (spread > 0 ? spread : Math.abs(mean(finite)) || 1) * n ** -0.2;
  const { centres, weights } = bin(finite, 512);
  const norm = 1 / (n * h * Math.sqrt(2 * Math.PI));
  return grid.map((x) => {
    let s = 0;
    for (let i = 0; i < centres.length; i++) {
      if (weights[i] === 0) continue;
      const z = (x - centres[i]) / h;
      if (z > -6 && z < 6) s += weights[i] * Math.exp(-0.5 * z * z);
    }
    return s * norm;
  });
}

function bin(values: Float64Array, bins: number): { centres: Float64Array; weights: Float64Array } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const width = (hi - lo) / bins || 1;
  const weights = new Float64Array(bins);
  for (const v of values) weights[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  return { centres: Float64Array.from(weights, (_, i) => lo + (i + 0.5) * width), weights };
}

/** `count` evenly spaced points from `lo` to `hi`. */
export function linearGrid(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1));
}
