import { trainingWarnings } from '../data/checks.ts';
import type { PlannedRun } from '../sweep/expand.ts';
import { dottedPath, type SpecIssue } from './errors.ts';
import { resolveSetting } from './schema.ts';
import type { LoadedSpec } from './load.ts';
import { locate, onCommandLine, siteFile, written } from './sites.ts';
import { displayPath } from './yaml-file.ts';
import { sweepEntries } from './sweep-check.ts';

/**
 * The training-setting warnings (`trainingWarnings`) that can be known without loading data: dropout, and
 * a latent code not smaller than a simulated screen's feature count. Located where the value was written:
 * the setting, or the sweep entry that produced it. Runs meet the same checks, with the real counts, when
 * they train. And a replicate percentile written as a fraction (0.9 for 90), and more MoA folds than run.
 */
export function staticWarnings(loaded: LoadedSpec, runs: readonly PlannedRun[]): SpecIssue[] {
  const entries = sweepEntries(loaded.spec.sweep);
  const out: SpecIssue[] = [];
  for (const run of runs) {
    const features = run.spec.dataset.source === 'synthetic' ? run.spec.dataset.synthetic.features : Infinity;
    for (const w of [...trainingWarnings(run.spec, { features, trainWells: Infinity }), ...moaFoldsWarnings(run.spec)]) {
      const swept = entries.find((e) => e.path === w.setting && w.setting in run.point);
      // A value the user gave, not a default the rule caps (see moaFoldsWarnings).
      if ('ifWritten' in w && !swept && !written(loaded.sites, w.setting.split('.'))) continue;
      const where = locate(loaded.sites, swept ? swept.entry : w.setting.split('.'), swept ? 'key' : 'value').where;
      const message = swept ? `${w.message} (in sweep point ${w.setting}=${JSON.stringify(run.point[w.setting])})` : w.message;
      if (!out.some((o) => o.where === where && o.message === message)) out.push({ where, path: w.setting, message });
    }
  }
  // A setting written in a file and swept too: the sweep's values are the ones every run takes.
  for (const e of entries) {
    const r = resolveSetting(e.path);
    const site = r.ok ? written(loaded.sites, r.keys) : null;
    if (site && !onCommandLine(site)) {
      out.push({ where: site.where, path: e.path, message: `is set here, but ${dottedPath(e.entry)} (${locate(loaded.sites, e.entry, 'key').where}) sets it in every run, so this value is never used` });
    }
  }
  const seed = loaded.spec.sweep.seeds.length ? written(loaded.sites, ['seed']) : null;
  if (seed && !onCommandLine(seed)) {
    out.push({ where: seed.where, path: 'seed', message: `is set here, but sweep.seeds (${locate(loaded.sites, ['sweep', 'seeds']).where}) gives every run its seed, so this value is never used` });
  }
  // An experiment name taken from an extended file: this spec's runs and report would go where that spec's are.
  const named = written(loaded.sites, ['experiment']);
  const own = displayPath(loaded.file);
  if (named && !onCommandLine(named) && siteFile(named) !== own) {
    out.push({
      where: `${own}:1:1`,
      path: 'experiment',
      message: `'${loaded.spec.experiment}' comes from ${named.where} (extends): this spec's runs and report would share <runs-dir>/${loaded.spec.experiment} and <reports-dir>/${loaded.spec.experiment} with that spec's; give it an experiment name of its own`,
    });
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

/**
 * More MoA folds than the reference's rule allows (min_compounds + 1, so that every MoA can be in every test
 * fold): fewer run than the spec says. Only where the user wrote the value (`ifWritten`): the default capped
 * by a lower min_compounds is that rule at work.
 */
function moaFoldsWarnings(spec: PlannedRun['spec']): { setting: string; message: string; ifWritten: true }[] {
  const { enabled, folds, min_compounds: least } = spec.evaluation.moa;
  if (!enabled || folds <= least + 1) return [];
  return [
    {
      setting: 'evaluation.moa.folds',
      message: `${folds} folds, but MoA classification runs at most evaluation.moa.min_compounds + 1 = ${least + 1} (the reference's rule: every kept MoA has more than ${least} compounds, so each can be in every test fold); lower folds or raise min_compounds`,
      ifWritten: true,
    },
  ];
}
