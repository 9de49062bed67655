import { type MatrixView, range, selectCols } from '../numeric/matrix.ts';
import type { Profiles } from '../data/profiles.ts';
import { blocklist } from './feature_select/blocklist.ts';
import { correlationThreshold } from './feature_select/correlation_threshold.ts';
import { dropNaColumns } from './feature_select/drop_na_columns.ts';
import { dropOutliers } from './feature_select/drop_outliers.ts';
import { frequencyThreshold } from './feature_select/frequency_threshold.ts';
import type { Exclusion } from './feature_select/exclusion.ts';
import { varianceThreshold } from './feature_select/variance_threshold.ts';

export type FeatureSelectOperation =
  | 'drop_na_columns'
  | 'frequency_threshold'
  | 'variance_threshold'
  | 'correlation_threshold'
  | 'drop_outliers'
  | 'blocklist';

/** Fully resolved settings (defaults live in the spec schema, not here). */
export interface FeatureSelectSettings {
  /** Run in this order, each on the features the previous ones kept. */
  readonly operations: readonly FeatureSelectOperation[];
  readonly na_cutoff: number;
  readonly freq_cut: number;
  readonly unique_cut: number;
  readonly min_variance: number;
  /** Pearson. */
  readonly corr_threshold: number;
  readonly outlier_cutoff: number;
  /** Feature names or regular expressions matching whole names. */
  readonly blocklist: readonly string[];
}

export interface DroppedFeature {
  readonly feature: string;
  readonly operation: FeatureSelectOperation;
  readonly detail: string;
}

export interface FeatureSelection {
  /** In the table's column order. */
  readonly kept: readonly string[];
  /** In the order the operations dropped them. */
  readonly dropped: readonly DroppedFeature[];
}

/**
 * pycytominer `feature_select(samples=<fit rows>, operation=[...])`: decide which features to keep from the
 * values of the fit rows. Each operation sees only the features the earlier ones kept, so the order matters
 * (above all for the correlation filter); every dropped feature is recorded with the operation and reason.
 */
export function selectFeatures(p: Profiles, settings: FeatureSelectSettings, fitRows: ArrayLike<number>): FeatureSelection {
  // The operations read the fit rows × kept features of the table in place (a view): no copy of the table.
  const rows = Int32Array.from(fitRows);
  let kept = range(p.features.length);
  const dropped: DroppedFeature[] = [];
  for (const operation of settings.operations) {
    const names = Array.from(kept, (j) => p.features[j]);
    const exclusions = runOperation(operation, { source: p.values, rows, cols: kept }, names, settings);
    const gone = new Set(exclusions.map((e) => e.feature));
    for (const e of exclusions) dropped.push({ feature: e.feature, operation, detail: e.detail });
    kept = kept.filter((j) => !gone.has(p.features[j]));
  }
  return { kept: Array.from(kept, (j) => p.features[j]), dropped };
}

/**
 * The table restricted to the given features (all rows, metadata unchanged). When that is every feature in
 * order, the values are shared rather than copied: a selected table is never written over (the only tables
 * written in place are a stage's own copies, or the loaded table before selection), so sharing is safe.
 */
export function keepFeatures(p: Profiles, features: readonly string[]): Profiles {
  const index = new Map(p.features.map((f, j) => [f, j]));
  const cols = features.map((f) => {
    const j = index.get(f);
    if (j === undefined) throw new Error(`keepFeatures: no feature '${f}' in the table`);
    return j;
  });
  const unchanged = cols.length === p.features.length && cols.every((j, k) => j === k);
  return { metadata: p.metadata, features: [...features], values: unchanged ? p.values : selectCols(p.values, cols) };
}

function runOperation(
  operation: FeatureSelectOperation,
  x: MatrixView,
  features: readonly string[],
  s: FeatureSelectSettings,
): Exclusion[] {
  switch (operation) {
    case 'drop_na_columns':
      return dropNaColumns(x, features, s.na_cutoff);
    case 'frequency_threshold':
      return frequencyThreshold(x, features, s.freq_cut, s.unique_cut);
    case 'variance_threshold':
      return varianceThreshold(x, features, s.min_variance);
    case 'correlation_threshold':
      return correlationThreshold(x, features, s.corr_threshold);
    case 'drop_outliers':
      return dropOutliers(x, features, s.outlier_cutoff);
    case 'blocklist':
      return blocklist(features, s.blocklist);
  }
}
