import { ads } from './support/cli.ts';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import pl from 'nodejs-polars';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PRESETS, type PresetName } from '../src/data/presets.ts';
import { composeSpec } from '../src/spec/compose.ts';
import { loadSpec } from '../src/spec/load.ts';
import { expandRuns } from '../src/sweep/expand.ts';

/**
 * The experiment library (experiments/**): every spec validates with the real loader (the paper specs with
 * `--set dataset.path=…`, as a user with the data would run them), and every spec runs end to end through
 * the CLI at a small size: the simulated ones as written but shrunk, the paper ones on a simulated screen
 * dressed in their dataset's column names and roles.
 */

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'ads-experiments-'));

function specFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? specFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}

const specs = specFiles(join(root, 'experiments')).map((file) => {
  const dataset = (composeSpec(file).value.dataset ?? {}) as Record<string, unknown>;
  return { file, rel: relative(root, file), fromFile: dataset.source === 'file', preset: dataset.preset as PresetName | undefined };
});
const simulated = specs.filter((s) => !s.fromFile);
const paper = specs.filter((s) => s.fromFile);

/** Stand-ins for downloaded tables: validation only checks that the files exist. */
const placeholder = join(work, 'replicate_level_cp_augmented.csv.gz');
writeFileSync(placeholder, '');
const l1000Placeholder = join(work, 'replicate_level_l1k.csv.gz');
writeFileSync(l1000Placeholder, '');
const placeheld = [`dataset.path=${placeholder}`, `modalities.L1000.path=${l1000Placeholder}`];

const runAds = (args: string[]) => ads(args);

/** Manifests and metrics of an experiment's runs. */
function runsOf(runsDir: string, experiment: string) {
  const dir = join(runsDir, experiment);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'manifest.json')))
    .map((d) => ({
      id: d.name,
      manifest: JSON.parse(readFileSync(join(dir, d.name, 'manifest.json'), 'utf8')),
      metrics: existsSync(join(dir, d.name, 'metrics.json')) ? JSON.parse(readFileSync(join(dir, d.name, 'metrics.json'), 'utf8')) : null,
    }));
}

/** Small enough for a test: one seed, short training, a small screen, small permutation nulls, one classifier. */
const SHRINK = [
  'sweep.seeds=[1]',
  'training.max_epochs=6',
  'evaluation.moa.classifiers=[logistic]',
  'dataset.synthetic.plates=4',
  'dataset.synthetic.controls_per_plate=16',
  'dataset.synthetic.moas=4',
  'dataset.synthetic.features=24',
  'dataset.synthetic.factors=4',
  'evaluation.map.null_size=100',
  'evaluation.moa.repeats=2',
];
// The reference's compound filter (compounds replicating in CellProfiler) needs MoAs whose every compound
// replicates; on a 4-MoA screen the null's same-MoA pairs set the bar too high for that, so every compound is
// classified here (the filter has its own tests in classify.test.ts).
const PAPER_SHRINK = [
  'sweep.seeds=[1]', 'training.max_epochs=6', 'evaluation.map.null_size=100', 'evaluation.moa.repeats=2',
  'evaluation.moa.classifiers=[logistic]', 'evaluation.moa.compounds=all',
];
const sets = (list: string[]) => list.flatMap((s) => ['--set', s]);

describe('the experiment library', () => {
  it('has the paper reproductions and the ablations', () => {
    const names = specs.map((s) => s.rel);
    for (const f of ['cdrp-bio', 'lincs', 'luad', 'taorf']) expect(names).toContain(`experiments/paper/${f}.yaml`);
    for (const f of ['latent-size', 'encoder-depth', 'output-penalty', 'normalization', 'training-set-size', 'representations']) {
      expect(names).toContain(`experiments/ablations/${f}.yaml`);
    }
    expect(paper.map((s) => s.preset).sort()).toEqual(['CDRP-bio', 'LINCS', 'LUAD', 'TA-ORF']);
  });

  it('gives every experiment its own name', () => {
    const names = specs.map((s) => loadSpec(s.file, s.fromFile ? placeheld : []).spec.experiment);
    expect(new Set(names).size).toBe(names.length);
  });

  describe.each(specs.map((s) => [s.rel, s] as const))('%s', (rel, s) => {
    const overrides = s.fromFile ? placeheld : [];

    it('validates with the real loader and expands into seeded runs', () => {
      const loaded = loadSpec(s.file, overrides);
      const runs = expandRuns(loaded);
      expect(runs.length).toBeGreaterThan(0);
      if (rel !== 'experiments/quickstart.yaml') expect(loaded.spec.sweep.seeds.length).toBeGreaterThanOrEqual(3);
    });

    it.skipIf(rel === 'experiments/quickstart.yaml')('opens with a header comment that says how to run it', () => {
      const text = readFileSync(s.file, 'utf8');
      expect(text.startsWith('#')).toBe(true);
      expect(text).toContain(`npx ads run ${rel}`);
    });
  });
});

