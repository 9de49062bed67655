import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Block, ReportDocument } from './blocks.ts';
import { groupByPoint } from './aggregate.ts';
import { ExperimentStore } from '../run/store.ts';
import { collectRuns } from './collect.ts';
import { checkReportPlace, reportFolder } from './place.ts';
import { metricsCsv } from './metrics_table.ts';
import { buildReport } from './document.ts';
import { figureCsv } from './figure_data.ts';
import { renderSvg } from './figures/render.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { readRunTables } from './run_tables.ts';
import { reportSettings, type ReportSettings, type ReportSpec } from './settings.ts';

/**
 * Aggregates every complete run of the spec's experiment into reports/<experiment>/: report.md, figures/ (each
 * figure as SVG and its data as CSV), report.html. With `current` (the settings of the runs the spec plans now), complete runs of other
 * settings are listed apart instead of averaged in.
 */
export async function writeReport(
  spec: ReportSpec,
  runsDir: string,
  reportsDir: string,
  current?: readonly Record<string, unknown>[],
  specArgs?: readonly string[],
): Promise<string> {
  return writeReportFor(reportSettings(spec), runsDir, reportsDir, current, specArgs);
}

/** Same, from settings already at hand (e.g. read back from the runs by `ads report <experiment>`). Returns the Markdown's path. */
export async function writeReportFor(
  settings: ReportSettings,
  runsDir: string,
  reportsDir: string,
  current?: readonly Record<string, unknown>[],
  /** How `ads report` names what it reports: the spec file and its --set values; the experiment's name by default. */
  specArgs: readonly string[] = [settings.experiment],
): Promise<string> {
  const dir = reportFolder(reportsDir, settings.experiment);
  checkReportPlace(runsDir, reportsDir, settings.experiment);
  const collected = collectRuns(new ExperimentStore(runsDir, settings.experiment), current);
  const tables = new Map(collected.complete.map((run) => [run.runId, readRunTables(run, settings.representations)]));
  const rebuild = ['ads', 'report', ...specArgs, '--runs-dir', runsDir, '--reports-dir', reportsDir].map(shellWord).join(' ');
  const doc = buildReport({ ...settings, collected, tables, rebuild, builtAt: new Date().toISOString() });
  const svgs = await renderFigures(doc);
  replaceFolder(dir, (tmp) => {
    mkdirSync(join(tmp, 'figures'));
    for (const [name, svg] of svgs) writeFileSync(join(tmp, 'figures', `${name}.svg`), svg);
    for (const block of figureBlocks(doc)) writeFileSync(join(tmp, 'figures', `${block.name}.csv`), figureCsv(block.spec));
    writeFileSync(join(tmp, 'report.html'), renderHtml(doc, svgs));
    writeFileSync(join(tmp, 'report.md'), renderMarkdown(doc));
    writeFileSync(join(tmp, 'metrics.csv'), metricsCsv(groupByPoint(collected.complete)));
  });
  return join(dir, 'report.md');
}

/** A word as a POSIX shell reads it back: quoted only when it has to be. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

async function renderFigures(doc: ReportDocument): Promise<Map<string, string>> {
  const svgs = new Map<string, string>();
  for (const block of figureBlocks(doc)) svgs.set(block.name, await renderSvg(block.spec, block.name));
  return svgs;
}

function figureBlocks(doc: ReportDocument): Extract<Block, { kind: 'figure' }>[] {
  return [...doc.intro, ...doc.sections.flatMap((s) => s.blocks)].filter((b): b is Extract<Block, { kind: 'figure' }> => b.kind === 'figure');
}

/**
 * Writes a folder's new content into a temporary folder beside it, then renames it into place: a report
 * killed or failing midway (a full disk) leaves the previous report whole, never one whose figures are gone
 * or whose page is empty. The old folder is moved aside for the instant between the two renames; a
 * process killed right then leaves it as `.<name>.old-<pid>`, which the next write puts back first. (The
 * whole swap is synchronous, so SIGINT and SIGTERM, handled between event-loop turns, never land inside it.)
 */
export function replaceFolder(dir: string, fill: (tmp: string) => void): void {
  const parent = dirname(dir);
  const name = basename(dir);
  mkdirSync(parent, { recursive: true });
  recoverLeftovers(parent, name);
  const tmp = join(parent, `.${name}.tmp-${process.pid}`);
  const old = join(parent, `.${name}.old-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp);
    fill(tmp);
    const hadOld = existsSync(dir);
    if (hadOld) renameSync(dir, old);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      if (hadOld) renameSync(old, dir);
      throw err;
    }
    rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Temporary folders of writers that died: a half-written one is removed, a moved-aside old one restored if nothing replaced it. */
function recoverLeftovers(parent: string, name: string): void {
  for (const entry of readdirSync(parent)) {
    for (const kind of ['tmp', 'old'] as const) {
      const prefix = `.${name}.${kind}-`;
      const pid = entry.startsWith(prefix) ? entry.slice(prefix.length) : '';
      if (!/^\d+$/.test(pid) || isAlive(Number(pid))) continue;
      const path = join(parent, entry);
      if (kind === 'old' && !existsSync(join(parent, name))) renameSync(path, join(parent, name));
      else rmSync(path, { recursive: true, force: true });
    }
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
