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

export function checkCsv(file: string, bytes: Uint8Array): CsvLayout {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let end = bytes.length;
  // Blank lines after the last record are harmless; polars would read each as a row of nulls.
  while (end > start && (bytes[end - 1] === LF || bytes[end - 1] === CR)) end--;
  // Whether the last record ended with a line break (trimmed above) or the file stops right after its last field.
  const endsWithBreak = end < bytes.length;
  if (end === start) throw new DataError(`${file}: the file is empty (no header, no rows)`);
  const header = parseHeader(file, bytes, start, end);
  const width = header.columns.length;
  checkDuplicates(file, header.columns);

  let lines = new Int32Array(1024);
  let rows = 0;
  const wrong: { line: number; fields: number }[] = [];
  let wrongCount = 0;
  const blank: number[] = [];
  let line = header.nextLine;
  let i = header.next;
  // One pass over the bytes (see plainFieldEnd for the cost of the common byte).
  while (i < end) {
    const recordLine = line;
    const recordStart = i;
    let fields = 1;
    let closed = false;
    for (;;) {
      // A field: quoted (it may hold commas and line breaks), or plain up to the next comma or line break.
      if (i < end && bytes[i] === QUOTE) {
        const after = skipQuoted(file, bytes, i, end, recordLine);
        line += after.lineBreaks;
        i = after.next;
      }
      const stop = plainFieldEnd(bytes, i, end);
      i = stop + 1;
      if (stop < end && bytes[stop] === COMMA) {
        fields++;
        continue;
      }
      if (stop < end) {
        line++;
        closed = true;
      }
      break;
    }
    if (i > end) i = end;
    const length = (closed ? i - 1 : i) - recordStart;
    if (!closed && endsWithBreak) closed = true;
    if (length === 0 || (length === 1 && bytes[recordStart] === CR)) {
      blank.push(recordLine);
      continue;
    }
    if (!closed && fields !== width) {
      throw new DataError(
        `${file}: the file ends in the middle of a row: line ${recordLine} has ${fields} of ${width} fields and no line break (the file looks truncated)`,
      );
    }
    if (fields !== width) {
      if (wrong.length < SHOWN) wrong.push({ line: recordLine, fields });
      wrongCount++;
    }
    if (rows === lines.length) {
      const grown = new Int32Array(lines.length * 2);
      grown.set(lines);
      lines = grown;
    }
    lines[rows++] = recordLine;
  }
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
  return { columns: header.columns, rows, lines: lines.subarray(0, rows), body: bytes.subarray(start, end) };
}

/**
 * Where a plain (unquoted) field ends: the index of the next comma or line feed, or `end`. Every byte that
 * matters is ≤ 0x2c (LF 0x0a, comma 0x2c) while digits, letters, '.' and '-' are above it, so the common byte
 * costs one comparison; a quote inside a plain field is a literal character, as polars reads it.
 */
function plainFieldEnd(bytes: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) {
    const b = bytes[i];
    if (b <= COMMA && (b === COMMA || b === LF)) return i;
  }
  return end;
}

function more(n: number): string {
  return n > SHOWN ? ` and ${n - SHOWN} more` : '';
}

/** Past a quoted field that opens at `i`: where it ends, and how many line breaks it holds. */
function skipQuoted(file: string, bytes: Uint8Array, i: number, end: number, line: number): { next: number; lineBreaks: number } {
  let lineBreaks = 0;
  let j = i + 1;
  for (;;) {
    const close = bytes.indexOf(QUOTE, j);
    for (let k = j; k < (close < 0 || close > end ? end : close); k++) if (bytes[k] === LF) lineBreaks++;
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
  const decoder = new TextDecoder();
  const columns: string[] = [];
  let i = start;
  let line = 1;
  for (;;) {
    let name: string;
    if (bytes[i] === QUOTE) {
      const { next, lineBreaks } = skipQuoted(file, bytes, i, end, 1);
      name = decoder.decode(bytes.subarray(i + 1, next - 1)).replace(/""/g, '"');
      line += lineBreaks;
      i = next;
    } else {
      let j = i;
      while (j < end && bytes[j] !== COMMA && bytes[j] !== LF) j++;
      name = decoder.decode(bytes.subarray(i, j)).replace(/\r$/, '');
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
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let inQuotes = false;
  let k = start;
  for (; k < bytes.length; k++) {
    if (bytes[k] === QUOTE) inQuotes = !inQuotes;
    else if (bytes[k] === LF && !inQuotes) break;
  }
  if (k === bytes.length) return null;
  return { columns: parseHeader(file, bytes, start, k + 1).columns, next: k + 1 };
}
