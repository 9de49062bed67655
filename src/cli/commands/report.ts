import { existsSync, readFileSync, statSync } from 'node:fs';
import { settingsFromRuns } from '../../report/settings.ts';
import { ExperimentStore } from '../../run/store.ts';
import { resultSettings } from '../../report/collect.ts';
import { type LoadedSpec, loadSpec } from '../../spec/load.ts';
import { expandRuns } from '../../sweep/expand.ts';
import { COMMON_OPTIONS, type CommandDefinition, commonValues, UserError } from '../command.ts';
import { asUserError, writableDir } from '../paths.ts';

export const reportCommand: CommandDefinition = {
  name: 'report',
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
    try {
      console.log(`Report: ${await writeTarget(target, overrides, runsDir, reportsDir)} (and report.html, figures/)`);
    } catch (err) {
      throw asUserError(err, `ads report: writing the report in ${reportsDir}: `) ?? err;
    }
    return 0;
  },
};

/** The report writer, loaded when a report is written: it brings vega and polars, which `ads report --help` does without. */
const reportWriter = () => import('../../report/write.ts');

/** Writes the report of a spec file or of an experiment by name; returns the Markdown's path. */
async function writeTarget(target: string, overrides: string[], runsDir: string, reportsDir: string): Promise<string> {
  if (existsSync(target) && statSync(target).isFile()) {
    const loaded = currentSpec(target, overrides, runsDir);
    const { spec } = loaded ?? loadSpec(target, overrides);
    writableDir(reportsDir, '--reports-dir');
    // A mistyped --runs-dir would otherwise replace the report with an empty one.
    if (!new ExperimentStore(runsDir, spec.experiment).runDirs().some((run) => existsSync(run.manifestPath))) {
      throw new UserError(`ads report: no run of experiment '${spec.experiment}' in ${runsDir} (--runs-dir names the runs directory; default: runs)`, 2);
    }
    // The spec's runs as it stands now: complete runs of other settings are listed apart, not averaged in.
    const current = loaded ? expandRuns(loaded).map((r) => resultSettings(r.spec)) : undefined;
    return (await reportWriter()).writeReport(spec, runsDir, reportsDir, current, [target, ...overrides.flatMap((o) => ['--set', o])]);
  }
  // Not a file: an experiment name, whose settings every complete run saved with itself.
  if (/\.ya?ml$/i.test(target)) throw new UserError(`ads report: no spec file ${target}`, 2);
  if (overrides.length) throw new UserError('ads report: --set applies to a spec file, not to an experiment name', 2);
  const settings = settingsFromRuns(new ExperimentStore(runsDir, target));
  if (!settings) throw new UserError(`ads report: no complete run of experiment '${target}' in ${runsDir} (and no spec file of that name)`, 2);
  writableDir(reportsDir, '--reports-dir');
  return (await reportWriter()).writeReportFor(settings, runsDir, reportsDir);
}

/**
 * The spec whose runs the report is about. With a hyper-parameter search, that is the sweep at the search's
 * best settings (as `ads run` ran it), read from runs/<experiment>/search.json; null while the search has no
 * outcome, as the runs to expect are then unknown.
 */
function currentSpec(file: string, overrides: readonly string[], runsDir: string): LoadedSpec | null {
  const loaded = loadSpec(file, [...overrides]);
  if (!loaded.spec.sweep.search) return loaded;
  const outcome = new ExperimentStore(runsDir, loaded.spec.experiment).searchOutcome;
  if (!existsSync(outcome)) return null;
  const best = (JSON.parse(readFileSync(outcome, 'utf8')) as { best?: { params?: Record<string, unknown> } }).best?.params;
  return best ? loadSpec(file, [...overrides], best) : null;
}
