import { availableParallelism, freemem } from 'node:os';
import { resultSettings } from '../../report/collect.ts';
import { checkReportPlace } from '../../report/place.ts';
import type { RunnerOptions } from '../../run/options.ts';
import { jobsFor, sweepMemory } from '../../run/memory.ts';
import { WorkerPool } from '../../run/pool.ts';
import { ExperimentStore } from '../../run/store.ts';
import { type LoadedSpec, loadSpec } from '../../spec/load.ts';
import type { ResolvedSpec } from '../../spec/types.ts';
import { expandRuns, type PlannedRun } from '../../sweep/expand.ts';
import { parseShard, type Shard, shardOf } from '../../sweep/shard.ts';
import { COMMON_OPTIONS, type CommandDefinition, commonValues, UserError } from '../command.ts';
import { asUserError, writableDir } from '../paths.ts';

export const runCommand: CommandDefinition = {
  name: 'run',
  usage: 'run <spec.yaml> [--set path=value]… [--runs-dir DIR] [--reports-dir DIR] [--force] [--shard i/n] [--jobs N] [--no-report] [--no-cache]',
  options: {
    set: COMMON_OPTIONS.set,
    'runs-dir': COMMON_OPTIONS['runs-dir'],
    'reports-dir': COMMON_OPTIONS['reports-dir'],
    force: { type: 'boolean', description: 'Re-do complete runs too' },
    shard: { type: 'string', value: 'i/n', description: 'Run only the i-th of n deterministic shares of the planned runs (1 ≤ i ≤ n)' },
    jobs: {
      type: 'string',
      value: 'N',
      description:
        'Runs at once, each in a worker process (default: the number of cores, divided by the spec\'s runtime.threads when it is a number, at most as many as the available memory holds, the peak of a run estimated from the size of its data; with runtime.threads: auto the runs under way share the cores); a search runs its trials in batches of N',
    },
    'no-report': { type: 'boolean', description: 'Do not write the report afterwards (e.g. in a shard of a Slurm array)' },
    plain: { type: 'boolean', description: 'Plain timestamped log lines even on a terminal (the default when stdout is not a TTY)' },
    'no-cache': { type: 'boolean', description: "Load and preprocess for every run, neither using nor filling the run store's cache of shared work (runs/.cache)" },
  },
  async run(positionals, options) {
    if (positionals.length !== 1) throw new UserError('ads run: give exactly one spec file (see ads run --help)', 2);
    const { overrides, runsDir, reportsDir } = commonValues(options);
    const plain = options.plain === true || !process.stdout.isTTY;
    const force = options.force === true;
    const cache = options['no-cache'] !== true;
    const loaded = loadSpec(positionals[0], overrides);
    // Without a search the sweep is known now: its runs' data size --jobs (a search's trials read the spec's own).
    const sweep = loaded.spec.sweep.search === undefined ? expandRuns(loaded) : null;
    const jobs = jobsOption(options.jobs as string | undefined, loaded.spec.runtime.threads, sweep ? sweep.map((r) => r.spec) : [loaded.spec]);
    writableDir(runsDir, '--runs-dir');
    writableDir(new ExperimentStore(runsDir, loaded.spec.experiment).dir, 'experiment (runs go to <runs-dir>/<experiment>)');
    if (!options['no-report']) {
      writableDir(reportsDir, '--reports-dir');
      checkReportPlace(runsDir, reportsDir, loaded.spec.experiment);
    }
    const shard = typeof options.shard === 'string' ? parseShard(options.shard) : null;
    const { swept, planned, runs, outcomes } = await runExperiment(positionals[0], loaded, sweep, overrides, shard, { runsDir, force, plain, jobs, cache });
    // The runs' outcome is told even when the report cannot be written (a full disk, say).
    let report: string;
    let reportFailed = false;
    if (options['no-report']) report = 'not written (--no-report)';
    else {
      try {
        const { writeReport } = await import('../../report/write.ts');
        report = await writeReport(swept.spec, runsDir, reportsDir, planned.map((r) => resultSettings(r.spec)), [positionals[0], ...overrides.flatMap((o) => ['--set', o])]);
      } catch (err) {
        const user = asUserError(err, `writing the report in ${reportsDir}: `) ?? err;
        report = `NOT WRITTEN: ${user instanceof Error ? user.message : String(user)}`;
        reportFailed = true;
      }
    }
    const count = (s: string) => outcomes.filter((o) => o.status === s).length;
    // A run neither done, skipped nor locked has failed, whether or not its outcome could say why.
    const failed = runs.length - count('done') - count('skipped') - count('locked');
    console.log(
      `${runs.length} run(s): ${count('done')} done, ${count('skipped')} already complete, ${count('locked')} running elsewhere, ${failed} failed. Report: ${report}`,
    );
    for (const o of outcomes.filter((o) => o.status === 'failed')) console.error(`run ${o.run.runId} failed: ${o.error}`);
    if (failed > 0) console.error(`ads run: ${failed} of ${runs.length} run(s) failed`);
    return failed > 0 || reportFailed ? 1 : 0;
  },
};

