import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import type { Profiles } from '../src/data/profiles.ts';
import { type FeatureSelectOperation, type FeatureSelectSettings, selectFeatures } from '../src/preprocess/feature_select.ts';
import { correlationThreshold, pearsonMatrix } from '../src/preprocess/feature_select/correlation_threshold.ts';
import { expectSameUpToIdenticalColumns, identicalColumnGroups, nameDifferences, readProfiles } from './support/preprocess_parity.ts';
import { describeWithShared, sharedPath } from './support/shared.ts';

/**
 * Feature selection against pycytominer on real data (../shared/parity/bbbc021/feature_select.json): on the
 * per-plate standardized table, every operation alone and the reference pipeline's four in order keep the
 * same features, except which member of a group of identical columns survives the correlation filter.
 */

interface Oracle {
  all_four_in_order: FeatureSelectOperation[];
  params: { min_variance: number; na_cutoff: number; corr_threshold: number; freq_cut: number; unique_cut: number; outlier_cutoff: number };
  kept_features: Record<string, string[]>;
}

const CASES: [string, FeatureSelectOperation[] | 'all_four_in_order', Partial<FeatureSelectSettings>][] = [
  ['drop_na_columns', ['drop_na_columns'], {}],
  ['variance_threshold', ['variance_threshold'], {}],
  ['frequency_threshold', ['frequency_threshold'], {}],
  ['correlation_threshold', ['correlation_threshold'], {}],
  ['correlation_threshold_0.8', ['correlation_threshold'], { corr_threshold: 0.8 }],
  ['correlation_threshold_0.95', ['correlation_threshold'], { corr_threshold: 0.95 }],
  ['drop_outliers', ['drop_outliers'], {}],
  ['all_four_in_order', 'all_four_in_order', {}],
];

describeWithShared('feature selection parity with pycytominer (bbbc021)', () => {
  let oracle: Oracle;
  let table: Profiles;
  let allRows: number[];
  const select = (operations: FeatureSelectOperation[], overrides: Partial<FeatureSelectSettings>) =>
    selectFeatures(table, { ...oracle.params, blocklist: [], operations, ...overrides }, allRows);

  beforeAll(() => {
    oracle = JSON.parse(readFileSync(sharedPath('parity/bbbc021/feature_select.json'), 'utf8'));
    table = readProfiles('parity/bbbc021/standardize_per_plate_dmso.csv.gz');
    // pycytominer's default samples="all": every well informs the selection.
    allRows = Array.from({ length: table.values.rows }, (_, i) => i);
  });

  it.each(CASES)('%s keeps the same features', (key, operations, overrides) => {
    const result = select(operations === 'all_four_in_order' ? oracle.all_four_in_order : operations, overrides);
    expectSameUpToIdenticalColumns(result.kept, oracle.kept_features[key], identicalColumnGroups(table));
    expect(result.dropped.length).toBe(table.features.length - result.kept.length);
  });

  it.each([
    ['correlation_threshold', 0.9],
    ['correlation_threshold_0.8', 0.8],
    ['correlation_threshold_0.95', 0.95],
  ] as const)('%s on the float32 screen drops what the float64 correlations drop', (key, threshold) => {
    // Real CellProfiler features (near-duplicates, identical columns, tied sums) through the screen's exact
    // rechecks: the features dropped are the float64 path's, and so pycytominer's. A reason's numbers are the
    // screen's (within 1e-5), and of equally correlated partners (twins) it may name the other one: each named
    // partner is correlated above the threshold in float64.
    const features = table.features;
    const screened = correlationThreshold(table.values, features, threshold, { screen: true });
    expect(screened.map((e) => e.feature)).toEqual(correlationThreshold(table.values, features, threshold, { screen: false }).map((e) => e.feature));
    const gone = new Set(screened.map((e) => e.feature));
    expectSameUpToIdenticalColumns(features.filter((f) => !gone.has(f)), oracle.kept_features[key], identicalColumnGroups(table));
    const r = pearsonMatrix(table.values);
    const d = features.length;
    for (const e of screened) {
      const partner = features.indexOf(/ with (\S+);/.exec(e.detail)![1]);
      expect(r[features.indexOf(e.feature) * d + partner]).toBeGreaterThan(threshold);
    }
  });

  it('differs only in which twin of identical columns the correlation filter keeps', () => {
    // Nuclei_Neighbors_SecondClosestDistance_10/_20 are adjacent identical columns with exactly equal sums of
    // |r|; pycytominer kept _20 here but _10 of the equally tied FirstClosestDistance_10/_20, so its choice
    // comes from numpy's unstable sort. Cells_Children_Cytoplasm_Count equals Nuclei_Children_Cells_Count.
    const result = select(['correlation_threshold'], {});
    expect(nameDifferences(result.kept, oracle.kept_features.correlation_threshold)).toEqual({
      extra: ['Cells_Children_Cytoplasm_Count', 'Nuclei_Neighbors_SecondClosestDistance_10'],
      missing: ['Nuclei_Children_Cells_Count', 'Nuclei_Neighbors_SecondClosestDistance_20'],
    });
    const groups = identicalColumnGroups(table);
    expect(groups.get('Nuclei_Children_Cells_Count')).toBe('Cells_Children_Cytoplasm_Count');
    expect(groups.get('Nuclei_Neighbors_SecondClosestDistance_20')).toBe('Nuclei_Neighbors_SecondClosestDistance_10');
  });
});
