import { trainingWarnings } from '../data/checks.ts';
import type { PlannedRun } from '../sweep/expand.ts';
import type { SpecIssue } from './errors.ts';
import type { LoadedSpec } from './load.ts';
import { locate } from './sites.ts';
import { sweepEntries } from './sweep-check.ts';

/**
 * The training-setting warnings (`trainingWarnings`) that can be known without loading data: dropout, and
 * a latent code not smaller than a simulated screen's feature count. Located where the value was written:
 * the setting, or the sweep entry that produced it. Runs meet the same checks, with the real counts, when
 * they train. And a replicate percentile written as a fraction (0.9 for 90).
 */
export function staticWarnings(loaded: LoadedSpec, runs: readonly PlannedRun[]): SpecIssue[] {
  const entries = sweepEntries(loaded.spec.sweep);
  const out: SpecIssue[] = [];
  for (const run of runs) {
    const features = run.spec.dataset.source === 'synthetic' ? run.spec.dataset.synthetic.features : Infinity;
    for (const w of trainingWarnings(run.spec, { features, trainWells: Infinity })) {
      const swept = entries.find((e) => e.path === w.setting && w.setting in run.point);
      const where = locate(loaded.sites, swept ? swept.entry : w.setting.split('.'), swept ? 'key' : 'value').where;
      const message = swept ? `${w.message} (in sweep point ${w.setting}=${JSON.stringify(run.point[w.setting])})` : w.message;
      if (!out.some((o) => o.where === where && o.message === message)) out.push({ where, path: w.setting, message });
    }
  }
  const { percentile } = loaded.spec.evaluation.percent_replicating;
  if (percentile > 0 && percentile <= 1) {
    const keys = ['evaluation', 'percent_replicating', 'percentile'];
    out.push({
      where: locate(loaded.sites, keys).where,
      path: keys.join('.'),
      message: `${percentile} is the ${percentile}th percentile (the scale is 0–100, the reference's 90): a null that low makes almost every perturbation replicate; did you mean ${percentile * 100}?`,
    });
  }
  return out;
}
