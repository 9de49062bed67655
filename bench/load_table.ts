/**
 * One table loaded as a run loads it (readDatasetAsync), in a process of its own so that its peak memory is the
 * load's: prints {"rows":…,"features":…,"seconds":…,"peak_rss_mb":…}. Used by load.bench.ts.
 */
import { readDatasetAsync } from '../src/data/dataset.ts';
import { rolesOf } from '../src/data/roles.ts';
import { validateExperiment } from '../src/spec/schema.ts';
import type { ResolvedSpec } from '../src/spec/types.ts';

const checked = validateExperiment({ experiment: 'bench', dataset: { source: 'file', path: process.argv[2] } });
if (!checked.valid) throw new Error(JSON.stringify(checked.errors));
const spec = checked.value as ResolvedSpec;
const t0 = performance.now();
const { profiles } = await readDatasetAsync(spec.dataset, rolesOf(spec.dataset));
const seconds = (performance.now() - t0) / 1000;
console.log(
  JSON.stringify({
    rows: profiles.values.rows,
    features: profiles.values.cols,
    seconds: Math.round(seconds * 1000) / 1000,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
