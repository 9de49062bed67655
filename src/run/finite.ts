import type { Profiles } from '../data/profiles.ts';

/**
 * What must be finite for a run to be a result. NaN and ±Infinity do not stop arithmetic: one overflowing
 * input cell or a diverged autoencoder flows through every later stage into percent replicating 0 with a
 * null threshold, and JSON writes NaN as null. So each stage checks its own output with these (its `check`),
 * and the runner fails the run at the first stage that produced a non-finite value, naming the stage and
 * counting the bad values.
 */

export const NORMALIZE_HINT = 'normalization overflows on extreme input values (e.g. 1e308); drop_outliers or drop_na_columns in feature_select.operations drop such features';
export const MODEL_HINT = "the autoencoder's reconstruction is not finite (did training diverge?)";

/** Counts a table's non-finite values, with the features that hold most of them. */
export function tableProblem(what: string, p: Profiles, hint: string): string | null {
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

export type MetricPath = readonly string[];

/** The listed metrics that are present but not finite numbers, counted and named. */
export function metricProblems(metrics: unknown, paths: readonly MetricPath[], hint: string): string | null {
  const bad = paths.flatMap((path) => {
    const v = valueAt(metrics, path);
    return v === undefined || (typeof v === 'number' && Number.isFinite(v)) ? [] : [`${path.join('.')} = ${String(v)}`];
  });
  if (!bad.length) return null;
  return `${bad.length} of ${paths.length} metric(s) not finite (${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}); ${hint}`;
}

function valueAt(value: unknown, path: MetricPath): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

export function asObject(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
