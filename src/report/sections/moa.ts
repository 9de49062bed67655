import { bestPoint, type PointGroup, summarize } from '../aggregate.ts';
import { type Block, figure, type Section, section, text } from '../blocks.ts';
import { type BarDatum, metricBars } from '../figures/metric_bars.ts';
import { ANOMALY, barsOf, comparisonTable, representationsOf, type SectionContext } from './context.ts';

/** `moa.<rep>.<classifier>.macro_f1` is `{mean, sd}` over folds and repeats (or a bare number). */
const MACRO = /^moa\.\{rep\}\.([^.]+)\.macro_f1(\.mean)?$/;

/** MoA classification: macro-F1 per classifier, representation and sweep point, and per-class F1 at one point. */
export function moaSections(ctx: SectionContext): Section[] {
  const macro = ctx.catalog.perRepresentation.filter((m) => MACRO.test(m.template));
  if (!macro.length) return [];
  const classifiers = macro.map((m) => MACRO.exec(m.template)![1]);
  const reps = [...new Set(macro.flatMap((m) => m.representations))];
  const points = ctx.points.map((g) => g.label);
  const bars = macro.flatMap((m, i) => barsOf(ctx.points, m.representations, m.template, classifiers[i]));
  const blocks: Block[] = [
    text(
      'Cross-validated MoA prediction from treated wells (folds grouped by compound). Each run scores the mean macro-F1 over its folds and repeats; ' +
        'the tables and bars give that score’s mean ± SD over seeds.',
    ),
    figure(
      'moa_macro_f1',
      'MoA macro-F1 per classifier, representation and sweep point, mean ± SD over seeds',
      metricBars(bars, {
        title: 'MoA macro-F1 (mean ± SD over seeds)',
        valueTitle: 'macro-F1',
        categoryTitle: 'sweep point',
        categories: points,
        panels: classifiers,
        representations: reps,
        domain: [0, 1],
        digits: 3,
      }),
    ),
  ];
  const perClass = perClassFigure(ctx, macro[0].template, classifiers, reps);
  if (perClass) blocks.push(perClass);
  const out = [section('MoA classification', blocks)];
  macro.forEach((m, i) => {
    const weighted = `moa.{rep}.${classifiers[i]}.weighted_f1${m.template.endsWith('.mean') ? '.mean' : ''}`;
    const tables = [text('Macro-F1:'), comparisonTable(ctx.points, m.representations, m.template, 3)];
    const weightedReps = representationsOf(ctx, weighted);
    if (weightedReps.length) tables.push(text('Weighted F1:'), comparisonTable(ctx.points, weightedReps, weighted, 3));
    out.push(section(`MoA classification: ${classifiers[i]}`, tables, 3));
  });
  return out;
}

/**
 * Per-class F1 of every classifier at one sweep point, the one where the anomaly representation's macro-F1
 * (first classifier) is best; per-class scores of every point would bury the comparison.
 */
function perClassFigure(ctx: SectionContext, firstMacro: string, classifiers: string[], reps: string[]): Block | null {
  const focusRep = reps.includes(ANOMALY) ? ANOMALY : reps[0];
  const focus = bestPoint(ctx.points, firstMacro.replace('{rep}', focusRep), 'higher')?.group ?? ctx.points[0];
  const data = perClassBars(focus, classifiers, reps);
  if (!data.length) return null;
  const classes = [...new Set(data.map((d) => d.category))].sort();
  const where = ctx.points.length > 1 ? ` at ${focus.label} (the point where ${focusRep}’s macro-F1 with ${classifiers[0]} is best)` : '';
  return figure(
    'moa_per_class_f1',
    `F1 per MoA${where}, mean ± SD over seeds`,
    metricBars(data, {
      title: `F1 per MoA${ctx.points.length > 1 ? `, ${focus.label}` : ''}`,
      valueTitle: 'F1',
      categoryTitle: 'MoA',
      categories: classes,
      panels: classifiers,
      representations: reps,
      domain: [0, 1],
      digits: 3,
    }),
  );
}

function perClassBars(focus: PointGroup, classifiers: string[], reps: string[]): BarDatum[] {
  const values = new Map<string, { panel: string; category: string; representation: string; xs: number[] }>();
  for (const run of focus.runs) {
    const moa = run.metrics.moa as Record<string, Record<string, { per_class_f1?: Record<string, unknown> }>> | undefined;
    for (const rep of reps) {
      for (const clf of classifiers) {
        for (const [cls, v] of Object.entries(moa?.[rep]?.[clf]?.per_class_f1 ?? {})) {
          const x = typeof v === 'number' ? v : (v as { mean?: unknown } | null)?.mean;
          if (typeof x !== 'number' || !Number.isFinite(x)) continue;
          const key = `${clf}\u0000${cls}\u0000${rep}`;
          if (!values.has(key)) values.set(key, { panel: clf, category: cls, representation: rep, xs: [] });
          values.get(key)!.xs.push(x);
        }
      }
    }
  }
  return [...values.values()].map(({ xs, ...d }) => ({ ...d, ...summarize(xs) }));
}
