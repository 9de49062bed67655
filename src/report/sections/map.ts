import { metricDirection } from '../aggregate.ts';
import { type Block, figure, type Section, section, text } from '../blocks.ts';
import { metricName } from '../format.ts';
import { metricBars } from '../figures/metric_bars.ts';
import { barsOf, comparisonTable, type SectionContext } from './context.ts';

/**
 * Mean average precision (phenotypic activity, consistency): every score under `map.<rep>` that has a better
 * side (fraction significant, mAP), as a table and bars; the rest (counts, thresholds) is in All metrics.
 */
export function mapSection(ctx: SectionContext): Section[] {
  const scores = ctx.catalog.perRepresentation.filter((m) => m.template.startsWith('map.') && metricDirection(m.template) === 'higher');
  if (!scores.length) return [];
  const reps = [...new Set(scores.flatMap((m) => m.representations))];
  const names = scores.map((m) => metricName(m.template));
  // Fractions and mAPs live in [0, 1]; a percentage would not.
  const unitInterval = scores.every((m) => !m.template.endsWith('.percent'));
  const blocks: Block[] = [
    text('Mean average precision (copairs semantics): per perturbation, how well its replicates (or same-MoA compounds) rank above the controls (or other MoAs).'),
    figure(
      'map',
      'mAP scores per representation and sweep point, mean ± SD over seeds',
      metricBars(
        scores.flatMap((m, i) => barsOf(ctx.points, m.representations, m.template, names[i])),
        {
          title: 'Mean average precision (mean ± SD over seeds)',
          valueTitle: names.length === 1 ? names[0] : 'score',
          categoryTitle: 'sweep point',
          categories: ctx.points.map((g) => g.label),
          panels: names,
          representations: reps,
          ...(unitInterval ? { domain: [0, 1] as [number, number] } : {}),
          digits: 3,
        },
      ),
    ),
  ];
  scores.forEach((m, i) => blocks.push(text(`${names[i]}:`), comparisonTable(ctx.points, m.representations, m.template, 3)));
  return [section('Mean average precision', blocks)];
}
