import type { Profiles } from '../data/profiles.ts';
import { DataError } from '../errors.ts';
import type { Roles } from '../data/roles.ts';
import { fitRows } from '../preprocess/fit_rows.ts';
import { type FeatureSelection, keepFeatures, selectFeatures } from '../preprocess/feature_select.ts';
import { NORMALIZE_HINT, tableProblem } from '../run/finite.ts';
import type { Stage } from '../run/stage.ts';
import { TABLES } from '../run/store.ts';
import type { RunSpec } from '../spec/types.ts';

/** Stage `select` (method §2.4): pycytominer's operations in order; every dropped feature keeps its reason. */
export function selectProfileFeatures(
  p: Profiles,
  roles: Roles,
  settings: RunSpec['feature_select'],
): { profiles: Profiles; selection: FeatureSelection } {
  const selection = selectFeatures(p, settings, fitRows(p, roles, settings.fit_on));
  if (selection.kept.length === 1) {
    throw new DataError(
      `feature selection kept 1 of the ${p.features.length} features ('${selection.kept[0]}'): percent replicating and mAP correlate wells across features, which one feature cannot give; ` +
        'check the table (constant or missing features), or relax feature_select',
    );
  }
  if (selection.kept.length === 0) {
    const by = new Map<string, number>();
    for (const d of selection.dropped) by.set(d.operation, (by.get(d.operation) ?? 0) + 1);
    const reasons = [...by].map(([operation, n]) => `${n} by ${operation}`).join(', ');
    throw new DataError(
      `feature selection kept none of the ${p.features.length} features (${reasons}; e.g. '${selection.dropped[0].feature}': ${selection.dropped[0].detail}): ` +
        'nothing is left to learn from or compare; check the table (constant or missing features), or relax feature_select',
    );
  }
  return { profiles: keepFeatures(p, selection.kept), selection };
}

/**
 * `selected`: the normalized profiles of the kept features, the input of the autoencoder and of every
 * representation; kept as `tables/normalized.parquet`, the selection as `tables/features.json`.
 */
export const selectStage: Stage<{ normalized: Profiles }, { selected: Profiles }, object> = {
  name: 'select',
  reads: ['feature_select'],
  uses: () => ({ normalized: true }),
  cacheKey: () => null,
  run({ normalized }, ctx) {
    const { profiles, selection } = selectProfileFeatures(normalized, ctx.roles, ctx.spec.feature_select);
    // Across two features every correlation is ±1: the evaluations run, but tell little.
    const few = selection.kept.length === 2 ? [`feature selection kept 2 of the ${normalized.features.length} features: correlations across two features are all ±1, so percent replicating and mAP tell little`] : [];
    return {
      warnings: few,
      values: { selected: profiles },
      tables: { [TABLES.normalized]: profiles },
      json: { [TABLES.features]: selection },
      data: { features_kept: selection.kept.length, features_dropped: selection.dropped.length },
    };
  },
  // After selection, not after normalization: selection may drop the feature a bad value spoiled.
  check: ({ values }) => tableProblem('the normalized profiles', values.selected, NORMALIZE_HINT),
};
