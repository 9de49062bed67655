import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { stringify } from '../vendor/yaml.ts';
import { rolesOf } from '../data/roles.ts';
import { selectBackend } from '../runtime/backend.ts';
import type { PlannedRun } from '../sweep/expand.ts';
import { writeSessionEnd, writeSessionStart } from '../tensorboard/hparams.ts';
import { SummaryWriter } from '../tensorboard/writer.ts';
import type { Callback } from '../training/fit.ts';
import { errorMessage } from './fs_errors.ts';
import type { Lock } from './lock.ts';
import type { Manifest } from './manifest.ts';
import type { SharedWorkCache } from './cache.ts';
import type { AnyStage, StageContext, StageOutput } from './stage.ts';
import type { RunDir } from './store.ts';
import { runHParams } from './tensorboard.ts';
import { inflaterInUse } from '../data/inflate.ts';
import { kernelsInUse } from '../numeric/native.ts';
import { toolVersions } from './versions.ts';

export interface RunOutcome {
  run: PlannedRun;
  status: 'done' | 'skipped' | 'failed' | 'locked';
  error?: string;
  /** A search trial stopped early by its pruner (`RunnerOptions.pruning`). */
  pruned?: boolean;
}

/**
 * One run from the moment its lock is taken to the moment it is released: it ends exactly once, `done`
 * or `failed`, and however it ends — a stage's error, a full disk while writing the manifest itself, a
 * signal — the lock is released, the values its stages held (the model) are disposed, and the outcome is
 * recorded. A failure that even keeps the failed manifest from being written is still a failed outcome,
 * whose message says so. Between begin and finish it runs stages and files what each returns in the run store.
 */
export class ActiveRun {
  readonly manifest: Manifest;
  /** The stage under way, which a failure (or an interruption) is attributed to. */
  stage = 'start';
  /** What the stages produced so far, by name: each stage's input. */
  private readonly values: Record<string, unknown> = {};
  private readonly metrics: Record<string, unknown> = {};
  private readonly data: { warnings: string[]; [key: string]: unknown } = { warnings: [] };
  private tb: SummaryWriter | null = null;
  private ctx: StageContext | null = null;
  private backend: Promise<string> | null = null;
  private shared: SharedWork | null = null;
  /** The run's stages in order: which values a later stage still uses. */
  private stages: readonly AnyStage[] = [];
  private outcome: RunOutcome | null = null;

  constructor(
    readonly run: PlannedRun,
    readonly dir: RunDir,
    private readonly tbDir: string,
    private readonly lock: Lock,
    /** runtime.threads, resolved (runThreads). */
    private readonly threads: number,
  ) {
    this.manifest = {
      status: 'running',
      run_id: run.runId,
      experiment: run.spec.experiment,
      seed: run.seed,
      point: run.point,
      started_at: new Date().toISOString(),
      ended_at: null,
      seconds: {},
      backend: null,
      threads,
      kernels: kernelsInUse(),
      inflater: inflaterInUse(),
      versions: toolVersions(),
      data_fingerprint: null,
      data: null,
      host: hostname(),
      pid: process.pid,
      error: null,
      outputs: null,
    };
  }

  /**
   * Clears the run directory and starts afresh: spec.yaml, the TensorBoard session, a `running` manifest.
   * `stages`: what the run will run, in order; `shared`: its leading stages that are shared work, and the
   * cache that keeps it (null: no cache).
   */
  begin(
    trainingCallbacks: readonly Callback[],
    stages: readonly AnyStage[],
    shared: { stages: readonly AnyStage[]; cache: SharedWorkCache | null } | null = null,
  ): void {
    this.stages = stages;
    this.shared = shared && shared.stages.length ? { ...shared, key: null, claim: null, restored: false, kept: [] } : null;
    this.dir.clear();
    const specYaml = stringify(this.run.spec);
    this.dir.writeSpec(specYaml);
    rmSync(this.tbDir, { recursive: true, force: true });
    const tb = new SummaryWriter(this.tbDir);
    this.tb = tb;
    writeSessionStart(tb, runHParams(this.run));
    tb.text('spec', `\`\`\`yaml\n${specYaml}\`\`\``, 0);
    this.dir.writeManifest(this.manifest);
    const { spec } = this.run;
    this.ctx = {
      spec,
      seed: this.run.seed,
      runId: this.run.runId,
      roles: rolesOf(spec.dataset),
      threads: this.threads,
      tensorboardDir: this.tbDir,
      trainingCallbacks,
      backend: () => (this.backend ??= selectBackend({ backend: spec.runtime.backend, threads: this.threads }).then((name) => (this.manifest.backend = name))),
      progress: () => undefined,
    };
  }

