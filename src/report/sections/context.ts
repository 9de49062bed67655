import { type MetricCatalog, metricPath, pairedDifference, type PointGroup, spreadMetric, summarizeMetric } from '../aggregate.ts';
import { type Block, table } from '../blocks.ts';
import type { Collected } from '../collect.ts';
import { fmtDifference, fmtSummary } from '../format.ts';
import type { BarDatum } from '../figures/metric_bars.ts';
import type { RunTables } from '../run_tables.ts';
import type { ReportSettings } from '../settings.ts';

/** What the report is built from: the settings, every run found, and (when read) the complete runs' tables. */
export interface ReportInput extends ReportSettings {
  collected: Collected;
  /** Per run id; without it the figures drawn from tables (distributions, training curves) are left out. */
  tables?: ReadonlyMap<string, RunTables>;
  /** The command that rebuilds the report, and when it was built (both shown in the provenance section). */
  rebuild?: string;
  builtAt?: string;
}

/** What every section builder sees: the input, and the complete runs grouped by sweep point. */
export interface SectionContext {
  input: ReportInput;
  points: PointGroup[];
  catalog: MetricCatalog;
}

export const ANOMALY = 'anomaly';
export const CLASSICAL = 'cellprofiler';

/** Figures with a panel per sweep point show at most this many points, so a large random sweep stays legible. */
export const MAX_PANEL_POINTS = 8;

export function hasDifference(reps: readonly string[]): boolean {
  return reps.includes(ANOMALY) && reps.includes(CLASSICAL);
}

/**
 * A representation-by-sweep-point table of one metric, mean ± SD (n) per cell, with the paired difference
 * anomaly − CellProfiler and its 95% t interval when both were measured.
 */
export function comparisonTable(points: readonly PointGroup[], reps: readonly string[], template: string, digits: number, unit = ''): Block {
  const withDiff = hasDifference(reps);
  const header = ['sweep point', ...reps.map((r) => `${r}${unit}`), ...(withDiff ? [`Δ ${ANOMALY} − ${CLASSICAL}`] : [])];
  const rows = points.map((g) => [
    g.label,
    ...reps.map((rep) => fmtSummary(summarizeMetric(g.runs, metricPath(template, rep)), digits)),
    ...(withDiff ? [fmtDifference(pairedDifference(g.runs, metricPath(template, ANOMALY), metricPath(template, CLASSICAL)), digits)] : []),
  ]);
  return table(header, rows);
}

/** The bars of one metric: a bar per representation and sweep point, in one panel. */
export function barsOf(points: readonly PointGroup[], reps: readonly string[], template: string, panel: string): BarDatum[] {
  return points.flatMap((g) =>
    reps.flatMap((rep) => {
      const s = spreadMetric(g.runs, metricPath(template, rep));
      return s ? [{ panel, category: g.label, representation: rep, ...s }] : [];
    }),
  );
}

/** The representations that have a metric in the catalog, in the report's order. */
export function representationsOf(ctx: SectionContext, template: string): string[] {
  return ctx.catalog.perRepresentation.find((m) => m.template === template)?.representations ?? [];
}

/** The points a per-point figure shows, and a sentence saying which were left out. */
export function shownPoints(points: readonly PointGroup[]): { shown: PointGroup[]; note: string } {
  if (points.length <= MAX_PANEL_POINTS) return { shown: [...points], note: '' };
  return {
    shown: points.slice(0, MAX_PANEL_POINTS),
    note: ` Only the first ${MAX_PANEL_POINTS} of ${points.length} sweep points are drawn; the tables list all.`,
  };
}
