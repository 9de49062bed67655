import type { ResolvedSpec } from '../spec/types.ts';
import type { PlannedRun } from '../sweep/expand.ts';
import type { RunOutcome } from './lifecycle.ts';
import type { RunnerOptions, RunWorkers } from './options.ts';
import { writeExperimentSummary } from './tensorboard.ts';

export type { RunOutcome } from './lifecycle.ts';
export type { RunEvents, RunnerOptions } from './options.ts';

/*
 * Where runs go: `jobs` at a time to worker processes (pool.ts), or one after another in this process
 * (sequential.ts). Both are loaded only when used: what runs a run in this process loads the pipeline (tfjs,
 * polars), which a process that hands its runs to workers never needs. Beside two workers loading it too, on
 * two cores, loading it here made `ads run --jobs 2` of the quickstart ~0.5 s slower (9.75 s against 8.96,
 * medians of 5 alternated rounds) and cost ~0.9 CPU-s.
 */

/**
 * Runs the planned runs, `opts.jobs` at a time in worker processes when there are several, else one after
 * another here. Either way every run gets the same skip rules, lock and lifecycle, and the same outputs.
 */
export async function runAll(runs: readonly PlannedRun[], opts: RunnerOptions): Promise<RunOutcome[]> {
  if ((opts.jobs ?? 1) > 1 && runs.length > 1) {
    const { WorkerPool } = await import('./pool.ts');
    const pool = opts.workers ?? new WorkerPool(Math.min(opts.jobs!, runs.length));
    try {
      return await pool.run(runs, { ...opts, jobs: opts.jobs! });
    } finally {
      if (!opts.workers) pool.close();
    }
  }
  const { runSequentially } = await import('./sequential.ts');
  return runSequentially(runs, opts);
}

/**
 * The experiment's TensorBoard summary (the sweep's hyperparameters and the stages' metric columns) in `root`.
 * The stages that name the metrics are the pipeline's: with workers, one of them, which loads it anyway,
 * writes the summary, and this process does not load the pipeline for it.
 */
export async function writeSweepSummary(root: string, spec: ResolvedSpec, planned: readonly PlannedRun[], workers?: RunWorkers): Promise<void> {
  if (workers) return workers.writeSummary(root, spec, planned);
  const { PIPELINE } = await import('../stages/pipeline.ts');
  writeExperimentSummary(root, spec, planned, PIPELINE.stages);
}
