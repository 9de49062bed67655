import { closeSync, createWriteStream, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type pl from 'nodejs-polars';
import { DataError } from '../errors.ts';
import { type Matrix, matrix, range } from '../numeric/matrix.ts';
import { nativeFloatFields } from '../numeric/native.ts';
import { type CheckedPart, CsvChecker } from './csv.ts';
import { checkGzip, fileSize, gzipError, isGzip, readBytes, readStart } from './file_bytes.ts';
import { FloatFieldsTeam, sharedBuffer } from './float_fields_team.ts';
import { firstInvalidUtf8 } from './utf8.ts';
import { checkColumnNames, parquetColumns, parquetError } from './header.ts';
import { GzipFailure, type InflatedPiece, inflatedPieces } from './inflate.ts';
import { type MetaValue, type Profiles, selectWells } from './profiles.ts';
import { dropArrowSchema } from './parquet_footer.ts';
import { firstLine, float64Column, frameOf, type NativeSeries, nativeOf, polars } from './polars.ts';

/** What a frame is: its size, column names and types, nulls and native series per column. */
export interface FrameFacts {
  readonly height: number;
  readonly width: number;
  readonly columns: readonly string[];
  readonly dtypes: readonly pl.DataType[];
  readonly nulls: readonly number[];
  readonly native: readonly NativeSeries[];
}

const facts = new WeakMap<pl.DataFrame, FrameFacts>();

/**
 * A frame's facts, read once from its native frame and kept with it. Every property read on nodejs-polars'
 * DataFrame (`height`, `dtypes`, `inner`, …) goes through a Proxy that first fetches every column name, to
 * answer `df.someColumn`: 8 ms at 1,708 columns, which made asking a table read in 14 parts for its sizes and
 * types cost ~0.7 s. Frames are not changed in place after they are read, but for the renaming of
 * `withHeaderNames`, which forgets them. The columns are native series, without nodejs-polars' JS `Series`
 * wrapper (hundreds of closures each: 2–3 s for 1,700 columns); nulls are counted on them, not by
 * `df.nullCount().row(0)` (a frame with a column called `row` has no `row` method).
 */
export function frameFacts(df: pl.DataFrame): FrameFacts {
  let known = facts.get(df);
  if (!known) {
    const inner = (df as unknown as { inner(): NativeFrame }).inner();
    const native = inner.getColumns();
    known = {
      height: inner.height,
      width: inner.width,
      columns: inner.columns,
      dtypes: inner.dtypes().map((t) => polars().DataType.deserialize(t)),
      nulls: native.map((c) => c.nullCount()),
      native,
    };
    facts.set(df, known);
  }
  return known;
}

interface NativeFrame {
  readonly height: number;
  readonly width: number;
  readonly columns: string[];
  dtypes(): unknown[];
  getColumns(): NativeSeries[];
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

/** Polars' integer and floating-point column types, by variant name: the types read as numbers. */
const INTEGER_TYPES = new Set(['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64']);
export const NUMERIC_TYPES = new Set([...INTEGER_TYPES, 'Float32', 'Float64']);

/** How a CSV is read: its parts' size, the columns parsed here as float64 (`csvParts`), and its id columns (`keepWrittenIds`). */
export interface CsvOptions {
  partBytes?: number;
  floats?: readonly string[];
  /** Threads that parse the floats (`FloatFieldsTeam`): the machine's cores unless given (a run's runtime.threads). */
  threads?: number;
  /** Bytes of a part's records from which its floats are parsed on several threads (tests cut tiny parts). */
  teamFrom?: number;
  /** Which columns hold ids, whose text is kept where numbers would merge or change them; none without it. */
  ids?: (name: string) => boolean;
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
export function readTable(path: string, options: Omit<CsvOptions, 'floats'> = {}): Table {
  if (path.endsWith('.parquet')) return readParquetTable(path);
  const frames: pl.DataFrame[] = [];
  const parts = csvParts(path, options);
  for (let next = parts.next(); ; next = parts.next()) {
    if (next.done) return { df: concatParts(frames), rows: next.value };
    frames.push(next.value.df);
  }
}

/** Whole rows of a CSV table as they are read (see `csvParts`). */
export interface TablePart {
  /**
   * The part's rows at the types polars inferred for this part: every column, or (with `floats`) every
   * column but those.
   */
  readonly df: pl.DataFrame;
  /** Columns the caller asked for as numbers (`csvParts`' `floats`), when this part's could be read so. */
  readonly floats: FloatColumns | null;
  /** The index of its first row in the table. */
  readonly first: number;
  /** The file's own line of each of its rows. */
  readonly lines: Int32Array;
  /**
   * The table's rows in all, estimated from the file's size and the text read so far (the compressed bytes
   * behind it, for gzip): enough to size a matrix for the whole table before it is read.
   */
  readonly estimatedRows: number;
}

/**
 * Columns of a part parsed as float64 numbers, row by row: row r's value of columns[c] at values[r·k + c],
 * k = columns.length; missing values are NaN. `values` is reused for the next part: it holds this part's
 * values until the next part is asked for.
 */
export interface FloatColumns {
  readonly columns: readonly string[];
  readonly values: Float64Array;
}

/**
 * Inflated text handed to polars at a time (whole records): the text is never all in memory at once. (A
 * test reads a small file in many parts with a smaller value.)
 */
const PART_BYTES = 32 << 20;
/** Room for an inflated piece past a part (see `inflatedPieces`). */
const PIECE_ROOM = 2 << 20;
/** Bytes of a plain CSV read from disk at a time. */
const READ_PIECE = 1 << 20;

/**
 * A CSV or gzipped CSV, read a part at a time as it is inflated (on a worker thread, see `inflatedPieces`)
 * or read from disk: each part of whole records is checked as the whole text is by `checkCsv`, then parsed
 * by polars under the header and handed over (yielded) while the next part inflates; the caller may keep
 * it, or convert it and let it go. Polars infers each part's column types (see `concatParts` for one type
 * per column). A problem the check finds is thrown once the whole file is checked, as for the whole text,
 * and past it no part is handed over; a broken gzip stream is told before anything found in its text.
 * Returns the file's line of each data row.
 *
 * `floats` names columns the caller wants as float64 numbers only (a table's features): where every such
 * value of a part is a plain decimal or missing, they are parsed here (`readFloatFields`, the part's
 * `floats`) and polars reads only the other columns, which is most of the time of a load saved; a part
 * holding any other value in them (text, `NaN`, quotes) is read by polars whole, as without `floats`.
 * They are parsed on `threads` threads where a part is large and holds no quote (`FloatFieldsTeam`), and
 * such a part's records are its lines, checked by that parse rather than by the checker's pass over every
 * byte (`CsvChecker.linesAsRecords`).
 *
 * One buffer holds the part being filled, after a copy of the header line, so that the header and the
 * records are contiguous for polars without another copy; what follows the part's last whole record moves
 * to the front for the next part.
 */
export function* csvParts(path: string, options: CsvOptions = {}): Generator<TablePart, RowNumbers, undefined> {
  const partBytes = options.partBytes ?? PART_BYTES;
  let plan: FloatPlan | null | undefined;
  // On shared memory, for the team's helpers to parse into and from.
  let floatValues = new Float64Array(new SharedArrayBuffer(0));
  let otherText = Buffer.alloc(0);
  const size = fileSize(path);
  const start = readStart(path, Math.min(16, size));
  if (start.subarray(0, 4).toString('latin1') === 'PAR1') throw new DataError(`${path}: the file is Parquet but its name does not end in .parquet`);
  const gzip = isGzip(start) || path.endsWith('.gz');
  if (gzip) checkGzip(path, start);
  const checker = new CsvChecker(path);
  // The features are parsed on every thread but the inflater's, where the parse is native: it then outpaces
  // the inflating, and one more parsing thread only takes the inflater's core (14,880 × 1,700 from a CSV.gz:
  // 1.6 s against 1.8 s with both threads parsing). The JavaScript parse is the slower, and takes them all.
  const threads = options.threads ?? availableParallelism();
  const team = new FloatFieldsTeam(gzip && nativeFloatFields() ? Math.max(1, threads - 1) : threads, options.teamFrom);
  let parseError: DataError | null = null;
  // Each column's type from the first part where it had a value; once every column has one, the types later
  // parts are read with (a column empty in the first parts, such as a MoA column when controls come first,
  // would otherwise have every part's types inferred anew).
  const typed = new Map<string, pl.DataType>();
  let schema: Record<string, pl.DataType> | undefined;
  let work = sharedBuffer(partBytes + PIECE_ROOM);
  // work[0, head): the header line once it is known; work[head, head + fill): text not yet checked.
  let head = 0;
  let fill = 0;
  // Text checked before `work`'s, all the text so far, and the file's bytes read (compressed, for gzip) to give it.
  let passed = 0;
  let text = 0;
  let read = 0;
  /**
   * The floats of records [at.records, at.to) of `work` parsed into `floatValues`, the other fields into
   * `otherText` (after the stand-in header): those two, or null where a value is not a plain decimal or a
   * record not of the header's width (polars then reads the part whole). `linesAreRecords`: the text holds
   * no quote (`CsvChecker.linesAsRecords` found so).
   */
  const parseFloats = (plan: FloatPlan, at: CheckedPart, rows: number, linesAreRecords: boolean): { floats: FloatColumns; otherCsv: Buffer } | null => {
    const k = plan.columns.length;
    const cells = rows * k;
    if (floatValues.length < cells) floatValues = new Float64Array(new SharedArrayBuffer(Math.ceil(cells * 1.25) * Float64Array.BYTES_PER_ELEMENT));
    const room = plan.header.length + at.to - at.records;
    if (otherText.length < room) otherText = Buffer.allocUnsafe(Math.ceil(room * 1.25));
    otherText.set(plan.header, 0);
    const values = floatValues.subarray(0, cells);
    const length = team.read(work, head + at.records, head + at.to, checker.header!.length, plan.slot, k, values, otherText.subarray(plan.header.length), linesAreRecords);
    return length < 0 ? null : { floats: { columns: plan.columns, values }, otherCsv: otherText.subarray(0, plan.header.length + length) };
  };
  /**
   * The header alone, at the front of `work` (where a part's records follow it for polars): the first part's
   * records then take the quick path as the others do, instead of the checker's pass over every byte.
   */
  const takeHeader = () => {
    const next = checker.takeHeader(work.subarray(0, fill));
    // A header line longer than a part: the check of the whole part finds it, as before.
    if (next === null) return;
    checkColumnNames(path, checker.header!);
    plan = options.floats ? floatPlan(checker.header!, options.floats) : null;
    const header = checker.headerLine!;
    work.copyWithin(header.length, next, fill);
    work.set(header, 0);
    head = header.length;
    fill -= next;
    passed += next;
  };
  const part = (final: boolean): TablePart | null => {
    if (!final && head === 0 && checker.header === null) takeHeader();
    const rowsBefore = checker.rowCount;
    const named = checker.header !== null;
    const unchecked = work.subarray(head, head + fill);
    // A part of lines without quotes, after the header: its lines are its records, and parsing them checks
    // their fields (see CsvChecker.linesAsRecords); where it does not pass, the check proper runs on the same text.
    const quick = plan && !parseError ? checker.linesAsRecords(unchecked, final) : null;
    let parsedFloats = quick && parseFloats(plan!, quick.part, quick.rows, true);
    if (parsedFloats) checker.confirm(quick!.rows);
    const at = parsedFloats ? quick!.part : checker.take(unchecked, final);
    if (!named && checker.header) checkColumnNames(path, checker.header);
    const rows = checker.rowCount - rowsBefore;
    let ready: TablePart | null = null;
    // Past a problem the check will report, polars is not asked to read what it would misread.
    if (at.to > at.records && checker.clean && !parseError) {
      // The header is in this part (at.start < at.records) or in front of it (at.records is 0).
      const csv = at.start < at.records ? work.subarray(head + at.start, head + at.to) : work.subarray(0, head + at.to);
      try {
        const header = checker.header!;
        if (plan === undefined) plan = options.floats ? floatPlan(header, options.floats) : null;
        // The floats parsed here and the other columns' fields, after a header of stand-in names, for polars
        // (not again where the quick path's parse gave up).
        if (plan && !quick) parsedFloats = parseFloats(plan, at, rows, false);
        const floats = parsedFloats?.floats ?? null;
        const otherCsv = parsedFloats?.otherCsv ?? null;
        const names = otherCsv ? plan!.others : header;
        // The types earlier parts found: all of them, or (for the other columns, under stand-in names) those known.
        const known = otherCsv ? { dtypes: Object.fromEntries(plan!.others.flatMap((name, k) => (typed.has(name) ? [[`c${k}`, typed.get(name)!]] : []))) } : schema && { schema };
        const parsed = withHeaderNames(parseCsv(path, otherCsv ?? csv, rows, known), names);
        const df = options.ids ? keepWrittenIds(parsed, otherCsv ?? csv, options.ids) : parsed;
        const { height, columns, dtypes, nulls } = frameFacts(df);
        if (!schema) {
          columns.forEach((name, k) => {
            if (nulls[k] < height && !typed.has(name)) typed.set(name, dtypes[k]);
          });
          if (typed.size === header.length) schema = Object.fromEntries(header.map((name) => [name, typed.get(name)!]));
        }
        agree(path, df, rows, names.length);
        // Rows per byte of text so far, times the text the whole file holds: as much more than the text read
        // so far as the file is larger than the bytes read from it (compressed, for gzip).
        const estimatedRows = final ? checker.rowCount : Math.ceil((checker.rowCount * (size / Math.max(1, read)) * text) / Math.max(1, passed + at.to));
        ready = { df, floats, first: rowsBefore, lines: checker.linesOf(rowsBefore, checker.rowCount), estimatedRows };
      } catch (err) {
        // Reported after the check's own findings, as when the whole text is checked first.
        if (!(err instanceof DataError)) throw err;
        // Polars says only "invalid utf-8 sequence": the line is found here (a record's line, plus its quoted line breaks).
        const bad = firstInvalidUtf8(csv);
        const records = at.start < at.records ? at.records - at.start : head;
        const line = bad < records ? 1 : checker.linesOf(rowsBefore, rowsBefore + 1)[0] + csv.subarray(records, bad).reduce((n, b) => n + (b === 10 ? 1 : 0), 0);
        parseError = bad < 0 ? err : new DataError(`${path}: line ${line} is not UTF-8 text (byte 0x${csv[bad].toString(16)}: another encoding, such as Latin-1?); save the file as UTF-8`);
      }
    }
    if (final) return ready;
    passed += at.rest;
    const header = checker.headerLine;
    if (head === 0 && header) {
      // The first part held the header: from now on a copy of it stands in front of each part.
      const rest = work.subarray(head + at.rest, head + fill);
      if (header.length + rest.length + PIECE_ROOM > work.length) {
        const wider = sharedBuffer(2 * (header.length + rest.length + PIECE_ROOM));
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
    return ready;
  };
  const add = (piece: Uint8Array, consumed: number): TablePart | null => {
    if (head + fill + piece.length > work.length) {
      // A record longer than a part: room for it and the next pieces.
      const wider = sharedBuffer(2 * (head + fill + piece.length));
      work.copy(wider, 0, 0, head + fill);
      work = wider;
    }
    work.set(piece, head + fill);
    fill += piece.length;
    text += piece.length;
    read = consumed;
    return fill >= partBytes ? part(false) : null;
  };
  let failure: { error: unknown } | null = null;
  try {
    for (const piece of gzip ? gzipPieces(path, size) : filePieces(path)) {
      // After a problem in the text, the rest is still inflated: a broken stream is told first.
      if (failure) continue;
      let ready: TablePart | null;
      try {
        ready = add(piece.bytes, piece.consumed);
      } catch (error) {
        failure = { error };
        continue;
      }
      if (ready) yield ready;
    }
    if (failure) throw failure.error;
    // The text before its last line as a part like the others (on the quick path, its records checked by
    // their parse), so that the final part, which the checker reads byte by byte, is one line at most.
    if (checker.header !== null && fill >= partBytes / 4) {
      const ready = part(false);
      if (ready) yield ready;
    }
    const last = part(true);
    if (last) yield last;
  } finally {
    team.close();
  }
  const layout = checker.finish();
  if (parseError) throw parseError;
  return { unit: 'line', of: layout.lines };
}

/** A gzip file's inflated pieces, a broken stream being a `DataError` naming the file. */
function* gzipPieces(path: string, size: number): Generator<InflatedPiece, void, undefined> {
  try {
    yield* inflatedPieces(path);
  } catch (err) {
    if (!(err instanceof GzipFailure)) throw err;
    throw gzipError(path, err.code, err.message, size);
  }
}

/** A file's bytes from disk a piece at a time (a view valid until the next), with the bytes read so far. */
function* filePieces(path: string): Generator<InflatedPiece, void, undefined> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    readBytes(path); // names the reason
    return;
  }
  try {
    const buffer = Buffer.allocUnsafe(READ_PIECE);
    for (let read = 0, n; (n = readSync(fd, buffer, 0, READ_PIECE, read)) > 0; ) {
      read += n;
      yield { bytes: buffer.subarray(0, n), consumed: read };
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * How the `floats` of `csvParts` sit in a header: those it has, in the order of `floats` (so that a row of
 * them is a row of the caller's matrix), each header column's slot among them (−1: not one), the other
 * columns, and a header line of stand-in names for those (c0, c1, …: a name needs no quoting then; the
 * frame gets the real ones). Null where there is nothing to split: no such column, or no other (polars
 * then reads the part whole, as it has a column to count the rows by).
 */
interface FloatPlan {
  slot: Int32Array;
  columns: string[];
  others: string[];
  header: Buffer;
}

function floatPlan(header: readonly string[], floats: readonly string[]): FloatPlan | null {
  const present = new Set(header);
  const columns = floats.filter((name) => present.has(name));
  const position = new Map(columns.map((name, c) => [name, c] as const));
  const slot = Int32Array.from(header, (name) => position.get(name) ?? -1);
  const others = header.filter((name) => !position.has(name));
  const stand = `${others.map((_, k) => `c${k}`).join(',')}\n`;
  return columns.length && others.length ? { slot, columns, others, header: Buffer.from(stand, 'latin1') } : null;
}

/**
 * Polars' reader on a CSV text. Column types are inferred from the first 10,000 rows; a value further down
 * that does not fit (a float in a column of integers so far) is an error, not the null polars' default
 * (`ignoreErrors`) would silently make of it, and the text is read again with types inferred from every
 * row. With `known` types from earlier parts (`schema`, all of them; `dtypes`, some), the text is read with
 * those types first, which skips inferring them (a third of the time); where a value does not fit them,
 * they are inferred as above.
 * One chunk per column: polars' parallel reader otherwise leaves dozens per part.
 */
function parseCsv(
  path: string,
  text: Buffer,
  rows: number,
  known?: { schema?: Record<string, pl.DataType>; dtypes?: Record<string, pl.DataType> },
): pl.DataFrame {
  const options = { ignoreErrors: false, rechunk: true };
  if (known?.schema || (known?.dtypes && Object.keys(known.dtypes).length)) {
    try {
      return polars().readCSV(text, { ...options, ...known });
    } catch {
      // inferred below
    }
  }
  try {
    return polars().readCSV(text, { ...options, inferSchemaLength: 10_000 });
  } catch {
    // Columns of digits too long for a 64-bit integer (20-digit ids), which polars infers as integers and
    // then cannot parse: read as text, one at a time as polars names them.
    const text64: Record<string, pl.DataType> = {};
    for (;;) {
      try {
        // (null would mean no row: every column as text)
        return polars().readCSV(text, { ...options, inferSchemaLength: rows, dtypes: text64 });
      } catch (err) {
        const column = /could not parse `\d+` as dtype `[iu]64` at column '(.*)' \(column number \d+\)/.exec(firstLine(err))?.[1];
        if (column === undefined || Object.hasOwn(text64, column)) throw new DataError(`${path}: cannot be read as CSV: ${firstLine(err)}`);
        text64[column] = polars().Utf8;
      }
    }
  }
}


/**
 * Columns polars read as numbers though their text tells ids apart that the numbers would not, read again as
 * the text they are: a value written with leading zeros in a column of integers ("01", "0007": ids, not
 * counts, and a file of "0001" ids would not meet another file's "0001"), or two values of a part written
 * differently for one number ("1.1" and "1.10", "1" and "1.0": two compounds, one number). Only columns
 * `ids` names: features are measurements, numbers however they are written.
 */
function keepWrittenIds(df: pl.DataFrame, text: Buffer, ids: (name: string) => boolean): pl.DataFrame {
  const { columns, dtypes } = frameFacts(df);
  const at = columns.flatMap((name, k) => (NUMERIC_TYPES.has(dtypes[k].variant) && ids(name) ? [k] : []));
  if (at.length === 0) return df;
  // Those columns alone, every value as text (inferSchemaLength 0), in the order of `at`.
  const raw = polars().readCSV(text, { projection: at as unknown as number, inferSchemaLength: 0, rechunk: true, ignoreErrors: false }).getColumns();
  const written = at.flatMap((k, r) => {
    const series = raw[r];
    const values = series.toArray() as (string | null)[];
    const zeros = INTEGER_TYPES.has(dtypes[k].variant) && values.some((v) => v !== null && /^[+-]?0\d/.test(v));
    return zeros || twoWritings(values) ? [series.alias(columns[k])] : [];
  });
  if (written.length === 0) return df;
  return df.withColumns(...written);
}

/** Whether two different texts of `values` are one number. */
function twoWritings(values: readonly (string | null)[]): boolean {
  const textOf = new Map<number, string>();
  for (const v of values) {
    if (v === null) continue;
    const n = Number(v);
    const seen = textOf.get(n);
    if (seen === undefined) textOf.set(n, v);
    else if (seen !== v) return true;
  }
  return false;
}

/**
 * The frame's columns named as the header names them (RFC 4180, as `csvHeader` reads it): polars keeps a
 * quoted name's doubled quotes (`"dose ""nM"""` becomes `dose ""nM""`), which would part a column from its
 * name everywhere else (the feature list, the roles, a converted file's schema). A frame of another width is
 * left for `agree` to report.
 */
function withHeaderNames(df: pl.DataFrame, header: readonly string[]): pl.DataFrame {
  const names = frameFacts(df).columns;
  if (names.length === header.length && names.some((name, k) => name !== header[k])) {
    // The setter renames in place (it is not a column: `checkColumnNames` saw to that).
    (df as unknown as { columns: string[] }).columns = [...header];
    facts.delete(df);
  }
  return df;
}

/** The check and polars must agree on what a record is; if they ever do not, nothing downstream is sound. */
function agree(path: string, df: pl.DataFrame, rows: number, columns: number): void {
  const { height, width } = frameFacts(df);
  if (height !== rows || width !== columns) {
    throw new DataError(`${path}: the CSV reader found ${height} rows × ${width} columns where the file has ${rows} × ${columns}; check its quoting`);
  }
}

/**
 * The parts of one table as one frame. A column whose parts were inferred as different types gets the type
 * they all fit: a part where it is all missing takes the others' type; integers and floats, Float64; any
 * other mix (text in one part, numbers in another), text, which the dataset's checks then name.
 */
export function concatParts(frames: pl.DataFrame[]): pl.DataFrame {
  if (frames.length === 1) return frames[0];
  const P = polars();
  const known = frames.map(frameFacts);
  const casts: { name: string; to: pl.DataType }[] = [];
  known[0].columns.forEach((name, k) => {
    const all = known.map((f) => f.dtypes[k]);
    if (all.every((t) => t.equals(all[0]))) return;
    const typed = known.flatMap((f, p) => (f.nulls[k] < f.height ? [all[p]] : []));
    const kinds = typed.length ? typed : all;
    const to = kinds.every((t) => t.equals(kinds[0]))
      ? kinds[0]
      : kinds.every((t) => NUMERIC_TYPES.has(t.variant))
        ? P.Float64
        : P.Utf8;
    casts.push({ name, to });
  });
  const aligned = casts.length ? frames.map((f) => f.withColumns(...casts.map((c) => P.col(c.name).cast(c.to)))) : frames;
  return P.concat(aligned, { how: 'vertical', rechunk: false });
}


function readParquetTable(path: string): Table {
  fileSize(path); // a missing file or a folder, named as such
  // The names from the schema, before a frame (see checkColumnNames) holds them.
  checkColumnNames(path, parquetColumns(path));
  let df: pl.DataFrame;
  try {
    // From the path: polars reads the columns it needs without a copy of the whole file in memory first.
    df = polars().readParquet(path);
  } catch (err) {
    throw parquetError(path, err);
  }
  if (df.width === 0) throw new DataError(`${path}: the Parquet file has no columns`);
  if (df.height === 0) throw new DataError(`${path}: the Parquet file has columns but no rows`);
  return { df, rows: { unit: 'row', of: Int32Array.from({ length: df.height }, (_, i) => i + 1) } };
}

/**
 * A Parquet table's column names and row count, from its metadata (no column is read), with the errors of
 * `readTable`.
 */
export function parquetShape(path: string): { columns: string[]; rows: number } {
  fileSize(path);
  let columns: string[];
  let rows: number;
  try {
    const scan = polars().scanParquet(path);
    columns = scan.columns;
    rows = Number(scan.select(polars().len()).collectSync().row(0)[0]);
  } catch (err) {
    throw parquetError(path, err);
  }
  checkColumnNames(path, columns);
  if (columns.length === 0) throw new DataError(`${path}: the Parquet file has no columns`);
  if (rows === 0) throw new DataError(`${path}: the Parquet file has columns but no rows`);
  return { columns, rows };
}

/** Some columns of a Parquet table: polars reads those columns' pages from the file and no others. */
export function readParquetColumns(path: string, columns: readonly string[]): pl.DataFrame {
  try {
    return polars().readParquet(path, { columns: [...columns] });
  } catch (err) {
    throw parquetError(path, err);
  }
}

/** Split a frame into metadata columns (by name) and a Float64 feature matrix (missing → NaN). */
export function frameToProfiles(df: pl.DataFrame, features: readonly string[]): Profiles {
  const featureSet = new Set(features);
  const metadata: Record<string, MetaValue[]> = {};
  const { columns, height: rows } = frameFacts(df);
  for (const name of columns) {
    if (!featureSet.has(name)) metadata[name] = df.getColumn(name).toArray() as MetaValue[];
  }
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
 * with null → NaN, into a row-major matrix: names[k] into column at[k], the frame's rows into rows
 * `firstRow`, … of `out` (0 by default). With `finite`, ±Inf become NaN too.
 *
 * Why this way, at 50,000 × 1,700: Float64 columns without nulls as they are, with no polars expression;
 * one `cast` expression per block of the other columns instead of one per column
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
  options: { finite: boolean; firstRow?: number },
): void {
  const { cols: stride, data } = out;
  const { height: rows, dtypes: types, nulls, columns, native } = frameFacts(df);
  const { finite, firstRow = 0 } = options;
  if (firstRow + rows > out.rows) throw new Error(`internal: ${rows} rows from row ${firstRow} do not fit a matrix of ${out.rows}`);
  // Float64 columns without nulls (what a CSV of features usually holds) are taken as they are; the others
  // are cast by polars a block at a time.
  const index = new Map(columns.map((name, k) => [name, k] as const));
  const asIs = (name: string) => types[index.get(name)!].variant === 'Float64' && nulls[index.get(name)!] === 0;
  for (let s0 = 0; s0 < names.length; s0 += SELECT_BLOCK) {
    const block = names.slice(s0, s0 + SELECT_BLOCK);
    const cast = block.filter((name) => !asIs(name));
    const castValues = cast.length ? frameFacts(df.select(polars().cols(cast).cast(polars().Float64).fillNull(polars().lit(NaN)))).native.map((c) => c.toTypedArray()) : [];
    let c = 0;
    const values = block.map((name) => (asIs(name) ? native[index.get(name)!].toTypedArray() : castValues[c++]));
    for (let r0 = 0; r0 < rows; r0 += TILE_ROWS) {
      const r1 = Math.min(rows, r0 + TILE_ROWS);
      for (let b = 0; b < values.length; b++) {
        const col = values[b];
        let o = (firstRow + r0) * stride + at[s0 + b];
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

export function profilesToFrame(p: Profiles): pl.DataFrame {
  const { rows, cols, data } = p.values;
  const series = Object.entries(p.metadata).map(([name, col]) => nativeOf(metaSeries(name, col)));
  // Columns copied out SELECT_BLOCK at a time, by tiles of rows (see copyColumnsAsFloat64), into the same
  // buffers every time: polars copies a column into a Series, and fresh buffers would be as much garbage as
  // the table (2 GB at CDRP size), held by the allocator after it is freed.
  const buffers = Array.from({ length: Math.min(SELECT_BLOCK, cols) }, () => new Float64Array(rows));
  for (let j0 = 0; j0 < cols; j0 += SELECT_BLOCK) {
    const block = buffers.slice(0, Math.min(SELECT_BLOCK, cols - j0));
    for (let r0 = 0; r0 < rows; r0 += TILE_ROWS) {
      const r1 = Math.min(rows, r0 + TILE_ROWS);
      block.forEach((col, b) => {
        for (let i = r0; i < r1; i++) col[i] = data[i * cols + j0 + b];
      });
    }
    block.forEach((col, b) => series.push(float64Column(p.features[j0 + b], col)));
  }
  return frameOf(series);
}

export function writeParquet(df: pl.DataFrame, path: string): void {
  df.writeParquet(path, { compression: 'zstd' });
  // Types from the Parquet schema (plain UTF-8 strings), not from Polars' Utf8View Arrow schema old readers reject.
  dropArrowSchema(path);
}

export function writeProfilesParquet(p: Profiles, path: string): void {
  writeParquet(profilesToFrame(p), path);
}

/** Rows formatted as CSV at a time by `writeProfilesCsv` (4,096 × 1,800 features ≈ 130 MB of text). */
const CSV_BLOCK_ROWS = 4096;

/**
 * A table as CSV (gzipped when `path` ends in .gz), formatted by polars a block of rows at a time and streamed
 * to disk: a CDRP-size screen (160,000 × 1,800) is 5 GB of text, more than one Buffer can hold. The text is
 * the one `profilesToFrame(p).writeCSV()` gives for the whole table; gzip runs on libuv's thread pool while
 * the next block is formatted.
 */
export async function writeProfilesCsv(p: Profiles, path: string): Promise<void> {
  const file = createWriteStream(path);
  const gzip = path.endsWith('.gz') ? createGzip() : null;
  const sink: Writable = gzip ?? file;
  const done = gzip ? pipeline(gzip, file) : finished(file);
  // A failure of the stream (disk full) rejects `done`; writes wait for it or for room.
  const write = (chunk: Buffer) => (sink.write(chunk) ? Promise.resolve() : Promise.race([once(sink, 'drain'), done]));
  try {
    for (let r0 = 0; r0 < p.values.rows; r0 += CSV_BLOCK_ROWS) {
      const rows = range(Math.min(CSV_BLOCK_ROWS, p.values.rows - r0)).map((i) => i + r0);
      await write(profilesToFrame(selectWells(p, rows)).writeCSV({ includeHeader: r0 === 0 }));
    }
  } finally {
    sink.end();
    await done;
  }
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
    if (col instanceof Float64Array) return float64Column(name, col);
    if (col instanceof Int32Array) return nativeOf(polars().Series(name, col, polars().Int32));
    if (col.every((v) => typeof v === 'boolean')) return nativeOf(polars().Series(name, col as boolean[], polars().Bool));
    return nativeOf(metaSeries(name, col as MetaValue[]));
  });
  writeParquet(frameOf(series), path);
}

