import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { readDataset } from '../src/data/dataset.ts';
import { rolesOf } from '../src/data/roles.ts';
import { DataError } from '../src/errors.ts';
import { loadSpec } from '../src/spec/load.ts';
import { loadDataset } from '../src/stages/load.ts';
import { ads } from './support/cli.ts';
import { scratchDir } from './support/files.ts';

/**
 * Bad per-well tables, one kind per test, each built by hand in a scratch folder: every one must stop loading
 * with a DataError that names the file and the line (the file's own, 1-based, header = line 1) or column.
 */
const { dir, write } = scratchDir('ads-strict-');

const HEADER = 'Metadata_Plate,Metadata_Well,Metadata_pert,Metadata_role,Cells_a,Cells_b,Nuclei_c';
/** Plate `name`: 4 controls, then compounds C1 and C2 in two wells each; features differ per row. */
function plateRows(name: string): string[] {
  const meta = [
    ['A01', 'DMSO', 'control'],
    ['A02', 'DMSO', 'control'],
    ['A03', 'DMSO', 'control'],
    ['A04', 'DMSO', 'control'],
    ['B01', 'C1', 'treated'],
    ['B02', 'C1', 'treated'],
    ['B03', 'C2', 'treated'],
    ['B04', 'C2', 'treated'],
  ];
  return meta.map((m, i) => [name, ...m, (i * 1.5).toFixed(2), (10 - i).toFixed(1), String((i * 7) % 5)].join(','));
}
const good = (...lines: string[]) => `${[HEADER, ...lines].join('\n')}\n`;

