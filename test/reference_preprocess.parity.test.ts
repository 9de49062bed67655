import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { metaColumn, type Profiles, selectWells, whereRows } from '../src/data/profiles.ts';
import { keepFeatures, selectFeatures } from '../src/preprocess/feature_select.ts';
import { interpolateMissing } from '../src/preprocess/interpolate.ts';
import { normalize, type NormalizeSettings } from '../src/preprocess/normalize.ts';
import { expectSameUpToIdenticalColumns, fifthDigitError, identicalColumnGroups, readProfiles } from './support/preprocess_parity.ts';
import { describeWithShared, sharedPath } from './support/shared.ts';

/**
 * The reference pipeline's preprocessing (../shared/parity/reference-pipeline/<dataset>), given its split
 * labels: its tables are written with 5 significant digits, so every value must round to what it wrote.
 *
 * What the reference does, as read from its outputs:
 * 1. missing values are filled by pandas `interpolate()` along the table's row order (jumpscope has 22);
 * 2. per-plate StandardScaler fitted on that plate's `train` wells, applied to all wells;
 * 3. feature selection (drop_na_columns, frequency_threshold, correlation_threshold, drop_outliers with
 *    pycytominer's defaults) fitted on ALL wells of the normalized table, treated ones included;
 * 4. CellProfiler baseline: the test wells of that normalized, selected table (not of the raw input),
 *    standardized per plate on the plate's `test_ctrl` wells.
 */

const STANDARDIZE: NormalizeSettings = {
  method: 'standardize', by_plate: true, mad_epsilon: 1e-18, spherize: { method: 'ZCA', epsilon: 1e-6, center: true },
};
const SELECTION = {
  operations: ['drop_na_columns', 'frequency_threshold', 'correlation_threshold', 'drop_outliers'] as const,
  na_cutoff: 0.05, freq_cut: 0.05, unique_cut: 0.01, min_variance: 1e-6, corr_threshold: 0.9, outlier_cutoff: 500, blocklist: [],
};
/** Half a unit in the 5th significant digit, plus slack for values that sit on a rounding boundary. */
const ROUNDING = 0.5 + 1e-6;

for (const dataset of ['jumpscope', 'bbbc021'] as const) {
  describeWithShared(`reference pipeline preprocessing (${dataset})`, () => {
    const dir = `parity/reference-pipeline/${dataset}`;
    let input: Profiles;
    let normalized: Profiles;
    let reference: Profiles;
    let selected: string[];

    beforeAll(() => {
      const raw = readProfiles(dir, 'input_prepared.csv.gz');
      reference = readProfiles(dir, 'replicate_level_cp_augmented_normalized_by_train.csv.gz');
      expect(raw.metadata.Metadata_Well).toEqual(reference.metadata.Metadata_Well);
      expect(raw.metadata.Metadata_Plate).toEqual(reference.metadata.Metadata_Plate);
      input = interpolateMissing({ ...raw, metadata: { ...raw.metadata, Metadata_set: reference.metadata.Metadata_set } });
      const set = metaColumn(input, 'Metadata_set');
      const train = whereRows(input.values.rows, (i) => set[i] === 'train');
      normalized = normalize(input, STANDARDIZE, { plateColumn: 'Metadata_Plate', fitRows: train });
      selected = JSON.parse(readFileSync(sharedPath(dir, 'features_selected.json'), 'utf8'));
    });

    it('selects the same features, fitted on all wells', () => {
      const all = Array.from({ length: normalized.values.rows }, (_, i) => i);
      const result = selectFeatures(normalized, { ...SELECTION, operations: [...SELECTION.operations] }, all);
      expectSameUpToIdenticalColumns(result.kept, selected, identicalColumnGroups(normalized));
    });

    it('gives the normalized table (train-fitted per plate) to 5 significant digits', () => {
      expect(reference.features).toEqual(selected);
      expect(fifthDigitError(keepFeatures(normalized, selected), reference)).toBeLessThanOrEqual(ROUNDING);
    });

    it('gives the CellProfiler baseline: test wells standardized per plate on test_ctrl', () => {
      const baseline = readProfiles(dir, 'replicate_level_cp_augmented_baseline.csv.gz');
      const set = metaColumn(normalized, 'Metadata_set');
      const testWells = selectWells(keepFeatures(normalized, selected), whereRows(set.length, (i) => set[i] === 'test_ctrl' || set[i] === 'test_treat'));
      expect(testWells.metadata.Metadata_Well).toEqual(baseline.metadata.Metadata_Well);
      const testSet = metaColumn(testWells, 'Metadata_set');
      const testCtrl = whereRows(testSet.length, (i) => testSet[i] === 'test_ctrl');
      const ours = normalize(testWells, STANDARDIZE, { plateColumn: 'Metadata_Plate', fitRows: testCtrl });
      expect(fifthDigitError(ours, baseline)).toBeLessThanOrEqual(ROUNDING);
    });
  });
}
