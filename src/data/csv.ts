import { DataError } from '../errors.ts';

/**
 * The structure of a CSV text, checked strictly before polars reads it. Polars' reader is lenient: it pads a
 * row that has too few fields with nulls, reads a blank line as a row of nulls, renames a repeated column
 * `…_duplicated_0`, and reads a file cut off mid-row as if it were complete; each of those would go on to be
 * imputed or grouped without a word. Here every record (RFC 4180: `,` between fields, `"` quoting, `""` a
 * quote inside quotes, line breaks allowed inside quotes) must have exactly the header's number of fields.
 */
export interface CsvLayout {
  /** Column names from the header, unquoted. */
  columns: string[];
  /** Data records. */
  rows: number;
  /** The file's own 1-based line number on which each data record starts. */
  lines: Int32Array;
  /** Bytes to hand to the reader: the text without a byte-order mark and without blank lines at its end. */
  body: Uint8Array;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
/** Records whose field count is wrong that an error message lists. */
const SHOWN = 5;

/** The whole text at once: the header, every record, and the bytes to hand to the reader. */
export function checkCsv(file: string, bytes: Uint8Array): CsvLayout {
  const checker = new CsvChecker(file);
  const part = checker.take(bytes, true);
  return { ...checker.finish(), body: bytes.subarray(part.start, part.to) };
}

/** Where `CsvChecker.take` leaves the text it was given (offsets into it). */
export interface CheckedPart {
  /** Where the text to hand to the reader starts: the header, if this part holds it, else `records`. */
  start: number;
  /** The first record checked in this part. */
  records: number;
  /** Just past the last complete record that is not blank: [records, to) are checked records. */
  to: number;
  /** Where the next part's text must start: the first record not yet complete. */
  rest: number;
}

/**
 * The check of `checkCsv` over a text that arrives in parts, as it is inflated: each part is checked up to
 * its last complete record, and the caller starts the next part there. Problems that can be listed (rows
 * with the wrong number of fields, blank lines) are collected and thrown by `finish` with the same message
 * as for the whole text; the others are thrown where they are found, as `checkCsv` does.
 */
export class CsvChecker {
  /** The header line with its line break (no byte-order mark): a later part is read under it. */
  headerLine: Uint8Array | null = null;
  private columns: string[] | null = null;
  private line = 1;
  private lines = new Int32Array(1024);
  private rows = 0;
  private readonly wrong: { line: number; fields: number }[] = [];
  private wrongCount = 0;
  private readonly blank: number[] = [];
  /** Blank lines not yet followed by a record: harmless if the file ends there. */
  private trailing: number[] = [];

  constructor(private readonly file: string) {}

  /** Records checked so far. */
  get rowCount(): number {
    return this.rows;
  }

  /** The header's column names, once a part has held the header. */
  get header(): readonly string[] | null {
    return this.columns;
  }

  /** The file's line on which each of records [from, to) starts. */
  linesOf(from: number, to: number): Int32Array {
    return this.lines.subarray(from, to);
  }

  /** Whether every record so far has the header's number of fields and no blank line came before one. */
  get clean(): boolean {
    return this.wrongCount === 0 && this.blank.length === 0;
  }

