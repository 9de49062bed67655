/**
 * Plain statistics over typed arrays: every mean, median and percentile of a list of values the project
 * computes is one of these, so each rule is written once. Population (ddof 0) unless a name says otherwise.
 */

/** The arithmetic mean, summed in order (not numpy's pairwise sum: no caller is compared bit for bit with one); NaN when empty. */
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

/**
 * The mean as pandas computes it (`groupby().mean()`: a Kahan-compensated sum, then one division); NaN when
 * empty. Only where a mean is compared exactly with a pandas-computed value (copairs' mAP against its null):
 * elsewhere `mean`.
 */
export function kahanMean(x: ArrayLike<number>): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < x.length; i++) {
    const y = x[i] - compensation;
    const t = sum + y;
    compensation = t - sum - y;
    sum = t;
  }
  return x.length > 0 ? sum / x.length : NaN;
}

/**
 * numpy.percentile(x, q) with its default method ('linear', Hyndman & Fan's 7th), to the last bit: q in
 * [0, 100]; NaN when `x` is empty or holds a NaN (numpy: NaN, or an error when empty). Found by selection,
 * not by sorting, as numpy partitions: a percent-replicating null can hold tens of millions of values. Does
 * not modify `x`.
 */
export function percentile(x: ArrayLike<number>, q: number): number {
  return percentileInPlace(copy(x), q);
}

/** `percentile` on a scratch array it may reorder (no copy: for many small calls in a loop). */
export function percentileInPlace(a: Float64Array, q: number): number {
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile: q = ${q} is outside [0, 100]`);
  const n = a.length;
  if (n === 0 || hasNaN(a)) return NaN;
  const virtual = (n - 1) * (q / 100);
  // numpy's _get_indexes: at or past the last index both neighbours are the maximum, and the "previous index"
  // its weight subtracts is then -1 (so the weight is ≥ 0.5, which only shows where the maximum is infinite).
  if (virtual >= n - 1) {
    const top = select(a, n - 1);
    return lerp(top, top, virtual + 1);
  }
  const lo = Math.floor(virtual);
  const below = select(a, lo);
  // After selection everything right of `lo` is ≥ a[lo]; the next order statistic is their minimum.
  let above = Infinity;
  for (let i = lo + 1; i < n; i++) if (a[i] < above) above = a[i];
  return lerp(below, above, virtual - lo);
}

/** numpy.median: the middle value, or the mean of the two middle values; NaN when empty or holding a NaN. Does not modify `x`. */
export function median(x: ArrayLike<number>): number {
  return medianInPlace(copy(x));
}

/** `median` on a scratch array it may reorder. */
export function medianInPlace(a: Float64Array): number {
  const n = a.length;
  if (n === 0 || hasNaN(a)) return NaN;
  const h = n >> 1;
  const upper = select(a, h);
  if (n % 2 === 1) return upper;
  // Everything left of `h` is ≤ a[h]; the lower middle value is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < h; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

/**
 * numpy's _lerp: from the nearer end (a + (b − a)·t below t = 0.5, b − (b − a)·(1 − t) from 0.5 on), which
 * keeps percentiles monotone in q and is not a + (b − a)·t in the last bit.
 */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

function copy(x: ArrayLike<number>): Float64Array {
  return x instanceof Float64Array ? x.slice() : Float64Array.from(x);
}

function hasNaN(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i])) return true;
  return false;
}

/**
 * The k-th smallest value (0-based) by Hoare's quickselect with a median-of-three pivot; reorders `a` so that
 * everything left of k is ≤ a[k] and everything right of it ≥ a[k]. No NaN (it compares false both ways).
 */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const x = a[lo], y = a[(lo + hi) >>> 1], z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