/**
 * The search of the spec at `path` (if it has one), then its sweep (this shard's share of it): the spec the
 * sweep ran (the search's best settings applied), its planned runs, the ones run here and their outcomes.
 * With several runs at once, their worker processes are forked first: they load tfjs and polars while this
 * process plans, and one of them writes the experiment summary, so that this process never loads the
 * pipeline (the report's modules it loads after the runs).
 */
async function runExperiment(
  path: string,
  loaded: LoadedSpec,
  planned: PlannedRun[] | null,
  overrides: readonly string[],
  shard: Shard | null,
  opts: RunnerOptions & { jobs: number },
) {
  const sweepOf = (spec: LoadedSpec, runs = expandRuns(spec)) => ({ swept: spec, planned: runs, runs: shard ? shardOf(runs, shard) : runs });
  // Without a search the sweep is known (`planned`, which sizes the pool); a search's best settings decide it later.
  const known = planned ? sweepOf(loaded, planned) : null;
  const size = known ? Math.min(opts.jobs, known.runs.length) : opts.jobs;
  const workers = size > 1 ? new WorkerPool(size) : undefined;
  try {
    let spec = loaded;
    if (!known) {
      const { runSearch } = await import('../../search/search.ts');
      const outcome = await runSearch(loaded, overrides, { ...opts, workers });
      console.log(`search: best of ${outcome.trials.length} trials is ${outcome.best.run_id} (best val loss ${outcome.best.objective}) with ${JSON.stringify(outcome.best.params)}`);
      spec = loadSpec(path, overrides, outcome.best.params);
    }
    const { swept, planned, runs } = known ?? sweepOf(spec);
    const { runAll, writeSweepSummary } = await import('../../run/runner.ts');
    await writeSweepSummary(new ExperimentStore(opts.runsDir, swept.spec.experiment).dir, swept.spec, planned, workers);
    return { swept, planned, runs, outcomes: await runAll(runs, { ...opts, workers }) };
  } finally {
    workers?.close();
  }
}

/**
 * `--jobs`, or its default: a run per core (per runtime.threads cores when it is a number; with auto, runs take
 * the cores --jobs leaves them, so runs come first), as many as the available memory holds at the largest
 * estimated peak of the runs (run/memory.ts), which is said when it is what limits them. A run, or an explicit N of them,
 * that may not fit is warned about, not refused: the peak is an estimate.
 */
function jobsOption(text: string | undefined, threads: number | 'auto', specs: readonly Pick<ResolvedSpec, 'dataset' | 'modalities'>[]): number {
  if (text !== undefined && (!/^\d+$/.test(text) || Number(text) < 1)) throw new UserError(`ads run: --jobs ${text}: expected a positive whole number`, 2);
  const memory = sweepMemory(specs);
  const available = freemem();
  const { jobs, byMemory } = text === undefined ? jobsFor(availableParallelism(), threads === 'auto' ? 1 : threads, memory.bytes, available) : { jobs: Number(text), byMemory: false };
  const peak = `a run of this data (about ${memory.rows.toLocaleString('en-US')} rows × ${memory.columns.toLocaleString('en-US')} columns) may take up to ${gb(memory.bytes)} of memory`;
  if (memory.bytes > available) console.error(`warning: ads run: ${peak}, more than the ${gb(available)} available`);
  else if (byMemory) console.error(`ads run: ${jobs} run(s) at a time rather than one per core: ${peak}, and ${gb(available)} is available (--jobs N sets the number)`);
  else if (jobs * memory.bytes > available) console.error(`warning: ads run --jobs ${jobs}: ${peak}, and ${gb(available)} is available: ${jobs} at once may run out of it`);
  return jobs;
}

function gb(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GB`;
}

