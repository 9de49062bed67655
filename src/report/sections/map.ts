import { metricDirection, type PointGroup } from '../aggregate.ts';
import { type Block, figure, type Section, section, text } from '../blocks.ts';
import { type BarDatum, metricBars } from '../figures/metric_bars.ts';
import { randomMeanMap } from '../map_chance.ts';
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
  const meanMaps = scores.filter((m) => leaf(m.template) === 'mean_map');
  const chanceBars = meanMaps.flatMap((m) => withChance(ctx, barsOf(ctx.points, m.representations, m.template, task(m.template)), m.template));
  const drawn = chanceBars.some((b) => b.reference !== undefined);
  const blocks: Block[] = [
    text(
      'Mean average precision (copairs semantics): per perturbation, how well its replicates rank above the controls (activity), or per ' +
        'MoA, how well its compounds rank one another above compounds of other MoAs (consistency; one row per MoA). Percent retrieved: the perturbations (activity) or MoAs (consistency) whose mAP is ' +
        'significant (permutation p-value, Benjamini–Hochberg corrected)' +
        (threshold !== null
          ? `; were no perturbation's replicates ranked above chance, at most ${100 * threshold}% would be retrieved (the dashed line on percent retrieved, at the corrected p threshold).`
          : '.') +
        ' Bars: mean over seeds; whiskers: 95% bootstrap interval of that mean. ' +
        (!meanMaps.length
          ? ''
          : drawn
            ? 'Mean mAP’s chance level (the dashed line on mean mAP) is the mean mAP of randomly ranked lists: a query with p positives among N ranked ' +
              'candidates has an expected AP of H_N/N + (p − 1)(N − H_N)/(N(N − 1)), H_N = 1 + 1/2 + … + 1/N, the mean of the null its ' +
              'p-value is drawn from; averaged as mAP is (over a group’s queries, then over groups) per run, then over seeds: ' +
              `${chanceSummary(chanceBars)}. It is not 0, and it differs between activity and consistency, because it grows with the share of positives in each list; ` +
              'each bar’s own is in the figure’s CSV (column `chance`).'
            : 'Mean mAP’s chance level (the expected mAP of random rankings) is not drawn: it depends on each group’s positives and list length, ' +
              'which these runs’ mAP tables do not record (`n_pos`, `n_total` in `tables/map/`; runs made before they were written).'),
    ),
  ];
  for (const score of [...new Set(scores.map((m) => leaf(m.template)))]) {
    const ofScore = scores.filter((m) => leaf(m.template) === score);
    const percent = score.startsWith('percent');
    const name = score.replace(/_/g, ' ').replace('mean map', 'mean mAP');
    const chance = score === 'mean_map' && drawn;
    blocks.push(
      figure(
        `map_${score}`,
        `${name[0].toUpperCase()}${name.slice(1)} per representation and sweep point, mean over seeds with its 95% bootstrap interval${
          percent && threshold !== null ? `; dashed: chance (≤ ${100 * threshold}%)` : chance ? '; dashed: chance, the mean mAP of random rankings of the same lists' : ''
        }`,
        metricBars(
          chance ? chanceBars : ofScore.flatMap((m) => barsOf(ctx.points, m.representations, m.template, task(m.template))),
          {
            title: `mAP: ${name} (mean over seeds, 95% bootstrap interval)`,
            valueTitle: percent ? `${name} (%)` : name,
            categoryTitle: 'sweep point',
            categories: ctx.points.map((g) => g.label),
            panels: ofScore.map((m) => task(m.template)),
            representations: [...new Set(ofScore.flatMap((m) => m.representations))],
            domain: percent ? [0, 100] : [0, 1],
            digits: percent ? 2 : 3,
            ...(percent && threshold !== null ? { reference: { column: 'chance', value: 100 * threshold, label: `chance (≤ ${100 * threshold}%)` } } : {}),
            ...(chance ? { reference: { column: 'chance', perBar: true as const, name: 'chance: random ranking' } } : {}),
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

/**
 * Each mean-mAP bar with its chance level: per run, the mean mAP of random rankings of the lists its groups
 * ranked (`randomMeanMap` of its mAP table), averaged over the bar's runs that have the table's list sizes.
 */
function withChance(ctx: SectionContext, bars: BarDatum[], template: string): BarDatum[] {
  const kind = template.split('.')[2];
  const byLabel = new Map<string, PointGroup>(ctx.points.map((g) => [g.label, g]));
  return bars.map((bar) => {
    const levels = (byLabel.get(bar.category)?.runs ?? [])
      .map((run) => ctx.input.tables?.get(run.runId)?.map[`${bar.representation}_${kind}`])
      .flatMap((t) => (t ? [randomMeanMap(t)] : []))
      .filter((x) => Number.isFinite(x));
    return levels.length ? { ...bar, reference: levels.reduce((a, b) => a + b, 0) / levels.length } : bar;
  });
}

/** The chance levels drawn, per task: one value, or their range over bars. */
function chanceSummary(bars: readonly BarDatum[]): string {
  const panels = [...new Set(bars.map((b) => b.panel))];
  return panels
    .flatMap((panel) => {
      const xs = bars.filter((b) => b.panel === panel && b.reference !== undefined).map((b) => b.reference!.toFixed(3));
      if (!xs.length) return [];
      const sorted = [...new Set(xs)].sort((a, b) => Number(a) - Number(b));
      return [`${panel} ${sorted.length === 1 ? sorted[0] : `${sorted[0]}–${sorted[sorted.length - 1]} across bars`}`];
    })
    .join('; ');
}
