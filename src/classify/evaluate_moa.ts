import { metaColumn, type Profiles } from '../data/profiles.ts';
import { matrix, type Matrix, selectRows } from '../numeric/matrix.ts';
import { mean, sampleSd } from '../numeric/stats.ts';
import { stream } from '../random/streams.ts';
import { type Classifier, EARLY_FUSION, fitFold, type FoldResult, type FoldSettings, type FoldTask } from './fold_fits.ts';
import { fitFoldsInWorkers } from './fold_pool.ts';
import { type Fold, foldCount, repeatedStratifiedGroupKFold } from './folds.ts';
import { type CorrectedTTest, correctedResampledTTest, f1Scores, welchTTest } from './metrics.ts';
import { filterMoas, type MoaFilterOptions, type MoaSelection } from './moa_filter.ts';
import { randomOversample } from './oversample.ts';

/**
 * MoA classification of one or more representations (method §2.8). Every representation (and fusion) is
 * scored on the same folds with the same oversampled training rows, so their differences are paired.
 * Per repeat and fold: min-max scaling fitted on the training fold, random oversampling to the majority
 * count, then each classifier per representation. Early fusion trains on the representations' scaled
 * features side by side; late fusion averages the per-representation models' class probabilities.
 */

export type { Classifier } from './fold_fits.ts';
export type Fusion = 'early' | 'late';

/** The filter's options (min_compounds also caps the fold count at min_compounds + 1), then the classifiers'. */
export interface MoaOptions extends MoaFilterOptions {
  folds: number;
  repeats: number;
  classifiers: readonly Classifier[];
  /** Inverse L2 strength of the logistic regression. */
  C: number;
  /** Its solver tolerance: max |gradient| of the mean loss (sklearn's tol). */
  logistic_tol: number;
  /** Epoch limit of the MLP (sklearn's max_iter); its other settings are SKLEARN_MLP's. */
  mlp_max_epochs: number;
  /** Fusions to score besides each representation alone, in this order (fusionOfAll: the classic two). */
  fusions: readonly FusionGroup[];
  seed: number;
  /**
   * Folds fitted at once in worker processes (1: in this thread), when there is enough work to pay for
   * starting them (`min_pool_work`). The results do not depend on it.
   */
  workers?: number;
  /** The least foldWork for which `workers` are started; default MIN_POOL_WORK (0: whatever the size). */
  min_pool_work?: number;
}

/** A fusion of two or more representations: early (features side by side) or late (probabilities averaged). */
export interface FusionGroup {
  kind: Fusion;
  name: string;
  members: readonly string[];
}

/** Early and/or late fusion of all the named representations, named early_fusion and late_fusion. */
export function fusionOfAll(kinds: readonly Fusion[], names: readonly string[]): FusionGroup[] {
  return names.length > 1 ? kinds.map((kind) => ({ kind, name: FUSION_NAMES[kind], members: [...names] })) : [];
}

export interface MoaColumns {
  moa: string;
  /** The perturbation id; the compound (the unit folds never split) is the whole id or its prefix. */
  compound: string;
}

export interface FoldScore {
  repeat: number;
  fold: number;
  macro_f1: number;
  weighted_f1: number;
}

export interface MeanSd {
  mean: number;
  /** Sample SD (ddof 1) over every fold of every repeat. The reference reported np.std (ddof 0) over folds. */
  sd: number;
}

/** Out-of-fold predictions, one entry per (repeat, test well); classes index MoaEvaluation.classes. */
export interface MoaPredictions {
  /** Row index in the input representations. */
  well: Int32Array;
  repeat: Int32Array;
  fold: Int32Array;
  y_true: Int32Array;
  y_pred: Int32Array;
}