  /** Checks the complete records at the start of `bytes` (all of it when `final`: the file ends there). */
  take(bytes: Uint8Array, final: boolean): CheckedPart {
    const file = this.file;
    let end = bytes.length;
    let i = 0;
    let start = 0;
    const headerHere = this.columns === null;
    if (headerHere) {
      start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
      if (final) {
        // Blank lines after the last record are harmless; polars would read each as a row of nulls.
        while (end > start && (bytes[end - 1] === LF || bytes[end - 1] === CR)) end--;
        if (end === start) throw new DataError(`${file}: the file is empty (no header, no rows)`);
        i = this.readHeader(bytes, start, end);
      } else {
        const next = this.takeHeader(bytes);
        if (next === null) return { start: 0, records: 0, to: 0, rest: 0 };
        i = next;
      }
      end = bytes.length;
    }
    if (final) while (end > i && (bytes[end - 1] === LF || bytes[end - 1] === CR)) end--;
    // Whether the last record ended with a line break (trimmed above) or the file stops right after its last field.
    const endsWithBreak = final && end < bytes.length;
    const width = this.columns!.length;
    const records = i;
    let to = i;
    // One pass over the bytes (see plainFieldEnd for the cost of the common byte).
    while (i < end) {
      const recordLine = this.line;
      const recordStart = i;
      let fields = 1;
      let closed = false;
      let cut = false;
      for (;;) {
        // A field: quoted (it may hold commas and line breaks), or plain up to the next comma or line break.
        if (i < end && bytes[i] === QUOTE) {
          const after = skipQuoted(file, bytes, i, end, recordLine, final);
          if (!after) {
            cut = true;
            break;
          }
          this.line += after.lineBreaks;
          i = after.next;
        }
        const stop = plainFieldEnd(bytes, i, end);
        i = stop + 1;
        if (stop < end && bytes[stop] === COMMA) {
          fields++;
          continue;
        }
        if (stop < end) {
          this.line++;
          closed = true;
        }
        break;
      }
      if (!final && (cut || !closed)) {
        // The record goes on in the next part.
        this.line = recordLine;
        i = recordStart;
        break;
      }
      if (i > end) i = end;
      const length = (closed ? i - 1 : i) - recordStart;
      if (!closed && endsWithBreak) closed = true;
      if (length === 0 || (length === 1 && bytes[recordStart] === CR)) {
        this.trailing.push(recordLine);
        continue;
      }
      if (this.trailing.length) {
        this.blank.push(...this.trailing);
        this.trailing = [];
      }
      if (!closed && fields !== width) {
        throw new DataError(
          `${file}: the file ends in the middle of a row: line ${recordLine} has ${fields} of ${width} fields and no line break (the file looks truncated)`,
        );
      }
      if (fields !== width) {
        if (this.wrong.length < SHOWN) this.wrong.push({ line: recordLine, fields });
        this.wrongCount++;
      }
      if (this.rows === this.lines.length) {
        const grown = new Int32Array(this.lines.length * 2);
        grown.set(this.lines);
        this.lines = grown;
      }
      this.lines[this.rows++] = recordLine;
      to = i;
    }
    return { start: headerHere ? start : records, records, to, rest: final ? bytes.length : i };
  }

  /**
   * The header at the start of a text that goes on past it (not the whole file): where the records start,
   * or null where the header's line is not complete yet. `take` then checks the records from there.
   */
  takeHeader(bytes: Uint8Array): number | null {
    const line = csvHeader(this.file, bytes);
    if (!line) return null;
    return this.readHeader(bytes, bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0, line.next);
  }

  /** The header in bytes[start, end) (after any byte-order mark): its names, line and text; returns where it ends. */
  private readHeader(bytes: Uint8Array, start: number, end: number): number {
    const header = parseHeader(this.file, bytes, start, end);
    checkDuplicates(this.file, header.columns);
    this.columns = header.columns;
    this.headerLine = bytes.slice(start, header.next);
    this.line = header.nextLine;
    return header.next;
  }

  /**
   * Where `take` would leave a part whose every line is a record, found without reading its fields: a part
   * after the header, not the last, holding no quote (a quoted field may hold a line break) and no pending
   * blank line before it. Its records are [records, to) up to its last line break; null where the part is
   * not such. Nothing is recorded: the caller checks the records' fields as it parses them (a record of the
   * wrong width or a blank line makes `readFloatFields` give up) and then `confirm`s them, or else calls
   * `take` on the same text, which finds and tells what is wrong. Saves `take`'s pass over every byte, a
   * quarter of a load's work.
   */
  linesAsRecords(bytes: Uint8Array, final: boolean): { part: CheckedPart; rows: number } | null {
    if (final || this.columns === null || this.trailing.length > 0 || !this.clean) return null;
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (text.includes(QUOTE)) return null;
    const to = text.lastIndexOf(LF) + 1;
    return { part: { start: 0, records: 0, to, rest: to }, rows: lineBreaks(text, 0, to) };
  }

