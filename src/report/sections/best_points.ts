import { type BestPoint, bestPoint, metricDirection, metricPath } from '../aggregate.ts';
import { type Section, section, table, text } from '../blocks.ts';
import { digitsFor, fmtSummary, metricName } from '../format.ts';
import type { SectionContext } from './context.ts';

/** Per scored metric and representation, the sweep point with the best mean over seeds. */
export function bestPointsSection(ctx: SectionContext): Section[] {
  if (ctx.points.length < 2) return [];
  const rows: string[][] = [];
  for (const m of ctx.catalog.perRepresentation) {
    const direction = metricDirection(m.template);
    if (!direction) continue;
    for (const rep of m.representations) {
      const path = metricPath(m.template, rep);
      const best = bestPoint(ctx.points, path, direction);
      if (best) rows.push([`${metricName(m.template)}, ${rep}`, where(best, ctx.points.length), fmtSummary(best.summary, digitsFor(path))]);
    }
  }
  for (const path of ctx.catalog.shared) {
    const direction = metricDirection(path);
    const best = direction && bestPoint(ctx.points, path, direction);
    if (best) rows.push([metricName(path), where(best, ctx.points.length), fmtSummary(best.summary, digitsFor(path))]);
  }
  if (!rows.length) return [];
  return [
    section('Best sweep point per metric', [
      text('The point with the best mean over seeds (highest score, lowest loss). Picking the best of several points favours it: read it with its SD and n.'),
      table(['metric', 'best point', 'value'], rows),
    ]),
  ];
}

/** The best point, or the tied ones: a metric the swept settings do not touch (CellProfiler's, under a model sweep) has no best point. */
function where(best: BestPoint, points: number): string {
  if (best.ties.length === 1) return best.group.label;
  if (best.ties.length === points) return 'all points equal';
  return best.ties.map((g) => g.label).join('; ') + ' (tied)';
}
