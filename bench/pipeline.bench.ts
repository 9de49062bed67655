/**
 * The pipeline as `ads run` runs it (bin/ads.js in a child process), one JSON line each:
 *   {"bench":"shared_work", …}: a sweep over model settings on one screen, with the run store's cache of shared
 *     work and without (--no-cache): seconds spent loading, splitting and preprocessing over all runs, and in all.
 *   {"bench":"pipeline","screen":"lincs-size", …}: one seed of a LINCS-size simulated screen (134 plates × 384
 *     wells, 24 controls per plate, 100 MoAs × 16 compounds × 6 doses × 5 replicates, 1,700 features) with percent
 *     replicating, mAP and logistic-regression MoA classification of treatment-level profiles (what the
 *     reference classifies), training on every core: seconds per stage (from the manifest), in all, and peak
 *     resident memory. Long (minutes); ADS_BENCH_SKIP_LARGE=1 leaves it out.
 *   {"bench":"pipeline","screen":"cdrp-size", …}: only with ADS_BENCH_CDRP=1 (about 30 minutes and 10 GB of disk):
 *     a CDRP-size screen (3.2× the LINCS one: 428 plates, 100 MoAs × 50 compounds, 1,800 features; 160,272 wells)
 *     written by `ads simulate` as one CSV.gz, then run from that file at the same settings; the simulation's
 *     and the run's seconds and peak resident memory, and the run's seconds per stage.
 */
import { spawnSync } from 'node:child_process';
import { root, round, timeAds } from './ads_process.ts';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRunDirs } from '../src/run/store.ts';

const SHARED = ['load', 'split', 'normalize', 'select'];

/** The LINCS-size screen, and the CDRP-size one 3.2× larger (160,272 wells × 1,800 features). */
const LINCS_SIZE = '{ plates: 134, wells_per_plate: 384, controls_per_plate: 24, moas: 100, compounds_per_moa: 16, doses: 6, replicates: 5, features: 1700, factors: 40 }';
const CDRP_SIZE = '{ plates: 428, wells_per_plate: 384, controls_per_plate: 24, moas: 100, compounds_per_moa: 50, doses: 6, replicates: 5, features: 1800, factors: 40 }';
/** One seed; percent replicating, mAP and logistic MoA of treatment-level profiles (the reference's); runtime.threads: auto (every core). */
const SETTINGS = [
  'evaluation: { moa: { classifiers: [logistic], profiles: treatments } }',
  'explain: { enabled: false }',
  'sweep: { seeds: [1] }',
  '',
];


/** Every run's seconds per stage, from its manifest. */
function stageSeconds(runsDir: string): Record<string, number>[] {
  return findRunDirs(runsDir).map((d) => d.readManifest()!.seconds);
}

spawnSync('npm', ['run', 'build'], { encoding: 'utf8', cwd: root });
const dir = mkdtempSync(join(tmpdir(), 'ads-bench-pipeline-'));
try {
  const sweep = join(dir, 'sweep.yaml');
  writeFileSync(
    sweep,
    [
      'experiment: shared-work',
      'dataset: { synthetic: { plates: 24, moas: 20, compounds_per_moa: 4, doses: 2, features: 800, factors: 20 } }',
      'training: { max_epochs: 5 }',
      'evaluation: { moa: { enabled: false }, map: { enabled: false } }',
      'explain: { enabled: false }',
      'sweep: { grid: { model.latent: [8, 16, 32, 64] }, seeds: [1] }',
      '',
    ].join('\n'),
  );
  const measured: Record<string, { seconds: number; shared: number }> = {};
  for (const mode of ['no-cache', 'cache']) {
    const runsDir = join(dir, mode);
    const { seconds } = timeAds(['run', sweep, '--runs-dir', runsDir, '--jobs', '1', '--no-report', '--plain', ...(mode === 'no-cache' ? ['--no-cache'] : [])]);
    const shared = stageSeconds(runsDir).reduce((sum, s) => sum + [...SHARED, 'restore'].reduce((t, k) => t + (s[k] ?? 0), 0), 0);
    measured[mode] = { seconds, shared };
  }
  console.log(
    JSON.stringify({
      bench: 'shared_work',
      runs: 4,
      wells: 24 * 384,
      features: 800,
      shared_seconds_without_cache: round(measured['no-cache'].shared),
      shared_seconds_with_cache: round(measured.cache.shared),
      seconds_without_cache: round(measured['no-cache'].seconds),
      seconds_with_cache: round(measured.cache.seconds),
      speedup: round(measured['no-cache'].seconds / measured.cache.seconds),
      load_average: round(loadavg()[0]),
    }),
  );

  if (process.env.ADS_BENCH_SKIP_LARGE !== '1') {
    const lincs = join(dir, 'lincs-size.yaml');
    writeFileSync(lincs, [`experiment: lincs-size`, `dataset: { synthetic: ${LINCS_SIZE} }`, ...SETTINGS].join('\n'));
    const runsDir = join(dir, 'lincs');
    const load = loadavg()[0];
    const { seconds, rssMb } = timeAds(['run', lincs, '--runs-dir', runsDir, '--jobs', '1', '--no-report', '--plain', '--no-cache']);
    const [stages] = stageSeconds(runsDir);
    console.log(JSON.stringify({ bench: 'pipeline', screen: 'lincs-size', wells: 134 * 384, features: 1700, moa_profiles: 'treatments', seconds: round(seconds), stage_seconds: stages, peak_rss_mb: rssMb, load_average: round(load) }));
  }

  if (process.env.ADS_BENCH_CDRP === '1') {
    const simulated = join(dir, 'cdrp-size-sim.yaml');
    writeFileSync(simulated, ['experiment: cdrp-size', `dataset: { synthetic: ${CDRP_SIZE} }`, ''].join('\n'));
    const table = join(dir, 'cdrp-size.csv.gz');
    const load = loadavg()[0];
    const simulate = timeAds(['simulate', simulated, '--out', table]);
    const fromFile = join(dir, 'cdrp-size.yaml');
    writeFileSync(
      fromFile,
      ['experiment: cdrp-size', `dataset: { source: file, path: ${JSON.stringify(table)}, columns: { dose: Metadata_dose, moa: Metadata_moa } }`, ...SETTINGS].join('\n'),
    );
    const runsDir = join(dir, 'cdrp');
    const run = timeAds(['run', fromFile, '--runs-dir', runsDir, '--jobs', '1', '--no-report', '--plain', '--no-cache']);
    const [stages] = stageSeconds(runsDir);
    console.log(
      JSON.stringify({
        bench: 'pipeline',
        screen: 'cdrp-size',
        wells: 428 * 384,
        features: 1800,
        csv_gz_mb: Math.round(statSync(table).size / 2 ** 20),
        moa_profiles: 'treatments',
        simulate_seconds: round(simulate.seconds),
        simulate_peak_rss_mb: simulate.rssMb,
        seconds: round(run.seconds),
        stage_seconds: stages,
        peak_rss_mb: run.rssMb,
        load_average: round(load),
      }),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
