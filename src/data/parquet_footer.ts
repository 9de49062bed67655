import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';

/**
 * Polars writes its Arrow schema into a Parquet file's footer (key `ARROW:schema`), and since Polars 1.0 that
 * schema types strings as Utf8View, a type pyarrow before 16 cannot read at all (and newer versions hand back
 * as `string_view`). Without that key, readers take the types from the Parquet schema itself, where the
 * columns are plain BYTE_ARRAY/UTF8 strings, INT32, INT64, DOUBLE and BOOLEAN: what pyarrow 12+, pandas 1.5+,
 * R's arrow and DuckDB all read as string, int, float and bool. This removes the footer's key-value metadata
 * (FileMetaData field 5, which holds nothing else Polars writes) and rewrites the footer in place.
 *
 * Thrift compact protocol, as the Parquet format specifies its footer.
 */
export function dropArrowSchema(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    const { footer, footerStart } = readFooter(fd, path);
    const rewritten = withoutField(footer, 5);
    if (rewritten.length === footer.length) return;
    const end = Buffer.alloc(8);
    end.writeUInt32LE(rewritten.length, 0);
    end.write('PAR1', 4, 'latin1');
    writeSync(fd, rewritten, 0, rewritten.length, footerStart);
    writeSync(fd, end, 0, 8, footerStart + rewritten.length);
    ftruncateSync(fd, footerStart + rewritten.length + 8);
  } finally {
    closeSync(fd);
  }
}

/** A Parquet file's row count and columns (its schema's elements but the root), from its footer alone. */
export function parquetRowsAndColumns(path: string): { rows: number; columns: number } {
  const fd = openSync(path, 'r');
  let footer: Buffer;
  try {
    footer = readFooter(fd, path).footer;
  } finally {
    closeSync(fd);
  }
  const r = new Reader(footer);
  let rows = 0;
  let columns = 0;
  for (let f = r.field(); f; f = r.field()) {
    const { type, id } = f;
    if (id === 2 && type === LIST) {
      // FileMetaData.schema: the root, then one element per column of a flat table.
      const h = r.byte();
      const n = h >> 4 === 15 ? r.varint() : h >> 4;
      columns = n - 1;
      for (let i = 0; i < n; i++) r.skip(h & 0x0f, true);
    } else if (id === 3) {
      // FileMetaData.num_rows, an i64: read as 32 bits, enough below 2³¹ rows.
      rows = zigzag(r.varint());
    } else r.skip(type);
  }
  return { rows, columns };
}

/** The Thrift-encoded FileMetaData at a Parquet file's end, and where it starts. */
function readFooter(fd: number, path: string): { footer: Buffer; footerStart: number } {
  const size = fstatSync(fd).size;
  const tail = Buffer.alloc(8);
  readSync(fd, tail, 0, 8, size - 8);
  if (tail.toString('latin1', 4) !== 'PAR1') throw new Error(`${path}: not a Parquet file (no PAR1 at its end)`);
  const footerLength = tail.readUInt32LE(0);
  const footerStart = size - 8 - footerLength;
  const footer = Buffer.alloc(footerLength);
  readSync(fd, footer, 0, footerLength, footerStart);
  return { footer, footerStart };
}

const STOP = 0;
const BOOL_TRUE = 1;
const BOOL_FALSE = 2;
const BYTE = 3;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

/** A top-level struct with one field left out; the other fields' bytes are copied, their headers re-encoded (ids are deltas). */
export function withoutField(struct: Buffer, drop: number): Buffer {
  const r = new Reader(struct);
  const parts: Buffer[] = [];
  let lastKept = 0;
  let found = false;
  for (let f = r.field(); f; f = r.field()) {
    const { type, id } = f;
    const start = r.pos;
    r.skip(type);
    if (id === drop) {
      found = true;
      continue;
    }
    const d = id - lastKept;
    parts.push(d > 0 && d <= 15 ? Buffer.from([(d << 4) | type]) : Buffer.concat([Buffer.from([type]), varint(((id << 1) ^ (id >> 31)) >>> 0)]));
    parts.push(struct.subarray(start, r.pos));
    lastKept = id;
  }
  if (!found) return struct;
  parts.push(Buffer.from([STOP]));
  return Buffer.concat(parts);
}

class Reader {
  pos = 0;
  /** The id of the last field `field` read. */
  private lastId = 0;
  constructor(private readonly b: Buffer) {}
  /** The next field header of the top-level struct: its type and id (ids are deltas), or null at its end. */
  field(): { type: number; id: number } | null {
    const header = this.byte();
    const type = header & 0x0f;
    if (type === STOP) return null;
    const delta = header >> 4;
    this.lastId = delta === 0 ? zigzag(this.varint()) : this.lastId + delta;
    return { type, id: this.lastId };
  }
  byte(): number {
    if (this.pos >= this.b.length) throw new Error('Parquet footer: truncated');
    return this.b[this.pos++];
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const x = this.byte();
      // Lengths and sizes fit in 32 bits; larger varints (i64 values) are only skipped, never used.
      if (shift < 32) result |= (x & 0x7f) << shift;
      if (!(x & 0x80)) return result >>> 0;
      shift += 7;
    }
  }
  /** Moves past one value of a compact-protocol type. */
  skip(type: number, inContainer = false): void {
    switch (type) {
      case BOOL_TRUE:
      case BOOL_FALSE:
        // A bool field carries its value in the header; a bool element of a list takes a byte.
        if (inContainer) this.pos++;
        return;
      case BYTE:
        this.pos++;
        return;
      case 4:
      case 5:
      case 6:
        this.varint();
        return;
      case DOUBLE:
        this.pos += 8;
        return;
      case BINARY: {
        // The length first: `this.pos += this.varint()` would add it to the position before the varint was read.
        const length = this.varint();
        this.pos += length;
        return;
      }
      case LIST:
      case SET: {
        const h = this.byte();
        const n = h >> 4 === 15 ? this.varint() : h >> 4;
        for (let i = 0; i < n; i++) this.skip(h & 0x0f, true);
        return;
      }
      case MAP: {
        const n = this.varint();
        if (n === 0) return;
        const kv = this.byte();
        for (let i = 0; i < n; i++) {
          this.skip(kv >> 4, true);
          this.skip(kv & 0x0f, true);
        }
        return;
      }
      case STRUCT:
        for (;;) {
          const h = this.byte();
          const t = h & 0x0f;
          if (t === STOP) return;
          // A zero delta means the field id follows as a varint; skipping needs only the type.
          if (h >> 4 === 0) this.varint();
          this.skip(t);
        }
      default:
        throw new Error(`Parquet footer: unknown compact type ${type}`);
    }
  }
}

function zigzag(n: number): number {
  return (n >>> 1) ^ -(n & 1);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
