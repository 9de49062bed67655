/**
 * Column roles of the Cell Painting Gallery cpg0003-rosetta datasets (`replicate_level_cp_augmented.csv.gz`),
 * as the reference implementation reads them. A preset fills the roles a spec leaves unset; anything the
 * spec writes wins.
 *
 * Source: `DS_INFO_DICT` in src/utils/global_variables.py of zaritskylab/AnomalyDetectionScreening (the
 * CellPainting entries), with how the reference uses it:
 *   CDRP      name CDRP-BBBC047-Bray, has_dose False, cpd_col Metadata_broad_sample, role_col Metadata_ASSAY_WELL_ROLE,
 *             mock_val 'mock', plate_col Metadata_Plate (dose_col Metadata_Sample_Dose unused: no dose)
 *   CDRP-bio  name CDRPBIO-BBBC036-Bray, has_dose False, as CDRP plus moa_col Metadata_moa
 *   TAORF     has_dose False, cpd_col Metadata_broad_sample, role_col Metadata_ASSAY_WELL_ROLE, mock_val 'Untreated',
 *             plate_col Metadata_Plate; but split_data (src/data/data_processing.py) special-cases TAORF: its
 *             controls are role == 'CTRL', and treated wells are neither 'CTRL' nor 'Untreated'
 *   LUAD      has_dose False, cpd_col Metadata_broad_sample, role_col Metadata_broad_sample_type, mock_val 'control',
 *             plate_col Metadata_Plate
 *   LINCS     has_dose True, cpd_col Metadata_pert_id, role_col Metadata_pert_type, mock_val 'control',
 *             plate_col Metadata_Plate, n_per_dose 5, moa_col Metadata_moa (dose_col Metadata_pert_id_dose is
 *             the compound-and-dose key of by_dose runs)
 * Replicates: the evaluation groups by cpd_col (configs eval.by_dose is false by default), so a replicate group
 * is a compound's wells, on every dataset. Dose: only LINCS has one (has_dose), and filter_data_by_highest_dose
 * reads the concentration from Metadata_mg_per_ml (hard-coded there); with it, evaluation keeps each compound's
 * highest dose (evaluation.highest_dose_only, and the reference's rule with evaluation.replicates_per_dose: 5).
 *
 * L1000 (the `L1000` entries, for a modality named L1000): perturbation (cpd_col) pert_id, plate det_plate,
 * controls role_col pert_id == mock_val: 'mock' on CDRP, 'DMSO' elsewhere; dose: filter_data_by_highest_dose
 * reads pert_dose for L1000 (hard-coded there) and only LINCS has a dose (has_dose), with n_per_dose 3. No
 * L1000 table has a MoA column the reference reads except LINCS' `moa`, which it lowercases and uses where
 * Metadata_moa is empty; here a modality's wells take the MoA of their compound's Cell Painting wells.
 *
 * This follows the reference where the project's first design notes differed (they gave CDRP and CDRP-bio the
 * dose Metadata_Sample_Dose and LINCS replicates by Metadata_pert_id_dose); the reference evaluates CDRP(-bio) without
 * a dose filter, grouping by compound, and LINCS by compound at its highest Metadata_mg_per_ml dose (after that
 * filter every kept well of a compound has one dose, so grouping by compound or by compound and dose is the same).
 */
export type PresetName = 'CDRP' | 'CDRP-bio' | 'LINCS' | 'LUAD' | 'TA-ORF';

interface PresetRoles {
  columns: { plate: string; perturbation: string; moa: string | null; dose: string | null };
  control: { column: string; values: string[] };
  /** Explicit where the default (the perturbation, plus the dose when there is one) is not the reference's. */
  replicate_by: string[] | null;
  drop_wells?: { column: string; values: string[] }[];
}

/** The roles of the preset's L1000 table (DS_INFO_DICT[dataset]['L1000']). */
interface L1000Roles {
  columns: { plate: string; perturbation: string; dose: string | null };
  control: { column: string; values: string[] };
  replicates_per_dose: number | null;
}

const l1000 = (mock: string, dose: string | null = null, perDose: number | null = null): L1000Roles => ({
  columns: { plate: 'det_plate', perturbation: 'pert_id', dose },
  control: { column: 'pert_id', values: [mock] },
  replicates_per_dose: perDose,
});

/** The modality a preset fills: `modalities.L1000`. */
export const L1000_MODALITY = 'L1000';

export const L1000_PRESETS: Record<PresetName, L1000Roles> = {
  CDRP: l1000('mock'),
  'CDRP-bio': l1000('DMSO'),
  LINCS: l1000('DMSO', 'pert_dose', 3),
  LUAD: l1000('DMSO'),
  'TA-ORF': l1000('DMSO'),
};

const cdrp = (moa: string | null): PresetRoles => ({
  columns: { plate: 'Metadata_Plate', perturbation: 'Metadata_broad_sample', moa, dose: null },
  control: { column: 'Metadata_ASSAY_WELL_ROLE', values: ['mock'] },
  replicate_by: null,
});

export const PRESETS: Record<PresetName, PresetRoles> = {
  CDRP: cdrp(null),
  'CDRP-bio': cdrp('Metadata_moa'),
  LINCS: {
    columns: { plate: 'Metadata_Plate', perturbation: 'Metadata_pert_id', moa: 'Metadata_moa', dose: 'Metadata_mg_per_ml' },
    control: { column: 'Metadata_pert_type', values: ['control'] },
    replicate_by: ['Metadata_pert_id'],
  },
  LUAD: {
    columns: { plate: 'Metadata_Plate', perturbation: 'Metadata_broad_sample', moa: null, dose: null },
    control: { column: 'Metadata_broad_sample_type', values: ['control'] },
    replicate_by: null,
  },
  'TA-ORF': {
    columns: { plate: 'Metadata_Plate', perturbation: 'Metadata_broad_sample', moa: null, dose: null },
    control: { column: 'Metadata_ASSAY_WELL_ROLE', values: ['CTRL'] },
    replicate_by: null,
    // Untreated wells are neither controls nor treatments (the reference's split_data leaves them out of both).
    drop_wells: [{ column: 'Metadata_ASSAY_WELL_ROLE', values: ['Untreated'] }],
  },
};

type Json = Record<string, unknown>;

/**
 * The composed (not yet defaulted) spec with its preset's roles filled in under what it sets itself: the
 * dataset's, and a declared L1000 modality's.
 */
export function withPreset(spec: Json): Json {
  const dataset = spec.dataset as Json | undefined;
  const name = dataset?.preset as PresetName | undefined;
  if (!dataset || !name || !(name in PRESETS)) return spec;
  const out: Json = { ...spec, dataset: fillUnder(dataset, PRESETS[name] as unknown as Json) };
  const modalities = spec.modalities;
  if (isObject(modalities) && isObject(modalities[L1000_MODALITY])) {
    out.modalities = { ...modalities, [L1000_MODALITY]: fillUnder(modalities[L1000_MODALITY], L1000_PRESETS[name] as unknown as Json) };
  }
  return out;
}

function fillUnder(own: Json, base: Json): Json {
  const out: Json = { ...own };
  for (const [k, v] of Object.entries(base)) {
    const mine = own[k];
    if (mine === undefined) out[k] = v;
    else if (isObject(mine) && isObject(v)) out[k] = fillUnder(mine, v);
  }
  return out;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
