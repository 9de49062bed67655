import { SpecError } from '../../spec/errors.ts';
import { loadSpec } from '../../spec/load.ts';
import { expandRuns } from '../../sweep/expand.ts';
import { type Command, UserError } from '../command.ts';

/** `ads validate`: checks specs and every run their sweeps expand to, without running anything. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check experiment specs and their sweep points without running them.',
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
        const runs = expandRuns(loadSpec(file, overrides));
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
