import { type ChildProcess, fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type DefaultRenderer, Listr, type ListrTaskWrapper, type SimpleRenderer } from 'listr2';
import type { ResolvedSpec } from '../spec/types.ts';
import type { PlannedRun } from '../sweep/expand.ts';
import { UserError } from '../errors.ts';
import { onInterrupt } from './interrupt.ts';
import { lockHolder, sleepSync } from './lock.ts';
import { BAD_PATH, errorMessage } from './fs_errors.ts';
import type { RunOutcome } from './lifecycle.ts';
import { listOptions, runTitle } from './display.ts';
import { type RunnerOptions, type RunWorkers, storeOf } from './options.ts';

/** What a worker is asked to do: one run, with the runner's options as plain data. */
export interface WorkerJob {
  run: PlannedRun;
  runsDir: string;
  force: boolean;
  plain: boolean;
  subdir?: string;
  /** The stages to run, by name; default: the whole pipeline, or through `until`. */
  stages?: string[];
  until?: string;
  pruning?: RunnerOptions['pruning'];
  cache?: boolean;
  runsAtOnce: number;
}

export type ToWorker =
  | { type: 'run'; job: WorkerJob }
  | { type: 'summary'; root: string; spec: ResolvedSpec; planned: readonly PlannedRun[] }
  | { type: 'interrupt'; reason: string };

export type FromWorker =
  | { type: 'stage'; name: string }
  | { type: 'progress'; text: string }
  | { type: 'skip'; text: string }
  | { type: 'outcome'; outcome: Omit<RunOutcome, 'run'> }
  /** The summary written, or why not (`code`: the errno code of a file-system error the user can fix, such as a full disk). */
  | { type: 'summary'; error?: string; code?: string };

/** How long an interrupted worker gets to mark its run failed and release its lock before it is killed. */
const STOP_GRACE_MS = 10_000;

interface Busy {
  run: PlannedRun;
  stage: string;
  /** Set once the parent has counted the run (an interruption counts it before the worker's answer). */
  counted: boolean;
}

/**
 * Worker processes (worker.ts) that run whole runs, one at a time each: tfjs keeps its backend and memory per
 * process, so runs cannot disturb one another, and a run's outputs depend on its spec and seed alone, whatever
 * the number of jobs. The workers are forked when the pool is made, so they load the pipeline while this
 * process goes on planning (this module loads none of it); one pool serves every batch of a search and then
 * its sweep. Close it when done: an idle worker then leaves.
 */
export class WorkerPool implements RunWorkers {
  private readonly idle: ChildProcess[] = [];

  /** V8 flags of every worker (FULL_MACHINE_V8_FLAGS when there is a worker per core). */
  private readonly v8Flags: readonly string[];

  constructor(size: number) {
    this.v8Flags = size >= availableParallelism() ? FULL_MACHINE_V8_FLAGS : [];
    for (let i = 0; i < size; i++) this.idle.push(startWorker(this.v8Flags));
  }