export interface MoaScores {
  /** A representation's name, or 'early_fusion' / 'late_fusion'. */
  representation: string;
  classifier: Classifier;
  /** Repeat-major, folds in order. */
  folds: FoldScore[];
  macro_f1: MeanSd;
  weighted_f1: MeanSd;
  /** Mean macro-F1 over each repeat's folds: the unit the t-tests compare. */
  macro_f1_per_repeat: number[];
  /** Per class, the mean over the folds where the class is true or predicted. */
  per_class_f1: number[];
  /** Summed over all folds and repeats; [true][predicted]. */
  confusion: number[][];
  predictions: MoaPredictions;
  /** Fits that stopped at their iteration/epoch limit instead of converging (late fusion: none of its own). */
  unconverged_fits: number;
}

/**
 * a vs b for one classifier: Welch's t-test of macro-F1 per repeat (t, df, p: the reference's test, which
 * takes the repeats as independent and so overstates significance), and `corrected`, the Nadeau–Bengio
 * corrected resampled t-test of the per-fold macro-F1 differences, the one to read.
 */
export interface MoaComparison {
  classifier: Classifier;
  a: string;
  b: string;
  mean_a: number;
  mean_b: number;
  t: number;
  df: number;
  p: number;
  corrected: CorrectedTTest;
}

export interface MoaEvaluation {
  /** Class index → MoA. */
  classes: string[];
  /** Rows (wells, or whatever the representations' rows are) and compounds per class. */
  class_wells: number[];
  class_compounds: number[];
  n_wells: number;
  n_compounds: number;
  /** The classified compounds (group index → compound), each with its class index and number of wells. */
  compounds: { compound: string; class: number; wells: number }[];
  n_folds: number;
  dropped: MoaSelection['dropped'];
  /** Predicting the training fold's most frequent class for every test well. */
  baseline: { folds: FoldScore[]; macro_f1: MeanSd; weighted_f1: MeanSd };
  scores: MoaScores[];
  comparisons: MoaComparison[];
}

export { LOGISTIC_MAX_ITER } from './fold_fits.ts';
export const FUSION_NAMES = { early: EARLY_FUSION, late: 'late_fusion' } as const;

/** Which fit is about to run: for progress displays. Repeats and folds count from 1. */
export interface MoaFit {
  repeat: number;
  repeats: number;
  fold: number;
  folds: number;
  classifier: Classifier;
  /** A representation's name, or 'early_fusion'. */
  representation: string;
}

/**
 * Below this much work (foldWork), fitting the folds here is quicker than starting worker processes (half a
 * second each, with a copy of the values; a solver makes a hundred or so passes, so 5·10⁷ is seconds of
 * fitting): a quickstart run's folds are about 10⁷ (0.3 s of fitting), the MoA bench's (1,948 wells × 352
 * features, 10 MoAs, 10 repeats, two classifiers) about 5·10⁹.
 */
const MIN_POOL_WORK = 5e7;

/** What one pass over the folds' training rows costs, in multiply-adds: rows × features × classes, per classifier. */
function foldWork(values: readonly Matrix[], settings: FoldSettings, tasks: readonly FoldTask[]): number {
  const width = values.reduce((sum, v) => sum + v.cols, 0) + settings.early.reduce((sum, e) => sum + e.members.reduce((w, m) => w + values[m].cols, 0), 0);
  return tasks.reduce((sum, t) => sum + t.resample.length * t.n_classes, 0) * width * settings.classifiers.length;
}

