import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { beforeAll, describe, expect, it } from 'vitest';
import { pairReplicates, pairTreatments } from '../src/classify/pairing.ts';
import { readDataset } from '../src/data/dataset.ts';
import { simulateExpression } from '../src/data/expression.ts';
import { matchKeys, readModality } from '../src/data/modality.ts';
import { profilesToFrame } from '../src/data/io.ts';
import { rolesOf } from '../src/data/roles.ts';
import { simulateScreen } from '../src/data/synthetic.ts';
import { stream } from '../src/random/streams.ts';
import { TABLES } from '../src/run/store.ts';
import { loadSpec } from '../src/spec/load.ts';
import type { RunMetrics } from '../src/stages/pipeline.ts';
import { pipelineHarness } from './support/pipeline.ts';
import { ads } from './support/cli.ts';
import { scratchDir } from './support/files.ts';

/**
 * A second assay beside Cell Painting (issue 13), checked against what is known independently: the
 * simulation's ground truth (which MoAs each assay can see), the reference's own pandas steps on a small
 * paired table (test/oracles/l1000_pairing.py), and counts derived here from the per-representation tables.
 */

const harness = pipelineHarness('ads-modality-');
const fixtures = join(import.meta.dirname, 'fixtures', 'l1000');
const oracle = JSON.parse(readFileSync(join(fixtures, 'oracle.json'), 'utf8')) as {
  features: string[];
  zscored: number[][];
  paired: { PERT: string[]; cell_painting: number[][]; l1000: number[][] };
};

// 12 MoAs × 6 compounds × 4 replicates; MoAs 1–6 change dependencies, 7–12 shift means; the last 4 are
// silent in morphology, the first 4 silent in expression.
const SCREEN = 'dataset: { synthetic: { compounds_per_moa: 6, silent_share: 0.34 } }';
const L1000 = 'modalities: { L1000: { source: synthetic, synthetic: { silent_share: 0.34 } } }';
const BASE = [
  SCREEN,
  L1000,
  'training: { max_epochs: 20 }',
  'evaluation: { split_by: Metadata_moa_kind, moa: { min_compounds: 3, classifiers: [logistic], repeats: 2 } }',
];
type Scores = Record<string, { logistic: { macro_f1: { mean: number }; per_class_f1: Record<string, number> } }>;