  /**
   * Runs `runs` `opts.jobs` at a time on the pool's workers (more are forked if some died). This process draws
   * the progress (one entry per active run; plain lines, prefixed by the run id, when not a TTY) and collects
   * the outcomes. A worker that dies leaves its run failed (manifest and lock put right here) and counted;
   * SIGINT/SIGTERM stop every worker's run the same way as a run in this process.
   */
  async run(runs: readonly PlannedRun[], opts: RunnerOptions & { jobs: number }): Promise<RunOutcome[]> {
    // A worker runs the pipeline's own stages, by name (a stage object cannot cross into it); it fails a run
    // whose stage it does not know.
    const stages = opts.stages?.map((stage) => stage.name);
    // The runs under way together: what each run's runtime.threads: auto shares the cores among.
    const runsAtOnce = opts.runsAtOnce ?? Math.min(opts.jobs, runs.length);
    const outcomes: RunOutcome[] = [];
    const busy = new Map<ChildProcess, Busy>();
    const count = (b: Busy, outcome: Omit<RunOutcome, 'run'>): RunOutcome => {
      const full = { run: b.run, ...outcome };
      if (!b.counted) {
        b.counted = true;
        outcomes.push(full);
      }
      return full;
    };
    const stopInterrupt = onInterrupt((reason) => {
      for (const [worker, b] of busy) if (!b.counted) trySend(worker, { type: 'interrupt', reason });
      waitForLocks([...busy].map(([worker, b]) => ({ path: storeOf(opts, b.run).lockPath(b.run.runId), pid: worker.pid! })));
      for (const [worker, b] of busy) {
        if (b.counted) continue;
        // The worker marked its run failed and released the lock (or, stuck, is killed and the run put right here).
        const outcome = count(b, settleAfterWorker(b, worker, opts, `${b.stage}: ${reason}`));
        if (worker.exitCode === null) worker.kill('SIGKILL');
        console.error(`run ${b.run.runId} failed: ${outcome.error}`);
      }
    });

    const runTask = (run: PlannedRun) => async (_: unknown, task: Task) => {
      const worker = this.borrow();
      const b: Busy = { run, stage: 'start', counted: false };
      busy.set(worker, b);
      let skipped: string | null = null;
      const show = (line: string) => (task.output = opts.plain ? `${run.runId} ${line}` : line);
      const job: WorkerJob = { run, runsDir: opts.runsDir, force: opts.force, plain: opts.plain, subdir: opts.subdir, stages, until: opts.until, pruning: opts.pruning, cache: opts.cache, runsAtOnce };
      const outcome = await exchange<RunOutcome>(
        worker,
        { type: 'run', job },
        (m, finish) => {
          if (m.type === 'stage') show((b.stage = m.name));
          else if (m.type === 'progress') show(`${b.stage}: ${m.text}`);
          else if (m.type === 'skip') skipped = m.text;
          else if (m.type === 'outcome') finish(count(b, m.outcome));
        },
        (how) => count(b, settleAfterWorker(b, worker, opts, `${b.stage}: the worker process running it ended unexpectedly (${how})`)),
      );
      busy.delete(worker);
      this.giveBack(worker);
      if (outcome.status === 'failed') throw new Error(outcome.error);
      if (skipped !== null) task.skip(skipped);
    };

    const list = new Listr<unknown, 'default', 'simple'>(
      runs.map((run) => ({ title: runTitle(run), task: runTask(run) })),
      listOptions({ concurrent: opts.jobs, renderer: opts.plain ? 'simple' : 'default', plain: opts.plain }),
    );
    try {
      await list.run().catch(() => undefined);
    } finally {
      stopInterrupt();
    }
    // Outcomes in the order of the runs, as one at a time would give them.
    const order = new Map(runs.map((r, i) => [r, i]));
    return outcomes.sort((a, b) => order.get(a.run)! - order.get(b.run)!);
  }

  async writeSummary(root: string, spec: ResolvedSpec, planned: readonly PlannedRun[]): Promise<void> {
    const worker = this.borrow();
    type Reply = Extract<FromWorker, { type: 'summary' }>;
    const reply = await exchange<Reply>(
      worker,
      { type: 'summary', root, spec, planned },
      (m, finish) => m.type === 'summary' && finish(m),
      (how) => ({ type: 'summary', error: `its worker process ended unexpectedly (${how})` }),
    );
    this.giveBack(worker);
    if (reply.error === undefined) return;
    const message = `writing the experiment's TensorBoard summary in ${root}: ${reply.error}`;
    // As the CLI tells a file-system error of its own (cli/paths.ts' asUserError): exit 2 for a path to change.
    throw reply.code ? new UserError(`ads run: ${message}`, BAD_PATH.has(reply.code) ? 2 : 1) : new Error(message);
  }

  /** An idle worker, or a new one (some died). */
  private borrow(): ChildProcess {
    return this.idle.pop() ?? startWorker(this.v8Flags);
  }

  /** Back among the idle, unless it has ended. */
  private giveBack(worker: ChildProcess): void {
    if (worker.exitCode === null && worker.signalCode === null && worker.connected) this.idle.push(worker);
  }

  /** Lets the idle workers go (each leaves when its parent disconnects). */
  close(): void {
    for (const worker of this.idle.splice(0)) worker.disconnect();
  }
}

type Task = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof SimpleRenderer>;

/**
 * V8 flags of the workers when there are as many as cores. V8 compiles optimised code and collects garbage on
 * threads of its own: beside one run they use an idle core, but with a run on every core they only contend
 * with the runs, and their hand-offs cost CPU of their own. Done on each run's thread instead, the quickstart
 * with `--jobs 2` on 2 cores took ~16.7 CPU-s and 9.2 s instead of ~17.4 and 9.7 (medians of 5 alternated
 * rounds). And V8 optimises a function once it has run a set amount of bytecode (the interrupt budget, 67,584
 * bytes in Node 20): a run calls many functions only a few hundred times, so it compiled 602 of them (and
 * recompiled some after deoptimising) in 1.6 s of its core over the quickstart's six runs. At 8× that budget
 * it compiled 226 in 0.8 s, and the six runs in one process with these flags took 12.9–13.2 s instead of
 * 13.5–14.4 (3 alternated rounds; at 4× and 16×, 13.0–13.5). These flags change when work is done, never what
 * a run computes.
 */