export async function evaluateMoa(
  representations: Readonly<Record<string, Profiles>>,
  columns: MoaColumns,
  options: MoaOptions,
  onFit?: (fit: MoaFit) => void,
): Promise<MoaEvaluation> {
  const names = Object.keys(representations);
  const reps = names.map((name) => representations[name]);
  validate(names, reps, columns, options);
  const selection = filterMoas(metaColumn(reps[0], columns.moa), metaColumn(reps[0], columns.compound), options);
  const K = selection.classes.length;
  if (K < 2) {
    throw new Error(`MoA classification needs at least 2 MoAs with more than ${options.min_compounds} compounds; found ${K} (${selection.classes.join(', ')})`);
  }
  const nFolds = foldCount(options.folds, options.min_compounds);
  const folds = repeatedStratifiedGroupKFold(selection.labels, selection.groups, nFolds, options.repeats, options.seed);
  // Every row in table order (the usual case) needs no copy: matrices are never changed in place.
  const everyRow = selection.rows.length === reps[0].values.rows && selection.rows.every((r, i) => r === i);
  const values = reps.map((p) => (everyRow ? p.values : selectRows(p.values, selection.rows)));
  const y = selection.labels;

  const entries = [...names, ...options.fusions.map((f) => f.name)];
  const acc = new Map<string, Accumulator>();
  for (const c of options.classifiers) for (const e of entries) acc.set(key(e, c), accumulator(K));
  const baseline = accumulator(K);

  const settings: FoldSettings = {
    names,
    classifiers: [...options.classifiers],
    C: options.C,
    logistic_tol: options.logistic_tol,
    mlp_max_epochs: options.mlp_max_epochs,
    early: options.fusions.filter((f) => f.kind === 'early').map((f) => ({ name: f.name, members: f.members.map((m) => names.indexOf(m)) })),
    seed: options.seed,
  };
  const tasks: FoldTask[] = [];
  const present: number[][] = [];
  for (let r = 0; r < folds.length; r++) {
    for (let f = 0; f < folds[r].length; f++) {
      const fold = folds[r][f];
      const yTrain = pick(y, fold.train);
      // Classes absent from this training fold cannot be learned; models see only the present ones.
      const classes = presentClasses(yTrain, K);
      const local = Int32Array.from(yTrain, (c) => classes.indexOf(c));
      const resample = randomOversample(local, stream(options.seed, `classify/oversample/${r}/${f}`));
      tasks.push({ repeat: r, fold: f, train: fold.train, test: fold.test, resample, labels: pick(local, resample), n_classes: classes.length });
      present.push(classes);
    }
  }
  const report = (task: FoldTask, classifier: Classifier, representation: string) =>
    onFit?.({ repeat: task.repeat + 1, repeats: folds.length, fold: task.fold + 1, folds: nFolds, classifier, representation });
  const enough = foldWork(values, settings, tasks) >= (options.min_pool_work ?? MIN_POOL_WORK);
  const workers = enough ? Math.max(1, Math.min(options.workers ?? 1, tasks.length)) : 1;
  const results: FoldResult[] = [];
  if (workers > 1) results.push(...(await fitFoldsInWorkers(workers, values, settings, tasks, report)));
  else for (const task of tasks) results.push(await fitFold(values, task, settings, (c, e) => report(task, c, e)));

  // Scored in fold order, whichever order the folds were fitted in.
  tasks.forEach((task, t) => {
    const { repeat: r, fold: f } = task;
    const fold = folds[r][f];
    const yTest = pick(y, fold.test);
    record(baseline, r, f, fold, selection.rows, yTest, new Int32Array(yTest.length).fill(majority(pick(y, fold.train), K)), 0);
    options.classifiers.forEach((classifier, c) => {
      const fits = results[t][c];
      const score = (entry: string, proba: Matrix, converged: boolean) =>
        record(acc.get(key(entry, classifier))!, r, f, fold, selection.rows, yTest, argmaxClasses(proba, present[t]), converged ? 0 : 1);
      names.forEach((name, k) => score(name, fits[k].proba, fits[k].converged));
      settings.early.forEach((group, e) => score(group.name, fits[names.length + e].proba, fits[names.length + e].converged));
      for (const group of options.fusions) {
        if (group.kind === 'late') score(group.name, averaged(group.members.map((m) => fits[names.indexOf(m)].proba)), true);
      }
    });
  });

  const scores: MoaScores[] = [];
  for (const classifier of options.classifiers) {
    for (const e of entries) scores.push({ representation: e, classifier, ...summarize(acc.get(key(e, classifier))!, options.repeats) });
  }
  const comparisons: MoaComparison[] = [];
  const testTrainRatio = mean(folds.flat().map((f) => f.test.length / f.train.length));
  for (const classifier of options.classifiers) {
    const own = scores.filter((s) => s.classifier === classifier);
    for (let i = 0; i < own.length; i++) {
      for (let j = i + 1; j < own.length; j++) {
        const a = own[i].macro_f1_per_repeat;
        const b = own[j].macro_f1_per_repeat;
        // Both are scored on the same folds in the same order, so fold k of one pairs with fold k of the other.
        const diffs = own[i].folds.map((f, k) => f.macro_f1 - own[j].folds[k].macro_f1);
        comparisons.push({
          classifier,
          a: own[i].representation,
          b: own[j].representation,
          mean_a: mean(a),
          mean_b: mean(b),
          ...welchTTest(a, b),
          corrected: correctedResampledTTest(diffs, testTrainRatio),
        });
      }
    }
  }
  const base = summarize(baseline, options.repeats);
  const classWells = new Array<number>(K).fill(0);
  const compoundSets = Array.from({ length: K }, () => new Set<number>());
  const compounds = selection.compounds.map((compound) => ({ compound, class: -1, wells: 0 }));
  y.forEach((c, i) => {
    classWells[c]++;
    compoundSets[c].add(selection.groups[i]);
    compounds[selection.groups[i]].class = c;
    compounds[selection.groups[i]].wells++;
  });
  return {
    classes: selection.classes,
    class_wells: classWells,
    class_compounds: compoundSets.map((s) => s.size),
    n_wells: selection.rows.length,
    n_compounds: selection.compounds.length,
    compounds,
    n_folds: nFolds,
    dropped: selection.dropped,
    baseline: { folds: base.folds, macro_f1: base.macro_f1, weighted_f1: base.weighted_f1 },
    scores,
    comparisons,
  };
}