  /** Records the `rows` records of a part that `linesAsRecords` found and the caller checked: a line each. */
  confirm(rows: number): void {
    if (this.rows + rows > this.lines.length) {
      const grown = new Int32Array(Math.max(this.lines.length * 2, this.rows + rows));
      grown.set(this.lines);
      this.lines = grown;
    }
    for (let r = 0; r < rows; r++) this.lines[this.rows++] = this.line++;
  }

  /** After the final part: the layout, or the listed problems. */
  finish(): Omit<CsvLayout, 'body'> {
    const { file, blank, wrong, wrongCount, rows } = this;
    const width = this.columns!.length;
    if (blank.length) {
      const shown = blank.slice(0, SHOWN).join(', ');
      throw new DataError(`${file}: blank line${blank.length > 1 ? 's' : ''} inside the table at line${blank.length > 1 ? 's' : ''} ${shown}${more(blank.length)}; a row must have ${width} fields`);
    }
    if (wrongCount) {
      const shown = wrong.map((w) => `line ${w.line} has ${w.fields}`).join(', ');
      throw new DataError(
        `${file}: ${wrongCount} row${wrongCount > 1 ? 's have' : ' has'} the wrong number of fields (the header has ${width}): ${shown}${more(wrongCount)}`,
      );
    }
    if (rows === 0) throw new DataError(`${file}: the file has a header but no rows`);
    return { columns: this.columns!, rows, lines: this.lines.subarray(0, rows) };
  }
}

/** Line breaks (LF) in text[from, to). */
export function lineBreaks(text: Buffer, from: number, to: number): number {
  let n = 0;
  for (let at = text.indexOf(LF, from); at >= 0 && at < to; at = text.indexOf(LF, at + 1)) n++;
  return n;
}

/**
 * Where a plain (unquoted) field ends: the index of the next comma or line feed, or `end`. Every byte that
 * matters is ≤ 0x2c (LF 0x0a, comma 0x2c) while digits, letters, '.' and '-' are above it, so the common byte
 * costs one comparison; a quote inside a plain field is a literal character, as polars reads it.
 */
export function plainFieldEnd(bytes: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) {
    const b = bytes[i];
    if (b <= COMMA && (b === COMMA || b === LF)) return i;
  }
  return end;
}

function more(n: number): string {
  return n > SHOWN ? ` and ${n - SHOWN} more` : '';
}

/**
 * Past a quoted field that opens at `i`: where it ends, and how many line breaks it holds. Unless `final`
 * (the text is the rest of the file), null when the text given ends before the field can be seen to end.
 */
function skipQuoted(
  file: string,
  bytes: Uint8Array,
  i: number,
  end: number,
  line: number,
  final = true,
): { next: number; lineBreaks: number } | null {
  let lineBreaks = 0;
  let j = i + 1;
  for (;;) {
    const close = bytes.indexOf(QUOTE, j);
    for (let k = j; k < (close < 0 || close > end ? end : close); k++) if (bytes[k] === LF) lineBreaks++;
    if (!final && (close < 0 || close + 1 >= end)) return null;
    if (close < 0 || close >= end) {
      throw new DataError(`${file}: a quoted field that opens on line ${line} is never closed (the file looks truncated)`);
    }
    if (bytes[close + 1] === QUOTE) {
      j = close + 2;
      continue;
    }
    const next = bytes[close + 1];
    if (close + 1 < end && next !== COMMA && next !== LF && next !== CR) {
      throw new DataError(`${file}: line ${line + lineBreaks}: text after the closing quote of a field; quote the whole field`);
    }
    return { next: close + 1, lineBreaks };
  }
}

/** The header record's field names, and where the first data record starts. */
function parseHeader(file: string, bytes: Uint8Array, start: number, end: number): { columns: string[]; next: number; nextLine: number } {
  checkEncoding(file, bytes);
  const decoder = new TextDecoder();
  const columns: string[] = [];
  let i = start;
  let line = 1;
  for (;;) {
    let name: string;
    if (bytes[i] === QUOTE) {
      const { next, lineBreaks } = skipQuoted(file, bytes, i, end, 1)!;
      name = decoder.decode(bytes.subarray(i + 1, next - 1)).replace(/""/g, '"');
      line += lineBreaks;
      i = next;
    } else {
      let j = i;
      while (j < end && bytes[j] !== COMMA && bytes[j] !== LF) j++;
      name = decoder.decode(bytes.subarray(i, j)).replace(/\r$/, '');
      if (name.includes('\r')) throw lineEndError(file);
      i = j;
    }
    columns.push(name);
    if (i < end && bytes[i] === CR) i++;
    if (i >= end) return { columns, next: end, nextLine: line + 1 };
    if (bytes[i] === LF) return { columns, next: i + 1, nextLine: line + 1 };
    i++; // the comma
  }
}