describe('a simulated screen with a paired simulated L1000 table', () => {
  let metrics: RunMetrics;
  let moa: Scores;
  let run: Awaited<ReturnType<typeof harness.run>>;

  beforeAll(async () => {
    run = await harness.run('paired', [...BASE, 'sweep: { seeds: [1] }']);
    expect(run.outcomes.map((o) => [o.status, o.error])).toEqual([['done', undefined]]);
    const stored = run.dirs[0].stored();
    if (!stored.complete) throw new Error(stored.reason);
    metrics = stored.metrics as RunMetrics;
    moa = metrics.moa as unknown as Scores;
  }, 120_000);

  it('fusing either Cell Painting representation with L1000 classifies MoAs neither assay sees alone', () => {
    const f1 = (name: string) => moa[name].logistic.macro_f1.mean;
    for (const rep of ['anomaly', 'cellprofiler']) {
      for (const kind of ['early_fusion', 'late_fusion']) {
        // Each assay alone misses a third of the MoAs (macro-F1 ≤ ~0.75); together they see them all.
        expect(f1(`${kind}:${rep}+L1000`), `${kind}:${rep}+L1000`).toBeGreaterThan(Math.max(f1(rep), f1('L1000')) + 0.15);
        expect(f1(`${kind}:${rep}+L1000`)).toBeGreaterThan(0.85);
      }
    }
  });

  it('each assay places the MoAs the simulation lets it see, and not the others', () => {
    const perClass = (name: string, moas: number[]) => moas.reduce((s, m) => s + moa[name].logistic.per_class_f1[`moa${String(m).padStart(2, '0')}`], 0) / moas.length;
    // MoAs 9–12: silent in morphology, seen by expression.
    expect(perClass('L1000', [9, 10, 11, 12])).toBeGreaterThan(0.8);
    expect(perClass('cellprofiler', [9, 10, 11, 12])).toBeLessThan(0.4);
    expect(perClass('anomaly', [9, 10, 11, 12])).toBeLessThan(0.4);
    // MoAs 1–4: silent in expression (and changing dependencies only, which the anomaly representation sees).
    expect(perClass('L1000', [1, 2, 3, 4])).toBeLessThan(0.4);
    expect(perClass('anomaly', [1, 2, 3, 4])).toBeGreaterThan(0.6);
  });

  it('percent replicating of L1000 follows its ground truth, split by the kinds borrowed from Cell Painting', () => {
    const pr = metrics.percent_replicating!;
    expect(Object.keys(pr).sort()).toEqual(['L1000', 'anomaly', 'cellprofiler']);
    expect(pr.L1000.n).toBe(72);
    // 'silent' compounds are silent in morphology only: all of them replicate in L1000, next to none in Cell Painting.
    expect(pr.L1000.split!.silent.percent).toBeGreaterThan(90);
    expect(pr.cellprofiler.split!.silent.percent).toBeLessThan(15);
    expect(metrics.map!.L1000.activity.n).toBe(72);
  });

  it('the overlap regions are those of the compounds replicating in each table (a Venn of three)', () => {
    const replicating = (name: string) => {
      const t = run.dirs[0].readTable(TABLES.replicateCorrelation(name));
      const perts = t.getColumn(name === 'L1000' ? 'pert_id' : 'Metadata_pert').toArray() as string[];
      const flags = t.getColumn('replicating').toArray() as boolean[];
      return new Set(perts.filter((_, i) => flags[i]));
    };
    const sets = { anomaly: replicating('anomaly'), cellprofiler: replicating('cellprofiler'), L1000: replicating('L1000') };
    const all = new Set([...sets.anomaly, ...sets.cellprofiler, ...sets.L1000]);
    const expected = new Map<string, number>();
    for (const c of all) {
      const region = (['anomaly', 'cellprofiler', 'L1000'] as const).filter((n) => sets[n].has(c)).join('&');
      expected.set(region, (expected.get(region) ?? 0) + 1);
    }
    const regions = metrics.replicating_overlap!;
    expect(regions).toHaveLength(7);
    for (const r of regions) expect(r.count, r.sets.join('&')).toBe(expected.get(r.sets.join('&')) ?? 0);
    expect(regions.reduce((s, r) => s + r.count, 0)).toBe(all.size);
  });

  it.each([
    ['replicating', (a: boolean, b: boolean) => a || b],
    ['replicating_in_all', (a: boolean, b: boolean) => a && b],
  ] as const)('compounds: %s with replicating_in [cellprofiler, L1000] classifies the compounds replicating in either (both)', async (compounds, keep) => {
    const filtered = await harness.run(`filter-${compounds}`, [
      SCREEN,
      L1000,
      'training: { max_epochs: 20 }',
      `evaluation: { moa: { min_compounds: 3, classifiers: [logistic], repeats: 1, compounds: ${compounds}, replicating_in: [cellprofiler, L1000] } }`,
      'sweep: { seeds: [1] }',
    ]);
    const dir = filtered.dirs[0];
    const flags = (name: string, column: string) => {
      const t = dir.readTable(TABLES.replicateCorrelation(name));
      const perts = t.getColumn(column).toArray() as string[];
      const r = t.getColumn('replicating').toArray() as boolean[];
      return new Map(perts.map((p, i) => [p, r[i]]));
    };
    const cp = flags('cellprofiler', 'Metadata_pert');
    const l1k = flags('L1000', 'pert_id');
    const kept = [...cp.keys()].filter((c) => keep(cp.get(c)!, l1k.get(c) ?? false));
    // MoAs with more than min_compounds (3) kept compounds; compound C000k belongs to MoA ⌈k / 6⌉.
    const moaOf = (c: string) => Math.floor((Number(c.slice(1)) - 1) / 6);
    const perMoa = new Map<number, number>();
    for (const c of kept) perMoa.set(moaOf(c), (perMoa.get(moaOf(c)) ?? 0) + 1);
    const expected = kept.filter((c) => perMoa.get(moaOf(c))! > 3).sort();
    const classified = (dir.readTable(TABLES.moa('compounds')).getColumn('compound').toArray() as string[]).sort();
    expect(expected.length).toBeGreaterThan(compounds === 'replicating' ? 40 : 8);
    expect(classified).toEqual(expected);
  }, 120_000);

  it('the manifest says what matched; the modality is kept as a table', () => {
    const m = run.dirs[0].readManifest()!;
    const report = (m.data as { modalities: { L1000: Record<string, unknown> } }).modalities.L1000;
    expect(report).toMatchObject({ compounds: 72, matched: 72, unmatched: [], cell_painting_unmatched: [], controls: 64, features: 100 });
    expect(m.seconds.modalities).toBeGreaterThanOrEqual(0);
    expect(run.dirs[0].hasTable(TABLES.modality('L1000'))).toBe(true);
  });
});

