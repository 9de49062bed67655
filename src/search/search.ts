import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { stream } from '../random/streams.ts';
import { writeJsonAtomic } from '../run/files.ts';
import { type RunnerOptions, runAll } from '../run/runner.ts';
import { ExperimentStore, type RunDir, TABLES, TRIALS } from '../run/store.ts';
import type { TrainingMetrics } from '../stages/train.ts';
import { type LoadedSpec, loadSpec } from '../spec/load.ts';
import { overridesOf } from '../spec/overrides.ts';
import { expandRuns, type PlannedRun } from '../sweep/expand.ts';
import { type Distribution, randomSuggest, type ScoredTrial, tpeSuggest } from './tpe.ts';

/** A trial runs the pipeline through training: it is judged by its best validation loss alone. */
const TRIAL_LAST_STAGE = 'train';

export interface TrialRecord {
  trial: number;
  run_id: string;
  params: Record<string, unknown>;
  /** Best validation loss; null when the trial failed. */
  objective: number | null;
  pruned: boolean;
  epochs: number;
}

export interface SearchOutcome {
  sampler: string;
  trials: TrialRecord[];
  best: TrialRecord;
}


/**
 * Runs the spec's hyper-parameter search (sweep.search): trials in batches of `opts.jobs` (default 1: one
 * after another), each a training-only run in runs/<experiment>/trials/ at the spec's base point and seed,
 * with the settings the sampler suggests given the trials of the batches before it. Trials already complete are read back, not redone, so a killed search resumes
 * where it stopped and suggests the same settings. The outcome is written to runs/<experiment>/search.json.
 */
export async function runSearch(loaded: LoadedSpec, overrides: readonly string[], opts: RunnerOptions): Promise<SearchOutcome> {
  const search = loaded.spec.sweep.search!;
  const space = search.params as Record<string, Distribution>;
  const store = new ExperimentStore(opts.runsDir, loaded.spec.experiment);
  const trials = new ExperimentStore(opts.runsDir, loaded.spec.experiment, TRIALS);
  const previous = readPrevious(store.searchOutcome);
  const rs = stream(search.seed, 'sweep.search');
  const records: TrialRecord[] = [];
  const histories: number[][] = [];
  let firstError: string | null = null;
  // Trials go in batches of `jobs`, run at once: each trial of a batch is suggested (and pruned) from the
  // trials of the batches before it only, so the search is a function of its seed and of `jobs` (1: each
  // trial sees every trial before it, as in a sequential search).
  const jobs = Math.max(1, opts.jobs ?? 1);
  for (let first = 0; first < search.trials; first += jobs) {
    const scored: ScoredTrial[] = records.flatMap((r) => (r.objective === null ? [] : [{ params: r.params, objective: r.objective }]));
    const batch: { params: Record<string, unknown>; trial: PlannedRun }[] = [];
    for (let t = first; t < Math.min(first + jobs, search.trials); t++) {
      const params = search.sampler === 'tpe' && t >= search.startup ? tpeSuggest(space, scored, rs) : randomSuggest(space, rs);
      const planned = expandRuns(loadSpec(loaded.file, [...overrides, 'sweep={}', ...overridesOf(params)]))[0];
      batch.push({ params, trial: { ...planned, point: params } });
    }
    // A setting suggested twice in a batch is one run (the same run id), run once.
    const unique = [...new Map(batch.map((b) => [b.trial.runId, b.trial])).values()];
    const pruning = search.prune.enabled ? { earlier: histories.map((h) => [...h]), afterEpochs: search.prune.after_epochs } : undefined;
    const ran = await runAll(unique, { ...opts, subdir: TRIALS, until: TRIAL_LAST_STAGE, pruning });
    for (const { params, trial } of batch) {
      const t = records.length;
      const outcome = ran.find((o) => o.run.runId === trial.runId);
      const trialDir = trials.run(trial.runId);
      if (outcome?.error && firstError === null) firstError = `trial ${t} (${trialDir.dir}): ${outcome.error}`;
      // A trial read back (complete from an earlier search) was pruned or not then.
      const pruned = outcome?.status === 'skipped' ? (previous.get(trial.runId)?.pruned ?? false) : outcome?.pruned === true;
      const stored = trialDir.stored();
      const history = stored.complete ? valLosses(trialDir) : [];
      if (stored.complete) histories.push(history);
      records.push({
        trial: t,
        run_id: trial.runId,
        params,
        objective: stored.complete ? (stored.metrics.training as TrainingMetrics).best_val_loss : null,
        pruned,
        epochs: history.length,
      });
    }
    writeJsonAtomic(store.searchOutcome, outcome(search.sampler, records));
  }
  const result = outcome(search.sampler, records);
  if (!result.best) {
    // A search whose every trial fails is a setting to fix (a searched range that diverges, bad data), not a bug.
    throw new UserError(
      `every one of the ${search.trials} trials of the search failed, so no setting can be chosen (sweep.search); the first: ${firstError ?? 'see the manifests'}. Each trial's manifest is in ${trials.dir}/<run-id>/manifest.json.`,
    );
  }
  return result as SearchOutcome;
}

function outcome(sampler: string, trials: TrialRecord[]) {
  const finished = trials.filter((t) => t.objective !== null);
  const best = finished.reduce<TrialRecord | undefined>((b, t) => (!b || t.objective! < b.objective! ? t : b), undefined);
  return { sampler, trials, best };
}

function valLosses(dir: RunDir): number[] {
  return dir.readTable(TABLES.history).getColumn('val_loss').toArray() as number[];
}

function readPrevious(path: string): Map<string, TrialRecord> {
  if (!existsSync(path)) return new Map();
  const saved = JSON.parse(readFileSync(path, 'utf8')) as { trials: TrialRecord[] };
  return new Map(saved.trials.map((t) => [t.run_id, t]));
}
