import type { ResolvedSpec } from '../spec/types.ts';
import type { PlannedRun } from '../sweep/expand.ts';
import type { RunOutcome } from './lifecycle.ts';
import type { AnyStage } from './stage.ts';
import { ExperimentStore } from './store.ts';

export interface RunnerOptions {
  runsDir: string;
  force: boolean;
  /** Plain timestamped lines instead of the live task tree (not a TTY: CI, Slurm logs). */
  plain: boolean;
  /** A folder of the experiment's store for these runs (the search's `trials`); default: the store itself. */
  subdir?: string;
  /** The stages to run (a search trial stops after training); default: the whole pipeline (stages/pipeline.ts). */
  stages?: readonly AnyStage[];
  /**
   * Without `stages`: the pipeline's stages only up to and including this one (a search trial's: 'train'). A
   * name rather than the stages, so that a process that hands its runs to workers need not load the pipeline.
   */
  until?: string;
  /**
   * Median pruning of a search trial against earlier trials' validation losses per epoch (see
   * search/pruner.ts); plain data rather than a callback, so that a worker process can apply it too.
   */
  pruning?: { earlier: number[][]; afterEpochs: number };
  /** Where a warning goes (a `done` run found incomplete and re-done); default: stderr. */
  warn?: (message: string) => void;
  /**
   * How many runs at once, each in a worker process of its own (see pool.ts); default 1: one after another,
   * in this process.
   */
  jobs?: number;
  /** Worker processes already started for these runs (`jobs` > 1), kept open afterwards; default: a pool of their own. */
  workers?: RunWorkers;
  /**
   * How many runs share the machine's cores with each of these (what runtime.threads: auto divides them by);
   * default: as many as run at once here (`jobs`, or 1). A worker process is told its parent's.
   */
  runsAtOnce?: number;
  /** Shared work (loading, preprocessing) from and into the run store's cache; default true. */
  cache?: boolean;
  /** Instead of drawing a task list: what happens, as it happens (a worker process tells its parent). */
  events?: RunEvents;
}

/** Worker processes that run whole runs (pool.ts' WorkerPool). */
export interface RunWorkers {
  run(runs: readonly PlannedRun[], opts: RunnerOptions & { jobs: number }): Promise<RunOutcome[]>;
  /** Has a worker write the experiment's TensorBoard summary (runner.ts' writeSweepSummary). */
  writeSummary(root: string, spec: ResolvedSpec, planned: readonly PlannedRun[]): Promise<void>;
  /** Lets the idle workers go. */
  close(): void;
}

/** What a run reports as it goes when it is not drawn by this process (see `RunnerOptions.events`). */
export interface RunEvents {
  stage(name: string): void;
  progress(message: string): void;
  skip(message: string): void;
}

/** The store a planned run goes to: its experiment's under `runsDir`, or a folder of it (`subdir`). */
export function storeOf(opts: Pick<RunnerOptions, 'runsDir' | 'subdir'>, run: PlannedRun): ExperimentStore {
  return new ExperimentStore(opts.runsDir, run.spec.experiment, opts.subdir);
}

