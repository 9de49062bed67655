import type { Profiles } from '../data/profiles.ts';
import type { RunState } from './stages.ts';

/**
 * What must be finite after a stage for the run to be a result. NaN and ±Infinity do not stop arithmetic:
 * one overflowing input cell or a diverged autoencoder flows through every later stage into percent
 * replicating 0 with a null threshold, and JSON writes NaN as null. So the runner checks each stage's output
 * here and fails the run at the first stage that produced a non-finite value, naming the stage and counting
 * the bad values.
 */
export function nonFiniteProblem(stage: string, state: RunState): string | null {
  switch (stage) {
    case 'select':
      // After selection, not after normalization: selection may drop the feature a bad value spoiled.
      return state.normalized ? tableProblem('the normalized profiles', state.normalized, NORMALIZE_HINT) : null;
    case 'train':
      return metricProblems(state.metrics, [['training', 'best_val_loss']], 'training diverged: lower training.lr');
    case 'represent':
      return (
        Object.entries(state.representations ?? {})
          .map(([name, rep]) => tableProblem(`representation ${name}`, rep, name.startsWith('anomaly') || name === 'latent' ? MODEL_HINT : NORMALIZE_HINT))
          .find((p) => p !== null) ?? null
      );
    case 'evaluate':
      return metricProblems(state.metrics, evaluationPaths(state.metrics ?? {}), 'a metric is undefined on these representations');
    default:
      return null;
  }
}

const NORMALIZE_HINT = 'normalization overflows on extreme input values (e.g. 1e308); drop_outliers or drop_na_columns in feature_select.operations drop such features';
const MODEL_HINT = "the autoencoder's reconstruction is not finite (did training diverge?)";

/** Counts a table's non-finite values, with the features that hold most of them. */
function tableProblem(what: string, p: Profiles, hint: string): string | null {
  const { rows, cols, data } = p.values;
  const perFeature = new Int32Array(cols);
  let bad = 0;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      bad++;
      perFeature[i % cols]++;
    }
  }
  if (!bad) return null;
  const features = [...perFeature.keys()].filter((j) => perFeature[j] > 0).sort((a, b) => perFeature[b] - perFeature[a]);
  const shown = features.slice(0, 3).map((j) => `${p.features[j]}: ${perFeature[j]} of ${rows} wells`);
  const more = features.length > 3 ? ` and ${features.length - 3} more` : '';
  return (
    `${bad} of the ${data.length} values of ${what} (${rows} wells × ${cols} features) are not finite (NaN or ±Infinity), ` +
    `in ${features.length} feature(s) (${shown.join('; ')}${more}); ${hint}`
  );
}

type Path = readonly string[];

/** The metrics of the evaluate stage that have to be numbers for the run to mean anything. */
function evaluationPaths(metrics: Record<string, unknown>): Path[] {
  const paths: Path[] = [];
  for (const rep of Object.keys(asObject(metrics.percent_replicating))) {
    paths.push(['percent_replicating', rep, 'percent'], ['percent_replicating', rep, 'threshold']);
  }
  for (const [rep, kinds] of Object.entries(asObject(metrics.map))) {
    for (const kind of Object.keys(asObject(kinds))) paths.push(['map', rep, kind, 'mean_map'], ['map', rep, kind, 'percent_retrieved']);
  }
  for (const [rep, byClassifier] of Object.entries(asObject(metrics.moa))) {
    for (const [classifier, scores] of Object.entries(asObject(byClassifier))) {
      // Only classifier scores carry a macro-F1; the summary entries (classes, baseline, …) do not.
      if ('macro_f1' in asObject(scores)) paths.push(['moa', rep, classifier, 'macro_f1', 'mean']);
    }
  }
  return paths;
}

/** The listed metrics that are present but not finite numbers, counted and named. */
function metricProblems(metrics: Record<string, unknown> | undefined, paths: readonly Path[], hint: string): string | null {
  const bad = paths.flatMap((path) => {
    const v = valueAt(metrics, path);
    return v === undefined || (typeof v === 'number' && Number.isFinite(v)) ? [] : [`${path.join('.')} = ${String(v)}`];
  });
  if (!bad.length) return null;
  return `${bad.length} of ${paths.length} metric(s) not finite (${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}); ${hint}`;
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function asObject(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
