import type { RandomStream } from '../random/streams.ts';

/**
 * The coalitions Kernel SHAP evaluates when enumerating all 2^M of them is too costly, chosen the way the
 * shap library's KernelExplainer chooses them (Lundberg & Lee 2017): subset sizes are visited from the
 * outside in (1 and M−1, then 2 and M−2, …) because the Shapley kernel puts most of its weight there; a size
 * whose every subset fits in the remaining budget is enumerated with its exact kernel weight, and the rest of
 * the budget is sampled (size by remaining kernel weight, then a uniform subset of that size), each sample
 * paired with its complement so the estimate's first-order errors cancel. A subset drawn twice is not
 * evaluated twice: its weight grows instead. The empty and the full coalition are never in the list: the
 * solver fixes them exactly (intercept = E_bg[f], Σφ = f(x) − E_bg[f]).
 */
export interface Coalitions {
  /** count×M row-major 0/1: masks[k·M + i] = 1 when feature i takes the explained row's value. */
  readonly masks: Uint8Array;
  /** Kernel weight of each coalition (relative; the solver is scale-invariant). */
  readonly weights: Float64Array;
  readonly count: number;
}

export function sampleCoalitions(M: number, nsamples: number, rng: RandomStream): Coalitions {
  if (M < 2) throw new Error(`sampleCoalitions: needs at least 2 features, got ${M}`);
  // With M ≤ 30 there are 2^M − 2 proper coalitions; asking for more than exist just enumerates them all.
  const budget = M <= 30 ? Math.min(nsamples, 2 ** M - 2) : nsamples;
  const masks = new Uint8Array(budget * M);
  const weights = new Float64Array(budget);
  let count = 0;
  const add = (subset: ArrayLike<number>, size: number, weight: number, complement: boolean): void => {
    const row = masks.subarray(count * M, (count + 1) * M);
    if (complement) row.fill(1);
    for (let t = 0; t < size; t++) row[subset[t]] = complement ? 0 : 1;
    weights[count++] = weight;
  };

  const numSizes = Math.ceil((M - 1) / 2);
  const numPaired = Math.floor((M - 1) / 2);
  // Shapley kernel mass of all subsets of size s (and, when paired, of size M − s).
  const sizeWeight = new Float64Array(numSizes);
  for (let s = 1; s <= numSizes; s++) sizeWeight[s - 1] = ((M - 1) / (s * (M - s))) * (s <= numPaired ? 2 : 1);
  normalize(sizeWeight);

  let left = budget;
  const remaining = Float64Array.from(sizeWeight);
  let fullSizes = 0;
  for (let s = 1; s <= numSizes; s++) {
    const paired = s <= numPaired;
    const nsubsets = binomial(M, s) * (paired ? 2 : 1);
    if ((left * remaining[s - 1]) / nsubsets < 1 - 1e-8) break;
    fullSizes++;
    left -= nsubsets;
    if (remaining[s - 1] < 1) {
      const scale = 1 / (1 - remaining[s - 1]);
      for (let t = 0; t < remaining.length; t++) remaining[t] *= scale;
    }
    const w = sizeWeight[s - 1] / nsubsets;
    forEachCombination(M, s, (subset) => {
      add(subset, s, w, false);
      if (paired) add(subset, s, w, true);
    });
  }

  const fixed = count;
  let samplesLeft = budget - count;
  if (fullSizes < numSizes && samplesLeft > 0) {
    // A sample of a paired size yields two coalitions, so its size is drawn with half the kernel mass.
    const draw = Float64Array.from(sizeWeight.subarray(fullSizes), (w, t) => (fullSizes + t + 1 <= numPaired ? w / 2 : w));
    normalize(draw);
    const perm = Int32Array.from({ length: M }, (_, i) => i);
    const seen = new Map<string, number>();
    // Bounded like shap (4 draws per wanted sample) so a budget close to 2^M cannot loop on duplicates.
    const maxDraws = 4 * samplesLeft;
    for (let d = 0; d < maxDraws && samplesLeft > 0; d++) {
      const s = fullSizes + 1 + pick(draw, rng.next());
      for (let t = 0; t < s; t++) {
        const j = t + rng.int(M - t);
        const tmp = perm[t];
        perm[t] = perm[j];
        perm[j] = tmp;
      }
      const subset = perm.subarray(0, s);
      const key = Array.from(subset).sort((a, b) => a - b).join(',');
      const paired = s <= numPaired;
      const at = seen.get(key);
      if (at === undefined) {
        seen.set(key, count);
        add(subset, s, 1, false);
        samplesLeft--;
        if (paired && samplesLeft > 0) {
          add(subset, s, 1, true);
          samplesLeft--;
        }
      } else {
        // The complement, when paired, was stored right after its subset.
        weights[at] += 1;
        if (paired && samplesLeft > 0) weights[at + 1] += 1;
      }
    }
    // The sampled coalitions share the kernel mass of the sizes that could not be enumerated.
    let mass = 0;
    for (let t = fullSizes; t < numSizes; t++) mass += sizeWeight[t];
    let sampled = 0;
    for (let k = fixed; k < count; k++) sampled += weights[k];
    for (let k = fixed; k < count; k++) weights[k] *= mass / sampled;
  }
  return { masks: masks.subarray(0, count * M), weights: weights.subarray(0, count), count };
}

function normalize(v: Float64Array): void {
  let s = 0;
  for (const x of v) s += x;
  for (let i = 0; i < v.length; i++) v[i] /= s;
}

/** Index of the category u ∈ [0, 1) falls in, for probabilities p summing to 1. */
function pick(p: Float64Array, u: number): number {
  let acc = 0;
  for (let i = 0; i < p.length - 1; i++) {
    acc += p[i];
    if (u < acc) return i;
  }
  return p.length - 1;
}

/** C(n, k); each partial product is itself a binomial coefficient, so rounding keeps it exact below 2^53. */
export function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = Math.round((r * (n - k + i)) / i);
  return r;
}

/** Calls visit with every k-subset of 0..n-1 in lexicographic order (the array is reused). */
function forEachCombination(n: number, k: number, visit: (subset: Int32Array) => void): void {
  const idx = Int32Array.from({ length: k }, (_, i) => i);
  for (;;) {
    visit(idx);
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
  }
}
