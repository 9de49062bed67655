import { describe, expect, it } from 'vitest';
import { type PresetName, withPreset } from '../src/data/presets.ts';
import { rolesOf } from '../src/data/roles.ts';
import { validateExperiment } from '../src/spec/schema.ts';
import type { ResolvedSpec } from '../src/spec/types.ts';

/**
 * The dataset presets against the reference implementation's DS_INFO_DICT, copied here by hand from
 * src/utils/global_variables.py of zaritskylab/AnomalyDetectionScreening (CellPainting entries), and from how
 * its code uses them:
 *
 *   'CDRP':     has_dose False, cpd_col 'Metadata_broad_sample', role_col 'Metadata_ASSAY_WELL_ROLE',
 *               plate_col 'Metadata_Plate', mock_val 'mock'
 *   'CDRP-bio': has_dose False, same columns, moa_col 'Metadata_moa'
 *   'TAORF':    has_dose False, cpd_col 'Metadata_broad_sample', role_col 'Metadata_ASSAY_WELL_ROLE',
 *               plate_col 'Metadata_Plate', mock_val 'Untreated'; split_data (src/data/data_processing.py)
 *               overrides it: controls are role 'CTRL', treated wells neither 'CTRL' nor 'Untreated'
 *   'LUAD':     has_dose False, cpd_col 'Metadata_broad_sample', role_col 'Metadata_broad_sample_type',
 *               plate_col 'Metadata_Plate', mock_val 'control'
 *   'LINCS':    has_dose True, cpd_col 'Metadata_pert_id', role_col 'Metadata_pert_type',
 *               plate_col 'Metadata_Plate', mock_val 'control', n_per_dose 5, moa_col 'Metadata_moa'
 *
 * Replicate groups are cpd_col's values (calc_reproducibility.py: pertColName = DS_INFO_DICT[..][cpd_col] with
 * the default eval.by_dose false); the dose filter runs only where has_dose, on 'Metadata_mg_per_ml'
 * (hard-coded in filter_data_by_highest_dose, src/data/data_utils.py).
 */
const REFERENCE: Record<PresetName, { perturbation: string; role: string; controls: string[]; plate: string; moa: string | null; dose: string | null }> = {
  CDRP: { perturbation: 'Metadata_broad_sample', role: 'Metadata_ASSAY_WELL_ROLE', controls: ['mock'], plate: 'Metadata_Plate', moa: null, dose: null },
  'CDRP-bio': { perturbation: 'Metadata_broad_sample', role: 'Metadata_ASSAY_WELL_ROLE', controls: ['mock'], plate: 'Metadata_Plate', moa: 'Metadata_moa', dose: null },
  'TA-ORF': { perturbation: 'Metadata_broad_sample', role: 'Metadata_ASSAY_WELL_ROLE', controls: ['CTRL'], plate: 'Metadata_Plate', moa: null, dose: null },
  LUAD: { perturbation: 'Metadata_broad_sample', role: 'Metadata_broad_sample_type', controls: ['control'], plate: 'Metadata_Plate', moa: null, dose: null },
  LINCS: { perturbation: 'Metadata_pert_id', role: 'Metadata_pert_type', controls: ['control'], plate: 'Metadata_Plate', moa: 'Metadata_moa', dose: 'Metadata_mg_per_ml' },
};

const resolved = (preset: PresetName, dataset: Record<string, unknown> = {}) =>
  validateExperiment(withPreset({ experiment: 'x', dataset: { source: 'file', path: 'x.csv', preset, ...dataset } })).value as ResolvedSpec;
const rolesFor = (preset: PresetName, dataset: Record<string, unknown> = {}) => rolesOf(resolved(preset, dataset).dataset);

describe('dataset presets read the rosetta files as the reference does', () => {
  for (const [name, ref] of Object.entries(REFERENCE) as [PresetName, (typeof REFERENCE)[PresetName]][]) {
    it(`${name}: perturbation, controls, plate, MoA, dose; replicates are a compound's wells`, () => {
      const roles = rolesFor(name);
      expect(roles.perturbation).toBe(ref.perturbation);
      expect(roles.control).toEqual({ column: ref.role, values: ref.controls });
      expect(roles.plate).toBe(ref.plate);
      expect(roles.moa).toBe(ref.moa);
      expect(roles.dose).toBe(ref.dose);
      expect(roles.replicateBy).toEqual([ref.perturbation]);
    });
  }

  it('TA-ORF leaves its Untreated wells out (neither controls nor treatments in the reference split)', () => {
    expect(resolved('TA-ORF').dataset.drop_wells).toEqual([{ column: 'Metadata_ASSAY_WELL_ROLE', values: ['Untreated'] }]);
  });

  it('settings the spec writes win over the preset', () => {
    const roles = rolesFor('LINCS', { columns: { dose: 'Metadata_mmoles_per_liter' }, replicate_by: ['Metadata_pert_id_dose'] });
    expect(roles.dose).toBe('Metadata_mmoles_per_liter');
    expect(roles.replicateBy).toEqual(['Metadata_pert_id_dose']);
    expect(roles.perturbation).toBe('Metadata_pert_id');
  });
});
