import { metricPath, orderRepresentations, pairedDifference, summarizeMetric } from '../aggregate.ts';
import { type Block, type Section, section, table, text } from '../blocks.ts';
import { digitsFor, fmtDifference, fmtSummary } from '../format.ts';
import { ANOMALY, CLASSICAL, hasDifference, type SectionContext } from './context.ts';

/**
 * Every number of every run's metrics.json (but per-class F1 and SHAP, which have their own figures), as
 * mean ± SD (n) per sweep point, named by its path so it can be checked against the runs.
 */
export function allMetricsSection(ctx: SectionContext): Section[] {
  const { perRepresentation, shared } = ctx.catalog;
  const blocks: Block[] = [text('Every metric the runs recorded, by its path in `metrics.json` (`{rep}` stands for the representation); mean ± SD over seeds (n runs).')];
  if (perRepresentation.length) {
    const reps = orderRepresentations(
      perRepresentation.flatMap((m) => m.representations),
      ctx.input.representations,
    );
    const withDiff = hasDifference(reps);
    const rows = perRepresentation.flatMap((m) => {
      const digits = digitsFor(m.template);
      return ctx.points.map((g) => [
        `\`${m.template}\``,
        g.label,
        ...reps.map((rep) => (m.representations.includes(rep) ? fmtSummary(summarizeMetric(g.runs, metricPath(m.template, rep)), digits) : '–')),
        ...(withDiff ? [fmtDifference(pairedDifference(g.runs, metricPath(m.template, ANOMALY), metricPath(m.template, CLASSICAL)), digits)] : []),
      ]);
    });
    blocks.push(table(['metric', 'sweep point', ...reps, ...(withDiff ? [`Δ ${ANOMALY} − ${CLASSICAL}`] : [])], rows));
  }
  if (shared.length) {
    const rows = shared.flatMap((path) => ctx.points.map((g) => [`\`${path}\``, g.label, fmtSummary(summarizeMetric(g.runs, path), digitsFor(path))]));
    blocks.push(table(['metric', 'sweep point', 'value'], rows));
  }
  return perRepresentation.length || shared.length ? [section('All metrics', blocks)] : [];
}
