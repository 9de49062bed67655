import type { Columns } from '../data/io.ts';
import { metaColumn, type MetaValue, type Profiles } from '../data/profiles.ts';
import type { Roles } from '../data/roles.ts';
import { evaluateMoa, type MoaEvaluation } from '../classify/evaluate_moa.ts';
import { filterMoas } from '../classify/moa_filter.ts';
import { MOA_SUMMARY_KEYS } from '../classify/summary_keys.ts';
import type { RunSpec } from '../spec/types.ts';

/** The scores of one representation (or fusion) and classifier. */
export interface ClassifierScores {
  macro_f1: { mean: number; sd: number };
  weighted_f1: { mean: number; sd: number };
  per_class_f1: Record<string, number>;
  /** Summed over folds and repeats; rows are true MoAs, columns predicted, both in `classes` order. */
  confusion: number[][];
}

/**
 * `metrics.moa`: `<representation>.<classifier>` scores (fusions are representations here: early_fusion,
 * late_fusion), beside the summary keys; only `note` when the stage was skipped.
 */
export type MoaMetrics = {
  note?: string;
  classes?: string[];
  n_wells?: number;
  n_compounds?: number;
  n_folds?: number;
  baseline?: { macro_f1: { mean: number; sd: number }; weighted_f1: { mean: number; sd: number } };
  comparisons?: MoaEvaluation['comparisons'];
} & { [representation: string]: unknown };

/**
 * Stage `classify` (DESIGN §2.8): MoA classification of the treated wells of every representation, prepared
 * as for percent replicating (same wells, same order). Skipped with a note — not failed — when the data has
 * no MoA column or fewer than two MoAs keep enough compounds: a researcher still gets every other metric.
 */
export async function classifyMoas(
  treated: Readonly<Record<string, Profiles>>,
  roles: Roles,
  settings: RunSpec['evaluation']['moa'],
  replicating: readonly MetaValue[] | null,
  seed: number,
): Promise<{ metrics: MoaMetrics; tables: Record<string, Columns> }> {
  const first = Object.values(treated)[0];
  if (!roles.moa || !(roles.moa in first.metadata)) return skipped(`no MoA column${roles.moa ? ` '${roles.moa}' in the data` : ' (dataset.columns.moa)'}`);
  const keep = settings.compounds === 'replicating' ? replicating : null;
  const selection = filterMoas(metaColumn(first, roles.moa), metaColumn(first, roles.perturbation), { min_compounds: settings.min_compounds, keep_compounds: keep });
  if (selection.classes.length < 2) {
    return skipped(
      `${selection.classes.length} MoA(s) have more than ${settings.min_compounds} compounds; lower evaluation.moa.min_compounds to classify this data`,
    );
  }
  const options = { ...settings, seed, keep_compounds: keep, fusion: Object.keys(treated).length > 1 ? settings.fusion : [] };
  const result = await evaluateMoa(treated, { moa: roles.moa, compound: roles.perturbation }, options);
  const scores: Record<string, Record<string, ClassifierScores>> = {};
  for (const s of result.scores) {
    (scores[s.representation] ??= {})[s.classifier] = {
      macro_f1: s.macro_f1,
      weighted_f1: s.weighted_f1,
      per_class_f1: Object.fromEntries(result.classes.map((c, k) => [c, s.per_class_f1[k]])),
      confusion: s.confusion,
    };
  }
  return {
    metrics: {
      classes: result.classes,
      n_wells: result.n_wells,
      n_compounds: result.n_compounds,
      n_folds: result.n_folds,
      baseline: { macro_f1: result.baseline.macro_f1, weighted_f1: result.baseline.weighted_f1 },
      comparisons: result.comparisons,
      ...scores,
    },
    tables: { folds: foldTable(result), predictions: predictionTable(result, first, roles) },
  };
}

function skipped(note: string) {
  return { metrics: { note }, tables: {} };
}

function foldTable(r: MoaEvaluation): Columns {
  const rows = r.scores.flatMap((s) => s.folds.map((f) => ({ ...f, representation: s.representation, classifier: s.classifier })));
  return {
    representation: rows.map((x) => x.representation),
    classifier: rows.map((x) => x.classifier),
    repeat: Float64Array.from(rows, (x) => x.repeat),
    fold: Float64Array.from(rows, (x) => x.fold),
    macro_f1: Float64Array.from(rows, (x) => x.macro_f1),
    weighted_f1: Float64Array.from(rows, (x) => x.weighted_f1),
  };
}

/** Out-of-fold predictions with the well's perturbation and plate, so anyone can recompute the F1 scores. */
function predictionTable(r: MoaEvaluation, wells: Profiles, roles: Roles): Columns {
  const pert = metaColumn(wells, roles.perturbation);
  const plate = metaColumn(wells, roles.plate);
  const rows = r.scores.flatMap((s) =>
    Array.from(s.predictions.well, (w, k) => ({
      representation: s.representation,
      classifier: s.classifier,
      well: w,
      repeat: s.predictions.repeat[k],
      fold: s.predictions.fold[k],
      truth: r.classes[s.predictions.y_true[k]],
      predicted: r.classes[s.predictions.y_pred[k]],
    })),
  );
  return {
    representation: rows.map((x) => x.representation),
    classifier: rows.map((x) => x.classifier),
    [roles.plate]: rows.map((x) => plate[x.well]),
    [roles.perturbation]: rows.map((x) => pert[x.well]),
    repeat: Float64Array.from(rows, (x) => x.repeat),
    fold: Float64Array.from(rows, (x) => x.fold),
    moa: rows.map((x) => x.truth),
    predicted_moa: rows.map((x) => x.predicted),
  };
}

/** The `<representation>` entries of `metrics.moa`, each a map from classifier to its scores. */
export function moaScores(metrics: MoaMetrics): [string, Record<string, ClassifierScores>][] {
  const summary = new Set<string>(MOA_SUMMARY_KEYS);
  return Object.entries(metrics).filter(([k]) => !summary.has(k)) as [string, Record<string, ClassifierScores>][];
}

