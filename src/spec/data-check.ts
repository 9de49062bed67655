import { previewNames, readHeader } from '../data/header.ts';
import { expandPaths } from '../data/files.ts';
import { requiredColumns, rolesOf } from '../data/roles.ts';
import { UserError } from '../errors.ts';
import type { PlannedRun } from '../sweep/expand.ts';
import { dottedPath, type SpecIssue } from './errors.ts';
import type { LoadedSpec } from './load.ts';
import { locate, written } from './sites.ts';

/**
 * What `ads validate` can check of the data without reading it: every file the runs would read exists and
 * starts like a table of its kind (the header only is read), and the columns the spec gives a role (itself or
 * through its preset) are in every file's header. Each distinct dataset of the sweep is checked once.
 * Problems are located at the setting that names the file or the column.
 */
export function checkDataFiles(loaded: LoadedSpec, runs: readonly PlannedRun[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const seen = new Set<string>();
  const at = (keys: string[]) => locate(loaded.sites, keys).where;
  for (const { spec } of runs) {
    const dataset = spec.dataset;
    const key = JSON.stringify(dataset);
    if (dataset.source !== 'file' || seen.has(key)) continue;
    seen.add(key);
    const roles = rolesOf(dataset);
    const wanted = [
      ...requiredColumns(roles).map((c) => ({ ...c, setting: settingOf(c.column, dataset) })),
      ...(spec.evaluation.moa.enabled && roles.moa !== null ? [{ column: roles.moa, role: 'MoA (evaluation.moa.enabled)', setting: ['dataset', 'columns', 'moa'] }] : []),
      ...(spec.evaluation.split_by !== null ? [{ column: spec.evaluation.split_by, role: 'split_by', setting: ['evaluation', 'split_by'] }] : []),
      ...dataset.drop_wells.map((d, i) => ({ column: d.column, role: 'drop_wells', setting: ['dataset', 'drop_wells', String(i), 'column'] })),
      // The well column is no role a run needs (so a table may lack Metadata_Well), but one the user names is meant.
      ...(written(loaded.sites, ['dataset', 'columns', 'well']) ? [{ column: roles.well, role: 'well', setting: ['dataset', 'columns', 'well'] }] : []),
      // The Cell Painting side of each modality's match key.
      ...Object.entries(spec.modalities).flatMap(([name, m]) =>
        (m.match.cell_painting ?? []).map((column, i) => ({ column, role: `match key of modality ${name}`, setting: ['modalities', name, 'match', 'cell_painting', String(i)] })),
      ),
    ];
    const paths = typeof dataset.path === 'string' ? [dataset.path] : (dataset.path ?? []);
    for (const file of expandPaths(paths)) {
      let columns: string[];
      try {
        columns = readHeader(file);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        issues.push({ where: at(['dataset', 'path']), path: 'dataset.path', message: err.message });
        continue;
      }
      const have = new Set(columns);
      for (const w of wanted.filter((c) => !have.has(c.column))) {
        issues.push({
          where: at(w.setting),
          path: dottedPath(w.setting),
          message: `column '${w.column}' (${w.role}${dataset.preset ? `; preset ${dataset.preset}` : ''}) is not in ${file}, whose header has ${columns.length} columns: ${preview(columns)}`,
        });
      }
      if (!columns.some((c) => dataset.features.prefixes.some((p) => c.startsWith(p)))) {
        issues.push({
          where: at(['dataset', 'features', 'prefixes']),
          path: 'dataset.features.prefixes',
          message: `no column of ${file} starts with ${dataset.features.prefixes.map((p) => `'${p}'`).join(', ')}: the table would have no features`,
        });
      }
    }
    for (const [name, m] of Object.entries(spec.modalities)) issues.push(...checkModalityFiles(loaded, name, m, seen));
  }
  return dedupe(issues);
}

/** A modality's files as the dataset's: each exists, starts like a table, and has its role columns and features. */
function checkModalityFiles(loaded: LoadedSpec, name: string, m: PlannedRun['spec']['modalities'][string], seen: Set<string>): SpecIssue[] {
  const key = JSON.stringify(m);
  if (m.source !== 'file' || seen.has(key)) return [];
  seen.add(key);
  const at = (keys: string[]) => ({ where: locate(loaded.sites, keys).where, path: dottedPath(keys) });
  const base = ['modalities', name];
  const wanted = [
    { column: m.columns.plate, role: 'plate', setting: [...base, 'columns', 'plate'] },
    { column: m.columns.perturbation, role: 'perturbation', setting: [...base, 'columns', 'perturbation'] },
    { column: m.control.column, role: 'control marker', setting: [...base, 'control', 'column'] },
    ...(m.columns.dose ? [{ column: m.columns.dose, role: 'dose', setting: [...base, 'columns', 'dose'] }] : []),
    ...(m.columns.moa ? [{ column: m.columns.moa, role: 'MoA', setting: [...base, 'columns', 'moa'] }] : []),
    ...(m.match.modality ?? []).map((column, i) => ({ column, role: 'match key', setting: [...base, 'match', 'modality', String(i)] })),
  ];
  const issues: SpecIssue[] = [];
  for (const file of expandPaths(typeof m.path === 'string' ? [m.path] : (m.path ?? []))) {
    let columns: string[];
    try {
      columns = readHeader(file);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      issues.push({ ...at([...base, 'path']), message: err.message });
      continue;
    }
    const have = new Set(columns);
    for (const w of wanted.filter((c) => !have.has(c.column))) {
      issues.push({ ...at(w.setting), message: `column '${w.column}' (${w.role}) is not in ${file}, whose header has ${columns.length} columns: ${preview(columns)}` });
    }
    if (!columns.some((c) => m.features.contains.some((part) => c.includes(part)))) {
      issues.push({ ...at([...base, 'features', 'contains']), message: `no column of ${file} contains ${m.features.contains.map((p) => `'${p}'`).join(', ')}: the table would have no features` });
    }
  }
  return issues;
}

/** The setting that names a role column (the first that does): where a missing column is to be fixed. */
function settingOf(column: string, dataset: PlannedRun['spec']['dataset']): string[] {
  for (const [role, name] of Object.entries(dataset.columns)) if (name === column) return ['dataset', 'columns', role];
  if (dataset.control.column === column) return ['dataset', 'control', 'column'];
  const k = dataset.replicate_by?.indexOf(column) ?? -1;
  return k >= 0 ? ['dataset', 'replicate_by', String(k)] : ['dataset'];
}

const preview = (names: readonly string[]) => previewNames(names, 8);

function dedupe(issues: SpecIssue[]): SpecIssue[] {
  return issues.filter((a, i) => issues.findIndex((b) => b.where === a.where && b.path === a.path && b.message === a.message) === i);
}
