import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type DefaultRenderer, Listr, type ListrTaskWrapper, PRESET_TIMER, PRESET_TIMESTAMP, type SimpleRenderer } from 'listr2';
import { stringify } from 'yaml';
import type { PlannedRun } from '../sweep/expand.ts';
import { isLock, tryLock } from './lock.ts';
import { type Manifest, readManifest, writeManifest } from './manifest.ts';
import type { Callback } from '../training/fit.ts';
import { STAGES, type RunContext, type RunState, type Stage } from './stages.ts';
import { toolVersions } from './versions.ts';
import { writeJsonAtomic } from './files.ts';
import { SummaryWriter } from '../tensorboard/writer.ts';
import { writeSessionEnd, writeSessionStart } from '../tensorboard/hparams.ts';
import { runHParams } from './tensorboard.ts';

export interface RunnerOptions {
  runsDir: string;
  force: boolean;
  /** Plain timestamped lines instead of the live task tree (not a TTY: CI, Slurm logs). */
  plain: boolean;
  /** A folder of the experiment's store for these runs (the search's `trials`); default: the store itself. */
  subdir?: string;
  /** The stages to run (a search trial stops after training); default: the whole pipeline. */
  stages?: readonly Stage[];
  /** Extra training callbacks for a run (a search's pruner). */
  trainingCallbacks?: (run: PlannedRun) => Callback[];
}

export interface RunOutcome {
  run: PlannedRun;
  status: 'done' | 'skipped' | 'failed' | 'locked';
  error?: string;
}

export function experimentDir(runsDir: string, experiment: string): string {
  return join(runsDir, experiment);
}

export function runDirOf(runsDir: string, run: PlannedRun, subdir = ''): string {
  return join(runsDir, run.spec.experiment, subdir, run.runId);
}

/**
 * Runs the planned runs one after another: complete runs are skipped (unless forced), a run locked by a
 * live process elsewhere is left to it, anything else is cleared and done afresh. One failed run does not
 * stop the sweep; its manifest says why.
 */
export async function runAll(runs: readonly PlannedRun[], opts: RunnerOptions): Promise<RunOutcome[]> {
  const outcomes: RunOutcome[] = [];
  const runTask = (run: PlannedRun) => (_: unknown, task: Task) => {
    const dir = runDirOf(opts.runsDir, run, opts.subdir);
    if (!opts.force && readManifest(dir)?.status === 'done') {
      outcomes.push({ run, status: 'skipped' });
      return task.skip(`${runTitle(run)}: complete, skipped`);
    }
    const lock = tryLock(join(opts.runsDir, run.spec.experiment, opts.subdir ?? '', '.locks', `${run.runId}.lock`));
    if (!isLock(lock)) {
      outcomes.push({ run, status: 'locked' });
      return task.skip(`${runTitle(run)}: being run by process ${lock.pid} on ${lock.host}`);
    }
    const ctx = startRun(run, dir, opts.trainingCallbacks?.(run) ?? []);
    const state: RunState = {};
    const end = (status: 'done' | 'failed', error: string | null) => {
      writeSessionEnd(ctx.tb, status === 'done' ? 'success' : 'failure');
      ctx.tb.close();
      writeManifest(dir, { ...ctx.manifest, status, ended_at: new Date().toISOString(), error });
      lock.release();
      outcomes.push({ run, status, ...(error ? { error } : {}) });
    };
    const stageTask = (stage: Stage) => async (_c: unknown, sub: Task) => {
      const t0 = performance.now();
      ctx.progress = throttled((msg) => (sub.output = msg), opts.plain);
      try {
        await stage.run(state, ctx);
      } catch (err) {
        end('failed', err instanceof Error ? err.message : String(err));
        throw err;
      }
      ctx.manifest.seconds[stage.name] = round3((performance.now() - t0) / 1000);
      ctx.manifest.backend = state.backend ?? ctx.manifest.backend;
      ctx.manifest.data_fingerprint = state.fingerprint ?? ctx.manifest.data_fingerprint;
      ctx.manifest.data = state.data ?? null;
      writeManifest(dir, ctx.manifest);
    };
    return task.newListr(
      [
        ...(opts.stages ?? STAGES).map((stage) => ({ title: stage.name, task: stageTask(stage) })),
        {
          title: 'finish',
          task: () => {
            // metrics.json before the manifest: once the manifest says done, every output is in place.
            writeJsonAtomic(join(dir, 'metrics.json'), state.metrics ?? {});
            end('done', null);
          },
        },
      ],
      { concurrent: false, exitOnError: true },
    );
  };
  const list = new Listr<unknown, 'default', 'simple'>(
    runs.map((run) => ({ title: runTitle(run), task: runTask(run) })),
    {
      concurrent: false,
      exitOnError: false,
      renderer: opts.plain ? 'simple' : 'default',
      rendererOptions: opts.plain ? { timestamp: PRESET_TIMESTAMP, timer: PRESET_TIMER } : { collapseSubtasks: false },
      fallbackRenderer: 'simple',
      fallbackRendererOptions: { timestamp: PRESET_TIMESTAMP, timer: PRESET_TIMER },
    } as never,
  );
  await list.run().catch(() => undefined);
  return outcomes;
}

type Task = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;

interface StartedRun extends RunContext {
  manifest: Manifest;
}

function startRun(run: PlannedRun, dir: string, trainingCallbacks: Callback[]): StartedRun {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'tables'), { recursive: true });
  const specYaml = stringify(run.spec);
  writeFileSync(join(dir, 'spec.yaml'), specYaml);
  const tb = new SummaryWriter(join(dir, 'tb'));
  writeSessionStart(tb, runHParams(run));
  tb.text('spec', `\`\`\`yaml\n${specYaml}\`\`\``, 0);
  const manifest: Manifest = {
    status: 'running',
    run_id: run.runId,
    experiment: run.spec.experiment,
    seed: run.seed,
    point: run.point,
    started_at: new Date().toISOString(),
    ended_at: null,
    seconds: {},
    backend: null,
    versions: toolVersions(),
    data_fingerprint: null,
    data: null,
    host: hostname(),
    pid: process.pid,
    error: null,
  };
  writeManifest(dir, manifest);
  return {
    manifest,
    spec: run.spec,
    seed: run.seed,
    point: run.point,
    runId: run.runId,
    dir,
    tablesDir: join(dir, 'tables'),
    tb,
    trainingCallbacks,
    progress: () => undefined,
  };
}

function runTitle(run: PlannedRun): string {
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

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
