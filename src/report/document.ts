import { groupByPoint, metricCatalog } from './aggregate.ts';
import { type Block, type ReportDocument, type Section, table, text } from './blocks.ts';
import { ablationSection } from './sections/ablation.ts';
import { allMetricsSection } from './sections/all_metrics.ts';
import { bestPointsSection } from './sections/best_points.ts';
import type { ReportInput, SectionContext } from './sections/context.ts';
import { correlationSection } from './sections/correlation.ts';
import { mapSection } from './sections/map.ts';
import { moaNote, moaSections } from './sections/moa.ts';
import { overlapSection } from './sections/overlap.ts';
import { percentReplicatingSections } from './sections/percent_replicating.ts';
import { provenanceSection } from './sections/provenance.ts';
import { shapSection } from './sections/shap.ts';
import { trainingSection } from './sections/training.ts';
import { unfinishedSection } from './sections/unfinished.ts';

export type { ReportInput } from './sections/context.ts';

/**
 * The comparison report: anomaly vs classical side by side for every metric, mean ± SD over seeds per sweep
 * point, with the paired difference and its uncertainty. A section whose data the runs lack is left out
 * and named in the introduction.
 */
export function buildReport(input: ReportInput): ReportDocument {
  const { complete } = input.collected;
  const points = groupByPoint(complete);
  const ctx: SectionContext = { input, points, catalog: metricCatalog(complete, input.representations) };
  const intro: Block[] = [];
  if (input.description) intro.push(text(input.description.trim()));
  intro.push(
    text(
      `${complete.length} complete run(s) in ${points.length} sweep point(s). Values are mean ± SD over seeds (n runs); ` +
        'Δ is the paired difference anomaly − cellprofiler over the same seeds with its 95% t interval, where n is the number of seeds ' +
        '(runs of one seed are the units, not folds or perturbations), cut to the differences the metric allows (±100 for a percentage, ±1 for F1 or mAP). ' +
        'Figure whiskers are the 95% bootstrap interval of the mean over seeds, which stays within the values’ range. ' +
        'Each figure’s data is beside it as CSV, and every number of every run is in `metrics.csv` (a row per run and metric).',
    ),
  );
  const outdated = input.collected.outdated?.length ?? 0;
  if (outdated) intro.push(text(`${outdated} complete run(s) of other settings than the spec's are listed apart at the end, not averaged in.`));
  if (!complete.length) {
    intro.push(text(outdated ? 'No complete run of the current settings yet.' : 'No complete run yet.'));
    return { title: titleOf(input), intro, sections: unfinishedSection(ctx) };
  }
  intro.push(
    table(
      ['sweep point', 'seeds', 'runs'],
      points.map((g) => [g.label, g.runs.map((r) => r.seed).join(', '), g.runs.map((r) => r.runId).join(', ')]),
    ),
  );
  const optional: { name: string; sections: Section[]; note?: string | null }[] = [
    { name: 'MoA classification', sections: moaSections(ctx), note: moaNote(complete) },
    { name: 'mAP', sections: mapSection(ctx) },
    { name: 'SHAP explanations', sections: shapSection(ctx) },
  ];
  const missing = optional.filter((o) => !o.sections.length).map((o) => (o.note ? `${o.name} (skipped: ${o.note})` : o.name));
  if (missing.length) intro.push(text(`Not in these runs' metrics (sections left out): ${missing.join(', ')}.`));
  const sections = [
    ...percentReplicatingSections(ctx),
    ...correlationSection(ctx),
    ...overlapSection(ctx),
    ...optional.flatMap((o) => o.sections),
    ...ablationSection(ctx),
    ...trainingSection(ctx),
    ...bestPointsSection(ctx),
    ...provenanceSection(ctx),
    ...allMetricsSection(ctx),
    ...unfinishedSection(ctx),
  ];
  return { title: titleOf(input), intro, sections };
}

function titleOf(input: ReportInput): string {
  return `${input.experiment}: anomaly vs classical representations`;
}
