import { orderRepresentations, spread } from '../aggregate.ts';
import { figure, type Section, section, table, text } from '../blocks.ts';
import { fmtSummary } from '../format.ts';
import { type OverlapDatum, regionLabel, replicatingOverlap } from '../figures/replicating_overlap.ts';
import type { SectionContext } from './context.ts';

interface Region {
  sets: string[];
  count: number;
}

/** The exclusive regions of the replicating sets' Venn diagram, mean ± SD over seeds per sweep point. */
export function overlapSection(ctx: SectionContext): Section[] {
  const regionsOf = (metrics: Record<string, unknown>): Region[] => (Array.isArray(metrics.replicating_overlap) ? (metrics.replicating_overlap as Region[]) : []);
  const all = ctx.points.flatMap((g) => g.runs.flatMap((r) => regionsOf(r.metrics)));
  if (!all.length) return [];
  const reps = orderRepresentations(
    all.flatMap((r) => r.sets),
    ctx.input.representations,
  );
  const rank = (sets: readonly string[]) => sets.reduce((s, rep) => s + 2 ** reps.indexOf(rep), 0);
  // Single representations first, then their intersections; within a size, in the report's representation order.
  const keys = [...new Map(all.map((r) => [orderRepresentations(r.sets, reps).join('&'), orderRepresentations(r.sets, reps)])).values()].sort(
    (a, b) => a.length - b.length || rank(a) - rank(b),
  );
  const data: OverlapDatum[] = ctx.points.flatMap((g) =>
    keys.flatMap((sets) => {
      const counts = g.runs.flatMap((r) => regionsOf(r.metrics).filter((x) => orderRepresentations(x.sets, reps).join('&') === sets.join('&')).map((x) => x.count));
      return counts.length ? [{ point: g.label, sets, ...spread(counts) }] : [];
    }),
  );
  const header = ['sweep point', ...keys.map((k) => regionLabel(k, reps))];
  const rows = ctx.points.map((g) => {
    const label = g.label;
    return [label, ...keys.map((k) => fmtSummary(data.find((d) => d.point === label && d.sets.join('&') === k.join('&')) ?? null, 1))];
  });
  return [
    section('Overlap of replicating sets', [
      text('Each replicating perturbation is counted once, in the region of exactly the representations in which it replicates.'),
      table(header, rows),
      figure(
        'replicating_overlap',
        'Perturbations replicating in exactly these representations, mean over seeds with its 95% bootstrap interval',
        replicatingOverlap(data, { points: ctx.points.map((g) => g.label), representations: reps }),
      ),
    ]),
  ];
}
