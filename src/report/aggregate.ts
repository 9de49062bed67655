import { studentTQuantile } from '../numeric/distributions.ts';
import { mean, sampleSd } from '../numeric/stats.ts';
import { canonicalJson } from '../run/files.ts';
import { type CompletedRun, differingPaths, flattenSettings } from './collect.ts';
import { bootstrapMeanInterval } from './interval.ts';
import { MOA_SUMMARY_KEYS } from '../classify/summary_keys.ts';

/** mean ± SD over seeds, with n: how every metric is reported. */
export interface Summary {
  mean: number;
  sd: number;
  n: number;
}

/** A summary with the 95% bootstrap interval of its mean: what a figure's whisker spans (never outside the values' range). */
export interface Spread extends Summary {
  low: number;
  high: number;
}

/** A paired difference (e.g. anomaly − cellprofiler over the same seeds) with its 95% t interval. */
export interface Difference extends Summary {
  low: number;
  high: number;
}

export interface PointGroup {
  /** The settings that tell this point from the others (dotted path → value); empty when all runs share them. */
  point: Record<string, unknown>;
  /** How the report names the point: short, and unique among the experiment's points (figures group by it). */
  label: string;
  runs: CompletedRun[];
}

/**
 * Runs grouped by their full settings (the saved spec without the seed), each group's runs by seed: only
 * runs that differ in nothing but the seed are averaged, whatever their sweep point says (two `ads run`s of
 * one experiment with different `--set` values are two points). A point is named by the settings that differ
 * between points, the swept ones first. Points are ordered by those settings (numbers numerically), not by
 * run id, which is a hash: a latent-size ablation reads 4, 8, 16, 32.
 */
export function groupByPoint(runs: readonly CompletedRun[]): PointGroup[] {
  const groups = new Map<string, { settings: Map<string, unknown>; runs: CompletedRun[] }>();
  for (const run of runs) {
    const key = canonicalJson(run.settings);
    const g = groups.get(key);
    if (g) g.runs.push(run);
    else groups.set(key, { settings: flattenSettings(run.settings), runs: [run] });
  }
  const all = [...groups.values()];
  const differing = new Set(all.flatMap((g) => differingPaths(g.settings, all[0].settings)));
  // A swept setting names its point as the sweep does, even when it is an object (several leaves differ).
  const swept = [...new Set(runs.flatMap((r) => Object.keys(r.point)))];
  const names: string[] = [];
  for (const key of swept) {
    const covered = [...differing].filter((p) => p === key || p.startsWith(`${key}.`));
    if (covered.length) names.push(key);
    for (const p of covered) differing.delete(p);
  }
  names.push(...differing);
  const pointGroups: PointGroup[] = all.map((g) => {
    const point = Object.fromEntries(names.map((name) => [name, settingAt(g.runs[0].settings, name)]));
    return { point, label: '', runs: g.runs.sort((a, b) => a.seed - b.seed) };
  });
  const sorted = pointGroups.sort((a, b) => comparePoints(a.point, b.point));
  // The fewest significant digits (from 4) that still tell every point apart.
  for (let precision = 4; precision <= 17; precision++) {
    const labels = sorted.map((g) => pointLabel(g.point, precision));
    if (new Set(labels).size === labels.length || precision === 17) {
      sorted.forEach((g, i) => (g.label = labels[i]));
      break;
    }
  }
  return sorted;
}

/**
 * `model.latent=8, training.lr=0.001`: a point's name, numbers to `precision` significant digits, as a random
 * search's draws would not fit a table. The grouping names the points, so the naming lives here, not in
 * format.ts (which reads this module's summaries and must not be read by it).
 */
