import { join } from 'node:path';
import { type DefaultRenderer, Listr, type ListrTaskWrapper, PRESET_TIMER, PRESET_TIMESTAMP, type SimpleRenderer } from 'listr2';
import type { PlannedRun } from '../sweep/expand.ts';
import { medianPruner } from '../search/pruner.ts';
import { nonFiniteProblem } from './finite.ts';
import { onInterrupt } from './interrupt.ts';
import { errorMessage } from './fs_errors.ts';
import { ActiveRun, type RunOutcome } from './lifecycle.ts';
import { isLock, tryLock } from './lock.ts';
import { storedRun } from './manifest.ts';
import { type RunContext, STAGES, type Stage } from './stages.ts';

export type { RunOutcome } from './lifecycle.ts';

export interface RunnerOptions {
  runsDir: string;
  force: boolean;
  /** Plain timestamped lines instead of the live task tree (not a TTY: CI, Slurm logs). */
  plain: boolean;
  /** A folder of the experiment's store for these runs (the search's `trials`); default: the store itself. */
  subdir?: string;
  /** The stages to run (a search trial stops after training); default: the whole pipeline. */
  stages?: readonly Stage[];
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
  /** Instead of drawing a task list: what happens, as it happens (a worker process tells its parent). */
  events?: RunEvents;
}

/** What a run reports as it goes when it is not drawn by this process (see `RunnerOptions.events`). */
export interface RunEvents {
  stage(name: string): void;
  progress(message: string): void;
  skip(message: string): void;
}

export function experimentDir(runsDir: string, experiment: string): string {
  return join(runsDir, experiment);
}

export function runDirOf(runsDir: string, run: PlannedRun, subdir = ''): string {
  return join(runsDir, run.spec.experiment, subdir, run.runId);
}

export function lockOf(runsDir: string, run: PlannedRun, subdir = ''): string {
  return join(runsDir, run.spec.experiment, subdir, '.locks', `${run.runId}.lock`);
}

/**
 * Runs the planned runs one after another (or `jobs` at a time in worker processes, see pool.ts): complete runs are skipped (unless forced), a run locked by a
 * live process elsewhere is left to it, anything else is cleared and done afresh. One failed run does not
 * stop the sweep; its manifest says why. Every run that was started has an outcome, `done` or `failed`,
 * with its lock released, however it ended: a stage's error, an error writing the manifest itself, SIGINT
 * or SIGTERM (via `interruptAll`, which the CLI calls before exiting).
 */
