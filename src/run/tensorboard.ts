import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedSpec } from '../spec/types.ts';
import type { PlannedRun } from '../sweep/expand.ts';
import { type HParamSpec, type HParamValue, type MetricSpec, writeHParamsExperiment } from '../tensorboard/hparams.ts';

/**
 * The run store's TensorBoard layout: `runs/<experiment>/` is the log root holding the HParams experiment
 * summary; each run's `tb/` is an HParams session (its settings, its headline metrics as scalars), with
 * training curves in `tb/train` and `tb/val`. `tensorboard --logdir runs/<experiment>` then shows every
 * run's curves and one HParams row per run.
 */

/** The scalar tags of a run's headline metrics, as they appear in TensorBoard (and in the HParams table). */
export function metricTags(spec: ResolvedSpec): MetricSpec[] {
  const reps = spec.representations;
  const moaModels = spec.evaluation.moa.enabled ? [...reps, ...(reps.length > 1 ? spec.evaluation.moa.fusion.map((f) => `${f}_fusion`) : [])] : [];
  return [
    ...reps.map((rep) => ({ tag: `percent_replicating/${rep}`, displayName: `percent replicating (${rep})` })),
    ...(spec.evaluation.map.enabled ? reps.map((rep) => ({ tag: `map/${rep}/activity_percent_retrieved`, displayName: `mAP activity, % retrieved (${rep})` })) : []),
    ...moaModels.flatMap((rep) =>
      spec.evaluation.moa.classifiers.map((c) => ({ tag: `moa/${rep}/${c}/macro_f1`, displayName: `MoA macro-F1, ${c} (${rep})` })),
    ),
    { tag: 'loss', group: 'val', displayName: 'validation loss' },
    { tag: 'loss', group: 'train', displayName: 'training loss' },
  ];
}

/** A setting's value as TensorBoard can hold it: lists and objects become their JSON text. */
export function hparamValue(v: unknown): HParamValue {
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : JSON.stringify(v);
}

/** The swept settings (and the seed) of a run: its row in the HParams table. */
export function runHParams(run: Pick<PlannedRun, 'point' | 'seed'>): Record<string, HParamValue> {
  return { ...Object.fromEntries(Object.entries(run.point).map(([k, v]) => [k, hparamValue(v)])), seed: run.seed };
}


/** Replaces the experiment summary at the log root (TensorBoard would keep showing the oldest one). */
export function writeExperimentSummary(runsDir: string, spec: ResolvedSpec, runs: readonly PlannedRun[]): void {
  const root = join(runsDir, spec.experiment);
  mkdirSync(root, { recursive: true });
  for (const f of readdirSync(root)) if (f.startsWith('events.out.tfevents.')) rmSync(join(root, f), { force: true });
  const values = new Map<string, HParamValue[]>();
  for (const run of runs) {
    for (const [name, v] of Object.entries(runHParams(run))) {
      const list = values.get(name) ?? [];
      if (!list.includes(v)) list.push(v);
      values.set(name, list);
    }
  }
  // TensorBoard gives each hparam one type: a setting swept over mixed values (e.g. null and numbers) is text.
  const hparams: HParamSpec[] = [...values].map(([name, vs]) => {
    const type = vs.every((v) => typeof v === 'number') ? 'number' : vs.every((v) => typeof v === 'boolean') ? 'boolean' : 'string';
    return { name, type, values: type === 'string' ? [...new Set(vs.map(String))] : vs };
  });
  writeHParamsExperiment(root, { hparams, metrics: metricTags(spec) });
}
