import type { Inflater } from '../data/inflate.ts';

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
  /** runtime.threads as this run used it (`auto` resolved); results do not depend on it. */
  threads: number;
  /**
   * The product kernels the run used (numeric/native.ts: `native <isa>` or `webassembly (<why>)`); the results
   * are the same bits either way, so this only explains its speed.
   */
  kernels?: string;
  /** What inflates a gzip file it reads (data/inflate.ts: ISA-L's igzip or Node's zlib); the same text either way. */
  inflater?: Inflater;
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
  /**
   * The run's shared work (loading, preprocessing) in the run store's cache: its key, and whether it was
   * restored from there (its stages then have no time in `seconds`, and `seconds.restore` is the restoring,
   * waiting included); `waited_seconds` when it waited for another process computing the same entry.
   */
  cache?: { key: string; restored: boolean; stages: string[]; waited_seconds?: number };
}
