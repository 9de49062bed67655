import { DataError } from '../errors.ts';
import { zscorePerPlate } from '../evaluate/prepare.ts';
import type { RunSpec } from '../spec/types.ts';
import { checkNumericDoses, checkReplicateGroups } from './checks.ts';
import { readDatasetAsync } from './dataset.ts';
import { simulateExpression } from './expression.ts';
import { expandPaths } from './files.ts';
import { type MetaValue, metaColumn, type Profiles } from './profiles.ts';
import { controlMask, type Roles } from './roles.ts';

export type ModalitySpec = RunSpec['modalities'][string];

/**
 * A further assay of the screen's compounds (e.g. L1000 gene expression), read and prepared as the reference
 * prepares L1000 (read_replicate_level_profiles: interpolate, then z-score per plate over all wells), with
 * each well's key for meeting the Cell Painting wells. Where it has no MoA column (or no `evaluation.split_by`
 * column), its wells take their compound's from the Cell Painting wells.
 */
export interface Modality {
  name: string;
  /** Every well, imputed, z-scored per plate when the spec asks. */
  profiles: Profiles;
  roles: Roles;
  /** How its wells meet the Cell Painting wells: a key of each table's columns (matchKeys). */
  match: MatchKey;
  /** What MoA classification pairs across the assays: treatment means, or drawn replicates. */
  pairing: { kind: 'treatments' | 'replicates'; replicates: number };
  /** Evaluation keeps each compound's highest dose, this many wells of it (null: all). */
  replicatesPerDose: number | null;
  /** What to name in a data error: the file(s), or the simulation. */
  source: string;
}

export interface MatchKey {
  /** The key's Cell Painting columns, and the modality's, in the same order. */
  cellPainting: string[];
  own: string[];
  /** Each value cut to this many characters; null: whole. */
  prefix: number | null;
}

/** What reading a modality found, for the manifest: nothing unmatched goes unsaid. */
export interface ModalityReport {
  files: string[];
  wells: number;
  controls: number;
  features: number;
  dropped_missing: { feature: string; missing_share: number }[];
  imputed: { method: string; values: number; features: number };
  /** Distinct keys of its treated wells, and how many of them have Cell Painting wells. */
  compounds: number;
  matched: number;
  /** Its keys with no Cell Painting wells, and the Cell Painting keys with none of its wells (sorted). */
  unmatched: string[];
  cell_painting_unmatched: string[];
}

/** Examples named in a warning or error; the manifest has every one. */
const EXAMPLES = 10;

/**
 * Reads (or simulates) modality `name` (a file's values parsed on `threads` threads) and matches it to the
 * Cell Painting wells `cp`. A modality none of
 * whose compounds is among Cell Painting's is a `DataError` naming both tables; unmatched compounds on either
 * side are counted in the report and summarized in a warning.
 */
