import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pl from 'nodejs-polars';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { ProfilesAssembler } from '../src/data/assemble.ts';
import { type ReadOptions, readDataset, readDatasetAsync } from '../src/data/dataset.ts';
import { rolesOf } from '../src/data/roles.ts';
import { simulateScreen } from '../src/data/synthetic.ts';
import { DataError } from '../src/errors.ts';
import { loadSpec } from '../src/spec/load.ts';
import { ads, root } from './support/cli.ts';
import { scratchDir } from './support/files.ts';

/**
 * A screen read a part at a time into one matrix (readDataset), and converted once to Parquet (`ads
 * convert`) then read by blocks of columns. The file is read in parts of 1 MB here (32 MB by default) so that
 * it stays small: records cut between parts, quoted line breaks, a metadata column that is numbers in the
 * first parts and text later, and a feature that is integers first and halves later. The expected values
 * are the ones the generator wrote.
 */
const { dir, write } = scratchDir('ads-profiles-parts-');
const ROWS = 30_000;
/** More features than a Parquet block (64), so that the Parquet path reads several blocks. */
const FEATURES = 70;
const PARTS = { partBytes: 1 << 20 };

function screen(quoted = true) {
  const rng = seedrandom('profiles-parts');
  const features = Array.from({ length: FEATURES }, (_, k) => `Cells_f${k}`);
  const header = ['Metadata_Plate', 'Metadata_Well', 'Metadata_pert', 'Metadata_role', 'Metadata_note', ...features];
  const lines = [header.join(',')];
  const lineOf: number[] = [];
  const values: number[][] = [];
  const pert: string[] = [];
  const note: string[] = [];
  let line = 2;
  for (let i = 0; i < ROWS; i++) {
    const control = i % 8 === 0;
    // Numbers for the first 20,000 wells, then compound names: one column, text in the table as a whole.
    pert.push(control ? 'DMSO' : i < 20_000 ? String(1000 + (i % 50)) : `BRD-${i % 50}`);
    // Every 101st note holds a comma, a quote and a line break.
    const special = quoted && i % 101 === 0;
    note.push(special ? `n ${i}, "q"\nsecond` : `n ${i}`);
    const written = special ? `"${note[i].replace(/"/g, '""')}"` : note[i];
    const row = features.map((_, k) => (k === 0 ? (i < 20_000 ? i : i + 0.5) : (rng() - 0.5) * 10 ** Math.floor(rng() * 8 - 4)));
    values.push(row);
    lines.push([`P${i % 12}`, `W${i % 384}`, control ? '' : pert[i], control ? 'control' : 'treated', written, ...row.map(String)].join(','));
    lineOf.push(line);
    line += special ? 2 : 1;
  }
  return { text: `${lines.join('\n')}\n`, lines, features, lineOf, values, pert, note };
}
const table = screen();

function load(path: string, options: ReadOptions = PARTS) {
  const spec = loadSpec(write(`spec-${Math.random().toString(36).slice(2)}.yaml`, `experiment: t\ndataset:\n  source: file\n  path: ${JSON.stringify(path)}\n  missing_roles: drop\n  columns: { perturbation: Metadata_pert }\n  control: { column: Metadata_role, values: [control] }\n`)).spec;
  return readDataset(spec.dataset, rolesOf(spec.dataset), options);
}

function expectTable(loaded: ReturnType<typeof load>) {
  const { profiles } = loaded;
  expect([profiles.values.rows, profiles.values.cols]).toEqual([ROWS, FEATURES]);
  expect(profiles.features).toEqual(table.features);
  expect(Array.from(profiles.values.data)).toEqual(table.values.flat());
  // Text in the table as a whole: the numbers of the first parts read as the same text ('1017'), as polars reads
  // the whole column; controls leave it empty.
  expect(profiles.metadata.Metadata_pert).toEqual(table.pert.map((p, i) => (i % 8 === 0 ? null : p)));
  expect(profiles.metadata.Metadata_note![101]).toBe('n 101, "q"\nsecond');
}

