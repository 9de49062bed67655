import { bestPoint, spread } from '../aggregate.ts';
import { figure, type Section, section, table, text } from '../blocks.ts';
import type { CompletedRun } from '../collect.ts';
import { fmtSummary } from '../format.ts';
import { type DependencyDatum, shapDependencies } from '../figures/shap_dependencies.ts';
import { representationColor } from '../figures/style.ts';
import { ANOMALY, type SectionContext } from './context.ts';

/** `metrics.shap` as the explain stage writes it: per MoA or compound, its strongest broken dependencies. */
interface ShapMetrics {
  group_by: string;
  groups: Record<string, { pairs: { explained: string; contributor: string; count: number; mean_abs_shap: number }[] }>;
}

/** Pairs in the figure; and per group in the table. */
const TOP = 15;
const TOP_PER_GROUP = 3;

/**
 * The inter-feature dependencies the treatments broke, at one sweep point (where the anomaly representation
 * replicates best): the strongest pairs over all groups as a figure, each group's strongest as a table.
 * A pair's strength is its mean |SHAP| averaged over the seeds, counting 0 in a seed where it is not among
 * its group's top pairs: a dependency every seed finds outranks one a single seed found a little stronger.
 */
export function shapSection(ctx: SectionContext): Section[] {
  const withShap = ctx.points.filter((g) => g.runs.some((r) => shapOf(r)));
  if (!withShap.length) return [];
  const focus = bestPoint(withShap, `percent_replicating.${ANOMALY}.percent`, 'higher')?.group ?? withShap[0];
  const runs = focus.runs.flatMap((r) => shapOf(r) ?? []);
  const byPair = new Map<string, { group: string; pair: string; xs: number[] }>();
  runs.forEach((shap, k) => {
    for (const [group, { pairs }] of Object.entries(shap.groups)) {
      for (const p of pairs) {
        const pair = `${p.explained} ← ${p.contributor}`;
        const key = `${group}\u0000${pair}`;
        if (!byPair.has(key)) byPair.set(key, { group, pair, xs: new Array<number>(runs.length).fill(0) });
        byPair.get(key)!.xs[k] = p.mean_abs_shap;
      }
    }
  });
  const groupBy = runs[0].group_by;
  const ranked = [...byPair.values()]
    .map(({ group, pair, xs }) => ({ group, pair, found: xs.filter((x) => x > 0).length, ...spread(xs) }))
    .sort((a, b) => b.mean - a.mean);
  const top: DependencyDatum[] = ranked.slice(0, TOP).map((d) => ({ ...d, pair: `${d.group}: ${d.pair}` }));
  const groups = [...new Set(ranked.map((d) => d.group))].sort();
  const rows = groups.flatMap((group) =>
    ranked
      .filter((d) => d.group === group)
      .slice(0, TOP_PER_GROUP)
      .map((d) => [group, d.pair, fmtSummary(d, 4), `${d.found} of ${d.n}`]),
  );
  const where = ctx.points.length > 1 ? ` at ${focus.label} (where ${ANOMALY} replicates best)` : '';
  return [
    section('SHAP dependencies', [
      text(
        `Kernel SHAP on the autoencoder, for the most anomalous treated wells of each \`${groupBy}\`: for each feature a well reconstructs badly, ` +
          'the input features that pushed its reconstruction away from the measured value. Each pair (explained ← contributing feature) is a ' +
          'dependency between features that the treatment broke; its strength is the mean |SHAP| over the wells explained, averaged over seeds.',
      ),
      figure(
        'shap_dependencies',
        `The ${top.length} strongest dependency pairs over all groups${where}, mean |SHAP| over seeds (0 where a seed does not rank the pair among its group’s top) with its 95% bootstrap interval`,
        shapDependencies(top, { title: `Strongest broken dependencies${where}`, color: representationColor([ANOMALY]).range[0] }),
      ),
      text(`The ${TOP_PER_GROUP} strongest pairs of each ${groupBy}:`),
      table([groupBy, 'explained ← contributing', 'mean |SHAP|', 'seeds finding it'], rows),
    ]),
  ];
}

function shapOf(run: CompletedRun): ShapMetrics | null {
  const shap = run.metrics.shap as Partial<ShapMetrics> | undefined;
  return shap && typeof shap.groups === 'object' && shap.groups !== null ? (shap as ShapMetrics) : null;
}
