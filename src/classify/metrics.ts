import { studentTCdf } from '../numeric/distributions.ts';
import { mean } from '../numeric/stats.ts';

/** Classification scores with sklearn's semantics, and Welch's t-test for comparing representations. */

/** counts[t * nClasses + p]: wells of true class t predicted as p (sklearn's confusion_matrix layout). */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): Int32Array {
  if (yTrue.length !== yPred.length) throw new Error(`confusionMatrix: ${yTrue.length} true vs ${yPred.length} predicted labels`);
  const counts = new Int32Array(nClasses * nClasses);
  for (let i = 0; i < yTrue.length; i++) counts[yTrue[i] * nClasses + yPred[i]]++;
  return counts;
}

export interface F1Scores {
  /** F1 of each class; NaN for a class that is neither true nor predicted anywhere (sklearn leaves it out). */
  per_class: Float64Array;
  /** Unweighted mean over the classes present in yTrue or yPred (sklearn's default `labels`). */
  macro: number;
  /** Mean weighted by each class's number of true wells. */
  weighted: number;
}

/**
 * F1 = 2·TP / (2·TP + FP + FN), which is sklearn's zero-division rule (0) when a class has no correct
 * prediction: precision or recall undefined or zero gives F1 = 0, never NaN, for a present class.
 */
export function f1Scores(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, nClasses: number): F1Scores {
  const cm = confusionMatrix(yTrue, yPred, nClasses);
  const perClass = new Float64Array(nClasses);
  let macroSum = 0;
  let present = 0;
  let weightedSum = 0;
  for (let c = 0; c < nClasses; c++) {
    let support = 0;
    let predicted = 0;
    for (let k = 0; k < nClasses; k++) {
      support += cm[c * nClasses + k];
      predicted += cm[k * nClasses + c];
    }
    const tp = cm[c * nClasses + c];
    const denominator = support + predicted; // = 2·TP + FP + FN
    if (denominator === 0) {
      perClass[c] = NaN;
      continue;
    }
    perClass[c] = (2 * tp) / denominator;
    macroSum += perClass[c];
    present++;
    weightedSum += support * perClass[c];
  }
  return { per_class: perClass, macro: present ? macroSum / present : NaN, weighted: yTrue.length ? weightedSum / yTrue.length : NaN };
}

export interface WelchTest {
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value. */
  p: number;
}

/**
 * Welch's unequal-variance t-test of mean(a) − mean(b), as scipy.stats.ttest_ind(a, b, equal_var=False).
 * Needs two values per sample (NaN otherwise). With both sample variances zero, t is ±∞ and p = 0 when the
 * means differ, and everything is NaN when they are equal: the data then carry no evidence either way.
 */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>): WelchTest {
  const na = a.length;
  const nb = b.length;
  if (na < 2 || nb < 2) return { t: NaN, df: NaN, p: NaN };
  const ma = mean(a);
  const mb = mean(b);
  const va = sampleVariance(a, ma) / na;
  const vb = sampleVariance(b, mb) / nb;
  const se2 = va + vb;
  if (se2 === 0) return ma === mb ? { t: NaN, df: NaN, p: NaN } : { t: Math.sign(ma - mb) * Infinity, df: NaN, p: 0 };
  const t = (ma - mb) / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (na - 1) + (vb * vb) / (nb - 1));
  // 2·P(T > |t|), taken from the lower tail so small p-values keep their precision.
  const p = 2 * studentTCdf(-Math.abs(t), df);
  return { t, df, p };
}

export interface CorrectedTTest extends WelchTest {
  /** Fold scores differenced: folds × repeats. */
  n: number;
  /** Mean test-fold rows over training-fold rows, the n₂/n₁ of the correction. */
  test_train_ratio: number;
}

/**
 * Nadeau and Bengio's corrected resampled t-test (Machine Learning 52, 2003; Bouckaert and Frank's form for
 * repeated k-fold) of the mean of per-fold score differences d₁…d_J of two models scored on the same folds:
 * t = mean(d) / √((1/J + n₂/n₁) · var(d)), J − 1 degrees of freedom. The folds of repeated cross-validation
 * share their data, so their scores are correlated; the plain t-test (1/J alone) treats them as independent
 * and overstates significance, the n₂/n₁ term corrects for the overlap. Degenerate cases as welchTTest.
 */
export function correctedResampledTTest(diffs: ArrayLike<number>, testTrainRatio: number): CorrectedTTest {
  const J = diffs.length;
  if (J < 2) return { t: NaN, df: NaN, p: NaN, n: J, test_train_ratio: testTrainRatio };
  const m = mean(diffs);
  const se2 = (1 / J + testTrainRatio) * sampleVariance(diffs, m);
  const df = J - 1;
  if (se2 === 0) return m === 0 ? { t: NaN, df, p: NaN, n: J, test_train_ratio: testTrainRatio } : { t: Math.sign(m) * Infinity, df, p: 0, n: J, test_train_ratio: testTrainRatio };
  const t = m / Math.sqrt(se2);
  return { t, df, p: 2 * studentTCdf(-Math.abs(t), df), n: J, test_train_ratio: testTrainRatio };
}

function sampleVariance(x: ArrayLike<number>, m: number): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - m) ** 2;
  return s / (x.length - 1);
}