describe('the paper reproductions', () => {
  const folders: Record<string, string> = {
    'CDRP-bio': 'CDRPBIO-BBBC036-Bray',
    LINCS: 'LINCS-Pilot1',
    LUAD: 'LUAD-BBBC041-Caicedo',
    'TA-ORF': 'TA-ORF-BBBC037-Rohban',
  };

  it.each(paper.map((s) => [s.rel, s] as const))('%s: the reference method on its preset, data where the header says', (_, s) => {
    const { spec } = loadSpec(s.file, placeheld);
    const preset = PRESETS[s.preset!];
    expect(spec.dataset.source).toBe('file');
    expect(spec.dataset.path).toBe(placeholder);
    expect(spec.dataset.control).toEqual({ column: preset.control.column, values: preset.control.values });
    expect(spec.dataset.columns.perturbation).toBe(preset.columns.perturbation);
    expect(spec.normalize).toMatchObject({ method: 'standardize', by_plate: true, fit_on: 'train_controls' });
    expect(spec.feature_select.operations).toEqual(['drop_na_columns', 'frequency_threshold', 'correlation_threshold', 'drop_outliers']);
    expect(spec.model).toMatchObject({ encoder: 'default', latent: 16, decoder: 'linear' });
    expect(spec.training).toMatchObject({ lr: 0.005, batch_size: 32, max_epochs: 500, output_l2: 0.007, restore_best: false });
    expect(spec.representations).toEqual(expect.arrayContaining(['anomaly', 'cellprofiler']));
    expect(spec.sweep.seeds).toEqual([42, 43, 44]);
    expect(spec.split.seed).toBe(42);
    expect(spec.evaluation.replicates_per_dose).toBe(s.preset === 'LINCS' ? 5 : null);

    // The default path (relative to the spec) and the header's download command name the dataset's folder.
    const written = (composeSpec(s.file).value.dataset as { path: string }).path;
    const tail = `preprocessed_data/${folders[s.preset!]}/CellPainting/replicate_level_cp_augmented.csv.gz`;
    expect(written).toBe(`../../data/cpg0003-rosetta/${tail}`);
    expect(readFileSync(s.file, 'utf8')).toContain(`s3://cellpainting-gallery/cpg0003-rosetta/broad/workspace/${tail}`);

    // L1000 where the reference reads it (LUAD's is not gzipped there), roles from the preset, and the fetch command.
    const l1000 = `preprocessed_data/${folders[s.preset!]}/L1000/replicate_level_l1k.csv${s.preset === 'LUAD' ? '' : '.gz'}`;
    expect((composeSpec(s.file).value.modalities as { L1000: { path: string } }).L1000.path).toBe(`../../data/cpg0003-rosetta/${l1000}`);
    expect(readFileSync(s.file, 'utf8')).toContain(`s3://cellpainting-gallery/cpg0003-rosetta/broad/workspace/${l1000}`);
    expect(spec.modalities.L1000).toMatchObject({ path: l1000Placeholder, columns: { plate: 'det_plate', perturbation: 'pert_id' } });
    if (preset.columns.moa) expect(spec.evaluation.moa.replicating_in).toEqual(['cellprofiler', 'L1000']);
  });

  it.each(paper.map((s) => [s.rel, s] as const))('%s: sets every value that docs/method.md §3 says reproduces the reference', (_, s) => {
    const { spec } = loadSpec(s.file, placeheld);
    const method = readFileSync(join(root, 'docs', 'method.md'), 'utf8');
    const section = method.slice(method.indexOf('## 3. Differences'), method.indexOf('## 4.'));
    const rows = section.split('\n').filter((l) => /^\| `[a-z_.]+` \|/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(12);
    for (const row of rows) {
      const cells = row.split(' | ');
      const setting = /`([a-z_.]+)`/.exec(cells[0])![1];
      const reproduce = cells[cells.length - 1];
      if (reproduce.includes('not in reference.yaml')) continue;
      if (reproduce.includes('in lincs.yaml only') && s.preset !== 'LINCS') continue;
      const value = setting.split('.').reduce<any>((o, k) => o[k], spec);
      expect(value, `${setting} in ${s.rel}`).toEqual(parse(/`([^`]+)`/.exec(reproduce)![1]));
    }
  });

  it('fail validation with a located "file not found" when the data is neither downloaded nor named', async () => {
    const r = await runAds(['validate', 'experiments/paper/lincs.yaml']);
    if (existsSync(join(root, 'data', 'cpg0003-rosetta'))) return; // a developer with the data
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/experiments\/paper\/lincs\.yaml:\d+:\d+: dataset\.path: file not found/);
    // With the Cell Painting table named, the L1000 one is what is missing, and where to get it.
    const cp = join(work, 'present.csv');
    writeFileSync(cp, 'Metadata_Plate\n');
    const l = await runAds(['validate', 'experiments/paper/lincs.yaml', '--set', `dataset.path=${cp}`]);
    expect(l.code).toBe(2);
    expect(l.stderr).toMatch(
      /experiments\/paper\/lincs\.yaml:\d+:\d+: modalities\.L1000\.path: file not found: .*replicate_level_l1k\.csv\.gz .*; the LINCS L1000 profiles are s3:\/\/cellpainting-gallery\/cpg0003-rosetta\/broad\/workspace\/preprocessed_data\/LINCS-Pilot1\/L1000\/replicate_level_l1k\.csv\.gz/,
    );
  });
});

describe('end to end through the CLI, at a small size', () => {
  const runsDir = join(work, 'runs');
  const reportsDir = join(work, 'reports');

  it.each(simulated.map((s) => [s.rel, s] as const))('%s runs every planned run to done and writes the report', async (_, s) => {
    const r = await runAds(['run', s.rel, '--runs-dir', runsDir, '--reports-dir', reportsDir, ...sets(SHRINK)]);
    expect(r.code, r.stderr).toBe(0);
    const loaded = loadSpec(s.file, SHRINK);
    const planned = expandRuns(loaded);
    const runs = runsOf(runsDir, loaded.spec.experiment);
    expect(runs.map((x) => x.id).sort()).toEqual(planned.map((p) => p.runId).sort());
    for (const run of runs) expect(run.manifest.status, run.id).toBe('done');
    expect(existsSync(join(reportsDir, loaded.spec.experiment, 'report.md'))).toBe(true);
  }, 60_000);

  describe('paper specs on a simulated screen dressed as their dataset', () => {
    const tables: Record<string, { path: string; wells: number; untreated: number }> = {};

    beforeAll(async () => {
      // 4 MoAs × 5 compounds (more than the 4 MoA classification needs), 4 replicates; with two doses for
      // the compound screens, one for the genetic ones.
      for (const doses of [1, 2]) {
        const out = join(work, `screen-${doses}.csv`);
        const r = await runAds([
          'simulate', 'experiments/paper/reference.yaml', '--out', out, '--set', 'modalities.L1000.source=synthetic',
          // 5 replicates per dose on the dosed screen: LINCS keeps compounds with 5 wells at a dose (replicates_per_dose).
          ...sets(['dataset.synthetic.plates=4', 'dataset.synthetic.controls_per_plate=16', 'dataset.synthetic.moas=4', 'dataset.synthetic.features=24', 'dataset.synthetic.factors=4', `dataset.synthetic.doses=${doses}`, `dataset.synthetic.replicates=${doses === 2 ? 5 : 4}`]),
        ]);
        expect(r.code, r.stderr).toBe(0);
      }
      for (const s of paper) tables[s.preset!] = dress(s.preset!, join(work, `screen-${s.preset === 'LUAD' || s.preset === 'TA-ORF' ? 1 : 2}.csv`));
    });

    /** The simulated table with the preset's column names and control / treatment labels. */
    function dress(preset: PresetName, file: string) {
      const df = pl.readCSV(file);
      const pert = pl.col('Metadata_pert');
      const isControl = pl.col('Metadata_role').eq(pl.lit('control'));
      const label = (control: string, treated: string) => pl.when(isControl).then(pl.lit(control)).otherwise(pl.lit(treated));
      const perts = df.getColumn('Metadata_pert').toArray() as string[];
      const doses = df.getColumn('Metadata_dose').toArray() as number[];
      const doseKey = (name: string) => pl.Series(name, perts.map((p, i) => `${p}@${doses[i]}`));
      let out: pl.DataFrame;
      let untreated = 0;
      switch (preset) {
        case 'CDRP-bio':
          out = df.withColumns(
            pert.alias('Metadata_broad_sample'),
            label('mock', 'treated').alias('Metadata_ASSAY_WELL_ROLE'),
            pl.col('Metadata_dose').alias('Metadata_mmoles_per_liter'),
          ).withColumn(doseKey('Metadata_Sample_Dose'));
          break;
        case 'LINCS':
          out = df.withColumns(
            pert.alias('Metadata_pert_id'),
            label('control', 'trt_cp').alias('Metadata_pert_type'),
            pl.col('Metadata_dose').alias('Metadata_mg_per_ml'),
          ).withColumn(doseKey('Metadata_pert_id_dose'));
          break;
        case 'LUAD':
          out = df.withColumns(pert.alias('Metadata_broad_sample'), label('control', 'trt').alias('Metadata_broad_sample_type'));
          break;
        default: {
          // TA-ORF: one compound's wells become Untreated (neither controls nor treatments): dropped on loading.
          const first = (df.filter(pl.col('Metadata_role').eq(pl.lit('treated'))).getColumn('Metadata_pert').toArray() as string[]).sort()[0];
          out = df.withColumns(
            pert.alias('Metadata_broad_sample'),
            pl.when(isControl).then(pl.lit('CTRL')).when(pert.eq(pl.lit(first))).then(pl.lit('Untreated')).otherwise(pl.lit('Treated')).alias('Metadata_ASSAY_WELL_ROLE'),
          );
          untreated = df.filter(pert.eq(pl.lit(first))).height;
        }
      }
      const path = join(work, `${preset}.csv`);
      out.drop('Metadata_pert', 'Metadata_role').writeCSV(path);
      return { path, wells: df.height, untreated };
    }

    it.each(paper.map((s) => [s.rel, s] as const))('%s runs to done, with L1000 beside it and MoA classification where the dataset has MoAs', async (_, s) => {
      const table = tables[s.preset!];
      // The simulated L1000 table of the same screen, beside it (ads simulate writes screen-<doses>.L1000.csv).
      const l1000 = join(work, `screen-${s.preset === 'LUAD' || s.preset === 'TA-ORF' ? 1 : 2}.L1000.csv`);
      const overrides = [`dataset.path=${table.path}`, `modalities.L1000.path=${l1000}`, ...PAPER_SHRINK];
      const r = await runAds(['run', s.rel, '--runs-dir', runsDir, '--reports-dir', reportsDir, ...sets(overrides)]);
      expect(r.code, r.stderr).toBe(0);
      const { spec } = loadSpec(s.file, overrides);
      const runs = runsOf(runsDir, spec.experiment);
      expect(runs).toHaveLength(1);
      const [{ manifest, metrics }] = runs;
      expect(manifest.status).toBe('done');
      expect(manifest.data.load.wells).toBe(table.wells - table.untreated);
      // 20 compounds (one dropped as Untreated in TA-ORF); with doses, each compound's highest dose only.
      expect(metrics.percent_replicating.cellprofiler.n).toBe(s.preset === 'TA-ORF' ? 19 : 20);
      for (const rep of spec.representations) expect(metrics.percent_replicating[rep], rep).toBeDefined();
      // L1000 keeps TA-ORF's Untreated compound, which has no Cell Painting wells left to match.
      expect(metrics.percent_replicating.L1000.n).toBe(20);
      expect(manifest.data.modalities.L1000.matched).toBe(s.preset === 'TA-ORF' ? 19 : 20);
      if (PRESETS[s.preset!].columns.moa) {
        expect(Object.keys(metrics.moa), metrics.moa.note).toEqual(expect.arrayContaining(['anomaly', 'cellprofiler', 'L1000', 'early_fusion:cellprofiler+L1000', 'late_fusion:anomaly+L1000']));
      }
      else expect(metrics.moa.note).toMatch(/no MoA column/);
      expect(existsSync(join(reportsDir, spec.experiment, 'report.md'))).toBe(true);
    }, 60_000);
  });
});
