import { writeReport } from '../../report/write.ts';
import { loadSpec } from '../../spec/load.ts';
import { type Command, UserError } from '../command.ts';

export const reportCommand: Command = {
  name: 'report',
  summary: "Aggregate an experiment's complete runs into reports/<experiment>/report.md.",
  usage: 'report <spec.yaml> [--set path=value]… [--runs-dir DIR] [--reports-dir DIR]',
  options: {
    set: { type: 'string', multiple: true, value: 'PATH=VALUE', description: 'Override a setting of the spec, typed by the schema' },
    'runs-dir': { type: 'string', value: 'DIR', description: 'Where runs are stored (default: runs)' },
    'reports-dir': { type: 'string', value: 'DIR', description: 'Where the report is written (default: reports)' },
  },
  async run(positionals, options) {
    if (positionals.length !== 1) throw new UserError('ads report: give exactly one spec file (see ads report --help)', 2);
    const loaded = loadSpec(positionals[0], (options.set as string[] | undefined) ?? []);
    const path = writeReport(
      loaded.spec,
      (options['runs-dir'] as string | undefined) ?? 'runs',
      (options['reports-dir'] as string | undefined) ?? 'reports',
    );
    console.log(`Report: ${path}`);
    return 0;
  },
};
