import { loadSpec } from '../../spec/load.ts';
import { expandRuns, type PlannedRun } from '../../sweep/expand.ts';
import { COMMON_OPTIONS, type CommandDefinition, commonValues, UserError } from '../command.ts';

/** `ads plan`: the runs a spec expands to (run id, sweep point, seed), as a table or JSON. */
export const planCommand: CommandDefinition = {
  name: 'plan',
  usage: 'plan <spec.yaml> [--set path=value]… [--json]',
  options: {
    set: COMMON_OPTIONS.set,
    json: { type: 'boolean', description: 'Print JSON ({experiment, count, runs: [{runId, point, seed}]}) instead of a table' },
  },
  async run(positionals, options) {
    if (positionals.length !== 1) throw new UserError('ads plan: give exactly one spec file (see ads plan --help)', 2);
    const loaded = loadSpec(positionals[0], commonValues(options).overrides);
    const runs = expandRuns(loaded);
    const experiment = loaded.spec.experiment;
    const search = loaded.spec.sweep.search;
    // A search's trials are decided as it goes (each by the ones before), so only their number is known.
    const searchNote = search
      ? { trials: search.trials, sampler: search.sampler, params: Object.keys(search.params), note: 'the runs below take the best trial’s values of these settings' }
      : null;
    if (options.json) {
      const plan = { experiment, count: runs.length, search: searchNote, runs: runs.map(({ runId, point, seed }) => ({ runId, point, seed })) };
      process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    } else {
      process.stdout.write(`${runs.length} ${runs.length === 1 ? 'run' : 'runs'} planned for experiment ${experiment}\n`);
      if (searchNote) {
        process.stdout.write(`after a search of ${searchNote.trials} trials (${searchNote.sampler}) over ${searchNote.params.join(', ')}; ${searchNote.note}\n`);
      }
      process.stdout.write(`${planTable(runs)}\n`);
    }
    return 0;
  },
};

/** One row per run: run id, seed, then a column per swept setting. */
export function planTable(runs: readonly PlannedRun[]): string {
  const paths = runs.length ? Object.keys(runs[0].point) : [];
  const cell = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const rows = [['run id', 'seed', ...paths], ...runs.map((r) => [r.runId, String(r.seed), ...paths.map((p) => cell(r.point[p]))])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => row.map((v, c) => (c === row.length - 1 ? v : v.padEnd(widths[c]))).join('  ')).join('\n');
}
