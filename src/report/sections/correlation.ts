import { summarize } from '../aggregate.ts';
import { figure, type Section, section, text } from '../blocks.ts';
import { kernelDensity, linearGrid } from '../density.ts';
import { correlationDistributions, type DensityPoint, type ThresholdDatum } from '../figures/correlation_distributions.ts';
import { comparisonTable, representationsOf, type SectionContext, shownPoints } from './context.ts';

const THRESHOLD = 'percent_replicating.{rep}.threshold';
const GRID = 160;

/**
 * Replicate correlations against the null with the threshold marked, per sweep point and representation.
 * Seeds are pooled: each seed draws its own null and threshold, and the pooled curves show the distributions
 * a researcher compares, while the line is the seeds' mean threshold (the table gives its spread).
 */
export function correlationSection(ctx: SectionContext): Section[] {
  const reps = representationsOf(ctx, THRESHOLD);
  if (!reps.length) return [];
  const blocks = [
    text(
      `A perturbation replicates when its replicate correlation (the mean correlation between its wells) is above the ` +
        `${ctx.input.nullPercentile}th percentile of the null. Thresholds per representation, mean ± SD over seeds:`,
    ),
    comparisonTable(ctx.points, reps, THRESHOLD, 3),
  ];
  const { tables } = ctx.input;
  const { shown, note } = shownPoints(ctx.points);
  const pooled = shown.flatMap((g) =>
    reps.map((rep) => {
      const runs = g.runs.filter((r) => tables?.get(r.runId)?.replicateCorrelation[rep] && tables.get(r.runId)?.nullCorrelation[rep]);
      return {
        point: g.label,
        rep,
        replicates: concat(runs.map((r) => tables!.get(r.runId)!.replicateCorrelation[rep])),
        nulls: concat(runs.map((r) => tables!.get(r.runId)!.nullCorrelation[rep])),
        thresholds: runs.flatMap((r) => {
          const t = (r.metrics.percent_replicating as Record<string, { threshold?: number }>)[rep]?.threshold;
          return typeof t === 'number' ? [t] : [];
        }),
      };
    }),
  ).filter((p) => p.replicates.length > 1 && p.nulls.length > 1);
  if (pooled.length) {
    const all = pooled.flatMap((p) => [extent(p.replicates), extent(p.nulls)]);
    const grid = linearGrid(Math.min(...all.map((e) => e[0])) - 0.05, Math.max(...all.map((e) => e[1])) + 0.05, GRID);
    const curves: DensityPoint[] = pooled.flatMap((p) =>
      (['replicates', 'null'] as const).flatMap((curve) => {
        const density = kernelDensity(curve === 'null' ? p.nulls : p.replicates, grid);
        return grid.map((x, i) => ({ point: p.point, representation: p.rep, curve, x, density: density[i] }));
      }),
    );
    const thresholds: ThresholdDatum[] = pooled.flatMap((p) => (p.thresholds.length ? [{ point: p.point, representation: p.rep, threshold: summarize(p.thresholds).mean }] : []));
    const spec = correlationDistributions(curves, thresholds, {
      points: shown.map((g) => g.label),
      representations: reps,
      percentile: ctx.input.nullPercentile,
    });
    blocks.push(
      figure(
        'replicate_correlation',
        `Replicate correlation (per perturbation) against the null (pairs of different perturbations), seeds pooled; the dashed line is the mean threshold over seeds.${note}`,
        spec,
      ),
    );
  }
  return [section('Replicate correlation against the null', blocks)];
}

function concat(arrays: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((s, a) => s + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

function extent(x: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
