import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import type pl from 'nodejs-polars';
import { DataError } from '../errors.ts';
import { type Matrix, matrix } from '../numeric/matrix.ts';
import { checkCsv, checkDuplicates, CsvChecker, csvHeader } from './csv.ts';
import { GzipFailure, inflatePieces } from './inflate.ts';
import type { MetaValue, Profiles } from './profiles.ts';
import { dropArrowSchema } from './parquet_footer.ts';

let loaded: typeof pl | undefined;
/** polars' native module, loaded on first use: `ads validate` reads CSV headers without its 0.3 s start. */
function polars(): typeof pl {
  return (loaded ??= createRequire(import.meta.url)('nodejs-polars') as typeof pl);
}

/**
 * Reading and writing per-well tables with nodejs-polars. CSV, gzipped CSV and Parquet in; Parquet out,
 * so anyone can reload a run's tables in pandas or polars and check a number.
 */

/** How a file numbers its rows for the user: CSV by the line a record starts on, Parquet by 1-based row. */
export interface RowNumbers {
  readonly unit: 'line' | 'row';
  /** The number of each data row, as the user finds it in the file. */
  readonly of: Int32Array;
}

/** A table as read, with the file's own numbering of its rows. */
export interface Table {
  readonly df: pl.DataFrame;
  readonly rows: RowNumbers;
}

export function readFrame(path: string): pl.DataFrame {
  return readTable(path).df;
}

/**
 * Reads one table strictly: anything polars would read leniently (a ragged or blank row, a file cut short,
 * a repeated column name, an empty table, a gzip stream that is not one or is broken) is a `DataError`
 * naming the file, and the line or column where it can be known.
 */
export function readTable(path: string, options: { partBytes?: number } = {}): Table {
  if (path.endsWith('.parquet')) return readParquetTable(path);
  const size = fileSize(path);
  const start = readStart(path, Math.min(16, size));
  if (start.subarray(0, 4).toString('latin1') === 'PAR1') throw new DataError(`${path}: the file is Parquet but its name does not end in .parquet`);
  if (isGzip(start) || path.endsWith('.gz')) return readGzipCsv(path, start, size, options.partBytes ?? PART_BYTES);
  const bytes = readBytes(path);
  const layout = checkCsv(path, bytes);
  const df = parseCsv(path, Buffer.from(layout.body.buffer, layout.body.byteOffset, layout.body.byteLength), layout.rows);
  // The check above and polars must agree on what a record is; if they ever do not, nothing downstream is sound.
  agree(path, df, layout.rows, layout.columns.length);
  return { df, rows: { unit: 'line', of: layout.lines } };
}

/**
 * Inflated text handed to polars at a time (whole records): the text is never all in memory at once. (A
 * test reads a small file in many parts with a smaller value.)
 */
const PART_BYTES = 32 << 20;
/** Room for an inflated piece past a part (see `inflatePieces`). */
const PIECE_ROOM = 2 << 20;

/**
 * A gzipped CSV, read as it is inflated (on a worker thread, see `inflatePieces`): each part of whole
 * records is checked as the whole text is by `checkCsv`, then parsed by polars under the header while the
 * next part inflates. Polars infers each part's column types; `concatParts` gives every column the type
 * all its parts fit.
 *
 * One buffer holds the part being filled, after a copy of the header line, so that the header and the
 * records are contiguous for polars without another copy; what follows the part's last whole record moves
 * to the front for the next part.
 */