  /**
   * Runs one stage on the values of the earlier ones and files its output (see `file`). A shared stage
   * (Pipeline.shareSoFar) is first looked up in the run store's cache: when the shared work of a run with the
   * same key is there, the run takes it from there and its shared stages do not run ('restored'); otherwise
   * they run and the last of them keeps their outputs in the cache for the next run.
   */
  async runStage(stage: AnyStage, progress: (message: string) => void): Promise<'ran' | 'restored'> {
    this.assertRunning();
    if (!this.ctx) throw new Error('internal: a stage ran before the run began');
    this.stage = stage.name;
    const t0 = performance.now();
    const shared = this.shared && this.shared.stages.includes(stage) ? this.shared : null;
    if (shared?.cache && stage === shared.stages[0]) await this.restoreShared(shared, shared.cache, progress);
    if (shared?.restored) return 'restored';
    const out = await stage.run(this.values, { ...this.ctx, progress });
    // Values first: whatever the stage made (a model) is disposed with the run, even if the check fails it.
    Object.assign(this.values, out.values);
    // Interrupted while the stage ran: the run has ended, and nothing may be written to it as running again.
    this.assertRunning();
    const problem = stage.check?.(out);
    if (problem) throw new Error(problem);
    await this.file(out);
    this.manifest.seconds[stage.name] = Math.round(performance.now() - t0) / 1000;
    this.dir.writeManifest(this.manifest);
    if (shared) {
      // The cache keeps the tables from the run directory and the values of the last stage only.
      if (shared.cache) shared.kept.push({ stage: stage.name, output: { ...out, values: {} } });
      if (stage === shared.stages[shared.stages.length - 1]) {
        if (shared.cache) this.keepShared(shared, shared.cache, out.values);
        shared.kept = [];
      }
    }
    this.release(stage);
    return 'ran';
  }

  /**
   * A stage's output where it belongs: tables, JSON and the model in the run store, scalars in TensorBoard,
   * metrics for metrics.json, what it learnt about the data (and its warnings, also printed) for the manifest.
   */
  private async file(out: StageOutput<unknown, unknown>): Promise<void> {
    for (const [name, table] of Object.entries(out.tables ?? {})) this.dir.writeTable(name, table);
    for (const [name, value] of Object.entries(out.json ?? {})) this.dir.writeJson(name, value);
    if (out.model) await out.model.save(this.dir.modelDir);
    for (const [tag, value] of Object.entries(out.scalars ?? {})) this.tb?.scalar(tag, value, 0);
    Object.assign(this.metrics, out.metrics);
    Object.assign(this.data, out.data);
    for (const w of out.warnings ?? []) {
      process.stderr.write(`warning: run ${this.run.runId}: ${w}\n`);
      this.data.warnings.push(w);
    }
    if (out.fingerprint) this.manifest.data_fingerprint = out.fingerprint;
    this.manifest.data = this.data;
  }

  /**
   * Lets go of the values no stage after `stage` uses (Stage.uses): the table as loaded, as split, as
   * normalized, each as large as the screen, go as soon as the next has been made; the model after the last
   * stage that reads it.
   */
  private release(stage: AnyStage): void {
    const later = this.stages.slice(this.stages.indexOf(stage) + 1);
    const used = new Set(later.flatMap((s) => Object.entries(s.uses(this.run.spec)).flatMap(([name, uses]) => (uses ? [name] : []))));
    let released = false;
    for (const [name, value] of Object.entries(this.values)) {
      if (used.has(name)) continue;
      if (isDisposable(value)) value.dispose();
      delete this.values[name];
      released = true;
    }
    if (released && process.memoryUsage().arrayBuffers >= COLLECT_ABOVE) collectGarbage();
  }

  /**
   * Looks the shared work up by its key (waiting while another process computes it); when found, files it as
   * if its stages had run, and otherwise holds the claim to compute it until keepShared (or the run's end).
   */
  private async restoreShared(shared: SharedWork, cache: SharedWorkCache, progress: (message: string) => void): Promise<void> {
    const t0 = performance.now();
    shared.key = await cache.keyOf(shared.stages, this.ctx!);
    let waitedFor: number | null = null;
    const found = await cache.restoreOrClaim(shared.key, this.dir, (holder) => {
      this.assertRunning();
      if (waitedFor !== holder.pid) progress(`waiting for process ${holder.pid}, which loads and preprocesses the same data`);
      waitedFor = holder.pid;
    });
    const waited = waitedFor === null ? {} : { waited_seconds: Math.round(performance.now() - t0) / 1000 };
    this.manifest.cache = { key: shared.key, restored: 'restored' in found, stages: shared.stages.map((s) => s.name), ...waited };
    if ('claim' in found) {
      shared.claim = found.claim;
      return;
    }
    const { restored } = found;
    for (const out of restored.outputs) await this.file(out);
    Object.assign(this.values, restored.values);
    shared.restored = true;
    this.manifest.seconds.restore = Math.round(performance.now() - t0) / 1000;
    this.dir.writeManifest(this.manifest);
  }

  /** Keeps the shared work for later runs. A cache that cannot be written costs time, not results: a warning. */
  private keepShared(shared: SharedWork, cache: SharedWorkCache, values: Record<string, unknown>): void {
    try {
      cache.store(shared.key!, this.dir, shared.kept, values);
    } catch (err) {
      process.stderr.write(`warning: run ${this.run.runId}: its loaded and preprocessed data could not be kept for other runs (${errorMessage(err)})\n`);
    } finally {
      this.releaseClaim();
    }
  }

