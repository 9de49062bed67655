import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { PlannedRun } from '../sweep/expand.ts';
import { writeSessionEnd, writeSessionStart } from '../tensorboard/hparams.ts';
import { SummaryWriter } from '../tensorboard/writer.ts';
import type { Callback } from '../training/fit.ts';
import { writeJsonAtomic } from './files.ts';
import { errorMessage } from './fs_errors.ts';
import type { Lock } from './lock.ts';
import { listOutputs, type Manifest, METRICS, writeManifest } from './manifest.ts';
import type { RunContext, RunState } from './stages.ts';
import { runHParams, tensorboardDir } from './tensorboard.ts';
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
 * signal — the lock is released and the outcome recorded. A failure that even keeps the failed manifest
 * from being written is still a failed outcome, whose message says so.
 */
export class ActiveRun {
  readonly manifest: Manifest;
  readonly state: RunState = {};
  /** The stage under way, which a failure (or an interruption) is attributed to. */
  stage = 'start';
  private tb: SummaryWriter | null = null;
  private outcome: RunOutcome | null = null;

  constructor(
    readonly run: PlannedRun,
    readonly dir: string,
    private readonly lock: Lock,
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
      versions: toolVersions(),
      data_fingerprint: null,
      data: null,
      host: hostname(),
      pid: process.pid,
      error: null,
      outputs: null,
    };
  }

  /** Clears the run directory and starts afresh: spec.yaml, the TensorBoard session, a `running` manifest. */
  begin(trainingCallbacks: readonly Callback[]): RunContext {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(join(this.dir, 'tables'), { recursive: true });
    const specYaml = stringify(this.run.spec);
    writeFileSync(join(this.dir, 'spec.yaml'), specYaml);
    const tbDir = tensorboardDir(this.dir, this.run);
    rmSync(tbDir, { recursive: true, force: true });
    const tb = new SummaryWriter(tbDir);
    this.tb = tb;
    writeSessionStart(tb, runHParams(this.run));
    tb.text('spec', `\`\`\`yaml\n${specYaml}\`\`\``, 0);
    writeManifest(this.dir, this.manifest);
    return {
      spec: this.run.spec,
      seed: this.run.seed,
      point: this.run.point,
      runId: this.run.runId,
      dir: this.dir,
      tablesDir: join(this.dir, 'tables'),
      tbDir,
      tb,
      trainingCallbacks,
      progress: () => undefined,
    };
  }

  /** A stage is through: its time and what it learnt about the input go into the (still running) manifest. */
  stageDone(stage: string, seconds: number): void {
    this.assertRunning();
    this.manifest.seconds[stage] = Math.round(seconds * 1000) / 1000;
    this.manifest.backend = this.state.backend ?? this.manifest.backend;
    this.manifest.data_fingerprint = this.state.fingerprint ?? this.manifest.data_fingerprint;
    this.manifest.data = this.state.data ?? null;
    writeManifest(this.dir, this.manifest);
  }

  /**
   * The run is a result: metrics.json, then the TensorBoard session's end, then the `done` manifest naming
   * every output with its size, written last and atomically. Any error here fails the run instead.
   */
  finish(): RunOutcome {
    if (this.outcome) return this.outcome;
    try {
      writeJsonAtomic(join(this.dir, METRICS), this.state.metrics ?? {});
      this.closeTensorBoard('success');
      const outputs = listOutputs(this.dir);
      writeManifest(this.dir, { ...this.manifest, status: 'done', ended_at: new Date().toISOString(), error: null, outputs });
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
      writeManifest(this.dir, failed());
    } catch (first) {
      if ((first as NodeJS.ErrnoException).code === 'ENOSPC') {
        // A full disk: the partial outputs of a failed run are no result; removing them makes room to record why.
        try {
          for (const d of ['tables', 'model']) rmSync(join(this.dir, d), { recursive: true, force: true });
          error += ' (its partial tables and model were removed to make room for this manifest)';
          writeManifest(this.dir, failed());
          return this.settle({ run: this.run, status: 'failed', error });
        } catch {
          // Reported below, with the first error.
        }
      }
      error += `; the failed manifest could not be written either (${errorMessage(first)}), so ${join(this.dir, 'manifest.json')} may still say 'running'`;
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

  /** Records the outcome once and releases the lock, whatever else failed. */
  private settle(outcome: RunOutcome): RunOutcome {
    try {
      this.lock.release();
    } catch (err) {
      outcome = { ...outcome, status: 'failed', error: `${outcome.error ? `${outcome.error}; ` : ''}its lock could not be removed (${errorMessage(err)})` };
    }
    this.outcome = outcome;
    return outcome;
  }
}