const FULL_MACHINE_V8_FLAGS = ['--no-concurrent-recompilation', '--single-threaded-gc', '--interrupt-budget=540672'];

/**
 * A worker process running worker.ts: the compiled one next to this module, or the TypeScript source
 * through tsx's loader when this module is itself the source (a stale build, the tests).
 */
function startWorker(v8Flags: readonly string[]): ChildProcess {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url));
  const execArgv = [...(fromSource ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : []), ...v8Flags];
  return fork(entry, [], { execArgv, env: withHugePages(process.env), stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
}

/**
 * The environment with glibc's malloc asked to back its large blocks with transparent huge pages
 * (`glibc.malloc.hugetlb=1`; glibc 2.35 and later, ignored elsewhere): a run's matrices are typed arrays
 * that malloc maps fresh, and on virtual machines such as these a fresh 4 KB page costs ~17 µs on first
 * touch (200 MB: 0.85 s; with huge pages 0.04 s). glibc reads it when a process starts, so a worker gets it
 * from the start; a setting of the user's own wins.
 */
function withHugePages(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const tunables = env.GLIBC_TUNABLES ?? '';
  if (tunables.includes('glibc.malloc.hugetlb')) return env;
  return { ...env, GLIBC_TUNABLES: tunables ? `${tunables}:glibc.malloc.hugetlb=1` : 'glibc.malloc.hugetlb=1' };
}

/**
 * Sends `message` to `worker`, then hands each message it sends to `answer` until `answer` settles the exchange
 * with `finish`, or the worker ends first (`gone`, told how it ended): what settles it is the result.
 */
function exchange<T>(
  worker: ChildProcess,
  message: ToWorker,
  answer: (m: FromWorker, finish: (result: T) => void) => void,
  gone: (how: string) => T,
): Promise<T> {
  return new Promise<T>((done) => {
    const onMessage = (m: FromWorker) => answer(m, finish);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => finish(gone(signal ? `signal ${signal}` : `exit code ${code}`));
    const finish = (result: T) => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      done(result);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    if (!trySend(worker, message)) onExit(worker.exitCode, worker.signalCode);
  });
}

function trySend(worker: ChildProcess, message: ToWorker): boolean {
  if (!worker.connected) return false;
  try {
    worker.send(message);
    return true;
  } catch {
    return false;
  }
}

/** Waits (blocking: this runs in a signal handler, just before the process exits) until no worker holds a lock. */
function waitForLocks(locks: { path: string; pid: number }[]): void {
  const until = Date.now() + STOP_GRACE_MS;
  while (locks.some((l) => lockHolder(l.path)?.pid === l.pid) && Date.now() < until) sleepSync(20);
}

/**
 * The outcome of a run whose worker ended (or was stopped) without telling it. A run it finished is done; one
 * it left `running` (its manifest still names the worker) is marked failed with `error` here, and the lock
 * the worker held is released. A run the worker had marked failed itself keeps its own error.
 */
function settleAfterWorker(b: Busy, worker: ChildProcess, opts: RunnerOptions, error: string): Omit<RunOutcome, 'run'> {
  const store = storeOf(opts, b.run);
  const dir = store.run(b.run.runId);
  const lock = store.lockPath(b.run.runId);
  // The manifest of this worker's attempt at the run, not an earlier attempt's.
  const manifest = dir.readManifest();
  const mine = manifest !== null && manifest.pid === worker.pid ? manifest : null;
  const locked = lockHolder(lock)?.pid === worker.pid;
  if (mine?.status === 'done' && dir.stored().complete) return { status: 'done' };
  if (mine?.status === 'failed' && !locked) return { status: 'failed', error: mine.error ?? error };
  let problem = '';
  try {
    if (mine && mine.status !== 'failed') dir.writeManifest({ ...mine, status: 'failed', ended_at: new Date().toISOString(), error, outputs: null });
  } catch (err) {
    problem = `; the failed manifest could not be written either (${errorMessage(err)})`;
  }
  if (locked) rmSync(lock, { force: true });
  return { status: 'failed', error: `${error}${problem}` };
}
