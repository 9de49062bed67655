import { canonicalJson } from '../run/files.ts';
import { studentTQuantile } from '../numeric/distributions.ts';
import { mean, sampleSd } from '../numeric/stats.ts';
import type { CompletedRun } from './collect.ts';

/** mean ± SD over seeds, with n: how every metric is reported. */
export interface Summary {
  mean: number;
  sd: number;
  n: number;
}

/** A paired difference (e.g. anomaly − cellprofiler over the same seeds) with its 95% t interval. */
export interface Difference extends Summary {
  low: number;
  high: number;
}

export interface PointGroup {
  point: Record<string, unknown>;
  runs: CompletedRun[];
}

/** Runs grouped by sweep point, points in the order they first appear (the plan's order). */
export function groupByPoint(runs: readonly CompletedRun[]): PointGroup[] {
  const groups = new Map<string, PointGroup>();
  for (const run of runs) {
    const key = canonicalJson(run.point);
    const g = groups.get(key);
    if (g) g.runs.push(run);
    else groups.set(key, { point: run.point, runs: [run] });
  }
  return [...groups.values()];
}

/** The number at a dotted path of a run's metrics, or undefined where the run has none. */
export function metricAt(run: CompletedRun, path: string): number | undefined {
  let v: unknown = run.metrics;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function summarize(values: readonly number[]): Summary {
  return { mean: mean(values), sd: sampleSd(values), n: values.length };
}

export function summarizeMetric(runs: readonly CompletedRun[], path: string): Summary | null {
  const values = runs.flatMap((r) => {
    const v = metricAt(r, path);
    return v === undefined ? [] : [v];
  });
  return values.length ? summarize(values) : null;
}

/**
 * a − b paired by run (same seed, same data split), with a two-sided 95% t interval on the mean difference.
 * Pairing removes the seed-to-seed variation both representations share.
 */
export function pairedDifference(runs: readonly CompletedRun[], a: string, b: string): Difference | null {
  const diffs = runs.flatMap((r) => {
    const x = metricAt(r, a);
    const y = metricAt(r, b);
    return x === undefined || y === undefined ? [] : [x - y];
  });
  if (diffs.length === 0) return null;
  const s = summarize(diffs);
  const half = s.n > 1 ? studentTQuantile(0.975, s.n - 1) * (s.sd / Math.sqrt(s.n)) : NaN;
  return { ...s, low: s.mean - half, high: s.mean + half };
}
