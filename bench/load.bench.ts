/**
 * Memory and time of loading a large screen (issue 12: a CDRP-size screen, 160,000 wells × 1,800 features,
 * in < 16 GB). A simulated screen of 12,816 wells × 1,800 features (34 plates × 384 wells, 24 controls per
 * plate, 50 MoAs × 8 compounds × 6 doses × 5 replicates: 0.08 of CDRP, so that the bench takes a minute or
 * two) is written by `ads simulate` as a CSV.gz and by `ads convert` as Parquet, and each is loaded as
 * a run loads it (bench/load_table.ts, in a process of its own: its peak RSS is the load's alone). One JSON
 * line per format:
 *   {"bench":"load","format":"csv.gz","rows":…,"features":…,"file_mb":…,"seconds":…,"peak_rss_mb":…,"matrix_mb":…}
 * and one for the conversion. `matrix_mb` is the feature matrix itself (rows × features × 8 bytes): peak RSS
 * minus it is what loading costs beyond the one copy of the data it must hold. Where pandas is installed
 * (PANDAS_PYTHON, default /usr/bin/python3), `pandas.read_csv` of the same file is the anchor, measured in
 * this same run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflaterInUse } from '../src/data/inflate.ts';
import { round, timeAds } from './ads_process.ts';

const here = dirname(fileURLToPath(import.meta.url));
const synthetic = { plates: 34, wells_per_plate: 384, controls_per_plate: 24, moas: 50, compounds_per_moa: 8, doses: 6, replicates: 5, features: 1800, factors: 40 };

const dir = mkdtempSync(join(tmpdir(), 'ads-bench-load-'));
const csv = join(dir, 'screen.csv.gz');
const parquet = join(dir, 'screen.parquet');
writeFileSync(join(dir, 'screen.yaml'), `experiment: bench\ndataset:\n  synthetic: ${JSON.stringify(synthetic)}\n`);
timeAds(['simulate', join(dir, 'screen.yaml'), '--out', csv]);
const converted = timeAds(['convert', csv, parquet]);

function load(path: string): { rows: number; features: number; seconds: number; peak_rss_mb: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'load_table.ts'), path], { encoding: 'utf8', maxBuffer: 16 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

/** pandas.read_csv of the same file: seconds and peak RSS, or null (with a note) where pandas is absent. */
function pandasAnchor(path: string): { seconds: number; peak_rss_mb: number } | null {
  const python = process.env.PANDAS_PYTHON ?? '/usr/bin/python3';
  const script = [
    'import resource, sys, time',
    'import pandas as pd',
    't0 = time.perf_counter()',
    'df = pd.read_csv(sys.argv[1])',
    'print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)',
  ].join('\n');
  const r = spawnSync(python, ['-c', script, path], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log(JSON.stringify({ bench: 'note', message: `no pandas anchor for load: ${python}: ${r.stderr.trim().split('\n').pop()}` }));
    return null;
  }
  const [seconds, kb] = r.stdout.trim().split(/\s+/).map(Number);
  return { seconds: round(seconds), peak_rss_mb: Math.round(kb / 1024) };
}

const anchor = pandasAnchor(csv);
for (const [format, path] of [['csv.gz', csv], ['parquet', parquet]] as const) {
  const line = load(path);
  console.log(
    JSON.stringify({
      bench: 'load',
      format,
      rows: line.rows,
      features: line.features,
      file_mb: Math.round(statSync(path).size / 2 ** 20),
      seconds: line.seconds,
      peak_rss_mb: line.peak_rss_mb,
      matrix_mb: Math.round((line.rows * line.features * 8) / 2 ** 20),
      ...(format === 'csv.gz' && { inflater: inflaterInUse() }),
      load_average: round(loadavg()[0]),
      ...(format === 'csv.gz' && anchor && { pandas_seconds: anchor.seconds, pandas_peak_rss_mb: anchor.peak_rss_mb, ratio_vs_pandas: round(anchor.seconds / line.seconds) }),
    }),
  );
}
console.log(JSON.stringify({ bench: 'convert', from: 'csv.gz', to: 'parquet', seconds: round(converted.seconds), peak_rss_mb: converted.rssMb, load_average: round(loadavg()[0]) }));
rmSync(dir, { recursive: true, force: true });
