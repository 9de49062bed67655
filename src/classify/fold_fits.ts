import { hstack, type Matrix } from '../numeric/matrix.ts';
import { stream } from '../random/streams.ts';
import { fitLogistic, predictLogistic } from './logistic.ts';
import { fitMlp, predictMlp, SKLEARN_MLP } from './mlp.ts';
import { applyMinMax, fitMinMax } from './scale.ts';

/**
 * The fits of one cross-validation fold: min-max scaling fitted on the training rows, then each classifier
 * on each representation alone and on early fusion (the scaled representations side by side), trained on
 * the oversampled training rows and predicting the test rows. Everything a fold needs is in its task, so
 * folds can run in any order, in this thread or a worker (fold_pool.ts), with the same results.
 */

export type Classifier = 'logistic' | 'mlp';

/** The reference's max_iter; reached only when C is so large the problem is nearly unregularized. */
export const LOGISTIC_MAX_ITER = 1000;
export const EARLY_FUSION = 'early_fusion';

/** The same for every fold of an evaluation. */
export interface FoldSettings {
  /** Representation names, in the order of the value matrices. */
  names: string[];
  classifiers: Classifier[];
  C: number;
  /** The logistic regression's solver tolerance (evaluation.moa.logistic_tol). */
  logistic_tol: number;
  mlp_max_epochs: number;
  /** Early fusions: each group's representations (indices into names) side by side, scored under its name. */
  early: { name: string; members: number[] }[];
  seed: number;
}

export interface FoldTask {
  /** 0-based. */
  repeat: number;
  fold: number;
  /** Rows of the value matrices. */
  train: Int32Array;
  test: Int32Array;
  /** Positions in `train` of the oversampled training rows, and their labels (indices into the classes present). */
  resample: Int32Array;
  labels: Int32Array;
  n_classes: number;
}

export interface FitResult {
  /** Test rows × classes present. */
  proba: Matrix;
  converged: boolean;
}

/** results[classifier][entry], classifiers in settings order, entries the names then early fusion if asked. */
export type FoldResult = FitResult[][];

export async function fitFold(
  values: readonly Matrix[],
  task: FoldTask,
  settings: FoldSettings,
  onFit?: (classifier: Classifier, entry: string) => void,
): Promise<FoldResult> {
  const resampled = Int32Array.from(task.resample, (k) => task.train[k]);
  const scaled = values.map((v) => {
    const scaler = fitMinMax(v, task.train);
    return { train: applyMinMax(scaler, v, resampled), test: applyMinMax(scaler, v, task.test) };
  });
  const entries = [...settings.names];
  // Min-max is per feature, so scaling each representation and then joining equals scaling the join.
  const alone = [...scaled];
  for (const group of settings.early) {
    const members = group.members.map((k) => alone[k]);
    scaled.push({ train: hstack(members.map((x) => x.train)), test: hstack(members.map((x) => x.test)) });
    entries.push(group.name);
  }
  const out: FoldResult = [];
  for (const classifier of settings.classifiers) {
    const results: FitResult[] = [];
    for (let k = 0; k < entries.length; k++) {
      onFit?.(classifier, entries[k]);
      const { train, test } = scaled[k];
      if (classifier === 'logistic') {
        const model = fitLogistic(train, task.labels, task.n_classes, { C: settings.C, tol: settings.logistic_tol, max_iter: LOGISTIC_MAX_ITER });
        results.push({ proba: predictLogistic(model, test), converged: model.converged });
      } else {
        const seed = stream(settings.seed, `classify/mlp/${task.repeat}/${task.fold}/${entries[k]}`).seed();
        const model = fitMlp(train, task.labels, task.n_classes, { ...SKLEARN_MLP, max_epochs: settings.mlp_max_epochs }, seed);
        results.push({ proba: predictMlp(model, test), converged: model.converged });
      }
      // Let timers and progress renderers run between fits; the fits themselves are synchronous.
      await new Promise((resolve) => setImmediate(resolve));
    }
    out.push(results);
  }
  return out;
}
