import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

export function isComplete(runDir: string): boolean {
  return readManifest(runDir)?.status === 'done';
}
