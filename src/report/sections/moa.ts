import type { MoaComparison } from '../../classify/evaluate_moa.ts';
import { bestPoint, type PointGroup, spread, summarizeMetric } from '../aggregate.ts';
import { type Block, figure, type Section, section, table, text } from '../blocks.ts';
import type { CompletedRun } from '../collect.ts';
import { fmtSummary } from '../format.ts';
import { type BarDatum, metricBars } from '../figures/metric_bars.ts';
import { ANOMALY, barsOf, CLASSICAL, comparisonTable, representationsOf, type SectionContext } from './context.ts';

/**
 * `metrics.moa` as the classify stage writes it: `<rep>.<classifier>` with macro- and weighted F1
 * (mean and SD over folds and repeats) and F1 per MoA; a majority-class baseline; Welch's t-tests of
 * macro-F1 across repeats between representations; or only a `note` when the stage was skipped.
 */
type MoaMetrics = {
  note?: string;
  /** `corrected` is absent in runs made before the corrected test was recorded. */
  comparisons?: (Omit<MoaComparison, 'corrected'> & Partial<Pick<MoaComparison, 'corrected'>>)[];
  classes?: string[];
  n_wells?: number;
  n_profiles?: number;
  n_compounds?: number;
  class_wells?: number[];
  class_compounds?: number[];
  compound_set?: string;
} & { [representation: string]: unknown };

const MACRO = /^moa\.\{rep\}\.([^.]+)\.macro_f1\.mean$/;

const moaOf = (run: CompletedRun) => (run.metrics.moa ?? {}) as MoaMetrics;

/**
 * What the runs classified. Seeds of one sweep point are only comparable when they classified the same
 * compounds as the same MoAs (`compound_set`); a compound filter on this run's replicating sets breaks that.
 */
