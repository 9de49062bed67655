import { checkDataFiles } from '../../spec/data-check.ts';
import { formatIssue, SpecError } from '../../spec/errors.ts';
import { loadSpec } from '../../spec/load.ts';
import { staticWarnings } from '../../spec/warnings.ts';
import { expandRuns } from '../../sweep/expand.ts';
import { type CommandDefinition, UserError } from '../command.ts';

/**
 * `ads validate`: checks specs and every run their sweeps expand to, without running anything: the schema,
 * the sweep (and its size, before expanding it), the data files' presence and headers against the column
 * roles, and settings that would make a run mean little (warnings, exit 0).
 */
export const validateCommand: CommandDefinition = {
  name: 'validate',
  usage: 'validate <spec.yaml>… [--set path=value]…',
  options: {
    set: { type: 'string', multiple: true, value: 'PATH=VALUE', description: 'Override a setting of every spec, typed by the schema' },
  },
  async run(positionals, options) {
    if (positionals.length === 0) throw new UserError('ads validate: give at least one spec file (see ads validate --help)', 2);
    const overrides = (options.set as string[] | undefined) ?? [];
    let failed = false;
    // Every spec is checked, so one run of the command lists all the problems.
    for (const file of positionals) {
      try {
        const loaded = loadSpec(file, overrides);
        const runs = expandRuns(loaded);
        const issues = checkDataFiles(loaded, runs);
        if (issues.length) throw new SpecError(issues);
        for (const w of staticWarnings(loaded, runs)) process.stderr.write(`warning: ${formatIssue(w)}\n`);
        process.stdout.write(`ok ${file} (${runs.length} ${runs.length === 1 ? 'run' : 'runs'})\n`);
      } catch (err) {
        if (!(err instanceof SpecError)) throw err;
        process.stderr.write(`${err.message}\n`);
        failed = true;
      }
    }
    return failed ? 2 : 0;
  },
};
