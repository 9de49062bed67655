import { existsSync, statSync } from 'node:fs';
import { DataError } from '../errors.ts';
import { matrix, selectCols } from '../numeric/matrix.ts';
import { missingCounts } from '../preprocess/columns.ts';
import { interpolateMissing } from '../preprocess/interpolate.ts';
import type { RunSpec } from '../spec/types.ts';
import { expandPaths } from './files.ts';
import { ProfilesAssembler } from './assemble.ts';
import { isPandasMissing } from './missing_words.ts';
import { previewNames, readHeader } from './header.ts';
import { csvParts, parquetShape, readParquetColumns, type RowNumbers } from './io.ts';
import { concatOrigins, type Origins, originsOf, selectOrigins, whereWells } from './origins.ts';
import type { MetaValue, Profiles } from './profiles.ts';
import { controlMask, type Roles, requiredColumns } from './roles.ts';

type DatasetSpec = RunSpec['dataset'];

/** What loading did to the table, for the manifest: nothing is dropped or filled silently. */
export interface LoadReport {
  files: string[];
  wells: number;
  features: number;
  /** Features present in some files only, dropped because `features.common` asked for the common ones. */
  not_common: string[];
  /** Features dropped for too many missing values, with their missing share. */
  dropped_missing: { feature: string; missing_share: number }[];
  /** Values filled by the imputation policy. */
  imputed: { method: string; values: number; features: number };
  /**
   * Wells dropped by `dataset.missing_roles: drop` because a role value they need was empty, and how many
   * lacked each column (a well can lack several).
   */
  dropped_missing_roles: { wells: number; by_column: Record<string, number> };
}

/**
 * How a table is read: `partBytes`, CSV text per part (for tests); `threads`, the threads that parse a CSV's
 * features (the machine's cores unless given: a run gives its runtime.threads), and `teamFrom`, the part size
 * from which they share a part (for tests: see `FloatFieldsTeam`); `section`, the spec section whose settings
 * the errors name ('dataset', or 'modalities.<name>' for a modality, which has no missing_roles and no
 * features.common).
 */
export interface ReadOptions {
  partBytes?: number;
  threads?: number;
  teamFrom?: number;
  section?: string;
}

/** A dataset as read: its wells, where each came from, and what loading did. */
export interface LoadedDataset {
  profiles: Profiles;
  report: LoadReport;
  origins: Origins;
}

/**
 * Reads the dataset's file(s) as they are: CSV, CSV.gz or Parquet, one file or several (concatenated, in
 * sorted order), each a part at a time into one matrix (`options.partBytes`: CSV text per part, for tests).
 * Stops with a `DataError` naming file, column and rows on anything it cannot use: a missing role column,
 * non-numeric feature values, feature sets that differ between files (unless the spec asks for the common
 * ones), or missing values the policy cannot handle.
 *
 * Synchronous: polars frees a part's memory only once the event loop turns (Node runs native finalizers
 * from it), so every part read stays in memory until this returns. For tables of a few hundred megabytes
 * that is harmless; a screen of gigabytes is read by `readDatasetAsync`.
 */