function readGzipCsv(path: string, start: Buffer, size: number, partBytes: number): Table {
  checkGzip(path, start);
  const checker = new CsvChecker(path);
  const frames: pl.DataFrame[] = [];
  let parseError: DataError | null = null;
  let schema: Record<string, pl.DataType> | null | undefined;
  let work = Buffer.allocUnsafe(partBytes + PIECE_ROOM);
  // work[0, head): the header line once it is known; work[head, head + fill): text not yet checked.
  let head = 0;
  let fill = 0;
  const part = (final: boolean) => {
    const rowsBefore = checker.rowCount;
    const at = checker.take(work.subarray(head, head + fill), final);
    // Past a problem the check will report, polars is not asked to read what it would misread.
    if (at.to > at.records && checker.clean && !parseError) {
      // The header is in this part (at.start < at.records) or in front of it (at.records is 0).
      const csv = at.start < at.records ? work.subarray(head + at.start, head + at.to) : work.subarray(0, head + at.to);
      try {
        const df = parseCsv(path, csv, checker.rowCount - rowsBefore, schema ?? undefined);
        // The first part's column types, for the next parts if it saw a value in every column.
        if (schema === undefined) schema = (df.nullCount().row(0) as number[]).every((n) => n < df.height) ? schemaOf(df) : null;
        frames.push(df);
      } catch (err) {
        // Reported after the check's own findings, as when the whole text is checked first.
        if (!(err instanceof DataError)) throw err;
        parseError = err;
      }
    }
    if (final) return;
    const header = checker.headerLine;
    if (head === 0 && header) {
      // The first part held the header: from now on a copy of it stands in front of each part.
      const rest = work.subarray(head + at.rest, head + fill);
      if (header.length + rest.length + PIECE_ROOM > work.length) {
        const wider = Buffer.allocUnsafe(2 * (header.length + rest.length + PIECE_ROOM));
        wider.set(rest, header.length);
        work = wider;
      } else {
        work.copyWithin(header.length, head + at.rest, head + fill);
      }
      work.set(header, 0);
      head = header.length;
    } else {
      work.copyWithin(head, head + at.rest, head + fill);
    }
    fill -= at.rest;
  };
  try {
    inflatePieces(path, (piece) => {
      if (head + fill + piece.length > work.length) {
        // A record longer than a part: room for it and the next pieces.
        const wider = Buffer.allocUnsafe(2 * (head + fill + piece.length));
        work.copy(wider, 0, 0, head + fill);
        work = wider;
      }
      work.set(piece, head + fill);
      fill += piece.length;
      if (fill >= partBytes) part(false);
    });
  } catch (err) {
    if (!(err instanceof GzipFailure)) throw err;
    if (err.code === 'Z_BUF_ERROR') throw new DataError(`${path}: the gzip stream ends early (${size} bytes): the file is truncated`);
    throw new DataError(`${path}: corrupt gzip data (${err.message})`);
  }
  part(true);
  const layout = checker.finish();
  if (parseError) throw parseError;
  const df = concatParts(frames);
  agree(path, df, layout.rows, layout.columns.length);
  return { df, rows: { unit: 'line', of: layout.lines } };
}

/**
 * Polars' reader on a CSV text. Column types are inferred from the first 10,000 rows; a value further down
 * that does not fit (a float in a column of integers so far) is an error, not the null polars' default
 * (`ignoreErrors`) would silently make of it, and the text is read again with types inferred from every row.
 * With `schema` (an earlier part's types), the text is read with those types first, which skips inferring
 * them (a third of the time); where a value does not fit them, they are inferred as above.
 * One chunk per column: polars' parallel reader otherwise leaves dozens per part.
 */
function parseCsv(path: string, text: Buffer, rows: number, schema?: Record<string, pl.DataType>): pl.DataFrame {
  const options = { ignoreErrors: false, rechunk: true };
  if (schema) {
    try {
      return polars().readCSV(text, { ...options, schema });
    } catch {
      // inferred below
    }
  }
  try {
    return polars().readCSV(text, { ...options, inferSchemaLength: 10_000 });
  } catch {
    try {
      // (null would mean no row: every column as text)
      return polars().readCSV(text, { ...options, inferSchemaLength: rows });
    } catch (err) {
      throw new DataError(`${path}: cannot be read as CSV: ${firstLine(err)}`);
    }
  }
}

function schemaOf(df: pl.DataFrame): Record<string, pl.DataType> {
  const types = df.dtypes;
  return Object.fromEntries(df.columns.map((name, k) => [name, types[k]]));
}