describe('the same pair read from files', () => {
  const { dir, write } = scratchDir('ads-modality-files-');
  const cpFile = join(dir, 'screen.parquet');
  const l1kFile = join(dir, 'screen.L1000.parquet');

  beforeAll(() => {
    const spec = loadSpec(write('sim.yaml', ['experiment: sim', ...BASE, 'sweep: { seeds: [3] }', ''].join('\n'))).spec;
    profilesToFrame(simulateScreen(spec.dataset.synthetic, 3)).writeParquet(cpFile);
    profilesToFrame(simulateExpression(spec.dataset.synthetic, spec.modalities.L1000.synthetic, 3, 'L1000')).writeParquet(l1kFile);
  });

  it('gives the same metrics as the simulated pair (L1000 roles are the defaults; its MoA comes from Cell Painting)', async () => {
    const simulated = await harness.run('pair-simulated', [...BASE, 'sweep: { seeds: [3] }']);
    const files = await harness.run('pair-files', [
      `dataset: { source: file, path: ${cpFile} }`,
      `modalities: { L1000: { path: ${l1kFile} } }`,
      ...BASE.slice(2),
      'sweep: { seeds: [3] }',
    ]);
    const a = simulated.dirs[0].stored();
    const b = files.dirs[0].stored();
    if (!a.complete || !b.complete) throw new Error(`${a.complete || a.reason} ${b.complete || b.reason}`);
    expect(b.manifest.data_fingerprint).toBe(a.manifest.data_fingerprint);
    expect(b.metrics).toEqual(a.metrics);
  }, 120_000);

  it('meeting no Cell Painting compound is a data error naming both files; unmatched compounds are counted and listed', async () => {
    const renamed = (map: (id: string) => string) => {
      const df = pl.readParquet(l1kFile);
      const ids = (df.getColumn('pert_id').toArray() as string[]).map((id) => (id === 'DMSO' ? id : map(id)));
      const file = write(`l1k-${Math.random().toString(36).slice(2)}.parquet`, '');
      df.withColumn(pl.Series('pert_id', ids)).writeParquet(file);
      return file;
    };
    const spec = (l1k: string) => [`dataset: { source: file, path: ${cpFile} }`, `modalities: { L1000: { path: ${l1k} } }`, ...BASE.slice(2), 'sweep: { seeds: [3] }'];

    const none = await harness.run('pair-none', spec(renamed((id) => `X${id}`)));
    expect(none.outcomes[0].status).toBe('failed');
    const error = none.dirs[0].readManifest()!.error!;
    expect(error).toMatch(/^modalities: .*l1k-.*\.parquet: none of its 72 compounds \(column pert_id, e\.g\. 'XC0001'/);
    expect(error).toContain(`Cell Painting compounds of ${cpFile} (column Metadata_pert, e.g. 'C0001'`);

    const some = await harness.run('pair-some', spec(renamed((id) => (id < 'C0004' ? `X${id}` : id))));
    expect(some.outcomes[0].status).toBe('done');
    const data = some.dirs[0].readManifest()!.data as { modalities: { L1000: Record<string, unknown> }; warnings: string[] };
    expect(data.modalities.L1000).toMatchObject({ compounds: 72, matched: 69, unmatched: ['XC0001', 'XC0002', 'XC0003'], cell_painting_unmatched: ['C0001', 'C0002', 'C0003'] });
    expect(data.warnings.join('\n')).toMatch(/modalities\.L1000: 69 compounds are in both assays; 3 of its 72 have no Cell Painting wells \('XC0001', 'XC0002', 'XC0003'\), 3 of the 72 Cell Painting compounds have no L1000 wells/);
  }, 120_000);

  it('a table without its controls or role columns is a located data error', async () => {
    const df = pl.readParquet(l1kFile);
    const noDmso = write('l1k-nodmso.parquet', '');
    df.withColumn(pl.Series('pert_id', (df.getColumn('pert_id').toArray() as string[]).map((id) => (id === 'DMSO' ? 'vehicle' : id)))).writeParquet(noDmso);
    const noPlate = write('l1k-noplate.parquet', '');
    df.drop('det_plate').writeParquet(noPlate);
    // One gene constant on one plate: no SD to z-score by there.
    const plates = df.getColumn('det_plate').toArray() as string[];
    const gene = (df.getColumn('200003_at').toArray() as number[]).map((v, i) => (plates[i] === 'L1K_P002' ? 1.5 : v));
    const constant = write('l1k-constant.parquet', '');
    df.withColumn(pl.Series('200003_at', gene)).writeParquet(constant);
    for (const [file, message] of [
      [constant, /l1k-constant\.parquet: 1 feature\(s\) cannot be z-scored per plate \(column 'det_plate'\): constant on a plate, or a plate of one well: '200003_at' on plate 'L1K_P002'\. Leave them out with modalities\.L1000\.features\.exclude/],
      [noDmso, /l1k-nodmso\.parquet: no control wells: no value of column 'pert_id' is one of \["DMSO"\] \(values seen: .*vehicle.*\); set modalities\.L1000\.control/],
      [noPlate, /l1k-noplate\.parquet: no column 'det_plate' \(plate\)/],
    ] as const) {
      const r = await harness.run('pair-bad', [`dataset: { source: file, path: ${cpFile} }`, `modalities: { L1000: { path: ${file} } }`, ...BASE.slice(2), 'sweep: { seeds: [3] }']);
      expect(r.outcomes[0].status).toBe('failed');
      expect(r.dirs[0].readManifest()!.error).toMatch(message);
    }
  }, 60_000);
});

describe('the reference steps, against its own pandas code (test/oracles/l1000_pairing.py)', () => {
  const { write } = scratchDir('ads-modality-oracle-');
  const spec = loadSpec(
    write(
      'oracle.yaml',
      [
        'experiment: oracle',
        `dataset: { source: file, path: ${join(fixtures, 'cell_painting.csv')}, columns: { moa: Metadata_moa } }`,
        `modalities: { L1000: { path: ${join(fixtures, 'l1000.csv')} } }`,
        '',
      ].join('\n'),
    ),
  ).spec;
  const roles = rolesOf(spec.dataset);
  const cp = readDataset(spec.dataset, roles).profiles;

  it('reads L1000 as the reference does: the _at columns, interpolated, z-scored per det_plate (pandas, ddof 1)', async () => {
    const { modality } = await readModality('L1000', spec, { profiles: cp, roles }, 1);
    expect(modality.profiles.features).toEqual(oracle.features);
    let worst = 0;
    oracle.zscored.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - modality.profiles.values.data[i * row.length + j])))));
    expect(worst).toBeLessThan(1e-12);
  });

  it('pairs treatment means as read_paired_treatment_level_profiles merges them', async () => {
    const { modality } = await readModality('L1000', spec, { profiles: cp, roles }, 1);
    const treated = (p: typeof cp, control: string, column: string) => {
      const keep = Int32Array.from((p.metadata[column] as string[]).flatMap((v, i) => (v === control ? [] : [i])));
      return { metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, c]) => [k, Array.from(keep, (i) => c[i])])), features: p.features, values: { rows: keep.length, cols: p.values.cols, data: Float64Array.from(Array.from(keep).flatMap((i) => Array.from(p.values.data.subarray(i * p.values.cols, (i + 1) * p.values.cols)))) } };
    };
    const cpT = treated(cp, 'DMSO', 'Metadata_pert');
    const l1kT = treated(modality.profiles, 'DMSO', 'pert_id');
    const paired = pairTreatments([cpT], matchKeys(cpT, ['Metadata_pert'], null), [{ profiles: l1kT, keys: matchKeys(l1kT, ['pert_id'], null) }]);
    // pandas sorts the merged keys; ours keep Cell Painting's order (here the same).
    expect(paired.keys).toEqual(oracle.paired.PERT);
    expect(Array.from(paired.wells)).toEqual(Array(7).fill(3));
    const diff = (m: { data: Float64Array }, want: number[][]) => Math.max(...want.flatMap((row, i) => row.map((v, j) => Math.abs(v - m.data[i * row.length + j]))));
    expect(diff(paired.tables[0].values, oracle.paired.cell_painting)).toBeLessThan(1e-12);
    expect(diff(paired.tables[1].values, oracle.paired.l1000)).toBeLessThan(1e-12);
    // Every table of the pairing carries the Cell Painting rows' metadata (MoA included).
    expect(paired.tables[1].metadata.Metadata_moa).toEqual(['a', 'a', 'b', 'b', 'c', 'c', 'd']);

    // Replicate pairing: every drawn Cell Painting well with every drawn L1000 well of its compound (C02: 3 × 3 → 2 × 2).
    const byReplicate = pairReplicates([cpT], matchKeys(cpT, ['Metadata_pert'], null), [{ profiles: l1kT, keys: matchKeys(l1kT, ['pert_id'], null) }], 2, stream(1, 't'));
    const perKey = new Map<string, number>();
    for (const k of byReplicate.keys) perKey.set(k, (perKey.get(k) ?? 0) + 1);
    expect([...perKey]).toEqual(oracle.paired.PERT.map((k) => [k, 4]));
  });
});

