import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { ExperimentStore } from '../run/store.ts';

/**
 * Where an experiment's report goes, and the checks that keep writing it from replacing anything else: the
 * report is written beside its folder and renamed over it (write.ts' replaceFolder), so the folder must hold
 * a report and nothing more. Light (no report rendering), so that `ads run` and `ads slurm` check it before
 * any run starts.
 */

/** What a report folder holds: writing a report replaces the folder whole, so it holds nothing else. */
const REPORT_ENTRIES = new Set(['report.md', 'report.html', 'metrics.csv', 'figures']);

/** Where the report of `experiment` goes. */
export function reportFolder(reportsDir: string, experiment: string): string {
  return join(reportsDir, experiment);
}

/**
 * Refuses a report folder that is the experiment's runs folder, lies inside it or holds it (the same folder
 * given to --runs-dir and --reports-dir, say): the report replaces its folder whole, runs and all. Checked
 * before any run starts, so that the runs are not done for a report that cannot be written.
 */
export function checkReportPlace(runsDir: string, reportsDir: string, experiment: string): void {
  const report = resolve(reportFolder(reportsDir, experiment));
  const runs = resolve(new ExperimentStore(runsDir, experiment).dir);
  const within = (inner: string, outer: string) => {
    const r = relative(outer, inner);
    return r === '' || (!r.startsWith('..') && !r.startsWith('/'));
  };
  const clash = report === runs ? 'is' : within(report, runs) ? 'lies inside' : within(runs, report) ? 'holds' : null;
  if (clash) {
    throw new UserError(
      `--reports-dir ${reportsDir}: the report would go to ${reportFolder(reportsDir, experiment)}, which ${clash} the experiment's runs (${new ExperimentStore(runsDir, experiment).dir}, from --runs-dir ${runsDir}), and writing a report replaces its folder whole; give --reports-dir a folder apart from --runs-dir`,
      2,
    );
  }
}

/** Refuses to replace a folder that holds anything but a report (a user's files, or runs under another name). */
export function checkReplaceable(dir: string): void {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
  const foreign = readdirSync(dir).filter((name) => !REPORT_ENTRIES.has(name));
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 3).map((n) => `'${n}'`).join(', ') + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : '');
  throw new UserError(
    `${dir} holds ${shown}, which no report writes; writing the report replaces this folder whole, so it is left alone: move those out or give another --reports-dir`,
    2,
  );
}
