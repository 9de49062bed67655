import { filterMoas } from '../classify/moa_filter.ts';
import { DataError } from '../errors.ts';
import { groupBy } from '../evaluate/groups.ts';
import { consistencyMoaCount } from '../evaluate/consistency_moas.ts';
import { prepareForEvaluation } from '../evaluate/prepare.ts';
import { matrix } from '../numeric/matrix.ts';
import type { RunSpec } from '../spec/types.ts';
import { type Origins, whereWells } from './origins.ts';
import { metaColumn, type MetaValue, type Profiles } from './profiles.ts';
import { controlMask, type Roles } from './roles.ts';

/**
 * What the evaluations will need from the table, checked right after loading so that a run that cannot
 * give its metrics stops before training rather than after it: replicate groups to correlate, numeric doses
 * where the highest dose is kept, the columns the evaluation names, and MoA labels that classification can
 * use. Stops with a `DataError` naming the file's rows; returns warnings for what only weakens the run.
 */
/**
 * Two rows of one plate and well position with different values: a plate imaged twice under one name, or a
 * slip of merging tables. Each stays a well of its own (with a batch column telling the two imagings apart
 * they are no clash), but the user hears of it.
 */
function wellPositionsTaken(p: Profiles, origins: Origins | null, roles: Roles): string | null {
  const key = [roles.batch, roles.plate, roles.well].filter((c): c is string => c !== null);
  if (!key.every((c) => c in p.metadata)) return null;
  const columns = key.map((c) => metaColumn(p, c));
  const first = new Map<string, number>();
  const clashes: number[][] = [];
  for (let i = 0; i < p.values.rows; i++) {
    const values = columns.map((c) => c[i]);
    if (values.some((v) => v === null)) continue;
    const at = JSON.stringify(values);
    const of = first.get(at);
    if (of === undefined) first.set(at, i);
    else clashes.push([of, i]);
  }
  if (clashes.length === 0) return null;
  const shown = clashes.slice(0, 3).map(([of, i]) => `${key.map((c, k) => `${c} ${JSON.stringify(columns[k][i])}`).join(', ')} at ${whereWells(origins, [of, i])}`);
  return (
    `${clashes.length} well(s) share their plate and well position with an earlier, different well (${shown.join('; ')}${clashes.length > 3 ? '; …' : ''}): ` +
    'a plate imaged twice under one name, or tables merged twice? Each is kept as a well of its own'
  );
}

/** `f()`, its DataError (of labels, which know no file) prefixed with the table's files and the column. */
function withFiles<T>(origins: Origins | null, column: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof DataError) throw new DataError(`${filesOf(origins)}${column}: ${err.message}`);
    throw err;
  }
}

export function checkLoadedTable(p: Profiles, origins: Origins | null, roles: Roles, spec: RunSpec): string[] {
  const warnings: string[] = [];
  const isControl = controlMask(p, roles);
  const treatedRows: number[] = [];
  for (let i = 0; i < isControl.length; i++) if (!isControl[i]) treatedRows.push(i);
  if (treatedRows.length === 0) {
    throw new DataError(`${filesOf(origins)}no treated wells: every well's '${roles.control.column}' is one of ${JSON.stringify(roles.control.values)}`);
  }
  const ev = spec.evaluation;
  const columns = (name: string) => name in p.metadata;
  for (const [setting, column] of [
    ['evaluation.split_by', ev.split_by],
    ['dataset.columns.dose', roles.dose],
  ] as const) {
    if (column !== null && !columns(column)) throw new DataError(`${filesOf(origins)}${setting} names column '${column}', which the table does not have`);
  }
  const highestDose = ev.highest_dose_only && roles.dose !== null;
  if (highestDose) checkNumericDoses(p, origins, roles, treatedRows);

  const evaluated = checkReplicateGroups(p, origins, roles, isControl, { highestDose, replicatesPerDose: ev.replicates_per_dose, fillUndefined: ev.fill_undefined });

  if (ev.map.enabled && roles.moa !== null && columns(roles.moa)) {
    const moas = consistencyMoaCount(evaluated, roles.replicateBy, roles.moa);
    if (moas < 2) {
      warnings.push(
        `MoA consistency (mAP) will be skipped: ${moas} MoA(s) of column '${roles.moa}' have two or more labelled perturbations among the evaluated wells ` +
          '(it needs 2: with one, every list is all positives and trivially retrieved)',
      );
    }
  }
  const sharedPositions = wellPositionsTaken(p, origins, roles);
  if (sharedPositions) warnings.push(sharedPositions);
  // Treated wells with the controls' perturbation id: most likely controls whose marker is mistyped ("Control").
  const perts = metaColumn(p, roles.perturbation);
  const controlIds = new Set(perts.filter((v, i) => isControl[i] && v !== null && v !== ''));
  const lookAlikes = treatedRows.filter((i) => controlIds.has(perts[i]));
  if (lookAlikes.length) {
    const distinct = (column: readonly MetaValue[]) => [...new Set(lookAlikes.map((i) => JSON.stringify(column[i])))].slice(0, 3).join(', ');
    const marks = distinct(metaColumn(p, roles.control.column));
    warnings.push(
      `${lookAlikes.length} treated well(s) have the perturbation of the controls (${distinct(perts)}) ` +
        `but '${roles.control.column}' ${marks}, not one of ${JSON.stringify(roles.control.values)} (e.g. at ${whereWells(origins, lookAlikes)}): ` +
        'they are evaluated as a compound; if they are controls, add that value to dataset.control.values',
    );
  }
  if (ev.moa.enabled && roles.moa !== null) {
    if (!columns(roles.moa)) {
      throw new DataError(
        `${filesOf(origins)}MoA classification is enabled but the table has no MoA column '${roles.moa}' (dataset.columns.moa); ` +
          'name the right column, or set dataset.columns.moa: null (or evaluation.moa.enabled: false) for data without MoAs',
      );
    }
    const selection = withFiles(origins, `column '${roles.moa}'`, () =>
      filterMoas(metaColumn(evaluated, roles.moa!), metaColumn(evaluated, roles.perturbation), {
        min_compounds: ev.moa.min_compounds,
        keep_perturbations: null,
        compound_prefix: ev.moa.compound_prefix,
        lowercase_moa: ev.moa.lowercase_moa,
      }),
    );
    if (selection.classes.length < 2) {
      warnings.push(
        `MoA classification will be skipped: ${selection.classes.length} MoA(s) of column '${roles.moa}' have more than ` +
          `evaluation.moa.min_compounds = ${ev.moa.min_compounds} compounds among the evaluated wells (it needs 2)`,
      );
    }
  }
  return warnings;
}

