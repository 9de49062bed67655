import { gzipSync } from 'node:zlib';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { readTable } from '../src/data/io.ts';
import { DataError } from '../src/errors.ts';
import { scratchDir } from './support/files.ts';

/**
 * A gzipped CSV read in many parts by the streamed reader (parts of 1 MB here, 32 MB by default, so the
 * file stays small): records cut between parts,
 * quoted fields with line breaks anywhere, and columns whose type changes along the file must read as one
 * table, with the file's own line numbers, and a problem in a later part must be named by its line.
 * The expected values are the ones the generator wrote.
 */
const { write } = scratchDir('ads-parts-');
const ROWS = 60_000;
const WIDE = 6;
/** Parts of 1 MB of text: the ~9 MB table spans nine of them. */
const PARTS = { partBytes: 1 << 20 };

function table(withLabel = true) {
  const rng = seedrandom('parts');
  const header = ['id', 'note', 'count', ...(withLabel ? ['label'] : []), ...Array.from({ length: WIDE }, (_, k) => `f${k}`)];
  const lines: string[] = [header.join(',')];
  const lineOf: number[] = [];
  const values: number[][] = [];
  let line = 2;
  for (let i = 0; i < ROWS; i++) {
    // Every 97th note holds a comma, a quote and a line break: the record spans two lines.
    const note = i % 97 === 0 ? `"row ${i}, ""quoted""\nsecond line"` : `row ${i}`;
    // Integers for the first 40,000 rows, then halves: one column, two inferred types.
    const count = i < 40_000 ? String(i) : String(i + 0.5);
    // Missing for the first 40,000 rows, then text.
    const label = i < 40_000 ? '' : `L${i % 7}`;
    const row = Array.from({ length: WIDE }, () => (rng() - 0.5) * 10 ** Math.floor(rng() * 8 - 4));
    values.push(row);
    lines.push([String(i), note, count, ...(withLabel ? [label] : []), ...row.map(String)].join(','));
    lineOf.push(line);
    line += i % 97 === 0 ? 2 : 1;
  }
  return { text: `${lines.join('\n')}\n`, lineOf, values };
}
const { text, lineOf, values } = table();

describe('a gzipped CSV is read in parts as it is inflated', () => {
  it('reads as one table: every value, each column at the type all its rows fit, the file’s line numbers', () => {
    expect(text.length).toBeGreaterThan(8 << 20);
    const { df, rows } = readTable(write('big.csv.gz', gzipSync(text, { level: 1 })), PARTS);
    expect([df.height, df.width]).toEqual([ROWS, WIDE + 4]);
    expect(Array.from(rows.of)).toEqual(lineOf);
    expect(df.getColumn('id').toArray()).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    expect(df.getColumn('note').get(97)).toBe('row 97, "quoted"\nsecond line');
    expect(df.getColumn('count').dtype.variant).toBe('Float64');
    expect(Array.from(df.getColumn('count').toTypedArray() as Float64Array)).toEqual(Array.from({ length: ROWS }, (_, i) => (i < 40_000 ? i : i + 0.5)));
    const label = df.getColumn('label').toArray();
    expect([label[39_999], label[40_000], label[59_999]]).toEqual([null, `L${40_000 % 7}`, `L${59_999 % 7}`]);
    for (const k of [0, 3, WIDE - 1]) {
      expect(Array.from(df.getColumn(`f${k}`).toTypedArray() as Float64Array)).toEqual(values.map((row) => row[k]));
    }
  });

  it('reads later parts with the first part’s types where they fit, and infers them again where they do not', () => {
    // No column is empty in the first part, so the next parts are read with its types; the part where
    // `count` turns to halves does not fit them.
    const plain = table(false);
    const { df } = readTable(write('typed.csv.gz', gzipSync(plain.text, { level: 1 })), PARTS);
    expect([df.height, df.width]).toEqual([ROWS, WIDE + 3]);
    expect(df.getColumn('count').dtype.variant).toBe('Float64');
    expect(Array.from(df.getColumn('count').toTypedArray() as Float64Array)).toEqual(Array.from({ length: ROWS }, (_, i) => (i < 40_000 ? i : i + 0.5)));
    expect(Array.from(df.getColumn(`f${WIDE - 1}`).toTypedArray() as Float64Array)).toEqual(plain.values.map((row) => row[WIDE - 1]));
  });

  it('names the line of a ragged row and of a blank line in a later part, and ignores blank lines at the end', () => {
    const lines = text.split('\n');
    const at = lineOf[50_000] - 1;
    const ragged = [...lines.slice(0, at), `${lines[at]},extra`, ...lines.slice(at + 1)].join('\n');
    const raggedPath = write('ragged.csv.gz', gzipSync(ragged, { level: 1 }));
    expect(() => readTable(raggedPath, PARTS)).toThrow(DataError);
    expect(() => readTable(raggedPath, PARTS)).toThrow(
      `${raggedPath}: 1 row has the wrong number of fields (the header has ${WIDE + 4}): line ${at + 1} has ${WIDE + 5}`,
    );
    const blank = [...lines.slice(0, at), '', ...lines.slice(at)].join('\n');
    const path = write('blank.csv.gz', gzipSync(blank, { level: 1 }));
    expect(() => readTable(path, PARTS)).toThrow(`${path}: blank line inside the table at line ${at + 1}`);
    expect(readTable(write('trailing.csv.gz', gzipSync(`${text}\n\r\n\n`, { level: 1 })), PARTS).df.height).toBe(ROWS);
  });
});

describe('column names that are also DataFrame methods', () => {
  // The copairs oracle tables have a `row` column; nodejs-polars answers `df.row` with it.
  it('a table with columns called row and nullCount reads as any other', () => {
    const file = write('methods.csv', 'row,nullCount,Cells_a\n1,,0.5\n2,x,1.5\n');
    const df = readTable(file).df;
    expect(df.columns).toEqual(['row', 'nullCount', 'Cells_a']);
    expect(df.getColumn('row').toArray()).toEqual([1, 2]);
    expect(df.getColumn('nullCount').toArray()).toEqual([null, 'x']);
    expect(df.getColumn('Cells_a').toArray()).toEqual([0.5, 1.5]);
  });
});
