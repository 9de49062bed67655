import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { readDataset } from '../src/data/dataset.ts';
import { rolesOf } from '../src/data/roles.ts';
import { loadSpec } from '../src/spec/load.ts';
import { DataError } from '../src/errors.ts';
import { ads } from './support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'ads-data-'));

/** A tiny screen: 2 plates × (3 controls + 2 compounds × 1 well), features f1..f3. */
function csv(rows: string[][]): string {
  return rows.map((r) => r.join(',')).join('\n') + '\n';
}
const header = ['Metadata_Plate', 'Metadata_Well', 'Metadata_pert', 'Metadata_role', 'Cells_f1', 'Cells_f2', 'Nuclei_f3'];
function plate(name: string, values: (i: number) => string[] = (i) => [String(i), String(i * 2 + 1), String(10 - i)]): string[][] {
  return [
    ['A01', 'DMSO', 'control'],
    ['A02', 'DMSO', 'control'],
    ['A03', 'DMSO', 'control'],
    ['B01', 'C1', 'treated'],
    ['B02', 'C2', 'treated'],
  ].map((m, i) => [name, ...m, ...values(i)]);
}
function write(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function specFor(path: string | string[], extra = ''): ReturnType<typeof loadSpec>['spec'] {
  const file = write(`spec-${Math.random().toString(36).slice(2)}.yaml`, `experiment: t\ndataset:\n  source: file\n  path: ${JSON.stringify(path)}\n${extra}`);
  return loadSpec(file).spec;
}
function load(path: string | string[], extra = '') {
  const spec = specFor(path, extra);
  return readDataset(spec.dataset, rolesOf(spec.dataset));
}
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as Error).message;
  }
  throw new Error('expected a DataError');
}

