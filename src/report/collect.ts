import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Manifest, readManifest } from '../run/manifest.ts';

/** A complete run as the report sees it: where it sits in the sweep, and what it measured. */
export interface CompletedRun {
  runId: string;
  /** The run directory, where its tables are. */
  dir: string;
  seed: number;
  point: Record<string, unknown>;
  metrics: Metrics;
}

/** metrics.json: nested objects whose leaves are numbers (or labels). */
export interface Metrics {
  [key: string]: unknown;
}

/** A run that is not a result: failed, still running, killed, or never finished. */
export interface UnfinishedRun {
  runId: string;
  status: Manifest['status'] | 'no manifest';
  error: string | null;
}

export interface Collected {
  complete: CompletedRun[];
  unfinished: UnfinishedRun[];
}

/** Every run directory of an experiment; only those whose manifest says `done` count as results. */
export function collectRuns(experimentDir: string): Collected {
  const complete: CompletedRun[] = [];
  const unfinished: UnfinishedRun[] = [];
  if (!existsSync(experimentDir)) return { complete, unfinished };
  const dirs = readdirSync(experimentDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
  for (const runId of dirs) {
    const dir = join(experimentDir, runId);
    const manifest = readManifest(dir);
    if (!manifest) {
      // Not a run directory at all (e.g. TensorBoard's files at the experiment root) unless it has a spec.
      if (existsSync(join(dir, 'spec.yaml'))) unfinished.push({ runId, status: 'no manifest', error: null });
      continue;
    }
    if (manifest.status !== 'done') {
      unfinished.push({ runId, status: manifest.status, error: manifest.error });
      continue;
    }
    const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as Metrics;
    complete.push({ runId, dir, seed: manifest.seed, point: manifest.point, metrics });
  }
  return { complete, unfinished };
}
