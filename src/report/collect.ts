import { parse } from '../vendor/yaml.ts';
import { canonicalJson } from '../run/files.ts';
import { processGone } from '../run/lock.ts';
import type { Manifest } from '../run/manifest.ts';
import type { ExperimentStore, RunDir } from '../run/store.ts';

/** A complete run as the report sees it: where it sits in the sweep, and what it measured. */
export interface CompletedRun {
  runId: string;
  /** The run directory, where its tables are. */
  dir: RunDir;
  seed: number;
  point: Record<string, unknown>;
  /** Everything that can change its results: its saved spec.yaml without the seed (and the experiment's name and description). */
  settings: Record<string, unknown>;
  metrics: Metrics;
  /** Its manifest: data files and fingerprint, what loading dropped, backend, versions, when it ran (for the provenance section). */
  manifest?: Manifest;
}

/** metrics.json: nested objects whose leaves are numbers (or labels). */
export interface Metrics {
  [key: string]: unknown;
}

/** A run that is not a result: failed, still running, killed, never finished, or marked done but incomplete. */
export interface UnfinishedRun {
  runId: string;
  status: Manifest['status'] | 'no manifest' | 'incomplete';
  error: string | null;
}

/** A complete run whose settings are none of the current spec's: shown apart, never averaged with the others. */
export interface OutdatedRun {
  run: CompletedRun;
  /** How its settings differ from the nearest of the spec's, e.g. `training.lr: 0.001 (spec: 0.005)`. */
  differences: string[];
}

export interface Collected {
  complete: CompletedRun[];
  unfinished: UnfinishedRun[];
  /** Present when the report is built for a spec; empty when every complete run matches it. */
  outdated?: OutdatedRun[];
}

/** A run spec's settings that can change its results: all but the seed and the experiment's name and description. */
export function resultSettings(spec: Record<string, unknown>): Record<string, unknown> {
  const { seed: _seed, experiment: _experiment, description: _description, ...settings } = spec;
  return settings;
}

/**
 * Every run directory of an experiment. Only runs the run store takes as complete (manifest `done`, whole
 * metrics.json, every output present) are results. With `current` (the settings of the spec's planned
 * runs), a complete run whose settings are none of them is put apart as outdated.
 */
export function collectRuns(store: ExperimentStore, current?: readonly Record<string, unknown>[]): Collected {
  const complete: CompletedRun[] = [];
  const unfinished: UnfinishedRun[] = [];
  const outdated: OutdatedRun[] = [];
  const currentKeys = current && new Set(current.map((s) => canonicalJson(s)));
  for (const dir of store.runDirs()) {
    const runId = dir.name;
    const stored = dir.stored();
    if (!stored.complete && stored.reason === 'no manifest') {
      // Not a run directory at all (e.g. TensorBoard's `tb/`, a search's `trials/`) unless it has a spec.
      if (dir.hasSpec()) unfinished.push({ runId, status: 'no manifest', error: null });
      continue;
    }
    if (!stored.complete) {
      const m = stored.manifest;
      const status = m?.status === 'done' || !m ? 'incomplete' : m.status;
      // A `running` run whose process is gone was killed (SIGKILL, a node lost): say so rather than leave it "running".
      const killed = m?.status === 'running' && processGone(m) ? `process ${m.pid} on ${m.host} is gone (killed?); the next ads run re-does it` : null;
      unfinished.push({ runId, status, error: status === 'incomplete' ? stored.reason : (killed ?? m?.error ?? null) });
      continue;
    }
    const spec = readSpec(dir);
    if (!spec) {
      unfinished.push({ runId, status: 'incomplete', error: 'marked done, but spec.yaml is missing or unreadable' });
      continue;
    }
    const { manifest, metrics } = stored;
    const run: CompletedRun = { runId, dir, seed: manifest.seed, point: manifest.point, settings: resultSettings(spec), metrics, manifest };
    if (currentKeys && !currentKeys.has(canonicalJson(run.settings))) outdated.push({ run, differences: nearestDifferences(run.settings, current!) });
    else complete.push(run);
  }
  return { complete, unfinished, ...(current ? { outdated } : {}) };
}

function readSpec(dir: RunDir): Record<string, unknown> | null {
  try {
    const spec = parse(dir.readSpecText()) as unknown;
    return spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Setting path (dotted) → value of every leaf; arrays are leaves. */
export function flattenSettings(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenSettings(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.set(prefix, value);
  return out;
}

/** The paths whose values differ between two flattened settings (absent on one side included), in a's order then b's. */
export function differingPaths(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): string[] {
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  return paths.filter((p) => canonicalJson(a.get(p)) !== canonicalJson(b.get(p)));
}

function nearestDifferences(settings: Record<string, unknown>, current: readonly Record<string, unknown>[]): string[] {
  const mine = flattenSettings(settings);
  let best: { paths: string[]; theirs: Map<string, unknown> } | null = null;
  for (const c of current) {
    const theirs = flattenSettings(c);
    const paths = differingPaths(mine, theirs);
    if (!best || paths.length < best.paths.length) best = { paths, theirs };
  }
  if (!best) return [];
  const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));
  return best.paths.map((p) => `${p}: ${show(mine.get(p))} (spec: ${show(best.theirs.get(p))})`);
}