describe('reading per-well tables', () => {
  it('reads CSV, gzipped CSV and Parquet alike, and concatenates a glob of per-plate files in sorted order', () => {
    const a = write('p1.csv', csv([header, ...plate('P1')]));
    write('p2.csv.gz', gzipSync(csv([header, ...plate('P2')])));
    const one = load(a);
    expect(one.profiles.values.rows).toBe(5);
    expect(one.profiles.features).toEqual(['Cells_f1', 'Cells_f2', 'Nuclei_f3']);
    expect(Array.from(one.profiles.values.data.slice(0, 3))).toEqual([0, 1, 10]);
    const pq = join(dir, 'p3.parquet');
    pl.readCSV(csv([header, ...plate('P3')])).writeParquet(pq);
    const fromParquet = load(pq);
    expect(Array.from(fromParquet.profiles.values.data)).toEqual(Array.from(one.profiles.values.data));
    const both = load(join(dir, 'p*.csv*'));
    expect(both.report.files.map((f) => f.split('/').pop())).toEqual(['p1.csv', 'p2.csv.gz']);
    expect(both.profiles.metadata.Metadata_Plate).toEqual([...Array(5).fill('P1'), ...Array(5).fill('P2')]);
  });

  it("a glob's wildcards skip hidden files and folders, as a shell's do (macOS' ._ copies, .DS_Store)", () => {
    // Before: '._h1.csv.gz', an AppleDouble file of no table, was read, and stopped the run as "not gzip data".
    mkdirSync(join(dir, 'hidden/.trash'), { recursive: true });
    mkdirSync(join(dir, 'hidden/sub'), { recursive: true });
    write('hidden/h1.csv.gz', gzipSync(csv([header, ...plate('H1')])));
    write('hidden/sub/h2.csv.gz', gzipSync(csv([header, ...plate('H2')])));
    write('hidden/._h1.csv.gz', Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]));
    write('hidden/.trash/h0.csv.gz', gzipSync(csv([header, ...plate('H0')])));
    expect(load(join(dir, 'hidden/**/*.csv.gz')).report.files.map((f) => f.slice(dir.length + 1))).toEqual(['hidden/h1.csv.gz', 'hidden/sub/h2.csv.gz']);
    // A name that says the dot itself still matches.
    expect(load(join(dir, 'hidden/.trash/*.csv.gz')).report.files).toEqual([join(dir, 'hidden/.trash/h0.csv.gz')]);
  });

  it('chooses features by prefix, include and exclude patterns and a blocklist', () => {
    const path = write('choose.csv', csv([header, ...plate('P1')]));
    expect(load(path, "  features: { prefixes: [Cells_] }\n").profiles.features).toEqual(['Cells_f1', 'Cells_f2']);
    expect(load(path, "  features: { include: ['f[13]$'] }\n").profiles.features).toEqual(['Cells_f1', 'Nuclei_f3']);
    expect(load(path, "  features: { exclude: ['^Nuclei'], blocklist: [Cells_f1] }\n").profiles.features).toEqual(['Cells_f2']);
  });

  it('names the file and the missing role column', () => {
    const path = write('noplate.csv', csv([header.map((h) => (h === 'Metadata_Plate' ? 'Plate' : h)), ...plate('P1')]));
    expect(errorOf(() => load(path))).toMatch(/noplate\.csv: no column 'Metadata_Plate' \(plate\)/);
    // A name with a space before it is quoted in the list of the header's names, where the space shows.
    const spaced = write('spaced.csv', csv([header.map((h) => (h === 'Metadata_Plate' ? ' Metadata_Plate' : h)), ...plate('P1')]));
    expect(errorOf(() => load(spaced))).toMatch(/spaced\.csv: no column 'Metadata_Plate' \(plate\); the table has \d+ columns: " Metadata_Plate", /);
  });

  it('names the column and rows of non-numeric feature values', () => {
    const rows = plate('P1', (i) => [String(i), i === 2 || i === 4 ? 'oops' : '1', '3']);
    const path = write('text.csv', csv([header, ...rows]));
    expect(errorOf(() => load(path))).toMatch(/text\.csv: column 'Cells_f2' has non-numeric values \("oops", "oops"\) at lines 4, 6/);
  });

  it('refuses files with different feature sets unless asked for the common ones', () => {
    write('q1.csv', csv([header, ...plate('P1')]));
    write('q2.csv', csv([[...header.slice(0, 6), 'Nuclei_other'], ...plate('P2')]));
    expect(errorOf(() => load(join(dir, 'q*.csv')))).toMatch(/q2\.csv: its features differ from .*q1\.csv's; only here: Nuclei_other; missing here: Nuclei_f3/);
    const common = load(join(dir, 'q*.csv'), '  features: { common: true }\n');
    expect(common.profiles.features).toEqual(['Cells_f1', 'Cells_f2']);
    expect(common.report.not_common).toEqual(['Nuclei_f3', 'Nuclei_other']);
  });

  it('treats ±Inf as missing, drops features above na_cutoff and imputes the rest by the policy', () => {
    const rows = plate('P1', (i) => [i === 1 ? 'inf' : String(i), i < 3 ? '' : '2', i === 4 ? '-Infinity' : String(i)]);
    const path = write('missing.csv', csv([header, ...rows]));
    const r = load(path, '  missing: { na_cutoff: 0.3, impute: mean }\n');
    expect(r.profiles.features).toEqual(['Cells_f1', 'Nuclei_f3']);
    expect(r.report.dropped_missing).toEqual([{ feature: 'Cells_f2', missing_share: 0.6 }]);
    expect(r.report.imputed).toEqual({ method: 'mean', values: 2, features: 2 });
    // f1 = [0, Inf→mean(0,2,3,4)=2.25, 2, 3, 4]
    expect(r.profiles.values.data[2]).toBe(2.25);
    const interp = load(path, '  missing: { na_cutoff: 0.3, impute: interpolate }\n');
    expect(interp.profiles.values.data[2]).toBe(1); // halfway between 0 and 2
    expect(errorOf(() => load(path, '  missing: { na_cutoff: 0.3, impute: none }\n'))).toMatch(
      /missing value\(s\) left .* column 'Cells_f1' at .*missing\.csv line 3;.*set dataset.missing.impute/,
    );
  });

  it("reads the words pandas' CSV reader takes for missing (R's NA, Excel's #N/A, NULL, None, …) as missing, and other words as errors", () => {
    // pandas.read_csv's default na_values (pandas 3.0.6's STR_NA_VALUES), as pycytominer reads its tables.
    const words = ['NA', 'N/A', '#N/A', 'NULL', 'None', '<NA>', 'n/a', 'null', '#NA'];
    const rows = [...plate('P1'), ...plate('P2')].map((r, i) => (i < words.length ? [...r.slice(0, 5), words[i], r[6]] : r));
    const r = load(write('words.csv', csv([header, ...rows])), '  missing: { na_cutoff: 1, impute: mean }\n');
    expect(r.report.imputed).toEqual({ method: 'mean', values: words.length, features: 1 });
    const other = [...plate('P1'), ...plate('P2')].map((r, i) => (i === 3 ? [...r.slice(0, 5), 'missing', r[6]] : i === 0 ? [...r.slice(0, 5), 'NA', r[6]] : r));
    expect(errorOf(() => load(write('word.csv', csv([header, ...other]))))).toMatch(/word\.csv: column 'Cells_f2' has non-numeric values \("missing"\) at line 5$/);
  });

  it('reads every numeric column type of a Parquet file, nulls and ±Inf becoming missing values', () => {
    const meta = plate('P1').map((r) => r.slice(0, 4));
    const column = (name: string) => meta.map((r) => r[header.indexOf(name)]);
    const table = pl.DataFrame([
      ...['Metadata_Plate', 'Metadata_Well', 'Metadata_pert', 'Metadata_role'].map((name) => pl.Series(name, column(name))),
      pl.Series('Cells_f1', [0, 1, 2, 3, 2 ** 40], pl.Int64),
      pl.Series('Cells_f2', [0.5, null, 1.5, Infinity, -0], pl.Float32),
      pl.Series('Nuclei_f3', [1, 2, 3, 4, 5], pl.UInt8),
    ]);
    const path = join(dir, 'types.parquet');
    table.writeParquet(path);
    const r = load(path, '  missing: { na_cutoff: 0.5, impute: mean }\n');
    expect(r.profiles.features).toEqual(['Cells_f1', 'Cells_f2', 'Nuclei_f3']);
    expect(r.report.imputed).toEqual({ method: 'mean', values: 2, features: 1 });
    const cols = (j: number) => Array.from({ length: 5 }, (_, i) => r.profiles.values.data[i * 3 + j]);
    expect(cols(0)).toEqual([0, 1, 2, 3, 2 ** 40]);
    expect(cols(1)).toEqual([0.5, 2 / 3, 1.5, 2 / 3, -0]); // null and Inf → the mean of 0.5, 1.5, −0
    expect(cols(2)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('data errors stop a run before training, with a clear message and no stack trace', () => {
  const run = (spec: string) => ads(['run', spec, '--runs-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports')]);
  // The tiny tables have no MoA column: say so, or loading stops on it.
  const specText = (path: string, extra = '') => `experiment: bad\ndataset:\n  source: file\n  path: ${path}\n  columns: { moa: null }\n${extra}`;

  it('a plate without controls', async () => {
    const rows = [...plate('P1'), ...plate('P2').map((r) => [...r.slice(0, 3), 'treated', ...r.slice(4)])];
    const path = write('nocontrols.csv', csv([header, ...rows]));
    const r = await run(write('nocontrols.yaml', specText(path)));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/plate 'P2' \(0 controls\) of column 'Metadata_Plate' cannot give both a training and a test control/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('no replicate group with two wells', async () => {
    const path = write('noreps.csv', csv([header, ...plate('P1'), ...plate('P2').map((r) => r.map((v) => (v === 'C1' ? 'C3' : v === 'C2' ? 'C4' : v)))]));
    const r = await run(write('noreps.yaml', specText(path, 'training: { max_epochs: 2 }\n')));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/percent replicating needs replicates, but no group of treated wells with the same Metadata_pert has 2 or more wells/);
  });

  it('too few training controls', async () => {
    const path = write('few.csv', csv([header, ...plate('P1').map((r) => r.map((v) => (v === 'C2' ? 'C1' : v)))]));
    const r = await run(write('few.yaml', specText(path, 'split: { test_fraction: 0.5, val_fraction: 0.5 }\n')));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/too few control wells: the split of 3 controls leaves no 'train' well/);
  });
});
