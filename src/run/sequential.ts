import { type DefaultRenderer, Listr, type ListrTaskWrapper, type SimpleRenderer } from 'listr2';
import { PIPELINE } from '../stages/pipeline.ts';
import { runThreads } from '../runtime/threads.ts';
import type { PlannedRun } from '../sweep/expand.ts';
import { medianPruner } from '../search/pruner.ts';
import { onInterrupt } from './interrupt.ts';
import { errorMessage } from './fs_errors.ts';
import { ActiveRun, type RunOutcome } from './lifecycle.ts';
import { isLock, tryLock } from './lock.ts';
import type { AnyStage } from './stage.ts';
import { listOptions, runTitle, throttled } from './display.ts';
import { type RunnerOptions, storeOf } from './options.ts';

/**
 * Runs the planned runs one after another in this process (runner.ts sends them here when they do not go to
 * worker processes; a worker sends its one run here): complete runs are skipped (unless forced), a run locked
 * by a live process elsewhere is left to it, anything else is cleared and done afresh. One failed run does not
 * stop the sweep; its manifest says why. Every run that was started has an outcome, `done` or `failed`,
 * with its lock released, however it ended: a stage's error, an error writing the manifest itself, SIGINT
 * or SIGTERM (via `interruptAll`, which the CLI calls before exiting).
 */
export async function runSequentially(runs: readonly PlannedRun[], opts: RunnerOptions): Promise<RunOutcome[]> {
  const stages = opts.stages ?? (opts.until ? PIPELINE.through(opts.until) : PIPELINE.stages);
  // The pipeline's shared work, when these stages begin with it (a search trial's do; stand-in stages do not).
  const sharedStages = PIPELINE.shared.every((s, i) => stages[i] === s) ? PIPELINE.shared : [];
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
    const store = storeOf(opts, run);
    const dir = store.run(run.runId);
    if (!opts.force) {
      const stored = dir.stored();
      if (stored.complete) {
        outcomes.push({ run, status: 'skipped' });
        return skip(task, `${runTitle(run)}: complete, skipped`);
      }
      if (stored.manifest?.status === 'done') warn(`run ${run.runId} (${dir.dir}) is ${stored.reason}: not a result; running it again`);
    }
    let a: ActiveRun;
    try {
      const lock = tryLock(store.lockPath(run.runId));
      if (!isLock(lock)) {
        outcomes.push({ run, status: 'locked' });
        return skip(task, `${runTitle(run)}: being run by process ${lock.pid} on ${lock.host}`);
      }
      a = new ActiveRun(run, dir, store.tensorboardDir(run), lock, runThreads(run.spec.runtime.threads, opts.runsAtOnce ?? 1));
    } catch (err) {
      outcomes.push({ run, status: 'failed', error: `lock: ${errorMessage(err)}` });
      throw err;
    }
    active.add(a);
    let pruned = false;
    const pruning = opts.pruning;
    try {
      a.begin(pruning ? [medianPruner(pruning.earlier, pruning.afterEpochs, () => (pruned = true))] : [], stages, {
        stages: sharedStages,
        cache: opts.cache === false ? null : store.cache,
      });
    } catch (err) {
      ended(a, a.fail('start', err));
      throw err;
    }
    const stageTask = (stage: AnyStage) => async (_c: unknown, sub: Task) => {
      opts.events?.stage(stage.name);
      try {
        const how = await a.runStage(stage, throttled(opts.events ? opts.events.progress : (msg) => (sub.output = msg), opts.plain));
        if (how === 'restored') sub.skip(`${stage.name}: restored from the run store's cache`);
      } catch (err) {
        const outcome = ended(a, a.fail(a.stage, err));
        throw new Error(outcome.error);
      }
    };
    return task.newListr(
      [
        ...stages.map((stage) => ({ title: stage.name, task: stageTask(stage) })),
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