/** A column named twice would be read under an invented name (`…_duplicated_0`) and used as if it were real. */
export function checkDuplicates(file: string, columns: readonly string[]): void {
  const seen = new Map<string, number[]>();
  columns.forEach((c, k) => seen.set(c, [...(seen.get(c) ?? []), k + 1]));
  const repeated = [...seen].filter(([, at]) => at.length > 1);
  if (repeated.length) {
    const list = repeated.slice(0, SHOWN).map(([c, at]) => `'${c}' (columns ${at.join(', ')})`).join(', ');
    throw new DataError(`${file}: duplicated column name${repeated.length > 1 ? 's' : ''} in the header: ${list}${more(repeated.length)}; every column needs its own name`);
  }
}

/**
 * The header of a CSV text that may be only the file's beginning (validation reads no more): the column
 * names and the offset just past the header line, or null when the text ends before the header does.
 */
export function csvHeader(file: string, bytes: Uint8Array): { columns: string[]; next: number } | null {
  checkEncoding(file, bytes);
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let inQuotes = false;
  let k = start;
  for (; k < bytes.length; k++) {
    if (bytes[k] === QUOTE) inQuotes = !inQuotes;
    else if (bytes[k] === LF && !inQuotes) break;
    // Else the whole file is the header line (and `ads validate` would read all of it to find its end).
    else if (bytes[k] === CR && !inQuotes && k + 1 < bytes.length && bytes[k + 1] !== LF) throw lineEndError(file);
  }
  if (k === bytes.length) return null;
  return { columns: parseHeader(file, bytes, start, k + 1).columns, next: k + 1 };
}

/** Compressed formats other than gzip, by their first bytes (bzip2's: "BZh" and a block size digit): the format and how to undo it. */
const COMPRESSED: [(number | [number, number])[], string, string][] = [
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz', 'xz -d'],
  [[0x42, 0x5a, 0x68, [0x31, 0x39]], 'bzip2', 'bunzip2'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd', 'zstd -d'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], '7-Zip', '7z x'],
];

/**
 * Text a CSV is not: UTF-16 (as some spreadsheet programs save "Unicode text"), which would be read as names
 * full of NUL bytes, or binary data (a NUL byte in its first 4 kB: an Excel workbook, an image, a zip).
 */
function checkEncoding(file: string, bytes: Uint8Array): void {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new DataError(`${file}: the file is UTF-16 text (its byte-order mark says so); save it as UTF-8 CSV`);
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31) {
    throw new DataError(`${file}: the text is Parquet data (gzip-compressed Parquet?); give ads the .parquet file itself, which compresses its own columns`);
  }
  const packed = COMPRESSED.find(([magic]) => magic.every((b, k) => (typeof b === 'number' ? bytes[k] === b : bytes[k] >= b[0] && bytes[k] <= b[1])));
  if (packed) {
    throw new DataError(`${file}: the file is ${packed[1]}-compressed; ads reads CSV, gzip-compressed CSV (.csv.gz) or Parquet: decompress it (${packed[2]}), or compress it with gzip`);
  }
  const nul = bytes.subarray(0, 4096).indexOf(0);
  if (nul >= 0) {
    const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
    throw new DataError(`${file}: not CSV text (byte ${nul + 1} is a NUL byte)${zip ? '; it is a zip archive, e.g. an Excel workbook: save it as CSV' : ''}`);
  }
}

/** Lines that end in CR alone (classic Mac OS) make the whole file one line: its header, with no rows. */
function lineEndError(file: string): DataError {
  return new DataError(`${file}: line 1 holds a carriage return (CR) that ends no line: the file's lines end in CR alone; save it with LF or CRLF line ends`);
}
