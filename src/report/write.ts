import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportDocument } from './blocks.ts';
import { collectRuns } from './collect.ts';
import { buildReport } from './document.ts';
import { renderSvg } from './figures/render.ts';
import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { readRunTables } from './run_tables.ts';
import { reportSettings, type ReportSettings, type ReportSpec } from './settings.ts';

/** Aggregates every complete run of the spec's experiment into reports/<experiment>/: report.md, figures/, report.html. */
export async function writeReport(spec: ReportSpec, runsDir: string, reportsDir: string): Promise<string> {
  return writeReportFor(reportSettings(spec), runsDir, reportsDir);
}

/** Same, from settings already at hand (e.g. read back from the runs by `ads report <experiment>`). Returns the Markdown's path. */
export async function writeReportFor(settings: ReportSettings, runsDir: string, reportsDir: string): Promise<string> {
  const collected = collectRuns(join(runsDir, settings.experiment));
  const tables = new Map(collected.complete.map((run) => [run.runId, readRunTables(run, settings.representations)]));
  const doc = buildReport({ ...settings, collected, tables });
  const dir = join(reportsDir, settings.experiment);
  const svgs = await renderFigures(doc);
  // Figures of an earlier report (e.g. of a section these runs no longer have) must not linger beside this one.
  rmSync(join(dir, 'figures'), { recursive: true, force: true });
  mkdirSync(join(dir, 'figures'), { recursive: true });
  for (const [name, svg] of svgs) writeFileSync(join(dir, 'figures', `${name}.svg`), svg);
  writeFileSync(join(dir, 'report.html'), renderHtml(doc, svgs));
  const path = join(dir, 'report.md');
  writeFileSync(path, renderMarkdown(doc));
  return path;
}

async function renderFigures(doc: ReportDocument): Promise<Map<string, string>> {
  const svgs = new Map<string, string>();
  for (const block of [...doc.intro, ...doc.sections.flatMap((s) => s.blocks)]) {
    if (block.kind === 'figure') svgs.set(block.name, await renderSvg(block.spec, block.name));
  }
  return svgs;
}