export async function readModality(
  name: string,
  spec: RunSpec,
  cp: { profiles: Profiles; roles: Roles },
  seed: number,
  threads?: number,
): Promise<{ modality: Modality; report: ModalityReport; warnings: string[] }> {
  const m = spec.modalities[name];
  const roles = modalityRoles(m);
  const files = m.source === 'file' ? expandPaths(typeof m.path === 'string' ? [m.path] : (m.path ?? [])) : [];
  const source = m.source === 'file' ? files.join(', ') : `the simulated ${name} table`;
  const cpSource = spec.dataset.source === 'file' ? expandPaths(typeof spec.dataset.path === 'string' ? [spec.dataset.path] : (spec.dataset.path ?? [])).join(', ') : 'the simulated screen';

  const read =
    m.source === 'synthetic'
      ? { profiles: simulateExpression(spec.dataset.synthetic, m.synthetic, seed, name), report: null, origins: null }
      : await readDatasetAsync(asDataset(m, roles), roles, { section: `modalities.${name}`, threads });
  const isControl = controlMask(read.profiles, roles);
  const controls = isControl.filter(Boolean).length;
  if (controls === 0) {
    const seen = [...new Set(metaColumn(read.profiles, roles.control.column).map(String))].slice(0, 8).join(', ');
    throw new DataError(`${source}: no control wells: no value of column '${roles.control.column}' is one of ${JSON.stringify(roles.control.values)} (values seen: ${seen}); set modalities.${name}.control`);
  }
  // As for the Cell Painting table at load: before training, at the file's rows, not in evaluation after it.
  const highestDose = spec.evaluation.highest_dose_only && roles.dose !== null;
  if (highestDose) checkNumericDoses(read.profiles, read.origins, roles, isControl.flatMap((c, i) => (c ? [] : [i])));
  checkReplicateGroups(read.profiles, read.origins, roles, isControl, { highestDose, replicatesPerDose: m.replicates_per_dose, fillUndefined: spec.evaluation.fill_undefined });
  const scaled = m.per_plate_zscore ? zscorePerPlate(read.profiles, roles.plate) : read.profiles;
  if (m.per_plate_zscore) checkZscored(scaled, roles.plate, source, name);

  const cpKeyColumns = m.match.cell_painting ?? [cp.roles.perturbation];
  const ownKeyColumns = m.match.modality ?? [roles.perturbation];
  for (const c of cpKeyColumns) if (!(c in cp.profiles.metadata)) throw new DataError(`${cpSource}: no column '${c}' (modalities.${name}.match.cell_painting)`);
  for (const c of ownKeyColumns) if (!(c in scaled.metadata)) throw new DataError(`${source}: no column '${c}' (modalities.${name}.match.modality)`);
  const cpKeys = matchKeys(cp.profiles, cpKeyColumns, m.match.prefix);
  const keys = matchKeys(scaled, ownKeyColumns, m.match.prefix);

  const cpControl = controlMask(cp.profiles, cp.roles);
  const cpTreated = new Set(cpKeys.filter((k, i) => k !== null && !cpControl[i]) as string[]);
  const own = new Set(keys.filter((k, i) => k !== null && !isControl[i]) as string[]);
  const unmatched = [...own].filter((k) => !cpTreated.has(k)).sort();
  const cpUnmatched = [...cpTreated].filter((k) => !own.has(k)).sort();
  const matched = own.size - unmatched.length;
  if (matched === 0) {
    throw new DataError(
      `${source}: none of its ${own.size} compounds (column${ownKeyColumns.length > 1 ? 's' : ''} ${ownKeyColumns.join(', ')}, e.g. ${examples([...own])}) ` +
        `is among the ${cpTreated.size} Cell Painting compounds of ${cpSource} (column${cpKeyColumns.length > 1 ? 's' : ''} ${cpKeyColumns.join(', ')}, e.g. ${examples([...cpTreated])}); ` +
        `check modalities.${name}.match (the key columns, and match.prefix when ids carry batch suffixes)`,
    );
  }
  const warnings: string[] = [];
  if (unmatched.length || cpUnmatched.length) {
    warnings.push(
      `modalities.${name}: ${matched} compounds are in both assays; ${unmatched.length} of its ${own.size} have no Cell Painting wells${unmatched.length ? ` (${examples(unmatched)})` : ''}, ` +
        `${cpUnmatched.length} of the ${cpTreated.size} Cell Painting compounds have no ${name} wells${cpUnmatched.length ? ` (${examples(cpUnmatched)})` : ''}; the manifest lists them all (data.modalities.${name})`,
    );
  }
  // What the evaluations label a compound's wells with, taken from its Cell Painting wells where this table has none.
  const borrowMoa = m.columns.moa === null && cp.roles.moa !== null && cp.roles.moa in cp.profiles.metadata;
  const split = spec.evaluation.split_by;
  const borrowed = [
    ...(borrowMoa ? [cp.roles.moa!] : []),
    ...(split !== null && split in cp.profiles.metadata && !(split in scaled.metadata) ? [split] : []),
  ];
  const labelled = borrowed.length ? borrowFromCellPainting(scaled, keys, cp.profiles, cpKeys, borrowed) : scaled;
  return {
    modality: {
      name,
      profiles: labelled,
      roles: { ...roles, moa: m.columns.moa ?? (borrowMoa ? cp.roles.moa : null) },
      match: { cellPainting: cpKeyColumns, own: ownKeyColumns, prefix: m.match.prefix },
      replicatesPerDose: m.replicates_per_dose,
      pairing: { kind: m.match.pairing, replicates: m.match.replicates },
      source,
    },
    report: {
      files,
      wells: scaled.values.rows,
      controls,
      features: scaled.features.length,
      dropped_missing: read.report?.dropped_missing ?? [],
      imputed: read.report?.imputed ?? { method: m.missing.impute, values: 0, features: 0 },
      compounds: own.size,
      matched,
      unmatched,
      cell_painting_unmatched: cpUnmatched,
    },
    warnings,
  };
}