export async function runAll(runs: readonly PlannedRun[], opts: RunnerOptions): Promise<RunOutcome[]> {
  if ((opts.jobs ?? 1) > 1 && runs.length > 1) {
    // Loaded here: the pool's worker machinery is no concern of a run one at a time (nor of a worker itself).
    const { runInWorkers } = await import('./pool.ts');
    return runInWorkers(runs, { ...opts, jobs: opts.jobs! });
  }
  const outcomes: RunOutcome[] = [];
  const warn = opts.warn ?? ((m: string) => console.error(`warning: ${m}`));
  const active = new Set<ActiveRun>();
  const stopInterrupt = onInterrupt((reason) => {
    for (const a of [...active]) {
      const outcome = ended(a, a.fail(a.stage, new Error(reason)));
      console.error(`run ${a.run.runId} failed: ${outcome.error}`);
    }
  });
  /** Counts a run's outcome once, when it leaves the active set (an interrupted run may end twice). */
  const ended = (a: ActiveRun, outcome: RunOutcome) => {
    if (active.delete(a)) outcomes.push(outcome);
    return outcome;
  };
  const skip = (task: Task, message: string) => {
    opts.events?.skip(message);
    return task.skip(message);
  };
  const runTask = (run: PlannedRun) => (_: unknown, task: Task) => {
    const dir = runDirOf(opts.runsDir, run, opts.subdir);
    if (!opts.force) {
      const stored = storedRun(dir);
      if (stored.complete) {
        outcomes.push({ run, status: 'skipped' });
        return skip(task, `${runTitle(run)}: complete, skipped`);
      }
      if (stored.manifest?.status === 'done') warn(`run ${run.runId} (${dir}) is ${stored.reason}: not a result; running it again`);
    }
    let a: ActiveRun;
    try {
      const lock = tryLock(lockOf(opts.runsDir, run, opts.subdir));
      if (!isLock(lock)) {
        outcomes.push({ run, status: 'locked' });
        return skip(task, `${runTitle(run)}: being run by process ${lock.pid} on ${lock.host}`);
      }
      a = new ActiveRun(run, dir, lock);
    } catch (err) {
      outcomes.push({ run, status: 'failed', error: `lock: ${errorMessage(err)}` });
      throw err;
    }
    active.add(a);
    let ctx: RunContext;
    let pruned = false;
    const pruning = opts.pruning;
    try {
      ctx = a.begin(pruning ? [medianPruner(pruning.earlier, pruning.afterEpochs, () => (pruned = true))] : []);
    } catch (err) {
      ended(a, a.fail('start', err));
      throw err;
    }
    const stageTask = (stage: Stage) => async (_c: unknown, sub: Task) => {
      const t0 = performance.now();
      a.stage = stage.name;
      opts.events?.stage(stage.name);
      ctx.progress = throttled(opts.events ? opts.events.progress : (msg) => (sub.output = msg), opts.plain);
      try {
        await stage.run(a.state, ctx);
        const problem = nonFiniteProblem(stage.name, a.state);
        if (problem) throw new Error(problem);
        a.stageDone(stage.name, (performance.now() - t0) / 1000);
      } catch (err) {
        const outcome = ended(a, a.fail(stage.name, err));
        throw new Error(outcome.error);
      }
    };
    return task.newListr(
      [
        ...(opts.stages ?? STAGES).map((stage) => ({ title: stage.name, task: stageTask(stage) })),
        {
          title: 'finish',
          task: () => {
            a.stage = 'finish';
            opts.events?.stage('finish');
            const outcome = ended(a, a.finish());
            if (outcome.status === 'failed') throw new Error(outcome.error);
            if (pruned) outcome.pruned = true;
          },
        },
      ],
      { concurrent: false, exitOnError: true },
    );
  };
  const list = new Listr<unknown, 'default', 'simple'>(
    runs.map((run) => ({ title: runTitle(run), task: runTask(run) })),
    listOptions({ concurrent: false, renderer: opts.events ? 'silent' : opts.plain ? 'simple' : 'default', plain: opts.plain }),
  );
  try {
    await list.run().catch(() => undefined);
  } finally {
    // A run the task list left without an end (it should not happen) still fails, releases its lock, is counted.
    for (const a of [...active]) ended(a, a.fail('runner', new Error('the run ended without finishing')));
    stopInterrupt();
  }
  return outcomes;
}

type Task = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;

export function runTitle(run: PlannedRun): string {
  const point = Object.entries(run.point)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  return `${run.runId} ${point ? `${point} ` : ''}seed=${run.seed}`;
}

/** In plain mode, at most one progress line every few seconds: logs stay readable over 500 epochs. */
function throttled(emit: (msg: string) => void, plain: boolean): (msg: string) => void {
  if (!plain) return emit;
  let last = 0;
  return (msg) => {
    const now = Date.now();
    if (now - last >= 5000) {
      last = now;
      emit(msg);
    }
  };
}

/**
 * The task list's options, for one process's runs (here) and a pool's (pool.ts). Signals are the CLI's: it marks
 * the running run failed and exits 130/143 (listr2's own handler would exit 127).
 */
export function listOptions(o: { concurrent: boolean | number; renderer: 'silent' | 'simple' | 'default'; plain: boolean }): never {
  return {
    concurrent: o.concurrent,
    exitOnError: false,
    registerSignalListeners: false,
    renderer: o.renderer,
    rendererOptions: o.plain ? { timestamp: PRESET_TIMESTAMP, timer: PRESET_TIMER } : { collapseSubtasks: false },
    fallbackRenderer: 'simple',
    fallbackRendererOptions: { timestamp: PRESET_TIMESTAMP, timer: PRESET_TIMER },
  } as never;
}