/** Everything the folds of one (entry, classifier) add up to. */
interface Accumulator {
  folds: FoldScore[];
  perClass: Float64Array[];
  confusion: number[][];
  predictions: { well: number[]; repeat: number[]; fold: number[]; y_true: number[]; y_pred: number[] };
  unconverged: number;
}

function accumulator(K: number): Accumulator {
  return {
    folds: [],
    perClass: [],
    confusion: Array.from({ length: K }, () => new Array<number>(K).fill(0)),
    predictions: { well: [], repeat: [], fold: [], y_true: [], y_pred: [] },
    unconverged: 0,
  };
}

function record(
  a: Accumulator,
  repeat: number,
  foldIndex: number,
  fold: Fold,
  rows: Int32Array,
  yTrue: Int32Array,
  yPred: Int32Array,
  unconverged: number,
): void {
  const K = a.confusion.length;
  const f1 = f1Scores(yTrue, yPred, K);
  a.folds.push({ repeat, fold: foldIndex, macro_f1: f1.macro, weighted_f1: f1.weighted });
  a.perClass.push(f1.per_class);
  a.unconverged += unconverged;
  const p = a.predictions;
  for (let t = 0; t < yTrue.length; t++) {
    a.confusion[yTrue[t]][yPred[t]]++;
    p.well.push(rows[fold.test[t]]);
    p.repeat.push(repeat);
    p.fold.push(foldIndex);
    p.y_true.push(yTrue[t]);
    p.y_pred.push(yPred[t]);
  }
}

function summarize(a: Accumulator, repeats: number): Omit<MoaScores, 'representation' | 'classifier'> {
  const macro = a.folds.map((s) => s.macro_f1);
  const weighted = a.folds.map((s) => s.weighted_f1);
  const K = a.confusion.length;
  const perClass = Array.from({ length: K }, (_, c) => nanMean(a.perClass.map((pc) => pc[c])));
  const perRepeat = Array.from({ length: repeats }, (_, r) => mean(a.folds.filter((s) => s.repeat === r).map((s) => s.macro_f1)));
  const p = a.predictions;
  return {
    folds: a.folds,
    macro_f1: { mean: mean(macro), sd: sampleSd(macro) },
    weighted_f1: { mean: mean(weighted), sd: sampleSd(weighted) },
    macro_f1_per_repeat: perRepeat,
    per_class_f1: perClass,
    confusion: a.confusion,
    predictions: {
      well: Int32Array.from(p.well),
      repeat: Int32Array.from(p.repeat),
      fold: Int32Array.from(p.fold),
      y_true: Int32Array.from(p.y_true),
      y_pred: Int32Array.from(p.y_pred),
    },
    unconverged_fits: a.unconverged,
  };
}