/** The check and polars must agree on what a record is; if they ever do not, nothing downstream is sound. */
function agree(path: string, df: pl.DataFrame, rows: number, columns: number): void {
  if (df.height !== rows || df.width !== columns) {
    throw new DataError(`${path}: the CSV reader found ${df.height} rows × ${df.width} columns where the file has ${rows} × ${columns}; check its quoting`);
  }
}

/**
 * The parts of one table as one frame. A column whose parts were inferred as different types gets the type
 * they all fit: a part where it is all missing takes the others' type; integers and floats, Float64; any
 * other mix (text in one part, numbers in another), text, which the dataset's checks then name.
 */
function concatParts(frames: pl.DataFrame[]): pl.DataFrame {
  if (frames.length === 1) return frames[0];
  const P = polars();
  const types = frames.map((f) => f.dtypes);
  const casts: { name: string; to: pl.DataType }[] = [];
  frames[0].columns.forEach((name, k) => {
    const all = types.map((t) => t[k]);
    if (all.every((t) => t.equals(all[0]))) return;
    const typed = frames.flatMap((f, p) => (f.getColumn(name).nullCount() < f.height ? [all[p]] : []));
    const kinds = typed.length ? typed : all;
    const to = kinds.every((t) => t.equals(kinds[0]))
      ? kinds[0]
      : kinds.every((t) => NUMERIC.has(t.variant))
        ? P.Float64
        : P.Utf8;
    casts.push({ name, to });
  });
  const aligned = casts.length ? frames.map((f) => f.withColumns(...casts.map((c) => P.col(c.name).cast(c.to)))) : frames;
  return P.concat(aligned, { how: 'vertical', rechunk: false });
}

const NUMERIC = new Set(['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64', 'Float32', 'Float64']);

/**
 * A table's column names, reading as little as it can: a Parquet file's schema, a CSV's first line (inflating
 * only the start of a gzip stream). For `ads validate`; problems it can see are the `DataError`s of `readTable`.
 */
export function readHeader(path: string): string[] {
  if (path.endsWith('.parquet')) {
    let columns: string[];
    try {
      columns = polars().scanParquet(path).columns;
    } catch (err) {
      throw new DataError(`${path}: not a readable Parquet file (${firstLine(err)})`);
    }
    checkDuplicates(path, columns);
    return columns;
  }
  const size = fileSize(path);
  for (let want = 1 << 16; ; want *= 4) {
    const bytes = readStart(path, Math.min(want, size));
    if (bytes.subarray(0, 4).toString('latin1') === 'PAR1') throw new DataError(`${path}: the file is Parquet but its name does not end in .parquet`);
    const whole = bytes.length >= size;
    let text: Uint8Array = bytes;
    if (isGzip(bytes) || path.endsWith('.gz')) {
      // Z_SYNC_FLUSH: inflate what this much of the stream holds, without failing on the part not read yet.
      text = whole ? gunzip(path, bytes) : gunzipStart(path, bytes);
    }
    const header = csvHeader(path, text);
    const blank = (from: number) => text.subarray(from).every((b) => b === 10 || b === 13);
    if (header) {
      checkDuplicates(path, header.columns);
      if (whole && blank(header.next)) throw new DataError(`${path}: the file has a header but no rows`);
      return header.columns;
    }
    if (whole) {
      if (blank(0)) throw new DataError(`${path}: the file is empty (no header, no rows)`);
      throw new DataError(`${path}: the file has a header but no rows`);
    }
  }
}

function fileSize(path: string): number {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new DataError(`${path}: cannot read the file: it is a folder, not a file`);
    return stat.size;
  } catch (err) {
    if (err instanceof DataError) throw err;
    return readBytes(path).length; // names the reason, as reading would
  }
}

