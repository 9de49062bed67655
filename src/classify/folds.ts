import { mean } from '../numeric/stats.ts';
import { permutation, type RandomStream, stream } from '../random/streams.ts';

/**
 * Cross-validation stratified by class and grouped by compound (method §2.8): sklearn's
 * StratifiedGroupKFold(shuffle=True). Groups are visited in a seeded random order, then stably sorted by
 * the spread of their class counts (largest first), and each goes to the fold that keeps the per-class
 * distribution over folds most even (ties: the fold with fewer wells, then the lower index).
 *
 * One deliberate difference: sklearn (up to at least 1.5) shuffles the rows of its group × class count
 * table but keeps assigning by the unshuffled group index, so with shuffle=True a group lands in the fold
 * chosen for another group's counts and the folds are no longer stratified. Here the shuffled groups carry
 * their own counts, which is what the algorithm intends. Consequence: when every class has at least
 * `n_splits` groups of one class each (compounds have one MoA), every class is in every test fold, because
 * a class's next group always goes to a fold where that class is rarest.
 */

export interface Fold {
  /** Positions (into the labels/groups arrays) of the training wells, ascending. */
  train: Int32Array;
  /** Positions of the test wells, ascending. */
  test: Int32Array;
}

/** The reference's fold count: min(folds, min_compounds + 1), so every kept MoA can be in every test fold. */
export function foldCount(folds: number, minCompounds: number): number {
  const n = Math.min(folds, minCompounds + 1);
  if (n < 2) throw new Error(`cross-validation needs at least 2 folds (folds=${folds}, min_compounds=${minCompounds})`);
  return n;
}

export function stratifiedGroupKFold(labels: Int32Array, groups: Int32Array, nSplits: number, rs: RandomStream): Fold[] {
  return stratifiedGroupKFoldInOrder(labels, groups, nSplits, Array.from(permutation(rs, max(groups) + 1)));
}

/**
 * The folds when groups are visited in `order` (before the stable sort by spread). With the identity order
 * this is sklearn's StratifiedGroupKFold(shuffle=False), whose groups are numbered in sorted order.
 */
export function stratifiedGroupKFoldInOrder(labels: Int32Array, groups: Int32Array, nSplits: number, order: readonly number[]): Fold[] {
  if (labels.length !== groups.length) throw new Error(`stratifiedGroupKFold: ${labels.length} labels but ${groups.length} groups`);
  const nClasses = max(labels) + 1;
  const nGroups = max(groups) + 1;
  if (nSplits < 2 || nSplits > nGroups) throw new Error(`stratifiedGroupKFold: ${nSplits} folds for ${nGroups} groups`);
  if (order.length !== nGroups) throw new Error(`stratifiedGroupKFold: an order of ${order.length} groups for ${nGroups} groups`);

  const classCount = new Float64Array(nClasses);
  const groupCounts = new Float64Array(nGroups * nClasses);
  for (let i = 0; i < labels.length; i++) {
    classCount[labels[i]]++;
    groupCounts[groups[i] * nClasses + labels[i]]++;
  }

  const spread = order.map((g) => std(groupCounts.subarray(g * nClasses, (g + 1) * nClasses)));
  // Array.prototype.sort is stable: groups with equal spread keep their shuffled order.
  const visit = order.map((g, k) => ({ g, s: spread[k] })).sort((a, b) => b.s - a.s);

  const foldCounts = new Float64Array(nSplits * nClasses);
  const foldOf = new Int32Array(nGroups);
  for (const { g } of visit) {
    const add = groupCounts.subarray(g * nClasses, (g + 1) * nClasses);
    const f = bestFold(foldCounts, classCount, add, nSplits);
    for (let c = 0; c < nClasses; c++) foldCounts[f * nClasses + c] += add[c];
    foldOf[g] = f;
  }

  const folds: Fold[] = [];
  for (let f = 0; f < nSplits; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < groups.length; i++) (foldOf[groups[i]] === f ? test : train).push(i);
    folds.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return folds;
}

/** `repeats` fold sets, each from its own named stream so adding a repeat leaves the others unchanged. */
export function repeatedStratifiedGroupKFold(
  labels: Int32Array,
  groups: Int32Array,
  nSplits: number,
  repeats: number,
  seed: number,
): Fold[][] {
  return Array.from({ length: repeats }, (_, r) => stratifiedGroupKFold(labels, groups, nSplits, stream(seed, `classify/folds/${r}`)));
}

/** sklearn's _find_best_fold: the fold minimizing the mean over classes of the SD (over folds) of class fractions. */
function bestFold(foldCounts: Float64Array, classCount: Float64Array, add: Float64Array, nSplits: number): number {
  const nClasses = classCount.length;
  const fractions = new Float64Array(nSplits);
  let best = -1;
  let bestEval = Infinity;
  let bestSize = Infinity;
  for (let f = 0; f < nSplits; f++) {
    let evalSum = 0;
    for (let c = 0; c < nClasses; c++) {
      for (let h = 0; h < nSplits; h++) {
        // A class absent from the data adds no spread (numpy would give NaN and compare nothing).
        fractions[h] = (foldCounts[h * nClasses + c] + (h === f ? add[c] : 0)) / (classCount[c] || 1);
      }
      evalSum += std(fractions);
    }
    const foldEval = evalSum / nClasses;
    let size = 0;
    for (let c = 0; c < nClasses; c++) size += foldCounts[f * nClasses + c];
    if (foldEval < bestEval || (isClose(foldEval, bestEval) && size < bestSize)) {
      best = f;
      bestEval = foldEval;
      bestSize = size;
    }
  }
  return best;
}

/** Population SD, as np.std. */
function std(x: Float64Array): number {
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 2;
  return Math.sqrt(s / x.length);
}

/** np.isclose(a, b) with its default tolerances. */
function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b);
}

function max(x: Int32Array): number {
  let m = -1;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  return m;
}