function validate(names: string[], reps: Profiles[], columns: MoaColumns, options: MoaOptions): void {
  if (reps.length === 0) throw new Error('evaluateMoa: no representations given');
  for (const group of options.fusions) {
    const unknown = group.members.filter((m) => !names.includes(m));
    if (group.members.length < 2 || unknown.length) {
      throw new Error(`evaluateMoa: fusion '${group.name}' needs at least two representations among ${names.join(', ')}, got ${group.members.join(', ')}`);
    }
    if (names.includes(group.name)) throw new Error(`evaluateMoa: '${group.name}' names a fusion and a representation`);
  }
  if (options.repeats < 1) throw new Error(`evaluateMoa: repeats must be at least 1, got ${options.repeats}`);
  for (const reserved of Object.values(FUSION_NAMES)) {
    if (names.includes(reserved)) throw new Error(`evaluateMoa: '${reserved}' is reserved for the fusion's scores; rename that representation`);
  }
  const [first] = reps;
  reps.forEach((p, k) => {
    if (p.values.rows !== first.values.rows) throw new Error(`evaluateMoa: '${names[k]}' has ${p.values.rows} wells, '${names[0]}' has ${first.values.rows}`);
    // Same wells in the same order: checked through the labels that matter, which a misaligned table would break.
    for (const col of [columns.moa, columns.compound]) {
      const a = metaColumn(first, col);
      const b = metaColumn(p, col);
      const i = a.findIndex((v, t) => v !== b[t]);
      if (i >= 0) throw new Error(`evaluateMoa: '${names[k]}' and '${names[0]}' differ in ${col} at row ${i}: not the same wells in the same order`);
    }
    const bad = p.values.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new Error(`evaluateMoa: '${names[k]}' has a non-finite value (well ${Math.floor(bad / p.values.cols)}, feature ${p.features[bad % p.values.cols]})`);
    }
  });
}

function key(entry: string, classifier: Classifier): string {
  return `${classifier}\u0000${entry}`;
}

function pick(y: Int32Array, idx: Int32Array): Int32Array {
  return Int32Array.from(idx, (i) => y[i]);
}

/** Ascending class indices that occur in y. */
function presentClasses(y: Int32Array, K: number): number[] {
  const seen = new Uint8Array(K);
  for (const c of y) seen[c] = 1;
  const out: number[] = [];
  for (let c = 0; c < K; c++) if (seen[c]) out.push(c);
  return out;
}

/** The most frequent class, the lowest index on ties (sklearn's DummyClassifier 'most_frequent'). */
function majority(y: Int32Array, K: number): number {
  const counts = new Int32Array(K);
  for (const c of y) counts[c]++;
  let best = 0;
  for (let c = 1; c < K; c++) if (counts[c] > counts[best]) best = c;
  return best;
}

/** Predicted class per row, mapped from a model's local class columns back to global class indices. */
function argmaxClasses(proba: Matrix, present: readonly number[]): Int32Array {
  const out = new Int32Array(proba.rows);
  for (let i = 0; i < proba.rows; i++) {
    let best = 0;
    for (let k = 1; k < proba.cols; k++) if (proba.data[i * proba.cols + k] > proba.data[i * proba.cols + best]) best = k;
    out[i] = present[best];
  }
  return out;
}

function averaged(probas: readonly Matrix[]): Matrix {
  const out = new Float64Array(probas[0].data.length);
  for (const p of probas) for (let t = 0; t < out.length; t++) out[t] += p.data[t] / probas.length;
  return matrix(probas[0].rows, probas[0].cols, out);
}

function nanMean(x: readonly number[]): number {
  const kept = x.filter((v) => !Number.isNaN(v));
  return kept.length ? mean(kept) : NaN;
}
