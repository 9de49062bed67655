/**
 * This project's preprocessing steps on one CSV.gz (argv[2]), as a run does them, for preprocess.bench.ts:
 * load, (split,) per-plate standardize fitted on the controls, and each of the five feature selections
 * alone. One JSON line per step: {"stage":…,"seconds":…,"peak_rss_mb":…,"kept":[…],"rows":…,"features":…}.
 */
import { readDatasetAsync } from '../src/data/dataset.ts';
import { rolesOf } from '../src/data/roles.ts';
import { validateExperiment } from '../src/spec/schema.ts';
import type { ResolvedSpec } from '../src/spec/types.ts';
import { normalizeProfiles } from '../src/stages/normalize.ts';
import { selectProfileFeatures } from '../src/stages/select.ts';
import { assignSets } from '../src/stages/split.ts';

const OPERATIONS = ['drop_na_columns', 'frequency_threshold', 'variance_threshold', 'correlation_threshold', 'drop_outliers'] as const;
const checked = validateExperiment({
  experiment: 'bench',
  dataset: { source: 'file', path: process.argv[2] },
  normalize: { method: 'standardize', by_plate: true, fit_on: 'all_controls' },
});
if (!checked.valid) throw new Error(JSON.stringify(checked.errors));
const spec = checked.value as ResolvedSpec;
const roles = rolesOf(spec.dataset);

const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const lines: { stage: string; seconds: number; peak_rss_mb: number; kept?: readonly string[] }[] = [];
async function timed<T>(stage: string, f: () => T | Promise<T>, kept?: (out: T) => readonly string[]): Promise<T> {
  const t0 = performance.now();
  const out = await f();
  lines.push({ stage, seconds: (performance.now() - t0) / 1000, peak_rss_mb: peakMb(), kept: kept?.(out) });
  return out;
}

// As a run loads it: readDatasetAsync lets the event loop turn between parts, so polars' native memory of
// each parsed part is freed as it goes instead of when the whole read returns.
const { profiles } = await timed('load', () => readDatasetAsync(spec.dataset, roles));
// A run splits before it normalizes (fit_on reads the split's sets); pycytominer has no such step.
const split = await timed('split', () => assignSets(profiles, roles, spec.split, 0).profiles);
// Over the loaded table, as the run's normalize stage does (nothing reads the raw values after it).
const normalized = await timed('normalize', () => normalizeProfiles(split, roles, spec.normalize, true));
for (const op of OPERATIONS) {
  await timed(`feature_select/${op}`, () => selectProfileFeatures(normalized, roles, { ...spec.feature_select, operations: [op] }), (out) => out.selection.kept);
}
for (const line of lines) console.log(JSON.stringify({ ...line, rows: profiles.values.rows, features: profiles.features.length }));
