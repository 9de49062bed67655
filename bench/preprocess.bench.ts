/**
 * Preprocessing at LINCS scale: a simulated 50,000 wells × 1,700 features table written as Parquet, then
 * loaded, split, standardized per plate and put through every feature selection, as a run does.
 * One JSON line per stage and one for the whole:
 *   {"bench":"preprocess","rows":50000,"features":1700,"seconds":…,"peak_rss_mb":…}
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDataset } from '../src/data/dataset.ts';
import { profilesToFrame } from '../src/data/io.ts';
import { rolesOf } from '../src/data/roles.ts';
import { simulateScreen } from '../src/data/synthetic.ts';
import { validateExperiment } from '../src/spec/schema.ts';
import type { ResolvedSpec } from '../src/spec/types.ts';
import { normalizeProfiles } from '../src/stages/normalize.ts';
import { selectProfileFeatures } from '../src/stages/select.ts';
import { assignSets } from '../src/stages/split.ts';

const dir = mkdtempSync(join(tmpdir(), 'ads-bench-'));
const path = join(dir, 'lincs-scale.parquet');
const checked = validateExperiment({
  experiment: 'bench',
  dataset: {
    source: 'file',
    path,
    synthetic: { plates: 125, wells_per_plate: 1536, controls_per_plate: 32, moas: 46, compounds_per_moa: 25, replicates: 40, features: 1700, factors: 40 },
    columns: { moa: null },
  },
});
if (!checked.valid) throw new Error(JSON.stringify(checked.errors));
const spec = checked.value as ResolvedSpec;
const roles = rolesOf(spec.dataset);
profilesToFrame(simulateScreen(spec.dataset.synthetic, 0)).writeParquet(path, { compression: 'zstd' });

const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const stages: Record<string, number> = {};
function timed<T>(name: string, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  stages[name] = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ bench: 'preprocess', stage: name, seconds: round(stages[name]), peak_rss_mb: peakMb() }));
  return out;
}
const round = (x: number) => Math.round(x * 1000) / 1000;

const { profiles } = timed('load', () => readDataset(spec.dataset, roles));
const rows = profiles.values.rows;
const features = profiles.features.length;
const split = timed('split', () => assignSets(profiles, roles, spec.split, 0).profiles);
const normalized = timed('normalize', () => normalizeProfiles(split, roles, spec.normalize));
for (const op of ['drop_na_columns', 'frequency_threshold', 'variance_threshold', 'correlation_threshold', 'drop_outliers'] as const) {
  timed(`feature_select/${op}`, () => selectProfileFeatures(normalized, roles, { ...spec.feature_select, operations: [op] }));
}
const total = Object.values(stages).reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ bench: 'preprocess', rows, features, seconds: round(total), peak_rss_mb: peakMb() }));
rmSync(dir, { recursive: true, force: true });