function specFor(path: string | string[], extra: string[] = []) {
  // The tables have no MoA column; a test that sets dataset.columns itself says so again.
  const columns = extra.some((l) => l.startsWith('  columns:')) ? [] : ['  columns: { moa: null }'];
  const lines = ['experiment: strict', 'dataset:', '  source: file', `  path: ${JSON.stringify(path)}`, ...columns, ...extra];
  return loadSpec(write(`spec-${Math.random().toString(36).slice(2)}.yaml`, `${lines.join('\n')}\n`)).spec;
}
function load(path: string | string[], extra: string[] = []) {
  const spec = specFor(path, extra);
  return readDataset(spec.dataset, rolesOf(spec.dataset));
}
/** The message of the DataError that `fn` throws. */
function dataError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).exitCode).toBe(1);
    return (err as Error).message;
  }
  throw new Error('expected a DataError');
}
const escaped = (path: string) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('CSV structure is read strictly', () => {
  it('a row with too few fields names the file, its line and the count (polars would pad it with nulls)', () => {
    const rows = plateRows('P1');
    rows[2] = rows[2].split(',').slice(0, 3).join(','); // line 4
    const path = write('few-fields.csv', good(...rows));
    expect(dataError(() => load(path))).toMatch(new RegExp(`^${escaped(path)}: 1 row has the wrong number of fields \\(the header has 7\\): line 4 has 3$`));
  });

  it('a row with too many fields, and several bad rows listed with a count', () => {
    const rows = plateRows('P1');
    rows[0] += ',9'; // line 2
    rows[5] += ',9,9'; // line 7
    const path = write('many-fields.csv', good(...rows));
    expect(dataError(() => load(path))).toMatch(/many-fields\.csv: 2 rows have the wrong number of fields \(the header has 7\): line 2 has 8, line 7 has 9$/);
  });

  it('a file cut off in the middle of a row (no final line break)', () => {
    const text = good(...plateRows('P1'));
    const path = write('truncated.csv', text.slice(0, text.length - 9));
    expect(dataError(() => load(path))).toMatch(/truncated\.csv: the file ends in the middle of a row: line 9 has 5 of 7 fields and no line break/);
  });

  it('a file cut off inside a quoted field', () => {
    const rows = plateRows('P1');
    const path = write('open-quote.csv', `${HEADER}\n${rows.slice(0, 3).join('\n')}\nP1,A09,"C3`);
    expect(dataError(() => load(path))).toMatch(/open-quote\.csv: a quoted field that opens on line 5 is never closed/);
  });

  it('a blank line inside the table (polars would read a row of nulls)', () => {
    const rows = plateRows('P1');
    const path = write('blank.csv', `${HEADER}\n${rows.slice(0, 2).join('\n')}\n\n${rows.slice(2).join('\n')}\n`);
    expect(dataError(() => load(path))).toMatch(/blank\.csv: blank line inside the table at line 4; a row must have 7 fields/);
  });

  it('a duplicated feature name and a duplicated role column (polars would rename them …_duplicated_0)', () => {
    const dupFeature = write('dup-feature.csv', good(...plateRows('P1')).replace('Nuclei_c', 'Cells_a'));
    expect(dataError(() => load(dupFeature))).toMatch(/dup-feature\.csv: duplicated column name in the header: 'Cells_a' \(columns 5, 7\)/);
    const dupPlate = write('dup-plate.csv', good(...plateRows('P1')).replace('Metadata_Well', 'Metadata_Plate'));
    expect(dataError(() => load(dupPlate))).toMatch(/dup-plate\.csv: duplicated column name in the header: 'Metadata_Plate' \(columns 1, 2\)/);
  });

  it('a column named like a member of polars\' DataFrame the reader uses (polars would answer the member with the column)', () => {
    // Before: `height` stood in for the frame's row count ("the CSV reader found shape: (8,) Series … rows"),
    // `columns` crashed as an internal error.
    const two = write('members.csv', good(...plateRows('P1')).replace('Metadata_Well', 'height').replace('Metadata_role', 'columns'));
    expect(dataError(() => load(two, ['  control: { column: columns, values: [control] }']))).toBe(
      `${two}: columns 'height' (column 2), 'columns' (column 4) have the names of members of polars' DataFrame, which the table library would answer with the column; rename them (e.g. with a Metadata_ prefix)`,
    );
    const parquet = join(dir, 'members.parquet');
    pl.readCSV(good(...plateRows('P1'))).rename({ Metadata_Well: 'width' }).writeParquet(parquet);
    expect(dataError(() => load(parquet))).toMatch(/members\.parquet: column 'width' \(column 2\) has the name of a member of polars' DataFrame/);
    // Members the reading code does not use are names like any other (a plate map's `row`).
    const fine = write('row-shape.csv', good(...plateRows('P1')).replace('Metadata_Well', 'row').replace(',Cells_a', ',shape,Cells_a').replace(/,control,/g, ',control,x,').replace(/,treated,/g, ',treated,y,'));
    const r = load(fine);
    expect(r.profiles.metadata.row.slice(0, 2)).toEqual(['A01', 'A02']);
    expect(r.profiles.metadata.shape.slice(3, 5)).toEqual(['x', 'y']);
  });

  it('a quoted column name with a quote or comma inside reads under its own name (polars keeps the doubled quotes)', () => {
    // Before: the feature 'Nuclei_c "x"' was read by polars as 'Nuclei_c ""x""', its matrix column left at 0.
    const header = HEADER.replace('Metadata_role', '"Metadata_role, ""as set"""').replace('Nuclei_c', '"Nuclei_c ""x"""');
    const path = write('quoted-names.csv', `${[header, ...plateRows('P1')].join('\n')}\n`);
    const r = load(path, ['  control: { column: "Metadata_role, \\"as set\\"", values: [control] }']);
    expect(r.profiles.features).toEqual(['Cells_a', 'Cells_b', 'Nuclei_c "x"']);
    expect(Array.from({ length: 8 }, (_, i) => r.profiles.values.data[i * 3 + 2])).toEqual([0, 2, 4, 1, 3, 0, 2, 4]);
    expect(r.profiles.metadata['Metadata_role, "as set"'].slice(3, 5)).toEqual(['control', 'treated']);
  });

  it('a file in another shape of text: lines ending in CR alone, UTF-16, Latin-1, binary data, fields separated by ; or tabs', () => {
    // Before: "the file has a header but no rows"; a garbled header of NUL-spaced names; one column of one long name.
    const text = good(...plateRows('P1'));
    const cr = write('cr-only.csv', text.replace(/\n/g, '\r'));
    expect(dataError(() => load(cr))).toBe(`${cr}: line 1 holds a carriage return (CR) that ends no line: the file's lines end in CR alone; save it with LF or CRLF line ends`);
    const utf16 = write('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(dataError(() => load(utf16))).toBe(`${utf16}: the file is UTF-16 text (its byte-order mark says so); save it as UTF-8 CSV`);
    const semicolons = write('semicolons.csv', text.replace(/,/g, ';'));
    expect(dataError(() => load(semicolons))).toBe(
      `${semicolons}: the header is one column, 'Metadata_Plate;Metadata_Well;Metadata_pert;Metadata_role;Cel…': the fields seem separated by ';'; save the table with commas between fields`,
    );
    // Binary data: before, random bytes were read as lines ending in CR, or whatever polars made of them.
    const zip = write('workbook.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]));
    expect(dataError(() => load(zip))).toBe(`${zip}: not CSV text (byte 6 is a NUL byte); it is a zip archive, e.g. an Excel workbook: save it as CSV`);
    const binary = write('binary.csv.gz', gzipSync(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00])));
    expect(dataError(() => load(binary))).toBe(`${binary}: not CSV text (byte 9 is a NUL byte)`);
    // Latin-1 text in a value (µ as the byte 0xb5), on line 7 (before: "cannot be read as CSV: invalid utf-8 sequence", no line).
    const latin1 = write('latin1.csv.gz', gzipSync(Buffer.from(text.replace('B02,C1', 'B02 \u00b5M,C1'), 'latin1')));
    expect(dataError(() => load(latin1))).toBe(`${latin1}: line 7 is not UTF-8 text (byte 0xb5: another encoding, such as Latin-1?); save the file as UTF-8`);
    // Other compressions than gzip, by their first bytes (xz's, bzip2's, zstd's magic, then anything).
    for (const [name, magic, format] of [
      ['t.csv.xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04], 'xz'],
      ['t.csv.bz2', [0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26], 'bzip2'],
      ['t.csv.zst', [0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0x00, 0x00], 'zstd'],
    ] as const) {
      const packed = write(name, Buffer.from([...magic, 0x00, 0x01, 0x02]));
      expect(dataError(() => load(packed))).toMatch(new RegExp(`^${escaped(packed)}: the file is ${format}-compressed; ads reads CSV, gzip-compressed CSV \\(\\.csv\\.gz\\) or Parquet`));
    }
    const tabs = write('tabs.csv.gz', gzipSync(text.replace(/,/g, '\t')));
    expect(dataError(() => load(tabs))).toMatch(/tabs\.csv\.gz: the header is one column, .*: the fields seem separated by tabs; save the table with commas between fields$/);
  });

  it('numeric compound ids past 2^53 or past 64 bits are kept exactly, as text', () => {
    // Before: 9007199254740993 became 9007199254740992 (C1 and C2 one compound); 20 digits stopped the read
    // ("could not parse … as dtype i64").
    for (const [c1, c2] of [
      ['9007199254740992', '9007199254740993'],
      ['12345678901234567890', '12345678901234567891'],
    ]) {
      // Every id a number (the controls' too), so that the column is read as integers.
      const text = good(...plateRows('P1')).replace(/,DMSO,/g, ',0,').replace(/,C1,/g, `,${c1},`).replace(/,C2,/g, `,${c2},`);
      for (const path of [write(`ids-${c1}.csv`, text), write(`ids-${c1}.csv.gz`, gzipSync(text))]) {
        expect(load(path).profiles.metadata.Metadata_pert).toEqual(['0', '0', '0', '0', c1, c1, c2, c2]);
      }
    }
  });

  it('ids written with leading zeros stay the text they are: "01" and "1" are two compounds, and per-plate files meet on "0001"', () => {
    // Every id a number, so that polars reads the column as integers: "01" would become 1, one compound with "1".
    const text = good(...plateRows('P1')).replace(/,DMSO,/g, ',0,').replace(/,C1,/g, ',01,').replace(/,C2,/g, ',1,');
    expect(load(write('zeros.csv', text)).profiles.metadata.Metadata_pert).toEqual(['0', '0', '0', '0', '01', '01', '1', '1']);
    // One plate's file holds only digit ids ("0001"), the other's also a text id: both keep "0001".
    write('zeros/p1.csv', good(...plateRows('P1')).replace(/,DMSO,/g, ',0000,').replace(/,C[12],/g, ',0001,'));
    write('zeros/p2.csv', good(...plateRows('P2')).replace(/,C1,/g, ',0001,'));
    const both = load(join(dir, 'zeros/p*.csv')).profiles.metadata.Metadata_pert;
    expect(both.filter((v) => v === '0001')).toHaveLength(6);
    expect(both).not.toContain(1);
    // Numbers without such zeros stay numbers (doses, numeric plate ids).
    expect(load(write('plain-ids.csv', good(...plateRows('7')))).profiles.metadata.Metadata_Plate[0]).toBe(7);
    // Two writings of one number are two ids: "1.1" and "1.10" (as numbers, both 1.1).
    const decimals = good(...plateRows('P1')).replace(/,DMSO,/g, ',0.5,').replace(/,C1,/g, ',1.1,').replace(/,C2,/g, ',1.10,');
    expect(load(write('decimal-ids.csv', decimals)).profiles.metadata.Metadata_pert).toEqual(['0.5', '0.5', '0.5', '0.5', '1.1', '1.1', '1.10', '1.10']);
    const one = good(...plateRows('P1')).replace(/,DMSO,/g, ',0.5,').replace(/,C1,/g, ',1.1,').replace(/,C2,/g, ',2.5,');
    expect(load(write('decimal-numbers.csv', one)).profiles.metadata.Metadata_pert).toEqual([0.5, 0.5, 0.5, 0.5, 1.1, 1.1, 2.5, 2.5]);
  });

  it('a feature column of true/false values, dates or lists is an error naming the file and the column (not 1/0 or milliseconds)', () => {
    const text = good(...plateRows('P1').map((r, i) => r.replace(/,([^,]*)$/, `,${i % 2 ? 'true' : 'false'}`)));
    const csv = write('bool.csv', text);
    expect(dataError(() => load(csv))).toBe(`${csv}: column 'Nuclei_c' holds true/false values, not numbers; a feature column holds measurements (leave it out with dataset.features.exclude)`);
    const frame = pl.readCSV(good(...plateRows('P1')));
    const dates = join(dir, 'dates.parquet');
    frame.withColumns(pl.Series('Cells_b', Array.from({ length: 8 }, (_, i) => new Date(86_400_000 * i)))).writeParquet(dates);
    expect(dataError(() => load(dates))).toMatch(/dates\.parquet: column 'Cells_b' holds dates and times, not numbers/);
    const categories = join(dir, 'categories.parquet');
    frame.withColumns(pl.col('Cells_b').cast(pl.Utf8).cast(pl.Categorical)).writeParquet(categories);
    expect(dataError(() => load(categories))).toMatch(/categories\.parquet: column 'Cells_b' holds categories \(labels\), not numbers/);
    // Fixed-point decimals (databases, Spark) are numbers: read as float64, in features and metadata alike.
    const decimals = join(dir, 'decimals.parquet');
    frame.withColumns(pl.col('Cells_a').cast(pl.Decimal(10, 2))).writeParquet(decimals);
    expect(Array.from(load(decimals).profiles.values.data.filter((_, i) => i % 3 === 0))).toEqual([0, 1.5, 3, 4.5, 6, 7.5, 9, 10.5]);
  });

  it('every feature missing in more wells than na_cutoff allows is an error naming the cutoff, not an empty table', () => {
    const rows = plateRows('P1').map((r, i) => (i === 3 ? r.replace(/,[^,]*,[^,]*,[^,]*$/, ',,,') : r));
    const path = write('all-missing.csv', good(...rows));
    expect(dataError(() => load(path, ['  missing: { na_cutoff: 0.05 }']))).toBe(
      `every one of the 3 features is missing in more than dataset.missing.na_cutoff 0.05 of the 8 wells (e.g. 'Cells_a' in 1 of them, at ${path} line 5), so none would be left; raise na_cutoff, or check the table's missing values`,
    );
  });

  it('a drop_wells column the table lacks is an error, not a filter that drops nothing', () => {
    const path = write('drop.csv', good(...plateRows('P1')));
    expect(dataError(() => load(path, ['  drop_wells: [{ column: Metadata_ASSAY_WELL_ROLE, values: [Untreated] }]']))).toBe(
      `${path}: column 'Metadata_ASSAY_WELL_ROLE' (dataset.drop_wells) is not in the table, so no well would be dropped by it; name a metadata column of the file`,
    );
  });

  it('a header-only file, an empty file and a file of blank lines', () => {
    expect(dataError(() => load(write('header-only.csv', `${HEADER}\n`)))).toMatch(/header-only\.csv: the file has a header but no rows/);
    expect(dataError(() => load(write('empty.csv', '')))).toMatch(/empty\.csv: the file is empty/);
    expect(dataError(() => load(write('newlines.csv', '\n\n\r\n')))).toMatch(/newlines\.csv: the file is empty/);
  });

  it('text after a closing quote', () => {
    const rows = plateRows('P1');
    rows[1] = rows[1].replace('DMSO', '"DM"SO');
    const path = write('quote-junk.csv', good(...rows));
    expect(dataError(() => load(path))).toMatch(/quote-junk\.csv: line 3: text after the closing quote of a field/);
  });

  it('reads well-formed variants exactly: CRLF, a byte-order mark, quoted commas, quotes and line breaks, no final newline, trailing blank lines', () => {
    const rows = plateRows('P1');
    rows[4] = rows[4].replace('C1', '"C1"');
    rows[6] = rows[6].replace('C2', '"C2"').replace('B03', '"B,03 ""x""\nsecond line"');
    const text = `\uFEFF${[HEADER, ...rows].join('\r\n')}`;
    const path = write('variants.csv', `${text}\r\n\r\n\n`);
    const { profiles } = load(path);
    expect(profiles.values.rows).toBe(8);
    expect(profiles.metadata.Metadata_Well[6]).toBe('B,03 "x"\nsecond line');
    expect(profiles.metadata.Metadata_pert).toEqual(['DMSO', 'DMSO', 'DMSO', 'DMSO', 'C1', 'C1', 'C2', 'C2']);
    expect(Array.from(profiles.values.data.subarray(7 * 3))).toEqual([10.5, 3, 4]);
    expect(load(write('no-final-newline.csv', text)).profiles.values.rows).toBe(8);
    // A line count that runs past the quoted line break: the bad row after it is on file line 10.
    const bad = [...rows, 'P1,C01,C9,treated,1,2'];
    const where = write('line-after-quote.csv', `${[HEADER, ...bad].join('\n')}\n`);
    expect(dataError(() => load(where))).toMatch(/line-after-quote\.csv: 1 row has the wrong number of fields \(the header has 7\): line 11 has 6/);
  });
});

describe('gzip and Parquet files are read strictly', () => {
  const csvText = good(...plateRows('P1'));

  it('a .csv.gz that is not gzip data', () => {
    const path = write('plain.csv.gz', csvText);
    expect(dataError(() => load(path))).toMatch(/plain\.csv\.gz: not gzip data \(no gzip header\); it looks like plain text: name it without \.gz/);
  });

  it('a truncated gzip stream', () => {
    const gz = gzipSync(csvText);
    const path = write('cut.csv.gz', gz.subarray(0, gz.length - 12));
    expect(dataError(() => load(path))).toMatch(/cut\.csv\.gz: the gzip stream ends early \(\d+ bytes\): the file is truncated/);
  });

  it('a corrupt gzip stream (a flipped byte, a wrong checksum)', () => {
    const gz = gzipSync(csvText);
    const flipped = Buffer.from(gz);
    flipped[gz.length - 6] ^= 0xff; // inside the CRC-32 of the trailer
    expect(dataError(() => load(write('crc.csv.gz', flipped)))).toMatch(/crc\.csv\.gz: corrupt gzip data \(incorrect data check\)/);
  });

  it('gzip data named .csv, and an empty .csv.gz', () => {
    const path = write('zipped.csv', gzipSync(csvText));
    expect(dataError(() => load(path))).toMatch(new RegExp(`${escaped(path)}: the file is gzip-compressed but its name does not end in .gz; rename it to ${escaped(path)}\\.gz`));
    expect(dataError(() => load(write('zero.csv.gz', '')))).toMatch(/zero\.csv\.gz: the file is empty \(0 bytes/);
  });

  it('a gzip stream that inflates to a ragged table names the .gz file and the line', () => {
    const rows = plateRows('P1');
    rows[3] = rows[3].split(',').slice(0, 6).join(',');
    const path = write('ragged.csv.gz', gzipSync(good(...rows)));
    expect(dataError(() => load(path))).toMatch(/ragged\.csv\.gz: 1 row has the wrong number of fields \(the header has 7\): line 5 has 6/);
  });

  it('a corrupt Parquet file, a truncated one, one with no rows, and Parquet named .csv', () => {
    const path = join(dir, 'ok.parquet');
    pl.readCSV(csvText).writeParquet(path);
    const bytes = readFileSync(path);
    const cut = write('cut.parquet', bytes.subarray(0, bytes.length >> 1));
    expect(dataError(() => load(cut))).toMatch(/cut\.parquet: not a readable Parquet file \(/);
    expect(dataError(() => load(write('text.parquet', csvText)))).toMatch(/text\.parquet: not a readable Parquet file \(.*\); it starts as comma-separated text: a CSV named \.parquet\?$/);
    expect(dataError(() => load(write('gz.parquet', gzipSync(csvText))))).toMatch(/gz\.parquet: not a readable Parquet file \(.*\); it is gzip data: a \.csv\.gz named \.parquet\?$/);
    // Parquet compressed whole with gzip: the inflated bytes are Parquet's.
    expect(dataError(() => load(write('whole.parquet.gz', gzipSync(bytes))))).toMatch(/whole\.parquet\.gz: the text is Parquet data \(gzip-compressed Parquet\?\)/);
    const empty = join(dir, 'norows.parquet');
    pl.readCSV(csvText).head(0).writeParquet(empty);
    expect(dataError(() => load(empty))).toMatch(/norows\.parquet: the Parquet file has columns but no rows/);
    expect(dataError(() => load(write('parquet.csv', bytes)))).toMatch(/parquet\.csv: the file is Parquet but its name does not end in \.parquet/);
    expect(load(path).profiles.values.rows).toBe(8);
  });
});

describe('the same wells twice', () => {
  it('a glob matching one table in two forms (x.csv.gz and the x.parquet ads convert wrote beside it) is an error naming both files', () => {
    const text = good(...plateRows('P1'));
    write('twice/plate1.csv.gz', gzipSync(text));
    pl.readCSV(text).writeParquet(join(dir, 'twice/plate1.parquet'));
    const gz = join(dir, 'twice/plate1.csv.gz');
    const parquet = join(dir, 'twice/plate1.parquet');
    expect(dataError(() => load(join(dir, 'twice/plate1*')))).toBe(
      `8 wells repeat an earlier well in every column (the same measurement twice, not a replicate): ` +
        [2, 3, 4, 5, 6].map((line) => `${parquet} row ${line - 1} repeats ${gz} line ${line}`).join('; ') +
        '; and 3 more. Is a table read twice (a glob matching both x.csv.gz and x.parquet)? Remove the copies',
    );
  });

  it('one copied row among other plates is found; the same plate and well with other values is not a copy (a plate imaged twice)', () => {
    const rows = plateRows('P2');
    const reimaged = rows.map((r) => r.replace(/,([^,]*)$/, ',9$1'));
    const path = write('twice/one-copy.csv', good(...plateRows('P1'), ...rows, rows[2], ...reimaged));
    expect(dataError(() => load(path))).toMatch(new RegExp(`^1 well repeats an earlier well in every column .*: ${escaped(path)} line 18 repeats ${escaped(path)} line 12\\. Is a table`));
    expect(load(write('twice/reimaged.csv', good(...plateRows('P1'), ...rows, ...reimaged))).report.wells).toBe(24);
  });

  it('a file named twice (a list entry and a glob) is read once', () => {
    const path = write('named/p1.csv', good(...plateRows('P1')));
    const r = load([path, join(dir, 'named/*.csv')]);
    expect(r.report.files).toEqual([path]);
    expect(r.report.wells).toBe(8);
  });
});

describe('wells without the role values they need', () => {
  it('an empty perturbation id in a treated well is an error at load, with the file’s own line; a control may lack one', () => {
    const rows = plateRows('P2');
    rows[5] = rows[5].replace(',C1,', ',,'); // treated, line 7 of p2
    rows[0] = rows[0].replace(',DMSO,', ',,'); // a control: fine
    write('roles/p1.csv', good(...plateRows('P1')));
    write('roles/p2.csv', good(...rows));
    const message = dataError(() => load(join(dir, 'roles/*.csv')));
    expect(message).toMatch(/1 treated well \(whose 'Metadata_role' is not one of \["control"\]\) has no perturbation value in column 'Metadata_pert': .*roles\/p2\.csv line 7\./);
    expect(message).toMatch(/set dataset\.missing_roles: drop/);
  });

  it('an empty plate, in a control or a treated well, and an empty control marker with no perturbation', () => {
    const rows = plateRows('P1');
    rows[1] = rows[1].replace(/^P1,/, ','); // control, line 3
    rows[6] = rows[6].replace(/^P1,/, '"",'); // treated, quoted empty, line 8
    rows[7] = rows[7].replace(',C2,treated,', ',,,'); // no role, no perturbation: line 9
    const path = write('noplate.csv', good(...rows));
    const message = dataError(() => load(path));
    expect(message).toMatch(new RegExp(`2 wells have no plate value in column 'Metadata_Plate': ${escaped(path)} lines 3, 8`));
    expect(message).toMatch(new RegExp(`1 treated well .* has no perturbation value in column 'Metadata_pert': ${escaped(path)} line 9`));
  });

  it("a perturbation written NA or None (R's and Python's missing) is missing, as pandas reads it; Na and none are ids", () => {
    const rows = plateRows('P1');
    rows[4] = rows[4].replace(',C1,', ',NA,'); // treated, line 6
    rows[6] = rows[6].replace(',C2,', ',None,'); // treated, line 8
    rows[5] = rows[5].replace(',C1,', ',Na,'); // an id pandas keeps
    const path = write('na-pert.csv', good(...rows, ...plateRows('P2')));
    expect(dataError(() => load(path))).toMatch(
      new RegExp(`2 treated wells .* have no perturbation value in column 'Metadata_pert' \\("NA", "None" read as missing, as pandas reads them\\): ${escaped(path)} lines 6, 8`),
    );
    const r = load(path, ['  missing_roles: drop']);
    expect(r.report.dropped_missing_roles).toEqual({ wells: 2, by_column: { Metadata_pert: 2 } });
    expect(r.profiles.metadata.Metadata_pert).toContain('Na');
  });

  it('dataset.missing_roles: drop leaves such wells out and counts them', () => {
    const rows = plateRows('P1');
    rows[4] = rows[4].replace(',C1,', ',,');
    rows[1] = rows[1].replace(/^P1,/, ',');
    const r = load(write('drop.csv', good(...rows, ...plateRows('P2'))), ['  missing_roles: drop']);
    expect(r.report.wells).toBe(14);
    expect(r.report.dropped_missing_roles).toEqual({ wells: 2, by_column: { Metadata_Plate: 1, Metadata_pert: 1 } });
    expect(r.profiles.metadata.Metadata_Well.slice(0, 6)).toEqual(['A01', 'A03', 'A04', 'B02', 'B03', 'B04']);
  });

  it('a feature with no value at all and na_cutoff 1: no imputation fills it, so the message says to drop it', () => {
    const path = write('empty-feature.csv', good(...plateRows('P1')).replace(/,[^,\n]*\n/g, ',\n').replace(/^(.*),\n/, '$1,Nuclei_c\n'));
    expect(dataError(() => load(path, ['  missing: { impute: mean, na_cutoff: 1 }']))).toBe(
      `8 missing value(s) left after dropping features above na_cutoff 1 and imputing 'mean': e.g. column 'Nuclei_c', which has no value in any well, at ${path} lines 2, 3, 4, 5, 6 and 3 more; lower dataset.missing.na_cutoff below 1 to drop it`,
    );
  });

  it('missing values left after imputation are reported at the file’s own lines, across files', () => {
    const rows = plateRows('P2');
    rows[2] = rows[2].replace(/,[^,]*$/, ','); // Nuclei_c empty on p2 line 4
    write('nan/p1.csv', good(...plateRows('P1')));
    write('nan/p2.csv', good(...rows));
    expect(dataError(() => load(join(dir, 'nan/*.csv'), ['  missing: { impute: none, na_cutoff: 0.5 }']))).toMatch(
      /1 missing value\(s\) left .* column 'Nuclei_c' at .*nan\/p2\.csv line 4;/,
    );
  });
});

describe('what the evaluations need is checked when loading, before training', () => {
  const loadStage = (path: string, extra: string[] = []) => {
    const spec = specFor(path, extra);
    return loadDataset(spec, rolesOf(spec.dataset), 0);
  };

  it('no replicate group of two wells', () => {
    const rows = plateRows('P1').map((r) => r.replace(/B02,C1/, 'B02,C3').replace(/B04,C2/, 'B04,C4'));
    const path = write('noreps.csv', good(...rows));
    expect(dataError(() => loadStage(path))).toMatch(/noreps\.csv: percent replicating needs replicates, but no group of treated wells with the same Metadata_pert has 2 or more wells \(4 treated wells evaluated\)/);
  });

  it('replicates only at lower doses: none is left once each compound keeps its highest dose', () => {
    const header = `${HEADER},Metadata_dose`;
    const rows = plateRows('P1').map((r, i) => `${r},${i === 5 || i === 7 ? 10 : 1}`);
    const path = write('doses.csv', `${[header, ...rows].join('\n')}\n`);
    const dose = ['  columns: { moa: null, dose: Metadata_dose }', '  replicate_by: [Metadata_pert]'];
    expect(dataError(() => loadStage(path, dose))).toMatch(/no group of treated wells with the same Metadata_pert has 2 or more wells \(2 treated wells evaluated, each compound's highest dose only/);
    expect(loadStage(path, [...dose, 'evaluation: { highest_dose_only: false }']).profiles.values.rows).toBe(8);
  });

  it('a treated well without a numeric dose when the highest dose is kept', () => {
    const header = `${HEADER},Metadata_dose`;
    const rows = plateRows('P1').map((r, i) => `${r},${i === 6 ? 'high' : 1}`);
    const path = write('baddose.csv', `${[header, ...rows].join('\n')}\n`);
    expect(dataError(() => loadStage(path, ['  columns: { moa: null, dose: Metadata_dose }']))).toMatch(
      new RegExp(`dose column 'Metadata_dose' has 1 treated well\\(s\\) without a numeric dose \\("high"\\): ${escaped(path)} line 8`),
    );
  });

  it('MoA classification enabled without a MoA column is an error; too few MoAs is a warning', () => {
    const path = write('nomoa.csv', good(...plateRows('P1')));
    const spec = loadSpec(write('moa.yaml', `experiment: m\ndataset:\n  source: file\n  path: ${path}\n`)).spec;
    expect(dataError(() => loadDataset(spec, rolesOf(spec.dataset), 0))).toMatch(
      /nomoa\.csv: MoA classification is enabled but the table has no MoA column 'Metadata_moa' \(dataset\.columns\.moa\)/,
    );
    const withMoa = write('moa.csv', `${[`${HEADER},Metadata_moa`, ...plateRows('P1').map((r) => `${r},${r.includes('C1') ? 'm1' : ''}`)].join('\n')}\n`);
    const ok = loadSpec(write('moa2.yaml', `experiment: m\ndataset:\n  source: file\n  path: ${withMoa}\n`)).spec;
    expect(loadDataset(ok, rolesOf(ok.dataset), 0).warnings).toEqual([
      "MoA consistency (mAP) will be skipped: 0 MoA(s) of column 'Metadata_moa' have two or more labelled perturbations among the evaluated wells (it needs 2: with one, every list is all positives and trivially retrieved)",
      "MoA classification will be skipped: 0 MoA(s) of column 'Metadata_moa' have more than evaluation.moa.min_compounds = 4 compounds among the evaluated wells (it needs 2)",
    ]);
  });

  it('what loads but weakens the run is a warning: one plate and well twice, treated wells with the controls\' id, a single MoA', () => {
    const rows = plateRows('P1');
    // Row 6 (C1 in B02) filed again under B01, with its own values; two controls marked "Control", not "control".
    const moved = rows.map((r, i) => (i === 5 ? r.replace('B02', 'B01') : i < 2 ? r.replace('control', 'Control') : r));
    const path = write('weak.csv', `${[`${HEADER},Metadata_moa`, ...moved.map((r) => `${r},m1`)].join('\n')}\n`);
    const warnings = loadStage(path, ['  columns: { moa: Metadata_moa }', 'evaluation: { moa: { enabled: false } }']).warnings;
    expect(warnings).toEqual([
      `MoA consistency (mAP) will be skipped: 1 MoA(s) of column 'Metadata_moa' have two or more labelled perturbations among the evaluated wells (it needs 2: with one, every list is all positives and trivially retrieved)`,
      `1 well(s) share their plate and well position with an earlier, different well (Metadata_Plate "P1", Metadata_Well "B01" at ${path} lines 6, 7): a plate imaged twice under one name, or tables merged twice? Each is kept as a well of its own`,
      `2 treated well(s) have the perturbation of the controls ("DMSO") but 'Metadata_role' "Control", not one of ["control"] (e.g. at ${path} lines 2, 3): they are evaluated as a compound; if they are controls, add that value to dataset.control.values`,
    ]);
  });

  it('a compound labelled with two MoAs names the file and the MoA column', () => {
    const rows = plateRows('P1').map((r, i) => `${r},${i < 4 ? '' : i === 4 ? 'm1' : i === 5 ? 'm2' : 'm3'}`);
    const path = write('two-moas.csv', `${[`${HEADER},Metadata_moa`, ...rows].join('\n')}\n`);
    expect(dataError(() => loadStage(path, ['  columns: { moa: Metadata_moa }']))).toBe(
      `${path}: column 'Metadata_moa': MoA classification: compound 'C1' is labelled both 'm1' (perturbation 'C1') and 'm2' (perturbation 'C1'); one compound must have one MoA`,
    );
  });

  it('a split_by column the table lacks', () => {
    const path = write('nosplit.csv', good(...plateRows('P1')));
    expect(dataError(() => loadStage(path, ['evaluation: { split_by: Metadata_kind }']))).toMatch(
      /nosplit\.csv: evaluation\.split_by names column 'Metadata_kind', which the table does not have/,
    );
  });
});

describe('through the CLI', () => {
  const runsDir = join(dir, 'runs');
  const run = (spec: string) => ads(['run', spec, '--runs-dir', runsDir, '--reports-dir', join(dir, 'reports')]);
  /** `csv` written as `name`.csv, converted by `ads convert` (which must succeed) and read back. */
  const converted = async (name: string, csv: string) => {
    const out = join(dir, `${name}.parquet`);
    const r = await ads(['convert', write(`${name}.csv`, csv), out]);
    expect(r.code, r.stderr).toBe(0);
    return pl.readParquet(out);
  };

  it('ads convert keeps ids as written and features as numbers (it knows the default feature prefixes, no spec)', async () => {
    const df = await converted('convert-ids', 'Metadata_Plate,Metadata_pert,Cells_a,Nuclei_b\n01,1.1,1,2.0\n1,1.10,1.0,2\n');
    expect(df.getColumn('Metadata_Plate').toArray()).toEqual(['01', '1']);
    expect(df.getColumn('Metadata_pert').toArray()).toEqual(['1.1', '1.10']);
    expect(df.getColumn('Cells_a').toArray()).toEqual([1, 1]);
    expect(df.getColumn('Nuclei_b').dtype.variant).toBe('Float64');
  });

  it("ads convert writes a feature column whose only text is NA, NaN or inf as numbers; other text stays text for the run to name", async () => {
    const df = await converted('convert-na', 'Metadata_Plate,Cells_a,Cells_b,Nuclei_c\nP1,1.5,NA,x\nP1,NA,inf,2\nP1,2,-Infinity,3\n');
    // As pandas.read_csv types them: NA missing, inf and -Infinity infinite.
    expect(df.getColumn('Cells_a').toArray()).toEqual([1.5, null, 2]);
    expect(df.getColumn('Cells_b').toArray()).toEqual([null, Infinity, -Infinity]);
    expect(df.getColumn('Nuclei_c').toArray()).toEqual(['x', '2', '3']);
  });

  it('a ragged per-plate file stops the run with exit 1, the file and line, and no stack trace', async () => {
    const rows = plateRows('P2');
    rows[6] = rows[6].split(',').slice(0, 4).join(',');
    write('cli/p1.csv.gz', gzipSync(good(...plateRows('P1'))));
    const p2 = write('cli/p2.csv.gz', gzipSync(good(...rows)));
    const spec = write('cli-ragged.yaml', `experiment: ragged\ndataset:\n  source: file\n  path: cli/*.csv.gz\n  columns: { moa: null }\n`);
    const r = await run(spec);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${p2}: 1 row has the wrong number of fields (the header has 7): line 8 has 4`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/internal error/);
  }, 120_000);

  it('wells dropped for missing roles and the training-setting warnings reach the manifest (and stderr)', async () => {
    const rows = [...plateRows('P1'), ...plateRows('P2'), ...plateRows('P3')];
    rows[4] = rows[4].replace(',C1,', ',,');
    const spec = write(
      'cli-drop.yaml',
      [
        'experiment: dropped',
        'dataset:',
        '  source: file',
        `  path: ${write('cli-drop.csv', good(...rows))}`,
        '  columns: { moa: null }',
        '  missing_roles: drop',
        'split: { test_fraction: 0.25, val_fraction: 0.25 }',
        'model: { latent: 4, encoder: [8] }',
        'training: { max_epochs: 2, batch_size: 64 }',
        'representations: [anomaly]',
        'evaluation: { map: { enabled: false }, moa: { enabled: false } }',
        'explain: { enabled: false }',
      ].join('\n'),
    );
    const r = await run(spec);
    expect(r.code, r.stderr).toBe(0);
    const exp = join(runsDir, 'dropped');
    const [id] = readdirSync(exp, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'tb').map((d) => d.name);
    const manifest = JSON.parse(readFileSync(join(exp, id, 'manifest.json'), 'utf8'));
    expect(manifest.data.load.dropped_missing_roles).toEqual({ wells: 1, by_column: { Metadata_pert: 1 } });
    expect(manifest.data.load.wells).toBe(23);
    // 12 controls: 3 test, 3 val (ceil of a quarter of 9), 6 train; 3 features, fewer than the latent 4.
    expect(manifest.data.warnings).toEqual([
      expect.stringMatching(/^model\.latent: 4 is not smaller than the [1-3] input features/),
      'training.batch_size: 64 is larger than the 6 training wells: every epoch is one full batch',
    ]);
    expect(r.stderr).toMatch(/warning: run \w+: training\.batch_size: 64 is larger than the 6 training wells/);
  }, 180_000);
});