  /** Lets runs waiting for this run's shared work go on: to restore it, or (none kept) to compute it. */
  private releaseClaim(): void {
    const claim = this.shared?.claim;
    if (!claim) return;
    this.shared!.claim = null;
    try {
      claim.release();
    } catch (err) {
      // A claim left behind is taken over once this process is gone: it costs other runs time, not results.
      process.stderr.write(`warning: run ${this.run.runId}: its claim on the shared work's cache entry could not be removed (${errorMessage(err)})\n`);
    }
  }

  /**
   * The run is a result: metrics.json, then the TensorBoard session's end, then the `done` manifest naming
   * every output with its size, written last and atomically. Any error here fails the run instead.
   */
  finish(): RunOutcome {
    if (this.outcome) return this.outcome;
    try {
      this.dir.writeMetrics(this.metrics);
      this.closeTensorBoard('success');
      const outputs = this.dir.listOutputs();
      this.dir.writeManifest({ ...this.manifest, status: 'done', ended_at: new Date().toISOString(), error: null, outputs });
    } catch (err) {
      return this.fail('finish', err);
    }
    return this.settle({ run: this.run, status: 'done' });
  }

  /** The run failed in `stage` (or was interrupted): a `failed` manifest with the error, as far as the disk allows. */
  fail(stage: string, err: unknown): RunOutcome {
    if (this.outcome) return this.outcome;
    let error = `${stage}: ${errorMessage(err)}`;
    try {
      this.closeTensorBoard('failure');
    } catch {
      // The manifest carries the error; a TensorBoard session left open only lacks its end marker.
    }
    const failed = (): Manifest => ({ ...this.manifest, status: 'failed', ended_at: new Date().toISOString(), error, outputs: null });
    try {
      this.dir.writeManifest(failed());
    } catch (first) {
      if ((first as NodeJS.ErrnoException).code === 'ENOSPC') {
        // A full disk: the partial outputs of a failed run are no result; removing them makes room to record why.
        try {
          this.dir.removeOutputs();
          error += ' (its partial tables and model were removed to make room for this manifest)';
          this.dir.writeManifest(failed());
          return this.settle({ run: this.run, status: 'failed', error });
        } catch {
          // Reported below, with the first error.
        }
      }
      error += `; the failed manifest could not be written either (${errorMessage(first)}), so ${this.dir.manifestPath} may still say 'running'`;
    }
    return this.settle({ run: this.run, status: 'failed', error });
  }

  /** A run ended meanwhile (interrupted, in a process that lives on) must not be written to as running again. */
  private assertRunning(): void {
    if (this.outcome) throw new Error(`the run has ended already (${this.outcome.error ?? this.outcome.status})`);
  }

  private closeTensorBoard(status: 'success' | 'failure'): void {
    const tb = this.tb;
    if (!tb) return;
    this.tb = null;
    try {
      writeSessionEnd(tb, status);
    } finally {
      tb.close();
    }
  }

  /** Records the outcome once, disposes what the stages held and releases the lock, whatever else failed. */
  private settle(outcome: RunOutcome): RunOutcome {
    this.releaseClaim();
    for (const value of Object.values(this.values)) {
      try {
        if (isDisposable(value)) value.dispose();
      } catch {
        // Disposal frees memory of a process that goes on; it has no bearing on the run's outcome.
      }
    }
    try {
      this.lock.release();
    } catch (err) {
      outcome = { ...outcome, status: 'failed', error: `${outcome.error ? `${outcome.error}; ` : ''}its lock could not be removed (${errorMessage(err)})` };
    }
    this.outcome = outcome;
    return outcome;
  }
}

/**
 * The array buffers a process must hold for a release to force a collection. Below it V8's own schedule frees
 * them soon enough, and forcing costs: on the quickstart (6 runs, one process) the 27 forced collections took
 * 0.6 s of the main thread, and the code they threw away (its weakly held objects collected) was compiled
 * again on V8's threads, ~2 CPU-s of 21 in all.
 */
const COLLECT_ABOVE = 256 * 2 ** 20;

/**
 * A full garbage collection. V8 frees a typed array's memory only when it collects the array, and it
 * collects by the size of its own heap, which the tables' buffers are not part of: at CDRP size the tables let
 * go of (2 GB each) were still held a stage later, 11.5 GB at the peak instead of about 8.
 */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function isDisposable(v: unknown): v is { dispose(): void } {
  return v !== null && typeof v === 'object' && typeof (v as { dispose?: unknown }).dispose === 'function';
}

/**
 * A run's shared stages as it goes: the key once computed, the claim on its cache entry while computing it,
 * whether they were restored, what they returned.
 */
interface SharedWork {
  stages: readonly AnyStage[];
  cache: SharedWorkCache | null;
  key: string | null;
  claim: Lock | null;
  restored: boolean;
  kept: { stage: string; output: StageOutput<unknown, unknown> }[];
}