function pointLabel(point: Record<string, unknown>, precision: number): string {
  const parts = Object.entries(point).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(precision)) : JSON.stringify(v)}`);
  return parts.length ? parts.join(', ') : '(single point)';
}

function settingAt(settings: Record<string, unknown>, path: string): unknown {
  let v: unknown = settings;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function comparePoints(a: Record<string, unknown>, b: Record<string, unknown>): number {
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[key];
    const y = b[key];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    const c = JSON.stringify(x).localeCompare(JSON.stringify(y));
    if (c) return c;
  }
  return 0;
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

export function spread(values: readonly number[]): Spread {
  const [low, high] = bootstrapMeanInterval(values);
  return { ...summarize(values), low, high };
}

export function spreadMetric(runs: readonly CompletedRun[], path: string): Spread | null {
  const values = runs.flatMap((r) => {
    const v = metricAt(r, path);
    return v === undefined ? [] : [v];
  });
  return values.length ? spread(values) : null;
}

export function summarizeMetric(runs: readonly CompletedRun[], path: string): Summary | null {
  const values = runs.flatMap((r) => {
    const v = metricAt(r, path);
    return v === undefined ? [] : [v];
  });
  return values.length ? summarize(values) : null;
}

/**
 * The values a metric can take: percentages 0–100; F1, mAP and AP 0–1; a correlation threshold −1–1; counts,
 * losses and epochs from 0. Intervals and axes keep within it.
 */
export function metricRange(path: string): [number, number] {
  const leaf = path.slice(path.lastIndexOf('.') + 1);
  if (leaf.startsWith('percent')) return [0, 100];
  if (/(^|\.)(macro|weighted)_f1(\.mean)?$/.test(path) || leaf === 'mean_map' || /(^|\.)per_class_f1\./.test(path)) return [0, 1];
  if (leaf === 'threshold') return [-1, 1];
  if (leaf === 'n' || leaf.startsWith('n_') || leaf === 'count' || leaf.endsWith('loss') || leaf.endsWith('epoch') || leaf === 'epochs') return [0, Infinity];
  return [-Infinity, Infinity];
}

/**
 * a − b paired by run (same seed, same data split), with a two-sided 95% t interval on the mean difference over
 * n = the number of seeds. Pairing removes the seed-to-seed variation both representations share. The
 * interval is cut to the differences the metric allows (±100 for a percentage, ±1 for F1): the true
 * difference lies there anyway, so the cut loses no coverage, and no interval claims an impossible value.
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
  const [lo, hi] = metricRange(a);
  const span = hi - lo;
  return { ...s, low: Math.max(s.mean - half, -span), high: Math.min(s.mean + half, span) };
}

/**
 * Where metrics.json keeps one subtree per representation, `<prefix>.<representation>.…`, in the report's
 * order: percent replicating, MoA classification (fusions are representations there too), mAP.
 */
export const PER_REPRESENTATION_PREFIXES = ['percent_replicating', 'moa', 'map'] as const;

/** Subtrees with figures of their own, too many numbers to tabulate as one row each. */
const NOT_TABULATED = new Set(['per_class_f1', 'shap']);

/** A metric measured once per representation: its path with the representation segment written `{rep}`. */
export interface RepresentationMetric {
  template: string;
  /** The representations that have it in at least one run, the spec's first, then any other (e.g. fusions). */
  representations: string[];
}

export interface MetricCatalog {
  perRepresentation: RepresentationMetric[];
  /** Metrics of the run itself (e.g. training), by path. */
  shared: string[];
}

export function metricPath(template: string, rep: string): string {
  return template.replace('{rep}', rep);
}

/** Every numeric metric any run has (in the report's section order, then first seen), so a metric a later stage adds shows up unasked. */
export function metricCatalog(runs: readonly CompletedRun[], representations: readonly string[]): MetricCatalog {
  const reps = new Map<string, { rank: number; seen: Set<string> }>();
  const shared = new Set<string>();
  for (const run of runs) {
    for (const path of numericLeaves(run.metrics, [])) {
      const joined = path.join('.');
      const prefix = isMoaSummary(path) ? -1 : PER_REPRESENTATION_PREFIXES.findIndex((p) => joined.startsWith(`${p}.`));
      const depth = prefix >= 0 ? PER_REPRESENTATION_PREFIXES[prefix].split('.').length : 0;
      if (prefix >= 0 && path.length > depth + 1) {
        const template = [...path.slice(0, depth), '{rep}', ...path.slice(depth + 1)].join('.');
        if (!reps.has(template)) reps.set(template, { rank: prefix, seen: new Set() });
        reps.get(template)!.seen.add(path[depth]);
      } else shared.add(joined);
    }
  }
  return {
    perRepresentation: [...reps]
      .sort(([, a], [, b]) => a.rank - b.rank)
      .map(([template, { seen }]) => ({ template, representations: orderRepresentations(seen, representations) })),
    shared: [...shared],
  };
}

/** The spec's representations in the spec's order, then any other name seen (sorted). */
export function orderRepresentations(seen: Iterable<string>, representations: readonly string[]): string[] {
  const set = new Set(seen);
  return [...representations.filter((r) => set.has(r)), ...[...set].filter((r) => !representations.includes(r)).sort()];
}

/** `moa.baseline…`, `moa.n_folds`…: numbers about the classification as a whole, not about one representation. */
function isMoaSummary(path: readonly string[]): boolean {
  return path[0] === 'moa' && (MOA_SUMMARY_KEYS as readonly string[]).includes(path[1]);
}

function numericLeaves(value: unknown, prefix: string[]): string[][] {
  if (typeof value === 'number') return Number.isFinite(value) ? [prefix] : [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (NOT_TABULATED.has(k) ? [] : numericLeaves(v, [...prefix, k])));
}

/**
 * Which way a metric is better, where that is meaningful: scores (percent replicating, F1, mean mAP, percent
 * retrieved) up, losses down. Thresholds, counts and epochs have no better side and are never ranked.
 */
export function metricDirection(path: string): 'higher' | 'lower' | null {
  const leaf = path.slice(path.lastIndexOf('.') + 1);
  if (['percent', 'percent_retrieved', 'mean_map'].includes(leaf)) return 'higher';
  if (/(^|\.)(macro|weighted)_f1\.mean$/.test(path) || /(^|\.)(macro|weighted)_f1$/.test(path)) return 'higher';
  if (leaf.endsWith('loss')) return 'lower';
  return null;
}

export interface BestPoint {
  group: PointGroup;
  summary: Summary;
  /** Every point with that same mean, the best one included: a setting the metric does not depend on ties them all. */
  ties: PointGroup[];
}

/** The sweep point with the best mean of a metric (ties: the first in order), or null where no point has it. */
export function bestPoint(points: readonly PointGroup[], path: string, direction: 'higher' | 'lower'): BestPoint | null {
  const scored = points.flatMap((group) => {
    const summary = summarizeMetric(group.runs, path);
    return summary ? [{ group, summary }] : [];
  });
  if (!scored.length) return null;
  const best = scored.reduce((a, b) => (direction === 'higher' ? b.summary.mean > a.summary.mean : b.summary.mean < a.summary.mean) ? b : a);
  const same = (x: number) => Math.abs(x - best.summary.mean) <= 1e-12 * Math.max(1, Math.abs(best.summary.mean));
  return { ...best, ties: scored.filter((s) => same(s.summary.mean)).map((s) => s.group) };
}