export function readDataset(dataset: DatasetSpec, roles: Roles, options: ReadOptions = {}): LoadedDataset {
  const steps = datasetSteps(dataset, roles, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * `readDataset`, letting the event loop turn after each part: polars frees a part once it is converted,
 * and the table is held once, in its matrix (a 160,000 × 1,800 screen in 2.3 GB plus its metadata, instead
 * of that again in polars' parts).
 */
export async function readDatasetAsync(dataset: DatasetSpec, roles: Roles, options: ReadOptions = {}): Promise<LoadedDataset> {
  const steps = datasetSteps(dataset, roles, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** `readDataset`, a step (a part of a file) at a time. */
function* datasetSteps(dataset: DatasetSpec, roles: Roles, options: ReadOptions): Generator<void, LoadedDataset, undefined> {
  const section = options.section ?? 'dataset';
  const files = expandPaths(typeof dataset.path === 'string' ? [dataset.path] : (dataset.path ?? []));
  if (files.length === 0) throw new DataError(`${section}.path names no file: ${JSON.stringify(dataset.path)}`);
  // Every file's header first (a few kilobytes each): a missing role column or feature sets that differ are
  // named before gigabytes of rows are read.
  const headers = files.map((file) => {
    const columns = readHeader(file);
    const missing = requiredColumns(roles).filter((c) => !columns.includes(c.column));
    if (missing.length) {
      const list = missing.map((c) => `'${c.column}' (${c.role})`).join(', ');
      throw new DataError(`${file}: no column ${list}; the table has ${columns.length} columns: ${preview(columns)}`);
    }
    return { file, features: featureColumns(columns, dataset.features) };
  });
  const { features, notCommon } = commonFeatures(headers, dataset.features.common, section);
  if (features.length === 0) throw new DataError(`${files[0]}: no feature columns: no column ${selection(dataset.features)}; check ${section}.features`);

  const assembler = new ProfilesAssembler(features);
  // Rows expected from all files, as a file's rows so far times the bytes of all files over those read: a
  // glob of per-plate files fills one matrix sized once, not grown file by file.
  const sizes = files.map((file) => (existsSync(file) ? statSync(file).size : 0));
  const total = sizes.reduce((a, b) => a + b, 0);
  const fileOrigins: Origins[] = [];
  let through = 0;
  for (const [k, file] of files.entries()) {
    through += sizes[k];
    fileOrigins.push(yield* readInto(assembler, file, { ...options, scale: total / Math.max(1, through) }));
  }
  const all = { profiles: assembler.finish(), origins: concatOrigins(fileOrigins) };
  checkCopies(all.profiles, all.origins);
  const absent = dataset.drop_wells.find((d) => !(d.column in all.profiles.metadata));
  if (absent) {
    const where = files.length === 1 ? files[0] : `${files[0]} (and ${files.length - 1} more files)`;
    throw new DataError(`${where}: column '${absent.column}' (${section}.drop_wells) is not in the table, so no well would be dropped by it; name a metadata column of the file`);
  }
  const { profiles: declared, origins: declaredOrigins } = keepRows(all, dropRows(all.profiles, dataset.drop_wells));
  const roleCheck = checkRoleValues(declared, declaredOrigins, roles, dataset.missing_roles, section);
  const { profiles: complete, origins } = keepRows({ profiles: declared, origins: declaredOrigins }, roleCheck.keep);
  const { profiles, dropped_missing, imputed } = handleMissing(complete, dataset.missing, origins, section);
  return {
    profiles,
    origins,
    report: {
      files,
      wells: profiles.values.rows,
      features: profiles.features.length,
      not_common: notCommon,
      dropped_missing,
      imputed,
      dropped_missing_roles: roleCheck.dropped,
    },
  };
}

/**
 * A well that repeats an earlier one in every column is the same measurement read twice, not a replicate:
 * kept, it would count twice in every replicate group and correlate perfectly with itself. It is what a
 * glob matching one table in two forms gives (`plate1.csv.gz` and the `plate1.parquet` `ads convert` wrote
 * beside it). Re-imaged wells (the same plate and well, other values) are not copies.
 */
function checkCopies(p: Profiles, origins: Origins): void {
  const { rows, cols, data } = p.values;
  // Each row hashed on its metadata and the high 32 bits (sign, exponent, 20 bits of mantissa) of its first
  // 64 values: equal for copies, and rows that share a hash are compared in full. The metadata (a plate and a
  // well, usually) sets apart wells alike in those values (all missing, say); 64 values, not all 1,800, keep
  // the check to about 0.2 s on a CDRP-size screen (160,000 wells), a fifth of hashing every value.
  const hashed = Math.min(cols, 64);
  const words = new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
  const high = new Uint32Array(new Float64Array([1]).buffer)[1] === 0x3ff00000 ? 1 : 0;
  const meta = Object.values(p.metadata);
  const number = new Float64Array(1);
  const numberWords = new Uint32Array(number.buffer);
  const seen = new Map<number, number[]>();
  const copies: { copy: number; of: number }[] = [];
  const same = (a: number, b: number) => {
    for (let j = 0; j < cols; j++) if (!Object.is(data[a * cols + j], data[b * cols + j])) return false;
    return meta.every((column) => Object.is(column[a], column[b]));
  };
  for (let i = 0; i < rows; i++) {
    let h = 0x811c9dc5;
    for (const column of meta) {
      const v = column[i];
      if (typeof v === 'number') {
        number[0] = v;
        h = Math.imul(Math.imul(h ^ numberWords[0], 0x01000193) ^ numberWords[1], 0x01000193);
        continue;
      }
      const text = String(v);
      for (let c = 0; c < text.length; c++) h = Math.imul(h ^ text.charCodeAt(c), 0x01000193);
    }
    for (let k = 2 * i * cols + high, end = 2 * (i * cols + hashed); k < end; k += 2) h = Math.imul(h ^ words[k], 0x01000193);
    const bucket = seen.get(h);
    const of = bucket?.find((r) => same(r, i));
    if (of !== undefined) copies.push({ copy: i, of });
    else if (bucket) bucket.push(i);
    else seen.set(h, [i]);
  }
  if (copies.length === 0) return;
  const shown = copies.slice(0, 5).map((c) => `${whereWells(origins, [c.copy])} repeats ${whereWells(origins, [c.of])}`);
  throw new DataError(
    `${copies.length} well${copies.length > 1 ? 's repeat' : ' repeats'} an earlier well in every column (the same measurement twice, not a replicate): ${shown.join('; ')}` +
      `${copies.length > 5 ? `; and ${copies.length - 5} more` : ''}. Is a table read twice (a glob matching both x.csv.gz and x.parquet)? Remove the copies`,
  );
}

/**
 * Role values every well needs: a plate (normalization, split strata and evaluation are per plate) and, in
 * a treated well (any well that is not a control), its perturbation and replicate key. A control may lack a
 * perturbation id (some screens leave it empty). A missing value is an error naming the file's rows, or,
 * with `dataset.missing_roles: drop`, the well is dropped and counted.
 */
function checkRoleValues(p: Profiles, origins: Origins, roles: Roles, policy: DatasetSpec['missing_roles'], section: string) {
  const isControl = controlMask(p, roles);
  const needs = [
    { column: roles.plate, role: 'plate', of: 'every well' },
    ...[...new Set([roles.perturbation, ...roles.replicateBy])].map((column) => ({
      column,
      role: column === roles.perturbation ? 'perturbation' : 'replicate_by',
      of: 'treated wells',
    })),
  ];
  const lacking = new Uint8Array(p.values.rows);
  const problems: string[] = [];
  const by_column: Record<string, number> = {};
  for (const need of needs) {
    const values = p.metadata[need.column];
    const wells: number[] = [];
    for (let i = 0; i < p.values.rows; i++) {
      if ((need.of === 'every well' || !isControl[i]) && isEmpty(values[i])) {
        wells.push(i);
        lacking[i] = 1;
      }
    }
    if (wells.length) {
      by_column[need.column] = wells.length;
      const one = wells.length === 1;
      const kind = need.of === 'every well' ? (one ? 'well' : 'wells') : `treated well${one ? '' : 's'} (whose '${roles.control.column}' is not one of ${JSON.stringify(roles.control.values)})`;
      const words = [...new Set(wells.map((i) => values[i]).filter((v): v is string => typeof v === 'string' && v !== '' && isPandasMissing(v)))];
      const read = words.length ? ` (${words.map((w) => JSON.stringify(w)).join(', ')} read as missing, as pandas reads ${words.length > 1 ? 'them' : 'it'})` : '';
      problems.push(`${wells.length} ${kind} ${one ? 'has' : 'have'} no ${need.role} value in column '${need.column}'${read}: ${whereWells(origins, wells)}`);
    }
  }
  if (problems.length && policy === 'error') {
    throw new DataError(`${problems.join('; ')}. Fill them in${section === 'dataset' ? ', or set dataset.missing_roles: drop to leave such wells out' : ''}`);
  }
  const keep = whereKept(lacking);
  return { keep, dropped: { wells: p.values.rows - keep.length, by_column } };
}

/** A role value that is not there: empty, NaN, or a word pandas (and so the reference) reads as missing: NA, None, …. */
function isEmpty(v: MetaValue | undefined): boolean {
  return v === null || v === undefined || (typeof v === 'string' && (v.trim() === '' || isPandasMissing(v))) || (typeof v === 'number' && Number.isNaN(v));
}

function whereKept(dropped: Uint8Array): Int32Array {
  const keep: number[] = [];
  for (let i = 0; i < dropped.length; i++) if (!dropped[i]) keep.push(i);
  return Int32Array.from(keep);
}

const preview = (names: readonly string[]) => previewNames(names, 12);

/** The columns a feature selection takes, in words: "starting with 'Cells_', matching _at". */
function selection(f: DatasetSpec['features']): string {
  const quoted = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');
  const parts = [
    f.prefixes.some((p) => p !== '') ? `starts with ${quoted(f.prefixes)}` : '',
    f.include.length ? `matches ${quoted(f.include)}` : '',
    f.exclude.length ? `but not ${quoted(f.exclude)}` : '',
    f.blocklist.length ? `and is not among the ${f.blocklist.length} of the blocklist` : '',
  ];
  return parts.filter(Boolean).join(', ') || 'is a feature';
}

function featureColumns(columns: readonly string[], f: DatasetSpec['features']): string[] {
  const include = f.include.map((r) => new RegExp(r));
  const exclude = f.exclude.map((r) => new RegExp(r));
  const blocked = new Set(f.blocklist);
  return columns.filter(
    (c) =>
      f.prefixes.some((p) => c.startsWith(p)) &&
      (include.length === 0 || include.some((r) => r.test(c))) &&
      !exclude.some((r) => r.test(c)) &&
      !blocked.has(c),
  );
}

function commonFeatures(tables: { file: string; features: string[] }[], common: boolean, section: string): { features: string[]; notCommon: string[] } {
  const first = tables[0];
  const shared = first.features.filter((f) => tables.every((t) => t.features.includes(f)));
  const all = new Set(tables.flatMap((t) => t.features));
  const notCommon = [...all].filter((f) => !shared.includes(f)).sort();
  if (notCommon.length && !common) {
    const sameAsFirst = (t: { features: string[] }) => t.features.length === first.features.length && t.features.every((f) => first.features.includes(f));
    const odd = tables.find((t) => !sameAsFirst(t))!;
    const extra = odd.features.filter((f) => !shared.includes(f));
    const lacking = first.features.filter((f) => !odd.features.includes(f));
    throw new DataError(
      `${odd.file}: its features differ from ${first.file}'s` +
        (extra.length ? `; only here: ${preview(extra)}` : '') +
        (lacking.length ? `; missing here: ${preview(lacking)}` : '') +
        ` (${notCommon.length} features not in every file; ${section === 'dataset' ? `set dataset.features.common: true to keep the ${shared.length} common ones` : `give every file of ${section}.path the same features`})`,
    );
  }
  return { features: shared, notCommon };
}

/** Feature columns of a Parquet file read at a time (160,000 rows × 64 columns: 82 MB in polars). */
const PARQUET_BLOCK = 64;

/**
 * One file's wells into the table being assembled, a part at a time (see `ProfilesAssembler`): a CSV by
 * parts of rows as it is read, a Parquet file by blocks of columns; returns where each well came from.
 */
function* readInto(assembler: ProfilesAssembler, file: string, options: ReadOptions & { scale: number }): Generator<void, Origins, undefined> {
  const base = assembler.rowCount;
  const { scale } = options;
  if (file.endsWith('.parquet')) {
    const { columns, rows } = parquetShape(file);
    assembler.room(base + rows, scale > 1 ? Math.ceil((base + rows) * scale) : undefined);
    const featureSet = new Set(assembler.features);
    const present = columns.filter((c) => featureSet.has(c));
    const numbers = (i: number) => i + 1;
    assembler.add(readParquetColumns(file, columns.filter((c) => !featureSet.has(c))), base, numbers);
    for (let k = 0; k < present.length; k += PARQUET_BLOCK) {
      yield;
      assembler.add(readParquetColumns(file, present.slice(k, k + PARQUET_BLOCK)), base, numbers);
    }
    assembler.endFile(file, 'row', rows);
    return originsOf(file, { unit: 'row', of: Int32Array.from({ length: rows }, (_, i) => i + 1) });
  }
  // The features are parsed straight into numbers, polars reading only the other columns (see csvParts).
  const features = new Set(assembler.features);
  const parts = csvParts(file, { partBytes: options.partBytes, threads: options.threads, teamFrom: options.teamFrom, floats: assembler.features, ids: (name) => !features.has(name) });
  let numbers: RowNumbers | undefined;
  try {
    for (let next = parts.next(); ; next = parts.next()) {
      if (next.done) {
        numbers = next.value;
        break;
      }
      const part = next.value;
      assembler.room(base + part.first + part.df.height, Math.ceil((base + part.estimatedRows) * scale));
      assembler.add(part.df, base + part.first, (i) => part.lines[i], part.floats);
      yield;
    }
  } finally {
    // A part the assembler refused (a DataError), or a read given up, leaves the reader in the middle of the
    // file: closing it stops its inflating and parsing threads (a for…of would close it; this loop needs the
    // reader's return value).
    if (numbers === undefined) parts.return(undefined as unknown as RowNumbers);
  }
  assembler.endFile(file, 'line', numbers.of.length);
  return originsOf(file, numbers);
}

/** The rows `dataset.drop_wells` keeps, or null for all of them. */
function dropRows(p: Profiles, drop: DatasetSpec['drop_wells']): Int32Array | null {
  if (drop.length === 0) return null;
  const keep: number[] = [];
  for (let i = 0; i < p.values.rows; i++) {
    const dropped = drop.some((d) => {
      const v = p.metadata[d.column]?.[i];
      return v !== null && v !== undefined && d.values.map(String).includes(String(v));
    });
    if (!dropped) keep.push(i);
  }
  return Int32Array.from(keep);
}

/** The table and its origins at the kept rows (null or every row: unchanged, not copied). */
function keepRows(t: { profiles: Profiles; origins: Origins }, keep: Int32Array | null): { profiles: Profiles; origins: Origins } {
  if (keep === null || keep.length === t.profiles.values.rows) return t;
  const p = t.profiles;
  const cols = p.values.cols;
  const data = new Float64Array(keep.length * cols);
  keep.forEach((i, k) => data.set(p.values.data.subarray(i * cols, (i + 1) * cols), k * cols));
  const metadata = Object.fromEntries(Object.entries(p.metadata).map(([n, c]) => [n, Array.from(keep, (i) => c[i])]));
  return { profiles: { metadata, features: p.features, values: matrix(keep.length, cols, data) }, origins: selectOrigins(t.origins, keep) };
}

/** The rows where column j is missing (NaN). */
function missingRows(data: Float64Array, rows: number, cols: number, j: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++) if (Number.isNaN(data[i * cols + j])) out.push(i);
  return out;
}

/** Drop features missing in more than `na_cutoff` of the wells, then fill what is left by the policy. */
function handleMissing(p: Profiles, policy: DatasetSpec['missing'], origins: Origins, section: string) {
  const { rows, cols, data } = p.values;
  // Every column's missing values, in one pass at memory speed; the rest is decided from these counts.
  const missing = missingCounts(p.values);
  const dropped_missing = p.features.flatMap((feature, j) =>
    missing[j] / rows > policy.na_cutoff ? [{ feature, missing_share: missing[j] / rows }] : [],
  );
  const keep = p.features.flatMap((_, j) => (missing[j] / rows > policy.na_cutoff ? [] : [j]));
  if (keep.length === 0) {
    throw new DataError(
      `every one of the ${cols} features is missing in more than ${section}.missing.na_cutoff ${policy.na_cutoff} of the ${rows} wells` +
        ` (e.g. '${p.features[0]}' in ${missing[0]} of them, at ${whereWells(origins, missingRows(data, rows, cols, 0))}), so none would be left; raise na_cutoff, or check the table's missing values`,
    );
  }
  let kept: Profiles = {
    metadata: p.metadata,
    features: keep.map((j) => p.features[j]),
    // Nothing dropped (the usual case): keep the matrix rather than copy it.
    values: keep.length === cols ? p.values : selectCols(p.values, keep),
  };
  const before = keep.reduce((n, j) => n + missing[j], 0);
  if (before > 0 && policy.impute === 'interpolate') kept = interpolateMissing(kept);
  if (before > 0 && policy.impute === 'mean') kept = fillWithMeans(kept);
  const left = before > 0 ? missingCells(kept) : [];
  if (left.length) {
    const feature = kept.features[left[0].col];
    const rowsOf = left.filter((c) => c.col === left[0].col).map((c) => c.row);
    // A feature with no value at all stays empty whatever fills it: only dropping it (na_cutoff below 1) helps.
    const empty = rowsOf.length === kept.values.rows;
    const cutoff = `lower ${section}.missing.na_cutoff`;
    const hint = empty
      ? `${cutoff} below 1 to drop it`
      : policy.impute === 'none'
        ? `set ${section}.missing.impute to mean or interpolate, or ${cutoff}`
        : policy.impute === 'interpolate'
          ? `set ${section}.missing.impute to mean (interpolation leaves the values before a feature's first value missing), or ${cutoff}`
          : cutoff;
    throw new DataError(
      `${left.length} missing value(s) left after dropping features above na_cutoff ${policy.na_cutoff}` +
        ` and imputing '${policy.impute}': e.g. column '${feature}'${empty ? ', which has no value in any well,' : ''} at ${whereWells(origins, rowsOf)}; ${hint}`,
    );
  }
  const imputed = { method: policy.impute, values: before, features: keep.filter((j) => missing[j] > 0).length };
  return { profiles: kept, dropped_missing, imputed };
}

function missingCells(p: Profiles): { row: number; col: number }[] {
  const { rows, cols, data } = p.values;
  const out: { row: number; col: number }[] = [];
  for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) if (Number.isNaN(data[i * cols + j])) out.push({ row: i, col: j });
  return out;
}

/** Each missing value becomes its feature's mean over the wells where it is present. */
function fillWithMeans(p: Profiles): Profiles {
  const { rows, cols, data } = p.values;
  const out = Float64Array.from(data);
  for (let j = 0; j < cols; j++) {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < rows; i++) {
      const v = data[i * cols + j];
      if (!Number.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    if (n === 0) continue;
    for (let i = 0; i < rows; i++) if (Number.isNaN(out[i * cols + j])) out[i * cols + j] = sum / n;
  }
  return { ...p, values: matrix(rows, cols, out) };
}
