import { existsSync, lstatSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { ExperimentStore } from '../run/store.ts';

/**
 * Where an experiment's report goes, and the checks that keep writing it from replacing anything else: the
 * report is written beside its folder and renamed over it (write.ts' replaceFolder), so the folder must be
 * absent, empty or a report. Light (no report rendering), so that `ads run` and `ads slurm` check it before
 * any run starts.
 */

/** What a report folder holds: report.md and report.html beside metrics.csv and figures/ of .svg and .csv files. */
const REPORT_ENTRIES = new Set(['report.md', 'report.html', 'metrics.csv', 'figures']);
/** Files an operating system's file browser leaves in any folder it shows. */
const OS_LEFTOVERS = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

/** Where the report of `experiment` goes. */
export function reportFolder(reportsDir: string, experiment: string): string {
  return join(reportsDir, experiment);
}

/**
 * Refuses a report folder that could not be replaced whole without loss: the experiment's runs folder, one
 * inside it or holding it (the same folder given to --runs-dir and --reports-dir, even through a symbolic
 * link), a file, or a folder holding anything a report does not write. Checked before any run starts, so
 * that runs are not done for a report that cannot be written, and again by the writer.
 */
export function checkReportPlace(runsDir: string, reportsDir: string, experiment: string): void {
  const folder = reportFolder(reportsDir, experiment);
  const report = realPath(folder);
  const runs = realPath(new ExperimentStore(runsDir, experiment).dir);
  const within = (inner: string, outer: string) => {
    const r = relative(outer, inner);
    return r === '' || (!r.startsWith('..') && !r.startsWith('/'));
  };
  const clash = report === runs ? 'is' : within(report, runs) ? 'lies inside' : within(runs, report) ? 'holds' : null;
  if (clash) {
    throw new UserError(
      `--reports-dir ${reportsDir}: the report would go to ${folder}, which ${clash} the experiment's runs (${new ExperimentStore(runsDir, experiment).dir}, from --runs-dir ${runsDir}), and writing a report replaces its folder whole; give --reports-dir a folder apart from --runs-dir`,
      2,
    );
  }
  checkReplaceable(folder);
}

/** Refuses to replace what is not a report: a file, or a folder holding anything a report does not write. */
function checkReplaceable(dir: string): void {
  const st = lstatSync(dir, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isDirectory()) throw new UserError(`${dir} is ${st.isSymbolicLink() ? 'a symbolic link' : 'a file'}, not a report folder: writing the report there would replace it, so it is left alone; move it or give another --reports-dir`, 2);
  const entries = readdirSync(dir).filter((name) => !OS_LEFTOVERS.has(name));
  if (entries.length === 0) return;
  const foreign = [
    ...entries.filter((name) => !REPORT_ENTRIES.has(name)),
    // A report's figures/ holds each figure as SVG and its data as CSV, nothing else.
    ...(entries.includes('figures') ? figureForeigners(join(dir, 'figures')) : []),
    // Report-like names alone (a figures/ folder of one's own) are not a report: one has report.md.
    ...(entries.includes('report.md') ? [] : ['no report.md']),
  ];
  if (foreign.length === 0) return;
  const shown = foreign.slice(0, 3).map((n) => (n === 'no report.md' ? 'no report.md' : `'${n}'`)).join(', ') + (foreign.length > 3 ? ` and ${foreign.length - 3} more` : '');
  throw new UserError(
    `${dir} holds ${shown}: not a report folder as ads writes it; writing the report replaces this folder whole, so it is left alone: move those out or give another --reports-dir`,
    2,
  );
}

function figureForeigners(figures: string): string[] {
  const st = lstatSync(figures);
  if (!st.isDirectory()) return ['figures'];
  return readdirSync(figures, { withFileTypes: true })
    .filter((e) => !OS_LEFTOVERS.has(e.name) && !(e.isFile() && /\.(svg|csv)$/.test(e.name)))
    .map((e) => `figures/${e.name}`);
}

/** A path with its symbolic links followed as far as it exists (the rest appended): two names of one folder compare equal. */
function realPath(path: string): string {
  const absolute = resolve(path);
  let existing = absolute;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const rest = relative(existing, absolute);
  try {
    return rest ? join(realpathSync(existing), rest) : realpathSync(existing);
  } catch {
    return absolute;
  }
}