describe('spec', () => {
  const { write } = scratchDir('ads-modality-spec-');
  const l1k = join(fixtures, 'l1000.csv');
  const load = (name: string, lines: string[]) => loadSpec(write(`${name}.yaml`, ['experiment: x', ...lines, ''].join('\n')));

  it('dataset.preset fills the L1000 roles as the reference DS_INFO_DICT gives them, under what the spec sets', () => {
    const lincs = load('lincs', [`dataset: { preset: LINCS, source: file, path: ${join(fixtures, 'cell_painting.csv')} }`, `modalities: { L1000: { path: ${l1k} } }`]).spec.modalities.L1000;
    expect(lincs.columns).toMatchObject({ plate: 'det_plate', perturbation: 'pert_id', dose: 'pert_dose' });
    expect(lincs.control).toEqual({ column: 'pert_id', values: ['DMSO'] });
    expect(lincs.replicates_per_dose).toBe(3);
    const cdrp = load('cdrp', [`dataset: { preset: CDRP, source: file, path: ${join(fixtures, 'cell_painting.csv')} }`, `modalities: { L1000: { path: ${l1k}, columns: { dose: null } } }`]).spec.modalities.L1000;
    expect(cdrp.control.values).toEqual(['mock']);
    expect(cdrp.columns.dose).toBeNull();
  });

  it("a modality's data errors name its own settings (modalities.L1000.…), not the dataset's", async () => {
    const table = readFileSync(join(fixtures, 'l1000.csv'), 'utf8').trimEnd().split('\n');
    const edited = (name: string, edit: (cells: string[], line: number) => string[]) =>
      write(name, `${table.map((l, i) => (i === 0 ? l : edit(l.split(','), i + 1).join(','))).join('\n')}\n`);
    const errorOf = async (path: string | string[], extra = '') => {
      const modal = loadSpec(
        write(`m-${Math.random().toString(36).slice(2)}.yaml`, ['experiment: m', `dataset: { source: file, path: ${join(fixtures, 'cell_painting.csv')}, columns: { moa: Metadata_moa } }`, `modalities: { L1000: { path: ${JSON.stringify(path)}${extra} } }`, ''].join('\n')),
      ).spec;
      const roles = rolesOf(modal.dataset);
      return readModality('L1000', modal, { profiles: readDataset(modal.dataset, roles).profiles, roles }, 1).then(
        () => 'no error',
        (err: Error) => `${err.name}: ${err.message}`,
      );
    };
    const noGenes = write('l1k-nogenes.csv', `${table.map((l, i) => (i === 0 ? l.replace(/_at/g, '_gene') : l)).join('\n')}\n`);
    expect(await errorOf(noGenes)).toBe(`DataError: ${noGenes}: no feature columns: no column matches '_at'; check modalities.L1000.features`);
    // An empty det_plate on line 5: the modality has no missing_roles to drop such wells with.
    const noPlate = edited('l1k-noplate.csv', (c, line) => (line === 5 ? [c[0], '', ...c.slice(2)] : c));
    expect(await errorOf(noPlate)).toBe(`DataError: 1 well has no plate value in column 'det_plate': ${noPlate} line 5. Fill them in`);
    // Gene 200001_at empty on line 2, before its first value (1 of 32 wells, under na_cutoff): interpolation leaves it.
    const gap = edited('l1k-gap.csv', (c, line) => (line === 2 ? [...c.slice(0, 5), '', ...c.slice(6)] : c));
    expect(await errorOf(gap)).toBe(
      `DataError: 1 missing value(s) left after dropping features above na_cutoff 0.05 and imputing 'interpolate': e.g. column '200001_at' at ${gap} line 2; ` +
        "set modalities.L1000.missing.impute to mean (interpolation leaves the values before a feature's first value missing), or lower modalities.L1000.missing.na_cutoff",
    );
    // A treated well's dose that is not a number: found at load with its line (before: in evaluation, after training, without one).
    const dose = edited('l1k-dose.csv', (c, line) => (line === 12 ? [c[0], c[1], c[2], '10 uM', ...c.slice(4)] : c));
    expect(await errorOf(dose, ', columns: { dose: pert_dose }')).toBe(
      `DataError: dose column 'pert_dose' has 1 treated well(s) without a numeric dose ("10 uM"): ${dose} line 12; keeping each compound's highest dose needs one (or set evaluation.highest_dose_only: false)`,
    );
    // Every treated well its own compound: no replicates to correlate, found before training (before: in evaluation, after it).
    const single = edited('l1k-single.csv', (c, line) => (c[0] === 'DMSO' ? c : [`${c[0]}-${line}`, ...c.slice(1)]));
    expect(await errorOf(single)).toMatch(new RegExp(`^DataError: .*l1k-single\\.csv: percent replicating needs replicates, but no group of treated wells with the same pert_id has 2 or more wells \\(\\d+ treated wells evaluated\\)$`));
    const fewer = write('l1k-fewer.csv', `${table.map((l) => l.split(',').slice(0, -1).join(',')).join('\n')}\n`);
    expect(await errorOf([join(fixtures, 'l1000.csv'), fewer])).toMatch(/l1k-fewer\.csv: its features differ .*; missing here: 201453_x_at \(1 features not in every file; give every file of modalities\.L1000\.path the same features\)$/);
  });

  it('ads validate checks a modality file\'s header, each problem at the setting that names the column', async () => {
    const cpTable = join(fixtures, 'cell_painting.csv');
    const file = write('header.yaml', ['experiment: x', `dataset: { source: file, path: ${cpTable} }`, `modalities: { L1000: { path: ${cpTable} } }`, ''].join('\n'));
    const r = await ads(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/header\.yaml:\d+:\d+: modalities\.L1000\.columns\.plate: column 'det_plate' \(plate\) is not in .*cell_painting\.csv/);
    expect(r.stderr).toMatch(/modalities\.L1000\.features\.contains: no column of .*cell_painting\.csv contains '_at'/);
    // The Cell Painting side of the match key, in the Cell Painting table's header (before: found only by a run).
    const key = write('key.yaml', ['experiment: x', `dataset: { source: file, path: ${cpTable} }`, `modalities: { L1000: { path: ${l1k}, match: { cell_painting: [Metadata_compound], modality: [pert_id] } } }`, ''].join('\n'));
    const k = await ads(['validate', key]);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/key\.yaml:3:\d+: modalities\.L1000\.match\.cell_painting\[0\]: column 'Metadata_compound' \(match key of modality L1000\) is not in .*cell_painting\.csv/);
  });

  it.each([
    ['a modality named like a representation', ['modalities: { anomaly: { source: synthetic } }'], /modalities\.anomaly: 'anomaly' is already the name of a representation/],
    ['a simulated modality beside a file dataset', [`dataset: { source: file, path: ${join(fixtures, 'cell_painting.csv')} }`, 'modalities: { L1000: { source: synthetic } }'], /modalities\.L1000\.source: a simulated modality pairs with the simulated screen/],
    ['a compound filter naming an unknown table', ['modalities: { L1000: { source: synthetic } }', 'evaluation: { moa: { replicating_in: [cellprofiler, L1001] } }'], /L1001 is not among representations or modalities \(anomaly, cellprofiler, L1000\)/],
    ['a missing file', ['modalities: { L1000: { path: nowhere/replicate_level_l1k.csv.gz } }'], /:\d+:\d+: modalities\.L1000\.path: file not found: nowhere\/replicate_level_l1k\.csv\.gz/],
    // 12 MoAs: the screen silences the last 4 (0.34), L1000 the first 9 (0.75): MoA 9 in both, yet labelled 'silent'.
    ['silent shares that overlap', ['dataset: { synthetic: { silent_share: 0.34 } }', 'modalities: { L1000: { source: synthetic, synthetic: { silent_share: 0.75 } } }'], /bad\.yaml:\d+:\d+: modalities\.L1000\.synthetic\.silent_share: 9 of the 12 MoAs silent in L1000 \(the first\) and 4 silent in morphology .* overlap: 1 MoA\(s\) would be silent in both assays/],
    ['keys of different lengths', [`modalities: { L1000: { source: synthetic, match: { modality: [pert_id, pert_dose] } } }`], /modalities\.L1000\.match: the key has 1 Cell Painting column\(s\) \(Metadata_pert\) but 2 of the modality/],
  ])('%s is a located spec error', (_, lines, message) => {
    expect(() => load('bad', lines)).toThrow(message);
  });
});
