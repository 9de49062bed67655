import { figure, type Section, section, text } from '../blocks.ts';
import type { CompletedRun } from '../collect.ts';
import { metricBars } from '../figures/metric_bars.ts';
import { barsOf, comparisonTable, representationsOf, type SectionContext } from './context.ts';

const OVERALL = 'percent_replicating.{rep}.percent';
const ALL = 'all perturbations';

/** Percent replicating per representation and sweep point, overall and per value of `split_by`. */
export function percentReplicatingSections(ctx: SectionContext): Section[] {
  const reps = representationsOf(ctx, OVERALL);
  if (!reps.length) return [];
  const { splitBy } = ctx.input;
  const splits = splitBy ? splitValues(ctx.points.flatMap((g) => g.runs), reps) : [];
  const splitTemplate = (value: string) => `percent_replicating.{rep}.split.${value}.percent`;
  const panels = [ALL, ...splits.map((v) => `${splitBy} = ${v}`)];
  const bars = [
    ...barsOf(ctx.points, reps, OVERALL, ALL),
    ...splits.flatMap((v) => barsOf(ctx.points, reps, splitTemplate(v), `${splitBy} = ${v}`)),
  ];
  const spec = metricBars(bars, {
    title: 'Percent replicating (mean over seeds, 95% bootstrap interval)',
    valueTitle: 'percent replicating (%)',
    categoryTitle: 'sweep point',
    categories: ctx.points.map((g) => g.label),
    panels,
    representations: reps,
    domain: [0, 100],
    digits: 2,
    // Were replicates no more alike than wells of different perturbations, this share would beat the null's percentile.
    reference: { column: 'chance', value: 100 - ctx.input.nullPercentile, label: `chance (${100 - ctx.input.nullPercentile}%)` },
  });
  const out = [
    section('Percent replicating', [
      text(
        `The share of perturbations whose replicate correlation beats the ${ctx.input.nullPercentile}th percentile of the null ` +
          '(correlations between wells of different perturbations). Bars: mean over seeds; whiskers: 95% bootstrap interval of that mean; ' +
          `dashed line: chance, the ${100 - ctx.input.nullPercentile}% of perturbations that would beat the percentile were replicates no more alike than random pairs.`,
      ),
      comparisonTable(ctx.points, reps, OVERALL, 1, ' (%)'),
      figure('percent_replicating', `Percent replicating per representation and sweep point, mean over seeds with its 95% bootstrap interval; dashed: chance (${100 - ctx.input.nullPercentile}%)`, spec),
    ]),
  ];
  for (const value of splits) out.push(section(`${splitBy} = ${value}`, [comparisonTable(ctx.points, reps, splitTemplate(value), 1, ' (%)')], 3));
  return out;
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
