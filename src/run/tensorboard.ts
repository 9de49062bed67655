import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSetting, schemaAt } from '../spec/schema.ts';
import type { ResolvedSpec } from '../spec/types.ts';
import type { PlannedRun } from '../sweep/expand.ts';
import { type HParamSpec, type HParamValue, writeHParamsExperiment } from '../tensorboard/hparams.ts';
import type { AnyStage } from './stage.ts';

/**
 * The run store's TensorBoard layout: `runs/<experiment>/` is the log root holding the HParams experiment
 * summary; each run's logs are in `runs/<experiment>/tb/<sweep point>,seed=<seed>,run=<run id>/`, an HParams
 * session (its settings, its headline metrics as scalars), with training curves and histograms in its
 * `train/` and `val/`. TensorBoard names a run by its folder, so `tensorboard --logdir runs/<experiment>`
 * lists runs by what they are (`tb/model.latent=8,seed=1,run=3d9528d492af/train`), not by a hash alone.
 */

/**
 * How a setting shows in the HParams dashboard, from its type in the schema. TensorBoard has three types
 * (string, bool, float64) and prints every float64 to 5 significant digits (a latent size of 16 reads
 * "16.000", a seed "1.0000"): integers are therefore strings, over a discrete domain in numeric order;
 * choices (enums) are strings over every allowed value; booleans are booleans; real numbers are float64s
 * over the values swept. Anything else (objects, lists, settings that may be null) is its JSON text.
 */
export type HParamKind = 'integer' | 'number' | 'boolean' | 'choice' | 'text';

export function hparamKind(setting: string): { kind: HParamKind; choices?: readonly HParamValue[] } {
  const resolved = resolveSetting(setting);
  if (!resolved.ok) return { kind: 'text' };
  let node = schemaAt(resolved.pointer);
  for (let hops = 0; typeof node.$ref === 'string' && hops < 8; hops++) node = schemaAt(node.$ref.slice(1));
  if (Array.isArray(node.enum) && node.enum.every((v) => typeof v === 'string')) return { kind: 'choice', choices: node.enum as string[] };
  if (node.type === 'integer') return { kind: 'integer' };
  if (node.type === 'number') return { kind: 'number' };
  if (node.type === 'boolean') return { kind: 'boolean' };
  return { kind: 'text' };
}

/** A setting's value as its HParams column holds it (see hparamKind). */
export function hparamValue(v: unknown, kind: HParamKind): HParamValue {
  if (kind === 'integer' && typeof v === 'number') return String(v);
  if ((kind === 'number' && typeof v === 'number') || (kind === 'boolean' && typeof v === 'boolean') || (kind === 'choice' && typeof v === 'string')) return v;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The swept settings (and the seed) of a run: its row in the HParams table. */
export function runHParams(run: Pick<PlannedRun, 'point' | 'seed'>): Record<string, HParamValue> {
  return {
    ...Object.fromEntries(Object.entries(run.point).map(([k, v]) => [k, hparamValue(v, hparamKind(k).kind)])),
    seed: hparamValue(run.seed, 'integer'),
  };
}

/** The HParams columns of a sweep, typed by the schema, each with its discrete domain. */
export function hparamSpecs(runs: readonly Pick<PlannedRun, 'point' | 'seed'>[]): HParamSpec[] {
  const seen = new Map<string, unknown[]>();
  for (const run of runs) {
    for (const [name, v] of [...Object.entries(run.point), ['seed', run.seed] as const]) {
      const list = seen.get(name) ?? [];
      if (!list.some((x) => JSON.stringify(x) === JSON.stringify(v))) list.push(v);
      seen.set(name, list);
    }
  }
  return [...seen].map(([name, values]) => {
    const { kind, choices } = name === 'seed' ? { kind: 'integer' as const, choices: undefined } : hparamKind(name);
    const typed = values.map((v) => hparamValue(v, kind));
    // A value of another type than the schema's (an integer setting swept with null) makes the column text.
    const mixed = kind !== 'text' && kind !== 'integer' && !values.every((v) => typeof v === typeof typed[0]);
    if (kind === 'integer' && values.every((v) => typeof v === 'number')) {
      return { name, type: 'string', values: [...(values as number[])].sort((a, b) => a - b).map(String) };
    }
    if (kind === 'choice' && !mixed) return { name, type: 'string', values: choices! };
    if (kind === 'number' && !mixed) return { name, type: 'number', values: [...(typed as number[])].sort((a, b) => a - b) };
    if (kind === 'boolean' && !mixed) return { name, type: 'boolean', values: [false, true] };
    return { name, type: 'string', values: [...new Set(values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))] };
  });
}

/** Folder names stay well under file systems' 255-byte limit, whatever the swept values. */
const MAX_NAME = 180;

/** `model.latent=8,training.lr=0.001,seed=1,run=3d9528d492af`: the sweep point, the seed, the run id last. */
export function tensorboardRunName(run: Pick<PlannedRun, 'point' | 'seed' | 'runId'>): string {
  const point = Object.entries(run.point)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(',')
    // A folder name holds no path separator.
    .replace(/[/\\]/g, '_');
  const tail = `seed=${run.seed},run=${run.runId}`;
  const room = MAX_NAME - tail.length - 1;
  return point ? `${point.length > room ? `${point.slice(0, room - 1)}…` : point},${tail}` : tail;
}

/** Replaces the experiment summary at the log root (TensorBoard would keep showing the oldest one). */
export function writeExperimentSummary(root: string, spec: ResolvedSpec, runs: readonly PlannedRun[], stages: readonly AnyStage[]): void {
  mkdirSync(root, { recursive: true });
  for (const f of readdirSync(root)) if (f.startsWith('events.out.tfevents.')) rmSync(join(root, f), { force: true });
  // The metric columns: every stage's scalar tags for these settings (a stage names its own tags).
  const metrics = stages.flatMap((stage) => stage.scalarTags?.(spec) ?? []);
  writeHParamsExperiment(root, { hparams: hparamSpecs(runs), metrics });
}