describe('a screen is read a part at a time into one matrix', () => {
  const gz = write('screen.csv.gz', gzipSync(table.text, { level: 1 }));

  it('reads every value, each metadata column at the type all its parts fit, with the file’s line numbers', () => {
    expect(table.text.length).toBeGreaterThan(8 * PARTS.partBytes);
    const loaded = load(gz);
    expectTable(loaded);
    expect(Array.from(loaded.origins.number)).toEqual(table.lineOf);
    // The same from the plain text, read from disk in parts.
    expectTable(load(write('screen.csv', table.text)));
  });

  it('reads the same letting the event loop turn between parts (as a run reads)', async () => {
    const spec = loadSpec(write('async.yaml', `experiment: t\ndataset:\n  source: file\n  path: ${JSON.stringify(gz)}\n  missing_roles: drop\n`)).spec;
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    const loaded = await readDatasetAsync(spec.dataset, rolesOf(spec.dataset), PARTS);
    clearInterval(ticking);
    expectTable(loaded);
    expect(turns).toBeGreaterThan(0);
  });

  it('names the line of a non-numeric feature value in a later part, after checking the whole file', () => {
    const at = 25_000;
    const lines = [...table.lines];
    const cells = lines[at + 1].split(',');
    cells[5 + 3] = 'oops';
    lines[at + 1] = cells.join(',');
    const path = write('text.csv.gz', gzipSync(`${lines.join('\n')}\n`, { level: 1 }));
    expect(() => load(path)).toThrow(DataError);
    expect(() => load(path)).toThrow(`${path}: column 'Cells_f3' has non-numeric values ("oops") at line ${table.lineOf[at]}`);
    // A ragged row further down is a problem of the file's structure, told first.
    lines[at + 2000] = `${lines[at + 2000]},extra`;
    const both = write('both.csv.gz', gzipSync(`${lines.join('\n')}\n`, { level: 1 }));
    expect(() => load(both)).toThrow(`${both}: 1 row has the wrong number of fields (the header has ${FEATURES + 5}): line ${table.lineOf[at + 1999]}`);
  });

  it('grows the matrix, keeping what it holds, when the rows outnumber the estimate', () => {
    const assembler = new ProfilesAssembler(['a', 'b']);
    assembler.room(3, 3);
    for (let first = 0; first < 40; first += 5) {
      const rows = Array.from({ length: 5 }, (_, i) => first + i);
      const part = pl.DataFrame([pl.Series('id', rows.map(String)), pl.Series('b', rows.map((r) => r / 4)), pl.Series('a', rows, pl.Int32)]);
      assembler.room(first + 5, first + 5);
      assembler.add(part, first, (i) => first + i + 2);
    }
    assembler.endFile('t.csv', 'line', 40);
    const p = assembler.finish();
    expect(Array.from(p.values.data)).toEqual(Array.from({ length: 40 }, (_, r) => [r, r / 4]).flat());
    expect(p.metadata.id).toEqual(Array.from({ length: 40 }, (_, r) => String(r)));
  });
});

