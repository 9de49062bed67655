import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeReport, writeReportFor } from '../../report/write.ts';
import { settingsFromRuns } from '../../report/settings.ts';
import { loadSpec } from '../../spec/load.ts';
import { COMMON_OPTIONS, type Command, commonValues, UserError } from '../command.ts';

export const reportCommand: Command = {
  name: 'report',
  summary: "Aggregate an experiment's complete runs into reports/<experiment>/ (report.md, report.html, figures/).",
  usage: 'report <spec.yaml | experiment> [--set path=value]… [--runs-dir DIR] [--reports-dir DIR]',
  options: {
    set: { type: 'string', multiple: true, value: 'PATH=VALUE', description: 'Override a setting of the spec (spec files only), typed by the schema' },
    'runs-dir': COMMON_OPTIONS['runs-dir'],
    'reports-dir': COMMON_OPTIONS['reports-dir'],
  },
  async run(positionals, options) {
    if (positionals.length !== 1) throw new UserError('ads report: give exactly one spec file or experiment name (see ads report --help)', 2);
    const [target] = positionals;
    const { overrides, runsDir, reportsDir } = commonValues(options);
    let path: string;
    if (existsSync(target) && statSync(target).isFile()) {
      path = await writeReport(loadSpec(target, overrides).spec, runsDir, reportsDir);
    } else {
      // Not a file: an experiment name, whose settings every complete run saved with itself.
      if (/\.ya?ml$/i.test(target)) throw new UserError(`ads report: no spec file ${target}`, 2);
      if (overrides.length) throw new UserError('ads report: --set applies to a spec file, not to an experiment name', 2);
      const settings = settingsFromRuns(join(runsDir, target));
      if (!settings) throw new UserError(`ads report: no complete run of experiment '${target}' in ${runsDir} (and no spec file of that name)`, 2);
      path = await writeReportFor(settings, runsDir, reportsDir);
    }
    console.log(`Report: ${path} (and report.html, figures/)`);
    return 0;
  },
};
