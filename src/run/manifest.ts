import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { writeJsonAtomic } from './files.ts';

/**
 * A run's manifest: the only word on whether its outputs are a result. `done` is written last, atomically,
 * after every table, metric and model file is in place; anything else (or no manifest) is not a result.
 */
export type RunStatus = 'running' | 'done' | 'failed';

export interface Manifest {
  status: RunStatus;
  run_id: string;
  experiment: string;
  seed: number;
  point: Record<string, unknown>;
  started_at: string;
  ended_at: string | null;
  seconds: Record<string, number>;
  backend: string | null;
  versions: Record<string, string>;
  data_fingerprint: string | null;
  /** What loading and preprocessing did to the input: files, dropped wells and features, imputed values. */
  data: unknown;
  host: string;
  pid: number;
  error: string | null;
  /**
   * Every output of a done run (spec.yaml, metrics.json, tables/, model/), relative path → size in bytes, recorded just
   * before `done`: the run store checks them before it takes the run as a result. Null until then.
   */
  outputs: Record<string, number> | null;
}

export const MANIFEST = 'manifest.json';

export function readManifest(runDir: string): Manifest | null {
  const path = join(runDir, MANIFEST);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch {
    // Atomic writes make a torn manifest impossible; a hand-edited broken one is simply not a result.
    return null;
  }
}

export function writeManifest(runDir: string, manifest: Manifest): void {
  writeJsonAtomic(join(runDir, MANIFEST), manifest);
}

export const METRICS = 'metrics.json';

/** What a run's results are: its settings, its metrics, its tables and its model (TensorBoard logs are not). */
const OUTPUTS = ['spec.yaml', METRICS, 'tables', 'model'];

/** Every output file of a run directory, relative path (with `/`) → size: what a done manifest records. */
export function listOutputs(runDir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) for (const name of readdirSync(path).sort()) visit(join(path, name));
    else out[relative(runDir, path).split(sep).join('/')] = st.size;
  };
  for (const o of OUTPUTS) visit(join(runDir, o));
  return out;
}

/** What the run store holds in a run directory: a result, or why it is not one. */
export type StoredRun =
  | { complete: true; manifest: Manifest; metrics: Record<string, unknown> }
  | { complete: false; manifest: Manifest | null; reason: string };

/**
 * A run is a result only when its manifest says `done`, its metrics.json is a whole JSON object, and every
 * output the manifest lists is there with the size it was written with. A `done` run failing any of these
 * (a disk that filled, a file deleted or truncated by hand) is not a result: it is re-done, never reported.
 */
export function storedRun(runDir: string): StoredRun {
  const manifest = readManifest(runDir);
  if (!manifest) return { complete: false, manifest, reason: existsSync(join(runDir, MANIFEST)) ? 'manifest.json is not valid JSON' : 'no manifest' };
  if (manifest.status !== 'done') return { complete: false, manifest, reason: manifest.status };
  const incomplete = (why: string) => ({ complete: false as const, manifest, reason: `marked done, but ${why}` });
  const metricsPath = join(runDir, METRICS);
  if (!existsSync(metricsPath)) return incomplete(`${METRICS} is missing`);
  const text = readFileSync(metricsPath, 'utf8');
  if (!text.trim()) return incomplete(`${METRICS} is empty`);
  let metrics: unknown;
  try {
    metrics = JSON.parse(text);
  } catch (err) {
    return incomplete(`${METRICS} is not valid JSON (${(err as Error).message})`);
  }
  if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) return incomplete(`${METRICS} is not a JSON object`);
  // Manifests written before outputs were recorded list none; their metrics.json is still checked above.
  for (const [file, size] of Object.entries(manifest.outputs ?? {})) {
    const path = join(runDir, file);
    if (!existsSync(path)) return incomplete(`${file} is missing`);
    const actual = statSync(path).size;
    if (actual !== size) return incomplete(`${file} has ${actual} bytes, not the ${size} it was written with`);
  }
  return { complete: true, manifest, metrics: metrics as Record<string, unknown> };
}