describe('a screen without quoted fields has its features parsed on several threads, with the same result', () => {
  // Every part after the first is cut among three threads (teamFrom 0): its lines are taken as records, and
  // the parse checks their fields; anything else is found by the check proper, as on one thread.
  const plain = screen(false);
  const TEAM: ReadOptions = { ...PARTS, threads: 3, teamFrom: 0 };
  const gz = (name: string, lines: readonly string[], end = '\n') => write(name, gzipSync(`${lines.join(end)}${end}`, { level: 1 }));
  const message = (path: string, options: ReadOptions) => {
    try {
      load(path, options);
    } catch (err) {
      return (err as Error).message.replace(path, '<file>');
    }
    return 'read';
  };

  it('reads every value and line number the generator wrote, from LF and from CRLF lines', () => {
    for (const path of [gz('plain.csv.gz', plain.lines), gz('crlf.csv.gz', plain.lines, '\r\n')]) {
      const { profiles, origins } = load(path, TEAM);
      expect(Array.from(profiles.values.data)).toEqual(plain.values.flat());
      expect(Array.from(origins.number)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 2));
      expect(profiles.metadata.Metadata_note).toEqual(plain.note);
      expect(profiles.metadata.Metadata_pert).toEqual(plain.pert.map((p, i) => (i % 8 === 0 ? null : p)));
    }
  });

  it('tells a ragged row, a blank line or a non-numeric value in a later part as one thread does, by its line', () => {
    const cases: [string, (lines: string[]) => void, string][] = [
      ['ragged', (lines) => (lines[25_001] += ',extra'), `1 row has the wrong number of fields (the header has ${FEATURES + 5}): line 25002`],
      ['short', (lines) => (lines[25_001] = lines[25_001].split(',').slice(0, 9).join(',')), `1 row has the wrong number of fields (the header has ${FEATURES + 5}): line 25002`],
      ['blank', (lines) => lines.splice(25_001, 0, ''), 'blank line inside the table at line 25002'],
      ['text', (lines) => (lines[25_001] = lines[25_001].replace(/,([^,]*)$/, ',oops')), `column 'Cells_f69' has non-numeric values ("oops") at line 25002`],
      ['quoted', (lines) => (lines[25_001] = lines[25_001].replace(/n 25000/, '"n, 25000"')), 'read'],
    ];
    for (const [name, change, expected] of cases) {
      const lines = [...plain.lines];
      change(lines);
      const path = gz(`${name}.csv.gz`, lines);
      const one = message(path, { ...PARTS, threads: 1 });
      expect(one, name).toContain(expected);
      expect(message(path, TEAM), name).toBe(one);
    }
  });
});