function readStart(path: string, length: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return readBytes(path);
  }
  try {
    const buffer = Buffer.alloc(length);
    const n = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function gunzipStart(path: string, bytes: Buffer): Buffer {
  checkGzip(path, bytes);
  try {
    return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (err) {
    throw new DataError(`${path}: corrupt gzip data (${(err as Error).message})`);
  }
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a folder, not a file' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new DataError(`${path}: cannot read the file: ${why}`);
  }
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The inflated text of a `.gz` file; a name that says gzip and content that does not (or the reverse) is an error. */
function gunzip(path: string, bytes: Buffer): Buffer {
  checkGzip(path, bytes);
  try {
    return gunzipSync(bytes);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'Z_BUF_ERROR') throw new DataError(`${path}: the gzip stream ends early (${bytes.length} bytes): the file is truncated`);
    throw new DataError(`${path}: corrupt gzip data (${e.message})`);
  }
}

function checkGzip(path: string, bytes: Buffer): void {
  if (!path.endsWith('.gz')) {
    throw new DataError(`${path}: the file is gzip-compressed but its name does not end in .gz; rename it to ${path}.gz`);
  }
  if (bytes.length === 0) throw new DataError(`${path}: the file is empty (0 bytes; a .gz file holds at least a gzip header)`);
  if (!isGzip(bytes)) {
    const plain = bytes.subarray(0, 16).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
    throw new DataError(`${path}: not gzip data (no gzip header)${plain ? '; it looks like plain text: name it without .gz' : ''}`);
  }
}

function readParquetTable(path: string): Table {
  fileSize(path); // a missing file or a folder, named as such
  let df: pl.DataFrame;
  try {
    // From the path: polars reads the columns it needs without a copy of the whole file in memory first.
    df = polars().readParquet(path);
  } catch (err) {
    throw new DataError(`${path}: not a readable Parquet file (${firstLine(err)})`);
  }
  checkDuplicates(path, df.columns);
  if (df.width === 0) throw new DataError(`${path}: the Parquet file has no columns`);
  if (df.height === 0) throw new DataError(`${path}: the Parquet file has columns but no rows`);
  return { df, rows: { unit: 'row', of: Int32Array.from({ length: df.height }, (_, i) => i + 1) } };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/** Split a frame into metadata columns (by name) and a Float64 feature matrix (missing → NaN). */
export function frameToProfiles(df: pl.DataFrame, features: readonly string[]): Profiles {
  const featureSet = new Set(features);
  const metadata: Record<string, MetaValue[]> = {};
  for (const name of df.columns) {
    if (!featureSet.has(name)) metadata[name] = df.getColumn(name).toArray() as MetaValue[];
  }
  const rows = df.height;
  const cols = features.length;
  const values = matrix(rows, cols);
  copyColumnsAsFloat64(df, features, values, features.map((_, j) => j), { finite: false });
  return { metadata, features, values };
}

/** Columns cast per polars `select` (64 × 50,000 values ≈ 25 MB at a time, if a cast must copy them). */
const SELECT_BLOCK = 64;
/** Rows per tile of the copy into the matrix. */
const TILE_ROWS = 64;

/**
 * Copies columns `names` of a frame, cast to Float64 by polars (non-strict: what cannot be cast is null)
 * with null → NaN, into a row-major matrix: names[k] into column at[k]. With `finite`, ±Inf become NaN too.
 * `out` has the frame's rows.
 *
 * Why this way, at 50,000 × 1,700: one `cast` expression per block of columns instead of one per column
 * (polars plans 1,700 expressions slowly); `toTypedArray()` instead of `toArray()` (no array of 50,000
 * boxed numbers per column) on the native series (see `nativeColumns`); and the copy goes by tiles of TILE_ROWS rows × SELECT_BLOCK columns: a row of
 * the matrix is 13.6 KB, so writing one column straight down costs a cache and TLB miss per value, while a
 * tile's rows stay in cache until their 512-byte runs are filled.
 */
export function copyColumnsAsFloat64(
  df: pl.DataFrame,
  names: readonly string[],
  out: Matrix,
  at: readonly number[],
  options: { finite: boolean },
): void {
  const { rows, cols: stride, data } = out;
  const { finite } = options;
  for (let s0 = 0; s0 < names.length; s0 += SELECT_BLOCK) {
    const block = names.slice(s0, s0 + SELECT_BLOCK);
    const values = nativeColumns(df.select(polars().cols(block).cast(polars().Float64).fillNull(polars().lit(NaN)))).map((c) => c.toTypedArray());
    for (let r0 = 0; r0 < rows; r0 += TILE_ROWS) {
      const r1 = Math.min(rows, r0 + TILE_ROWS);
      for (let b = 0; b < values.length; b++) {
        const col = values[b];
        let o = r0 * stride + at[s0 + b];
        if (finite) {
          for (let i = r0; i < r1; i++, o += stride) {
            const v = col[i];
            // v − v is 0 for a finite v and NaN for ±Inf or NaN.
            data[o] = v - v === 0 ? v : NaN;
          }
        } else {
          for (let i = r0; i < r1; i++, o += stride) data[o] = col[i];
        }
      }
    }
  }
}

/**
 * A frame's columns as nodejs-polars' native series, without its JavaScript `Series` wrapper: building one
 * wrapper (hundreds of closures) costs about 1–2 ms, i.e. 2–3 s for 1,700 feature columns, more than the
 * copy itself. Only what the frame's own `inner()` gives and `toTypedArray` are used.
 */
function nativeColumns(df: pl.DataFrame): { toTypedArray(): Float64Array }[] {
  return (df as unknown as { inner(): { getColumns(): { toTypedArray(): Float64Array }[] } }).inner().getColumns();
}

export function profilesToFrame(p: Profiles): pl.DataFrame {
  const { rows, cols, data } = p.values;
  const series: pl.Series[] = Object.entries(p.metadata).map(([name, col]) => metaSeries(name, col));
  // Columns copied out SELECT_BLOCK at a time, by tiles of rows (see copyColumnsAsFloat64).
  for (let j0 = 0; j0 < cols; j0 += SELECT_BLOCK) {
    const block = Array.from({ length: Math.min(SELECT_BLOCK, cols - j0) }, () => new Float64Array(rows));
    for (let r0 = 0; r0 < rows; r0 += TILE_ROWS) {
      const r1 = Math.min(rows, r0 + TILE_ROWS);
      block.forEach((col, b) => {
        for (let i = r0; i < r1; i++) col[i] = data[i * cols + j0 + b];
      });
    }
    block.forEach((col, b) => series.push(polars().Series(p.features[j0 + b], col)));
  }
  return polars().DataFrame(series);
}

export function writeParquet(df: pl.DataFrame, path: string): void {
  df.writeParquet(path, { compression: 'zstd' });
  // Types from the Parquet schema (plain UTF-8 strings), not from Polars' Utf8View Arrow schema old readers reject.
  dropArrowSchema(path);
}

export function writeProfilesParquet(p: Profiles, path: string): void {
  writeParquet(profilesToFrame(p), path);
}

/** A metadata column keeps its type: all numbers → Float64, otherwise strings (null stays null). */
function metaSeries(name: string, col: readonly MetaValue[]): pl.Series {
  const numeric = col.every((v) => v === null || typeof v === 'number');
  if (numeric) return polars().Series(name, col as (number | null)[], polars().Float64);
  return polars().Series(name, col.map((v) => (v === null ? null : String(v))), polars().Utf8);
}

/** A plain table (a per-perturbation result, a training history) given as named columns of equal length. */
/** Int32Array columns (epochs, folds, counts) are written as INT32, so they read back as integers. */
export type Columns = Record<string, readonly MetaValue[] | readonly boolean[] | Float64Array | Int32Array>;

export function writeColumnsParquet(columns: Columns, path: string): void {
  const series = Object.entries(columns).map(([name, col]) => {
    if (col instanceof Float64Array) return polars().Series(name, col);
    if (col instanceof Int32Array) return polars().Series(name, col, polars().Int32);
    if (col.every((v) => typeof v === 'boolean')) return polars().Series(name, col as boolean[], polars().Bool);
    return metaSeries(name, col as MetaValue[]);
  });
  writeParquet(polars().DataFrame(series), path);
}
