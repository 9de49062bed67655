/** Plain statistics over typed arrays. Population (ddof 0) unless a name says otherwise. */

export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Sample standard deviation (ddof 1): what "mean ± SD over seeds" reports. */
export function sampleSd(x: ArrayLike<number>): number {
  if (x.length < 2) return NaN;
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 2;
  return Math.sqrt(s / (x.length - 1));
}

/** Percentile with linear interpolation between order statistics (numpy's default). */
export function percentile(x: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(x).sort();
  if (sorted.length === 0) return NaN;
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