/**
 * The wells evaluation correlates, metadata only: treated, at each compound's highest dose (as evaluation
 * selects them). Percent replicating needs a replicate group of two of them: without one, a `DataError`
 * naming the files, before any training.
 */
export function checkReplicateGroups(
  p: Profiles,
  origins: Origins | null,
  roles: Roles,
  isControl: boolean[],
  options: { highestDose: boolean; replicatesPerDose: number | null; fillUndefined: RunSpec['evaluation']['fill_undefined'] },
): Profiles {
  const metadataOnly: Profiles = { metadata: p.metadata, features: [], values: matrix(p.values.rows, 0) };
  const evaluated = prepareForEvaluation(
    metadataOnly,
    { plate: roles.plate, perturbation: roles.perturbation, control: isControl, replicate_by: roles.replicateBy, ...(roles.dose ? { dose: roles.dose } : {}) },
    { per_plate_zscore: false, highest_dose_only: options.highestDose, replicates_per_dose: options.replicatesPerDose, fill_undefined: options.fillUndefined },
  );
  const groups = groupBy(evaluated, roles.replicateBy);
  if (!groups.rows.some((g) => g.length >= 2)) {
    throw new DataError(
      `${filesOf(origins)}percent replicating needs replicates, but no group of treated wells with the same ${roles.replicateBy.join(' + ')} ` +
        `has 2 or more wells (${evaluated.values.rows} treated wells evaluated${options.highestDose ? ", each compound's highest dose only: evaluation.highest_dose_only" : ''})`,
    );
  }
  return evaluated;
}

/** Every treated well has a number for a dose, as keeping each compound's highest dose needs (a DataError naming the rows otherwise). */
export function checkNumericDoses(p: Profiles, origins: Origins | null, roles: Roles, treated: readonly number[]): void {
  const dose = metaColumn(p, roles.dose!);
  const bad = treated.filter((i) => {
    const v = dose[i];
    return v === null || v === '' || !Number.isFinite(typeof v === 'number' ? v : Number(v));
  });
  if (bad.length) {
    const shown = [...new Set(bad.slice(0, 3).map((i) => JSON.stringify(dose[i])))].join(', ');
    throw new DataError(
      `dose column '${roles.dose}' has ${bad.length} treated well(s) without a numeric dose (${shown}): ${whereWells(origins, bad)}; ` +
        "keeping each compound's highest dose needs one (or set evaluation.highest_dose_only: false)",
    );
  }
}

function filesOf(origins: Origins | null): string {
  if (!origins) return '';
  const files = origins.files.map((f) => f.path);
  return `${files.length > 3 ? `${files.slice(0, 3).join(', ')} and ${files.length - 3} more` : files.join(', ')}: `;
}

/** A setting that makes a run mean little, with the dotted path of the setting to change. */
export interface SettingWarning {
  readonly setting: string;
  readonly message: string;
}

/**
 * Settings that make a run mean little given the data it trains on: a latent code as wide as the input (the
 * autoencoder can copy its input, and reconstruction errors stop measuring anything), a batch larger than
 * the training set (one full batch per epoch), dropout so high that almost nothing passes. A count not known
 * yet (before loading) is passed as Infinity and checks nothing.
 */
export function trainingWarnings(spec: Pick<RunSpec, 'model' | 'training'>, data: { features: number; trainWells: number }): SettingWarning[] {
  const out: SettingWarning[] = [];
  if (spec.model.latent >= data.features) {
    out.push({ setting: 'model.latent', message: `${spec.model.latent} is not smaller than the ${data.features} input features: the autoencoder can learn to copy its input` });
  }
  if (spec.training.batch_size > data.trainWells) {
    out.push({ setting: 'training.batch_size', message: `${spec.training.batch_size} is larger than the ${data.trainWells} training wells: every epoch is one full batch` });
  }
  if (spec.model.dropout >= DROPOUT_LIMIT) out.push({ setting: 'model.dropout', message: `${spec.model.dropout} drops almost every unit (≥ ${DROPOUT_LIMIT})` });
  return out;
}

/** The dropout from which `trainingWarnings` (and `ads validate`) warn. */
const DROPOUT_LIMIT = 0.95;
