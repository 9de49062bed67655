import { metricDirection } from '../aggregate.ts';
import { type Block, figure, type Section, section, text } from '../blocks.ts';
import { metricBars } from '../figures/metric_bars.ts';
import { barsOf, comparisonTable, type SectionContext } from './context.ts';

/**
 * Mean average precision: `map.<rep>.<task>.<score>` with task activity (replicates against controls) or
 * consistency (same-MoA compounds against other MoAs). A figure per score (percent retrieved, mean mAP),
 * a panel per task; the counts are in All metrics.
 */
export function mapSection(ctx: SectionContext): Section[] {
  const scores = ctx.catalog.perRepresentation.filter((m) => m.template.startsWith('map.') && metricDirection(m.template) === 'higher');
  if (!scores.length) return [];
  const leaf = (t: string) => t.slice(t.lastIndexOf('.') + 1);
  const task = (t: string) => t.split('.').slice(2, -1).join(' ');
  const threshold = mapThreshold(ctx);
  const blocks: Block[] = [
    text(
      'Mean average precision (copairs semantics): per perturbation, how well its replicates rank above the controls (activity), or per ' +
        'MoA, how well its compounds rank one another above compounds of other MoAs (consistency; one row per MoA). Percent retrieved: the perturbations (activity) or MoAs (consistency) whose mAP is ' +
        'significant (permutation p-value, Benjamini–Hochberg corrected)' +
        (threshold !== null
          ? `; were no perturbation's replicates ranked above chance, at most ${100 * threshold}% would be retrieved (the dashed line, the corrected p threshold).`
          : '.') +
        ' Bars: mean over seeds; whiskers: 95% bootstrap interval of that mean. A random ranking’s mean mAP depends on each query’s numbers of positives and is not drawn.',
    ),
  ];
  for (const score of [...new Set(scores.map((m) => leaf(m.template)))]) {
    const ofScore = scores.filter((m) => leaf(m.template) === score);
    const percent = score.startsWith('percent');
    const name = score.replace(/_/g, ' ').replace('mean map', 'mean mAP');
    blocks.push(
      figure(
        `map_${score}`,
        `${name[0].toUpperCase()}${name.slice(1)} per representation and sweep point, mean over seeds with its 95% bootstrap interval${percent && threshold !== null ? '; dashed: chance' : ''}`,
        metricBars(
          ofScore.flatMap((m) => barsOf(ctx.points, m.representations, m.template, task(m.template))),
          {
            title: `mAP: ${name} (mean over seeds, 95% bootstrap interval)`,
            valueTitle: percent ? `${name} (%)` : name,
            categoryTitle: 'sweep point',
            categories: ctx.points.map((g) => g.label),
            panels: ofScore.map((m) => task(m.template)),
            representations: [...new Set(ofScore.flatMap((m) => m.representations))],
            domain: percent ? [0, 100] : [0, 1],
            digits: percent ? 2 : 3,
            ...(percent && threshold !== null ? { reference: { value: 100 * threshold, label: `chance (≤ ${100 * threshold}%)` } } : {}),
          },
        ),
      ),
    );
    for (const m of ofScore) blocks.push(text(`${name}, ${task(m.template)}:`), comparisonTable(ctx.points, m.representations, m.template, percent ? 1 : 3, percent ? ' (%)' : ''));
  }
  return [section('Mean average precision', blocks)];
}

/** The corrected p-value below which a perturbation counts as retrieved (evaluation.map.threshold), as the runs were set. */
function mapThreshold(ctx: SectionContext): number | null {
  const t = ctx.points
    .flatMap((g) => g.runs)
    .map((r) => ((r.settings.evaluation as { map?: { threshold?: unknown } } | undefined)?.map?.threshold))
    .find((x) => typeof x === 'number');
  return typeof t === 'number' ? t : null;
}
