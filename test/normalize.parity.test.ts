import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { metaColumn, type Profiles, whereRows } from '../src/data/profiles.ts';
import { selectRows } from '../src/numeric/matrix.ts';
import { keepFeatures } from '../src/preprocess/feature_select.ts';
import { normalize, type NormalizeSettings, type SpherizeMethod } from '../src/preprocess/normalize.ts';
import { applySpherize, fitSpherize } from '../src/preprocess/normalize/spherize.ts';
import { fitStandardize } from '../src/preprocess/normalize/standardize.ts';
import { agreement, preparedBbbc021, readProfiles } from './support/preprocess_parity.ts';
import { describeWithShared, sharedPath } from './support/shared.ts';

/**
 * Normalization against pycytominer on real data (../shared/parity/bbbc021, made as its cases.json says):
 * every value within 1e-6 relative (absolute below unit scale), PCA components up to their sign.
 */

const TOLERANCE = 1e-6;
const SPHERIZE = { epsilon: 1e-6, center: true };

describeWithShared('normalization parity with pycytominer (bbbc021)', () => {
  let prepared: Profiles;
  let dmso: Int32Array;
  let perPlate: Profiles;
  let sphereInput: Profiles;
  const scope = () => ({ plateColumn: 'Metadata_Plate', fitRows: dmso });
  const settings = (method: NormalizeSettings['method'], by_plate: boolean, sphere: SpherizeMethod = 'ZCA'): NormalizeSettings =>
    ({ method, by_plate, mad_epsilon: 1e-18, spherize: { method: sphere, ...SPHERIZE } });
  const reference = (name: string) => readProfiles('parity/bbbc021', `${name}.csv.gz`);

  beforeAll(() => {
    prepared = preparedBbbc021();
    dmso = whereRows(prepared.values.rows, (i) => metaColumn(prepared, 'Metadata_Compound')[i] === 'DMSO');
    perPlate = normalize(prepared, settings('standardize', true), scope());
    const selection = JSON.parse(readFileSync(sharedPath('parity/bbbc021/feature_select.json'), 'utf8'));
    sphereInput = keepFeatures(perPlate, selection.kept_features.all_four_in_order);
  });

  it('prepares the input as the cases were made (476 features, 632 wells, 330 DMSO, same row order)', () => {
    const ref = reference('standardize_per_plate_dmso');
    expect([prepared.features.length, prepared.values.rows, dmso.length]).toEqual([476, 632, 330]);
    expect(prepared.features).toEqual(ref.features);
    expect(prepared.metadata.Metadata_Well).toEqual(ref.metadata.Metadata_Well);
    expect(prepared.metadata.Metadata_Plate).toEqual(ref.metadata.Metadata_Plate);
  });

  it.each([
    ['standardize_per_plate_dmso', 'standardize', true],
    ['standardize_global_dmso', 'standardize', false],
    ['robustize_global_dmso', 'robustize', false],
    ['mad_robustize_global_dmso', 'mad_robustize', false],
  ] as const)('%s', (name, method, byPlate) => {
    const ours = method === 'standardize' && byPlate ? perPlate : normalize(prepared, settings(method, byPlate), scope());
    expect(agreement(ours, reference(name)).maxRel).toBeLessThan(TOLERANCE);
  });

  it.each(['PCA', 'ZCA'] as const)('spherize_%s_dmso (fitted on DMSO wells of the per-plate standardized table)', (method) => {
    const ours = normalize(sphereInput, settings('spherize', false, method), scope());
    expect(agreement(ours, reference(`spherize_${method}_dmso`), method === 'PCA').maxRel).toBeLessThan(TOLERANCE);
  });

  /*
   * The -cor oracles are not what pycytominer's Spherize computes. Its source (all versions in
   * operations/transform.py) standardizes the fit rows and derives W from them, then standardizes again when
   * transforming, so the DMSO wells come out white. The oracle files instead equal W derived from the
   * *centred, unscaled* DMSO rows applied to the *standardized* table: their DMSO covariance is not I.
   * Nearly every input feature already has unit DMSO variance here, so the two differ through the one that
   * does not (Nuclei_Children_Cells_Count, SD 0.76: constant within 23 plates' DMSO wells). We implement the
   * source's semantics, check that they whiten, and pin down how the oracle was made with our own parts.
   */
  it.each(['PCA', 'ZCA'] as const)('spherize_%s-cor_dmso: ours whitens the DMSO wells; the oracle applies weights of centred data to standardized data', (method) => {
    const cor = `${method}-cor` as const;
    const ours = normalize(sphereInput, settings('spherize', false, cor), scope());
    expect(maxCovarianceDeviation(selectRows(ours.values, dmso))).toBeLessThan(1e-4);

    const oracle = reference(`spherize_${cor}_dmso`);
    expect(maxCovarianceDeviation(selectRows(oracle.values, dmso))).toBeGreaterThan(0.4);
    const fit = selectRows(sphereInput.values, dmso);
    const centredWeights = fitSpherize(fit, { method, ...SPHERIZE }).components;
    const asMade = applySpherize(sphereInput.values, { affine: fitStandardize(fit), components: centredWeights });
    const rebuilt = { ...ours, values: asMade };
    expect(agreement(rebuilt, oracle, method === 'PCA').maxRel).toBeLessThan(TOLERANCE);
  });
});

/** max |C − I| over the sample covariance C (ddof 1) of the rows. */
function maxCovarianceDeviation(x: { rows: number; cols: number; data: Float64Array }): number {
  const { rows, cols, data } = x;
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += data[i * cols + j] / rows;
  let worst = 0;
  for (let a = 0; a < cols; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += (data[i * cols + a] - mean[a]) * (data[i * cols + b] - mean[b]);
      worst = Math.max(worst, Math.abs(s / (rows - 1) - (a === b ? 1 : 0)));
    }
  }
  return worst;
}