function classifiedNote(points: readonly PointGroup[]): string {
  const scored = points.map((g) => g.runs.map(moaOf).filter((m) => m.compound_set !== undefined)).filter((ms) => ms.length > 0);
  if (!scored.length) return '';
  const range = (xs: number[]) => (Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}–${Math.max(...xs)}`);
  const all = scored.flat();
  const counts = ` ${range(all.map((m) => m.classes!.length))} MoAs, ${range(all.map((m) => m.n_compounds!))} compounds, ${range(all.map((m) => m.n_wells!))} wells per run.`;
  const differing = scored.filter((ms) => new Set(ms.map((m) => m.compound_set)).size > 1).length;
  return differing === 0
    ? `${counts} Within each sweep point every run classified the same compounds as the same MoAs.`
    : `${counts} In ${differing} of ${scored.length} sweep point(s) the runs classified different compounds or MoAs (moa.compound_set differs): ` +
        'their scores are not of the same task. evaluation.moa.compounds: replicating with a model-independent replicating_in and a fixed replicating_seed keeps them equal.';
}

/** Why MoA classification has no scores in these runs, when the stage said so. */
export function moaNote(runs: readonly CompletedRun[]): string | null {
  return runs.map((r) => moaOf(r).note).find((n) => typeof n === 'string') ?? null;
}

/** MoA classification: macro-F1 per classifier, representation and sweep point; F1 per MoA at one point; the t-tests. */
export function moaSections(ctx: SectionContext): Section[] {
  const macro = ctx.catalog.perRepresentation.filter((m) => MACRO.test(m.template));
  if (!macro.length) return [];
  const classifiers = macro.map((m) => MACRO.exec(m.template)![1]);
  const reps = [...new Set(macro.flatMap((m) => m.representations))];
  const bars = macro.flatMap((m, i) => barsOf(ctx.points, m.representations, m.template, classifiers[i]));
  const baseline = summarizeMetric(
    ctx.points.flatMap((g) => g.runs),
    'moa.baseline.macro_f1.mean',
  );
  const runs = ctx.points.flatMap((g) => g.runs);
  const means = runs.some((r) => (moaOf(r).n_profiles ?? 0) < (moaOf(r).n_wells ?? 0));
  const modalities = [...new Set(runs.flatMap((r) => Object.keys((r.settings.modalities ?? {}) as Record<string, unknown>)))];
  const rows = modalities.length
    ? `treatments paired across the assays (each compound's Cell Painting profile with its ${modalities.join(' and ')} profile; early_fusion:<representation>+<modality> puts them side by side, late_fusion:… averages their models' probabilities)`
    : `treated ${means ? 'wells averaged per treatment' : 'wells'}`;
  const blocks: Block[] = [
    text(
      `Cross-validated MoA prediction from ${rows} (folds stratified by MoA, grouped by compound). Each run scores the mean macro-F1 over its ` +
        'folds and repeats; tables give that score’s mean ± SD over seeds, bars its mean with the 95% bootstrap interval.' +
        (baseline ? ` Predicting the most frequent MoA scores a macro-F1 of ${fmtSummary(baseline, 3)}.` : '') +
        classifiedNote(ctx.points) +
        (ctx.points.some((g) => g.runs.some((r) => Array.isArray(moaOf(r).class_wells))) ? ' Compounds and wells per MoA, and the MoAs left out: see Provenance.' : ''),
    ),
    figure(
      'moa_macro_f1',
      `MoA macro-F1 per classifier, representation and sweep point, mean over seeds with its 95% bootstrap interval${baseline ? '; dashed: the majority-class baseline' : ''}`,
      metricBars(bars, {
        title: 'MoA macro-F1 (mean over seeds, 95% bootstrap interval)',
        // A single classifier gets no panel header: the axis names it.
        valueTitle: classifiers.length === 1 ? `macro-F1 (${classifiers[0]})` : 'macro-F1',
        categoryTitle: 'sweep point',
        categories: ctx.points.map((g) => g.label),
        panels: classifiers,
        representations: reps,
        domain: [0, 1],
        digits: 3,
        ...(baseline ? { reference: { column: 'majority_baseline', value: baseline.mean, label: `majority-class baseline (${baseline.mean.toFixed(3)})` } } : {}),
      }),
    ),
  ];
  const perClass = perClassFigure(ctx, macro[0].template, classifiers, reps);
  if (perClass) blocks.push(perClass);
  const out = [section('MoA classification', blocks)];
  macro.forEach((m, i) => {
    const weighted = m.template.replace('.macro_f1.', '.weighted_f1.');
    const tables = [text('Macro-F1:'), comparisonTable(ctx.points, m.representations, m.template, 3)];
    const weightedReps = representationsOf(ctx, weighted);
    if (weightedReps.length) tables.push(text('Weighted F1:'), comparisonTable(ctx.points, weightedReps, weighted, 3));
    out.push(section(`MoA classification: ${classifiers[i]}`, tables, 3));
  });
  const tests = comparisonRows(ctx.points);
  if (tests.length) {
    out.push(
      section(
        'MoA classification: t-tests',
        [
          text(
            `${ANOMALY} against ${CLASSICAL} macro-F1 within one run, by the Nadeau–Bengio corrected resampled t-test: the mean of the J = folds × repeats ` +
              'per-fold differences over its standard error with the variance inflated by (1/J + n_test/n_train), on J − 1 degrees of freedom. Folds of ' +
              'repeated cross-validation reuse the same wells, so their scores are not independent; a plain t-test across repeats or folds would ' +
              'overstate significance (the uncorrected Welch test across repeats, as the reference computed it, stays in `metrics.json` only). ' +
              'Each run’s own test is listed per seed, since p-values do not average; the tests between every other pair of representations are in ' +
              '`metrics.json` (`moa.comparisons[].corrected`). Runs recorded before the corrected test show –.',
          ),
          table(['sweep point', 'seed', 'classifier', 'a vs b', 'macro-F1 a', 'macro-F1 b', 'J folds', 'n_test/n_train', 't (corrected)', 'df', 'p (corrected)'], tests),
        ],
        3,
      ),
    );
  }
  return out;
}

/**
 * F1 per MoA of every classifier at one sweep point, the one where the anomaly representation's macro-F1
 * (first classifier) is best; per-class scores of every point would bury the comparison.
 */
function perClassFigure(ctx: SectionContext, firstMacro: string, classifiers: string[], reps: string[]): Block | null {
  const focusRep = reps.includes(ANOMALY) ? ANOMALY : reps[0];
  const focus = bestPoint(ctx.points, firstMacro.replace('{rep}', focusRep), 'higher')?.group ?? ctx.points[0];
  const data = perClassBars(focus, classifiers, reps);
  if (!data.length) return null;
  const classes = [...new Set(data.map((d) => d.category))].sort();
  const where = ctx.points.length > 1 ? ` at ${focus.label} (the point where ${focusRep}’s macro-F1 with ${classifiers[0]} is best)` : '';
  const chance = uniformGuessF1(focus.runs);
  return figure(
    'moa_per_class_f1',
    `F1 per MoA${where}, mean over seeds with its 95% bootstrap interval${chance === null ? '' : `; dashed: a uniform random guess’s F1, averaged over MoAs (${chance.toFixed(3)})`}`,
    metricBars(data, {
      title: `F1 per MoA${ctx.points.length > 1 ? `, ${focus.label}` : ''}`,
      valueTitle: classifiers.length === 1 ? `F1 (${classifiers[0]})` : 'F1',
      categoryTitle: 'MoA',
      categories: classes,
      panels: classifiers,
      representations: reps,
      domain: [0, 1],
      digits: 3,
      ...(chance === null ? {} : { reference: { column: 'uniform_guess', value: chance, label: `uniform guess (${chance.toFixed(3)})` } }),
    }),
  );
}

/**
 * The expected F1 per class of guessing one of the K classes uniformly at random, averaged over classes: a class
 * holding a share p of the wells gets precision p and recall 1/K, so F1 = 2p/(pK + 1). Null without class counts.
 */
function uniformGuessF1(runs: readonly CompletedRun[]): number | null {
  const counts = runs.map((r) => moaOf(r).class_wells).find((c): c is number[] => Array.isArray(c) && c.length > 1);
  if (!counts) return null;
  const total = counts.reduce((a, b) => a + b, 0);
  const K = counts.length;
  return counts.reduce((s, c) => s + (2 * (c / total)) / ((c / total) * K + 1), 0) / K;
}

function perClassBars(focus: PointGroup, classifiers: string[], reps: string[]): BarDatum[] {
  const values = new Map<string, { panel: string; category: string; representation: string; xs: number[] }>();
  for (const run of focus.runs) {
    const scores = moaOf(run) as Record<string, Record<string, { per_class_f1?: Record<string, number> }> | undefined>;
    for (const rep of reps) {
      for (const clf of classifiers) {
        for (const [cls, x] of Object.entries(scores[rep]?.[clf]?.per_class_f1 ?? {})) {
          if (typeof x !== 'number' || !Number.isFinite(x)) continue;
          const key = `${clf}\u0000${cls}\u0000${rep}`;
          if (!values.has(key)) values.set(key, { panel: clf, category: cls, representation: rep, xs: [] });
          values.get(key)!.xs.push(x);
        }
      }
    }
  }
  return [...values.values()].map(({ xs, ...d }) => ({ ...d, ...spread(xs) }));
}

function comparisonRows(points: readonly PointGroup[]): string[][] {
  return points.flatMap((g) =>
    g.runs.flatMap((run) =>
      (moaOf(run).comparisons ?? [])
        .filter((c) => [c.a, c.b].includes(ANOMALY) && [c.a, c.b].includes(CLASSICAL))
        .map((c) => [
        g.label,
        String(run.seed),
        c.classifier,
        `${c.a} vs ${c.b}`,
        c.mean_a.toFixed(3),
        c.mean_b.toFixed(3),
        c.corrected ? String(c.corrected.n) : '–',
        c.corrected ? c.corrected.test_train_ratio.toFixed(3) : '–',
        // Fold differences without variance leave nothing to test with: metrics.json holds null (JSON's NaN) there.
        finite(c.corrected?.t ?? null) ? c.corrected!.t!.toFixed(2) : '–',
        finite(c.corrected?.df ?? null) ? String(c.corrected!.df) : '–',
        !finite(c.corrected?.p ?? null) ? '–' : c.corrected!.p! < 1e-4 ? c.corrected!.p!.toExponential(1) : c.corrected!.p!.toFixed(4),
      ]),
    ),
  );
}

function finite(x: number | null): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}
