import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pl from 'nodejs-polars';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { scratchDir } from './support/files.ts';

/**
 * `ads validate` checks, without running anything, what can be known from the spec and the data files'
 * headers. Run in-process (the command is the same function the CLI calls) so timings measure the check alone.
 */
const { dir, write } = scratchDir('ads-validate-');

async function validate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  const log = vi.spyOn(console, 'log').mockImplementation((...s) => void (stdout += `${s.join(' ')}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...s) => void (stderr += `${s.join(' ')}\n`));
  const t0 = performance.now();
  try {
    const code = await main(['validate', ...args]);
    return { code, stdout, stderr, seconds: (performance.now() - t0) / 1000 };
  } finally {
    for (const spy of [out, err, log, error]) spy.mockRestore();
  }
}
afterEach(() => vi.restoreAllMocks());

const HEADER = 'Metadata_Plate,Metadata_Well,Metadata_pert,Metadata_role,Cells_a,Nuclei_b';
const TABLE = `${HEADER}\nP1,A01,DMSO,control,1,2\nP1,A02,C1,treated,3,4\n`;
/** A spec in the scratch folder: `experiment: <name>` plus the lines. */
const spec = (name: string, lines: string[]) => write(`${name}.yaml`, [`experiment: ${name}`, ...lines].join('\n') + '\n');
const fileData = (path: string, extra: string[] = ['  columns: { moa: null }']) => ['dataset:', '  source: file', `  path: ${path}`, ...extra];

describe('ads validate checks the data files without reading them', () => {
  it('accepts a spec whose files exist and whose headers have the role columns', async () => {
    write('data/ok.csv.gz', gzipSync(TABLE));
    const r = await validate(spec('fine', fileData('data/ok.csv.gz')));
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok .*fine\.yaml \(1 run\)$/m);
    expect(r.code).toBe(0);
  });

  it('a missing file in a list, located at its entry', async () => {
    const f = spec('missing-file', ['dataset:', '  source: file', '  path:', '    - data/ok.csv.gz', '    - data/nowhere.csv']);
    const r = await validate(f);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:6:7: dataset.path.1: file not found: data/nowhere.csv (looked for ${join(dir, 'data/nowhere.csv')})`);
  });

  it('a glob whose folder does not exist, and a path that is a folder', async () => {
    const f = spec('no-folder', fileData('plates/*.csv.gz'));
    const r = await validate(f);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:4:9: dataset.path: plates/*.csv.gz: no file matches: the folder ${join(dir, 'plates')} does not exist`);
    mkdirSync(join(dir, 'afolder'), { recursive: true });
    const g = spec('a-folder', fileData('afolder'));
    expect((await validate(g)).stderr).toContain(`${g}:4:9: dataset.path: afolder: it is a folder, not a file`);
  });

  it('a role column missing from a header (CSV.gz, Parquet), located at the setting that names it', async () => {
    write('data/roles.csv.gz', gzipSync(TABLE.replace('Metadata_pert', 'Metadata_compound')));
    const f = spec('missing-role', fileData('data/roles.csv.gz', ['  columns: { moa: null }', '  control: { column: Metadata_kind }']));
    const r = await validate(f);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:5:3: dataset.columns.perturbation: column 'Metadata_pert' (perturbation) is not in ${join(dir, 'data/roles.csv.gz')}`);
    expect(r.stderr).toContain(`${f}:6:22: dataset.control.column: column 'Metadata_kind' (control marker) is not in ${join(dir, 'data/roles.csv.gz')}`);
    const pq = join(dir, 'data/lincs.parquet');
    pl.readCSV(TABLE).writeParquet(pq);
    // The LINCS preset's columns (Metadata_pert_id_dose, Metadata_pert_type, …) are not in this table.
    const g = spec('preset', ['dataset:', '  source: file', `  path: ${pq}`, '  preset: LINCS']);
    const p = await validate(g);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(new RegExp(`dataset\\.control\\.column: column 'Metadata_pert_type' \\(control marker; preset LINCS\\) is not in ${pq.replace(/[.]/g, '\\.')}`));
    expect(p.stderr).toMatch(/dataset\.columns\.moa: column 'Metadata_moa' \(MoA \(evaluation\.moa\.enabled\); preset LINCS\)/);
  });

  it('a data path whose symbolic links loop is a user error (exit 2), not an internal one', async () => {
    symlinkSync(join(dir, 'loop-b.csv'), join(dir, 'loop-a.csv'));
    symlinkSync(join(dir, 'loop-a.csv'), join(dir, 'loop-b.csv'));
    const r = await validate(spec('loop', fileData('loop-a.csv')));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'loop-a.csv')}: symbolic links in the path lead round in a loop (ELOOP)`);
    expect(r.stderr).not.toContain('internal error');
  });

  it('a drop_wells column missing from a header, located at its entry', async () => {
    write('data/drop.csv.gz', gzipSync(TABLE));
    const f = spec('drop-wells', fileData('data/drop.csv.gz', ['  columns: { moa: null }', '  drop_wells:', '    - { column: Metadata_nope, values: [x] }']));
    const r = await validate(f);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:7:17: dataset.drop_wells[0].column: column 'Metadata_nope' (drop_wells) is not in ${join(dir, 'data/drop.csv.gz')}`);
    // A well column the spec names must be there too (a table may lack the default one).
    const g = spec('well-column', fileData('data/drop.csv.gz', ['  columns: { moa: null, well: Metadata_Wel }']));
    const w = await validate(g);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain(`${g}:5:31: dataset.columns.well: column 'Metadata_Wel' (well) is not in ${join(dir, 'data/drop.csv.gz')}`);
  });

  it('an unreadable data file: not gzip, corrupt Parquet, gzip named .csv, header only', async () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['bad/plain.csv.gz', TABLE, /plain\.csv\.gz: not gzip data/],
      ['bad/broken.parquet', 'PAR1 not really', /broken\.parquet: not a readable Parquet file/],
      ['bad/zipped.csv', gzipSync(TABLE), /zipped\.csv: the file is gzip-compressed but its name does not end in \.gz/],
      ['bad/header.csv', `${HEADER}\n`, /header\.csv: the file has a header but no rows/],
      ['bad/dup.csv', TABLE.replace('Nuclei_b', 'Cells_a'), /dup\.csv: duplicated column name in the header: 'Cells_a' \(columns 5, 6\)/],
      ['bad/member.csv', TABLE.replace('Metadata_Well', 'height'), /member\.csv: column 'height' \(column 2\) has the name of a member of polars' DataFrame/],
    ];
    for (const [name, content, message] of cases) {
      write(name, content);
      const f = spec(`bad-${name.replace(/\W/g, '-')}`, fileData(name));
      const r = await validate(f);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(new RegExp(`^${f.replace(/[.]/g, '\\.')}:4:9: dataset\\.path: .*${message.source}`));
    }
  });

  it('reads only the start of a large gzip file', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `P${i % 7},A${i},C${i % 97},treated,${i},${i * 3}`).join('\n');
    write('data/large.csv.gz', gzipSync(`${HEADER}\n${rows}\n`));
    const r = await validate(spec('large', fileData('data/large.csv.gz')));
    expect(r.code).toBe(0);
    expect(r.seconds).toBeLessThan(2);
  });
});

describe('ads validate reads a spec as UTF-8 text', () => {
  it('names the line and column of a byte that is not UTF-8 (a Latin-1 é), where it became U+FFFD in a value', async () => {
    const f = write('latin1.yaml', Buffer.concat([Buffer.from('experiment: cafe\ndescription: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const r = await validate(f);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`${f}:2:17: byte 0xe9 is not UTF-8 text (is the file in another encoding, such as Latin-1?); save the spec as UTF-8`);
    // The same text in UTF-8 is fine.
    expect((await validate(write('utf8.yaml', 'experiment: cafe\ndescription: café\n'))).code).toBe(0);
  });
});

describe('ads validate bounds what a spec can ask for, before expanding anything', () => {
  it('refuses a YAML alias bomb, located at the first alias', async () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let k = 1; k < 9; k++) levels.push(`${String.fromCharCode(97 + k)}: &${String.fromCharCode(97 + k)} [${Array(10).fill(`*${String.fromCharCode(96 + k)}`).join(', ')}]`);
    const f = write('bomb.yaml', `experiment: bomb\ndescription: x\nbomb:\n${levels.map((l) => `  ${l}`).join('\n')}\n`);
    const r = await validate(f);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${f.replace(/[.]/g, '\\.')}:5:10: too many aliases: expanding them would exceed 1000 nodes`));
    expect(r.seconds).toBeLessThan(2);
  });

  it('refuses a 3.8-million-seed spec (50 MB) in well under a few seconds, unread', async () => {
    const seeds = Array.from({ length: 3_800_000 }, (_, i) => 1_000_000_000 + i).join(', ');
    const f = write('seeds.yaml', `experiment: seeds\nsweep:\n  seeds: [${seeds}]\n`);
    const rss0 = process.memoryUsage().rss;
    const r = await validate(f);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/seeds\.yaml: spec file is [\d,]+ bytes; a spec may be at most 1,048,576 \(1 MiB/);
    expect(r.seconds).toBeLessThan(1);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(64 << 20);
  });

  it('a list of seeds over the bound, and a sweep that plans too many runs, located at the sweep', async () => {
    const many = spec('many-seeds', ['sweep:', `  seeds: [${Array.from({ length: 1001 }, (_, i) => i).join(', ')}]`]);
    const r = await validate(many);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${many}:3:10: sweep.seeds: must NOT have more than 1000 items`);
    const grid = spec('many-runs', [
      'sweep:',
      '  grid:',
      `    model.latent: [${Array.from({ length: 100 }, (_, i) => i + 1).join(', ')}]`,
      `    training.lr: [${Array.from({ length: 20 }, (_, i) => (i + 1) / 1000).join(', ')}]`,
      `  seeds: [${Array.from({ length: 10 }, (_, i) => i).join(', ')}]`,
    ]);
    const g = await validate(grid);
    expect(g.code).toBe(2);
    expect(g.stderr).toContain(`${grid}:2:1: sweep: expands to 20,000 runs (grid × zip × random × seeds); at most 10,000 are allowed`);
    expect(g.seconds).toBeLessThan(2);
  });

  it('extends naming a folder, located at the entry', async () => {
    mkdirSync(join(dir, 'base-folder'), { recursive: true });
    const f = spec('extends-folder', ['extends: [base-folder]']);
    const r = await validate(f);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:2:11: extends[0]: base-folder is a folder; extends lists spec files (looked at ${join(dir, 'base-folder')})`);
  });

  it('an experiment name too long for a folder, or with a path separator', async () => {
    const long = write('long.yaml', `experiment: ${'x'.repeat(300)}\n`);
    const r = await validate(long);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${long}:1:13: experiment: must NOT have more than 100 characters`);
    const slash = write('slash.yaml', 'experiment: a/b\n');
    const s = await validate(slash);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain(`${slash}:1:13: experiment: must match pattern`);
  });
});

describe('ads validate warns about settings that make a run mean little', () => {
  it('dropout ≥ 0.95 and a latent code as wide as a simulated screen’s features, located, exit 0', async () => {
    const f = spec('sanity', ['dataset:', '  synthetic: { features: 12 }', 'model: { latent: 12, dropout: 0.96 }']);
    const r = await validate(f);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: ${f}:4:18: model.latent: 12 is not smaller than the 12 input features: the autoencoder can learn to copy its input`);
    expect(r.stderr).toContain(`warning: ${f}:4:31: model.dropout: 0.96 drops almost every unit (≥ 0.95)`);
    expect(r.stdout).toMatch(/^ok .*sanity\.yaml \(1 run\)$/m);
  });

  it('a replicate percentile written as a fraction (0.9 for 90)', async () => {
    const f = spec('fraction', ['evaluation:', '  percent_replicating: { percentile: 0.9 }']);
    const r = await validate(f);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: ${f}:3:38: evaluation.percent_replicating.percentile: 0.9 is the 0.9th percentile (the scale is 0–100, the reference's 90)`);
  });

  it('more MoA folds than min_compounds + 1, which is all that run (in the file, and in a sweep point)', async () => {
    const f = spec('folds', ['evaluation:', '  moa: { folds: 10, min_compounds: 4 }']);
    const r = await validate(f);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: ${f}:3:17: evaluation.moa.folds: 10 folds, but MoA classification runs at most evaluation.moa.min_compounds + 1 = 5`);
    const swept = spec('swept-folds', ['sweep:', '  grid:', '    evaluation.moa.folds: [5, 8]']);
    const s = await validate(swept);
    expect(s.stderr.match(/evaluation\.moa\.folds: 8 folds/g)).toHaveLength(1);
    expect(s.stderr).toContain(`warning: ${swept}:4:5: evaluation.moa.folds: 8 folds`);
    // Not where MoA classification is off, nor within the rule,
    expect((await validate(spec('off', ['evaluation:', '  moa: { folds: 10, enabled: false }']))).stderr).not.toContain('folds');
    expect((await validate(spec('within', ['evaluation:', '  moa: { folds: 5 }']))).stderr).not.toContain('folds');
    // Nor the default, 5, under a lower min_compounds the user wrote (the quickstart's 3): the rule at work.
    expect((await validate(spec('default', ['evaluation:', '  moa: { min_compounds: 3 }']))).stderr).not.toContain('folds');
  });

  it('a derived spec that keeps its parent\'s experiment name, or sets a value the parent sweeps', async () => {
    const parent = spec('parent', ['sweep:', '  grid:', '    model.latent: [4, 8]']);
    const child = write('child.yaml', `extends: [${parent}]\nmodel: { latent: 16 }\n`);
    const r = await validate(child);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: ${child}:2:18: model.latent: is set here, but sweep.grid.model.latent (${parent}:4:5) sets it in every run, so this value is never used`);
    expect(r.stderr).toContain(`warning: ${child}:1:1: experiment: 'parent' comes from ${parent}:1:13 (extends)`);
    // A seed written beside sweep.seeds is never used either.
    const seeds = await validate(spec('seeds', ['seed: 7', 'sweep:', '  seeds: [1, 2]']));
    expect(seeds.stderr).toMatch(/warning: .*seeds\.yaml:2:7: seed: is set here, but sweep\.seeds \(.*seeds\.yaml:4:10\) gives every run its seed, so this value is never used/);
    // Named, and not swept over: no warning.
    expect((await validate(write('own.yaml', `extends: [${parent}]\nexperiment: own\nmodel: { dropout: 0.1 }\n`))).stderr).toBe('');
  });

  it('a swept value is located at its sweep entry; a sane spec gets no warning', async () => {
    const f = spec('swept', ['sweep:', '  grid:', '    model.dropout: [0.1, 0.97]']);
    const r = await validate(f);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([`warning: ${f}:4:5: model.dropout: 0.97 drops almost every unit (≥ 0.95) (in sweep point model.dropout=0.97)`]);
    expect((await validate(spec('sane', ['model: { latent: 8 }']))).stderr).toBe('');
  });
});