/**
 * A feature with no spread on a plate (constant there, or the plate's only well) has no z-score: pandas gives
 * NaN, which would spread into every later number. Stops with the features and plates, and what to do.
 */
function checkZscored(p: Profiles, plate: string, source: string, name: string): void {
  const { rows, cols, data } = p.values;
  const plates = metaColumn(p, plate);
  const bad = new Map<string, Set<string>>();
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (Number.isFinite(data[i * cols + j])) continue;
      const at = bad.get(p.features[j]) ?? new Set<string>();
      at.add(String(plates[i]));
      bad.set(p.features[j], at);
    }
  }
  if (bad.size === 0) return;
  const shown = [...bad].slice(0, 5).map(([f, at]) => `'${f}' on plate${at.size > 1 ? 's' : ''} ${[...at].slice(0, 3).map((x) => `'${x}'`).join(', ')}${at.size > 3 ? ', …' : ''}`);
  throw new DataError(
    `${source}: ${bad.size} feature(s) cannot be z-scored per plate (column '${plate}'): constant on a plate, or a plate of one well: ${shown.join('; ')}${bad.size > 5 ? '; …' : ''}. ` +
      `Leave them out with modalities.${name}.features.exclude, or set modalities.${name}.per_plate_zscore: false`,
  );
}

/** The modality's roles; its replicate groups are its perturbation's wells unless replicate_by says otherwise. */
function modalityRoles(m: ModalitySpec): Roles {
  return {
    plate: m.columns.plate,
    well: m.columns.well,
    perturbation: m.columns.perturbation,
    moa: m.columns.moa,
    dose: m.columns.dose,
    batch: null,
    control: m.control,
    replicateBy: m.replicate_by ?? [m.columns.perturbation],
  };
}

/** The modality as the dataset reader takes it: features are the columns whose name contains a substring. */
function asDataset(m: ModalitySpec, roles: Roles): RunSpec['dataset'] {
  return {
    source: 'file',
    path: m.path,
    columns: { plate: roles.plate, well: roles.well, perturbation: roles.perturbation, moa: roles.moa, dose: roles.dose, batch: null },
    control: m.control,
    features: { prefixes: [''], include: m.features.contains.map(escapeRegExp), exclude: m.features.exclude, blocklist: [], common: false },
    missing: m.missing,
    missing_roles: 'error',
    drop_wells: [],
    replicate_by: roles.replicateBy as [string, ...string[]],
    synthetic: {} as RunSpec['dataset']['synthetic'],
  };
}

/** Per well, the key columns' values as text joined by a tab, each cut to `prefix` characters; null if any is empty. */
export function matchKeys(p: Profiles, columns: readonly string[], prefix: number | null): (string | null)[] {
  const cols = columns.map((c) => metaColumn(p, c));
  return Array.from({ length: p.values.rows }, (_, i) => {
    const parts: string[] = [];
    for (const col of cols) {
      const v = col[i];
      if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return null;
      const text = String(v);
      parts.push(prefix === null ? text : text.slice(0, prefix));
    }
    return parts.join('\t');
  });
}

/** Columns of the Cell Painting table, each well taking its compound's value (the first non-empty one there). */
function borrowFromCellPainting(
  p: Profiles,
  keys: readonly (string | null)[],
  cp: Profiles,
  cpKeys: readonly (string | null)[],
  columns: readonly string[],
): Profiles {
  const metadata = { ...p.metadata };
  for (const column of columns) {
    const values = metaColumn(cp, column);
    const of = new Map<string, MetaValue>();
    cpKeys.forEach((k, i) => {
      if (k !== null && values[i] !== null && !of.has(k)) of.set(k, values[i]);
    });
    metadata[column] = keys.map((k) => (k === null ? null : (of.get(k) ?? null)));
  }
  return { ...p, metadata };
}

function examples(keys: readonly string[]): string {
  const shown = keys.slice(0, EXAMPLES).map((k) => `'${k.replaceAll('\t', ' ')}'`);
  return keys.length > EXAMPLES ? `${shown.join(', ')}, …` : shown.join(', ');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
