import type { PointGroup } from './aggregate.ts';

/**
 * Every number of every complete run's metrics.json as one tidy table (a row per run and metric): run id,
 * seed, sweep point, the metric's dotted path, its value. What the report's tables summarize, for anyone who
 * wants to recompute a mean, an interval or a test from the runs themselves.
 */
export function metricsCsv(points: readonly PointGroup[]): string {
  const lines = ['run_id,seed,sweep_point,metric,value'];
  for (const g of points) {
    for (const run of g.runs) {
      for (const [path, value] of leaves(run.metrics, '')) lines.push([run.runId, String(run.seed), g.label, path, String(value)].map(csvField).join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Numeric leaves (arrays of numbers indexed by position); booleans and text are left out. */
function leaves(value: unknown, path: string): [string, number][] {
  if (typeof value === 'number') return Number.isFinite(value) ? [[path, value]] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => (typeof v === 'number' ? leaves(v, `${path}.${i}`) : []));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
