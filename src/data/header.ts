import { DataError } from '../errors.ts';
import { checkDuplicates, csvHeader } from './csv.ts';
import { fileSize, gunzip, gunzipStart, isGzip, readStart } from './file_bytes.ts';
import { firstLine, polars } from './polars.ts';

// A table's header and the rules its column names meet, apart from reading the table (io.ts): `ads validate`
// and `ads plan` check every data file's header at each start, and this module loads none of the reading code.

/**
 * A table's column names, reading as little as it can: a Parquet file's schema, a CSV's first line (inflating
 * only the start of a gzip stream). For `ads validate`; problems it can see are the `DataError`s of `readTable`.
 */
export function readHeader(path: string): string[] {
  if (path.endsWith('.parquet')) {
    const columns = parquetColumns(path);
    checkColumnNames(path, columns);
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
    if (whole && blank(0)) throw new DataError(`${path}: the file is empty (no header, no rows)`);
    if (header) {
      checkSeparator(path, header.columns);
      checkColumnNames(path, header.columns);
      if (whole && blank(header.next)) throw new DataError(`${path}: the file has a header but no rows`);
      return header.columns;
    }
    if (whole) throw new DataError(`${path}: the file has a header but no rows`);
  }
}

/**
 * A header of one column whose name holds ';' or a tab: a file separated by those (a spreadsheet's CSV in
 * some locales), read here as one column of one long name.
 */
function checkSeparator(path: string, columns: readonly string[]): void {
  const separator = columns.length === 1 ? [';', '\t'].find((c) => columns[0].includes(c)) : undefined;
  if (separator === undefined) return;
  const name = columns[0].length > 60 ? `${columns[0].slice(0, 60)}…` : columns[0];
  throw new DataError(`${path}: the header is one column, '${name}': the fields seem separated by ${separator === ';' ? "';'" : 'tabs'}; save the table with commas between fields`);
}

/** A Parquet file's column names, from its schema (a LazyFrame, unlike a DataFrame, answers no member with a column). */
export function parquetColumns(path: string): string[] {
  try {
    return polars().scanParquet(path).columns;
  } catch (err) {
    throw parquetError(path, err);
  }
}

/** Polars' failure to read a Parquet file, with what the file looks like instead where its start tells (text, gzip). */
export function parquetError(path: string, err: unknown): DataError {
  const start = readStart(path, Math.min(256, fileSize(path)));
  const text = start.length > 0 && start.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b !== 127));
  const looks = isGzip(start) ? '; it is gzip data: a .csv.gz named .parquet?' : text && start.includes(44) ? '; it starts as comma-separated text: a CSV named .parquet?' : '';
  return new DataError(`${path}: not a readable Parquet file (${firstLine(err)})${looks}`);
}

/**
 * Members of polars' DataFrame that reading, assembling and writing a table use (directly, or inside the
 * polars methods they call). A nodejs-polars DataFrame is a Proxy that answers a property named like one of
 * its columns with that column: a column called `height` or `columns` would stand in for the frame's own
 * member (a wrong row count, or a crash far from its cause). Other members (`row`, `shape`, `sample`, …) are
 * not used on a user's table and are fine as column names; a new use of one on such a frame belongs here.
 */
const FRAME_MEMBERS = new Set(['columns', 'dtypes', 'getColumn', 'height', 'inner', 'lazy', 'select', 'width', 'withColumns', 'writeCSV', 'writeParquet']);

/** A table's column names, each once (`checkDuplicates`) and none a member the reading code uses (`FRAME_MEMBERS`). */
export function checkColumnNames(path: string, columns: readonly string[]): void {
  checkDuplicates(path, columns);
  const clashing = columns.flatMap((name, k) => (FRAME_MEMBERS.has(name) ? [`'${name}' (column ${k + 1})`] : []));
  if (clashing.length === 0) return;
  const one = clashing.length === 1;
  throw new DataError(
    `${path}: ${one ? 'column' : 'columns'} ${clashing.join(', ')} ${one ? 'has the name of a member' : 'have the names of members'} of polars' DataFrame, ` +
      `which the table library would answer with the column; rename ${one ? 'it' : 'them'} (e.g. with a Metadata_ prefix)`,
  );
}

/**
 * Column names for a message: the first `max`, each cut at 80 characters (a file separated otherwise than by
 * commas has one name of them all), and quoted where spaces begin or end it, which a plain list hides
 * (' Metadata_Plate' is not Metadata_Plate).
 */
export function previewNames(names: readonly string[], max: number): string {
  const shown = names.slice(0, max).map((n) => {
    const cut = n.length > 80 ? `${n.slice(0, 80)}…` : n;
    return /^\s|\s$/.test(n) ? JSON.stringify(cut) : cut;
  });
  return names.length > max ? `${shown.join(', ')}, …` : shown.join(', ');
}