describe('ads convert', () => {
  const gz = write('convert.csv.gz', gzipSync(table.text, { level: 1 }));

  it('writes the table as Parquet with every value and column type, which reads as the CSV.gz does', async () => {
    const out = join(dir, 'out', 'screen.parquet');
    const result = await ads(['convert', gz, out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${out}: ${ROWS} rows × ${FEATURES + 5} columns`);
    const df = pl.readParquet(out);
    expect(df.columns).toEqual(table.lines[0].split(','));
    expect(df.getColumn('Cells_f0').dtype.variant).toBe('Float64');
    expect(df.getColumn('Metadata_pert').dtype.variant).toBe('String');
    expect(Array.from(df.getColumn('Cells_f69').toTypedArray() as Float64Array)).toEqual(table.values.map((r) => r[69]));
    const fromParquet = load(out);
    expectTable(fromParquet);
    expect(Array.from(fromParquet.origins.number)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  });

  it('stops on a ragged row with the file and line, writing nothing; the output must be .parquet', async () => {
    const lines = [...table.lines];
    lines[20_001] = lines[20_001].split(',').slice(0, 9).join(',');
    const bad = write('ragged.csv.gz', gzipSync(`${lines.join('\n')}\n`, { level: 1 }));
    const out = join(dir, 'ragged.parquet');
    const result = await ads(['convert', bad, out]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`${bad}: 1 row has the wrong number of fields (the header has ${FEATURES + 5}): line ${table.lineOf[20_000]} has 9`);
    expect(existsSync(out)).toBe(false);
    const wrongName = await ads(['convert', gz, join(dir, 'x.csv')]);
    expect(wrongName.code).toBe(2);
    expect(wrongName.stderr).toMatch(/must end in \.parquet/);
  });
});

describe('ads convert and ads simulate refuse an output they cannot write, before any work, with no stack trace', () => {
  const csv = write('small.csv', 'Metadata_Plate,Metadata_Well,Cells_a\nP1,A01,1.5\nP1,A02,2.5\n');
  const spec = write('small-sim.yaml', 'experiment: s\ndataset:\n  synthetic: { plates: 2, moas: 2, compounds_per_moa: 2, features: 3 }\n');
  mkdirSync(join(dir, 'a-folder.parquet'), { recursive: true });
  const cases: [string, string[], RegExp][] = [
    // Before: polars panicked ("Is a directory") and the CLI said "internal error", exit 70.
    ['convert onto a folder', ['convert', csv, join(dir, 'a-folder.parquet')], /^ads convert: the output: .*a-folder\.parquet is a folder; name a file$/],
    // Before: the same-file check compared the strings, and the input was overwritten.
    ['convert onto its input by another name', ['convert', join(dir, 'out', 'screen.parquet'), relative(root, join(dir, 'out', 'screen.parquet'))], /^ads convert: the input and the output are the same file/],
    ['simulate onto a folder', ['simulate', spec, '--out', join(dir, 'a-folder.parquet')], /^ads simulate: --out: .*a-folder\.parquet is a folder; name a file$/],
    // Before: Number('') is 0, and '1e3' was seed 1000.
    ['simulate with --seed ""', ['simulate', spec, '--out', join(dir, 'sim.parquet'), '--seed', ''], /^ads simulate: --seed "" is not a non-negative integer/],
    ['simulate with --seed 1e3', ['simulate', spec, '--out', join(dir, 'sim.parquet'), '--seed', '1e3'], /^ads simulate: --seed "1e3" is not a non-negative integer/],
    // Before: the default screen was written, not one the spec describes.
    ['simulate a spec that reads files', ['simulate', write('file-spec.yaml', `experiment: f\ndataset: { source: file, path: ${csv} }\n`), '--out', join(dir, 'sim.parquet')], /^ads simulate: .*file-spec\.yaml reads its data from files \(dataset\.source: file\); give a spec with dataset\.source: synthetic$/],
  ];
  // A file system that holds no files (polars panicked with "No such file or directory").
  if (existsSync('/proc/self')) {
    cases.push(['convert into /proc', ['convert', csv, '/proc/ads-out.parquet'], /^ads convert: the output: cannot write \/proc\/ads-out\.parquet: this file system does not allow a file there \(ENOENT\)$/]);
    cases.push(['simulate into /proc', ['simulate', spec, '--out', '/proc/ads-sim.csv'], /^ads simulate: --out: cannot write \/proc\/ads-sim\.csv: this file system does not allow a file there \(ENOENT\)$/]);
  }
  it.each(cases)('%s', async (_, args, message) => {
    const result = await ads(args);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });
});

describe('ads simulate writes a CSV a block of rows at a time', () => {
  it('writes every well of the simulated screen, across blocks, as simulateScreen draws it', async () => {
    // 5,136 wells: more than one block of 4,096 rows, the first block all controls.
    const spec = write('sim.yaml', 'experiment: sim\ndataset:\n  synthetic: { plates: 14, controls_per_plate: 24, moas: 10, compounds_per_moa: 10, doses: 6, replicates: 8, features: 5 }\n');
    const out = join(dir, 'sim.csv.gz');
    const result = await ads(['simulate', spec, '--out', out, '--seed', '3']);
    expect(result.code).toBe(0);
    const expected = simulateScreen(loadSpec(spec).spec.dataset.synthetic, 3);
    const df = pl.readCSV(gunzipSync(readFileSync(out)));
    expect(df.height).toBe(5136);
    expect(df.columns).toEqual([...Object.keys(expected.metadata), ...expected.features]);
    for (const [name, values] of Object.entries(expected.metadata)) expect(df.getColumn(name).toArray()).toEqual(values);
    expected.features.forEach((f, j) => {
      expect(Array.from(df.getColumn(f).toTypedArray() as Float64Array)).toEqual(Array.from({ length: 5136 }, (_, i) => expected.values.data[i * 5 + j]));
    });
  });
});
