import type { Collected, CompletedRun } from './collect.ts';
import { type Difference, groupByPoint, pairedDifference, type PointGroup, type Summary, summarizeMetric } from './aggregate.ts';

export interface ReportInput {
  experiment: string;
  description: string;
  representations: readonly string[];
  /** The metadata column that splits percent replicating (e.g. the simulated screen's MoA kind). */
  splitBy: string | null;
  collected: Collected;
}

const ANOMALY = 'anomaly';
const CLASSICAL = 'cellprofiler';

/** The comparison report as Markdown: anomaly vs classical side by side, mean ± SD over seeds per sweep point. */
export function renderMarkdown(input: ReportInput): string {
  const { complete, unfinished } = input.collected;
  const points = groupByPoint(complete);
  const out: string[] = [`# ${input.experiment}: anomaly vs classical representations`, ''];
  if (input.description) out.push(input.description.trim(), '');
  out.push(
    `${complete.length} complete run(s) in ${points.length} sweep point(s). Values are mean ± SD over seeds (n runs);`,
    'Δ is the paired difference anomaly − CellProfiler over the same seeds with its 95% t interval.',
    '',
  );
  if (complete.length === 0) out.push('No complete run yet.', '');
  else {
    out.push('## Percent replicating', '');
    out.push(...percentTable(points, input.representations, (rep) => `percent_replicating.${rep}.percent`));
    if (input.splitBy) {
      const values = splitValues(complete, input.representations);
      for (const value of values) {
        out.push(`### ${input.splitBy} = ${value}`, '');
        out.push(...percentTable(points, input.representations, (rep) => `percent_replicating.${rep}.split.${value}.percent`));
      }
    }
    out.push('## Null thresholds', '', 'The 90th-percentile (or configured) replicate correlation of non-replicate pairs each representation had to beat.', '');
    out.push(...metricTable(points, input.representations.map((rep) => [rep, `percent_replicating.${rep}.threshold`, 3])));
    out.push('## Training', '');
    out.push(
      ...metricTable(points, [
        ['best val loss', 'training.best_val_loss', 4],
        ['best epoch', 'training.best_epoch', 0],
        ['epochs run', 'training.epochs', 0],
      ]),
    );
    out.push(...bestPoints(points, input.representations));
  }
  if (unfinished.length) {
    out.push('## Runs not included', '', 'These runs are not complete and are not averaged in.', '', '| run | status | error |', '|---|---|---|');
    for (const u of unfinished) out.push(`| ${u.runId} | ${u.status} | ${(u.error ?? '').replace(/\|/g, '\\|').split('\n')[0]} |`);
    out.push('');
  }
  return out.join('\n');
}

function pointLabel(point: Record<string, unknown>): string {
  const parts = Object.entries(point).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length ? parts.join(', ') : '(single point)';
}

function fmt(s: Summary | null, digits = 1): string {
  if (!s) return '–';
  const sd = Number.isFinite(s.sd) ? ` ± ${s.sd.toFixed(digits)}` : '';
  return `${s.mean.toFixed(digits)}${sd} (n=${s.n})`;
}

function fmtDiff(d: Difference | null): string {
  if (!d) return '–';
  const ci = Number.isFinite(d.low) ? ` [${d.low.toFixed(1)}, ${d.high.toFixed(1)}]` : '';
  return `${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(1)}${ci}`;
}

function percentTable(points: PointGroup[], reps: readonly string[], path: (rep: string) => string): string[] {
  const withDiff = reps.includes(ANOMALY) && reps.includes(CLASSICAL);
  const header = ['sweep point', ...reps.map((r) => `${r} (%)`), ...(withDiff ? ['Δ anomaly − cellprofiler'] : [])];
  const rows = points.map((g) => [
    pointLabel(g.point),
    ...reps.map((rep) => fmt(summarizeMetric(g.runs, path(rep)))),
    ...(withDiff ? [fmtDiff(pairedDifference(g.runs, path(ANOMALY), path(CLASSICAL)))] : []),
  ]);
  return table(header, rows);
}

/** Columns: [label, metric path, decimals]. */
function metricTable(points: PointGroup[], columns: [string, string, number][]): string[] {
  const rows = points.map((g) => [pointLabel(g.point), ...columns.map(([, path, digits]) => fmt(summarizeMetric(g.runs, path), digits))]);
  return table(['sweep point', ...columns.map(([label]) => label)], rows);
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), ''];
}

function splitValues(runs: readonly CompletedRun[], reps: readonly string[]): string[] {
  const values = new Set<string>();
  for (const run of runs) {
    for (const rep of reps) {
      const pr = (run.metrics.percent_replicating as Record<string, { split?: Record<string, unknown> }> | undefined)?.[rep];
      for (const v of Object.keys(pr?.split ?? {})) values.add(v);
    }
  }
  return [...values].sort();
}

function bestPoints(points: PointGroup[], reps: readonly string[]): string[] {
  if (points.length < 2) return [];
  const out = ['## Best sweep point per metric', '', '| metric | best point | value |', '|---|---|---|'];
  for (const rep of reps) {
    const path = `percent_replicating.${rep}.percent`;
    const scored = points.flatMap((g) => {
      const s = summarizeMetric(g.runs, path);
      return s ? [{ g, s }] : [];
    });
    if (!scored.length) continue;
    const best = scored.reduce((a, b) => (b.s.mean > a.s.mean ? b : a));
    out.push(`| percent replicating, ${rep} | ${pointLabel(best.g.point)} | ${fmt(best.s)} |`);
  }
  out.push('');
  return out;
}
