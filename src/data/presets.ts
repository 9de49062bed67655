/**
 * Column roles of the Cell Painting Gallery cpg0003-rosetta datasets (`replicate_level_cp_augmented.csv.gz`),
 * DESIGN §2.1. A preset fills the roles a spec leaves unset; anything the spec writes wins. Replicates are
 * the reference's replicate keys (compound and dose together where there are doses); `dose` is the numeric
 * concentration used to keep each compound's highest dose.
 */
export type PresetName = 'CDRP' | 'CDRP-bio' | 'LINCS' | 'LUAD' | 'TA-ORF';

interface PresetRoles {
  columns: { plate: string; perturbation: string; moa: string | null; dose: string | null };
  control: { column: string; values: string[] };
  replicate_by: string[] | null;
  drop_wells?: { column: string; values: string[] }[];
}

const cdrp = (moa: string | null): PresetRoles => ({
  columns: { plate: 'Metadata_Plate', perturbation: 'Metadata_broad_sample', moa, dose: 'Metadata_mmoles_per_liter' },
  control: { column: 'Metadata_ASSAY_WELL_ROLE', values: ['mock'] },
  replicate_by: ['Metadata_Sample_Dose'],
});

export const PRESETS: Record<PresetName, PresetRoles> = {
  CDRP: cdrp(null),
  'CDRP-bio': cdrp('Metadata_moa'),
  LINCS: {
    columns: { plate: 'Metadata_Plate', perturbation: 'Metadata_pert_id', moa: 'Metadata_moa', dose: 'Metadata_mmoles_per_liter' },
    control: { column: 'Metadata_pert_type', values: ['control'] },
    replicate_by: ['Metadata_pert_id_dose'],
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
    // Untreated wells are neither controls nor treatments.
    drop_wells: [{ column: 'Metadata_ASSAY_WELL_ROLE', values: ['Untreated'] }],
  },
};

type Json = Record<string, unknown>;

/** The composed (not yet defaulted) spec with its preset's roles filled in under what it sets itself. */
export function withPreset(spec: Json): Json {
  const dataset = spec.dataset as Json | undefined;
  const name = dataset?.preset as PresetName | undefined;
  if (!dataset || !name || !(name in PRESETS)) return spec;
  return { ...spec, dataset: fillUnder(dataset, PRESETS[name] as unknown as Json) };
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
