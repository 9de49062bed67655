import { bestPoint, summarize } from '../aggregate.ts';
import { figure, type Section, section, table, text } from '../blocks.ts';
import type { CompletedRun } from '../collect.ts';
import { fmtSummary } from '../format.ts';
import { type DependencyDatum, shapDependencies } from '../figures/shap_dependencies.ts';
import { representationColor } from '../figures/style.ts';
import { ANOMALY, type SectionContext } from './context.ts';

/**
 * `metrics.shap.pairs`: the top (explained ← contributing) feature pairs of a run, aggregated over the wells
 * of a MoA or compound (`group`); `value` is the pair's SHAP contribution to the anomaly.
 */
interface ShapPair {
  explained: string;
  contributing: string;
  value: number;
  group?: string;
}

const TOP = 15;

/** The inter-feature dependencies the treatments broke, at the sweep point where anomaly replicates best. */
export function shapSection(ctx: SectionContext): Section[] {
  const withPairs = ctx.points.filter((g) => g.runs.some((r) => pairsOf(r).length));
  if (!withPairs.length) return [];
  const focus = bestPoint(withPairs, `percent_replicating.${ANOMALY}.percent`, 'higher')?.group ?? withPairs[0];
  const byPair = new Map<string, number[]>();
  for (const run of focus.runs) {
    for (const p of pairsOf(run)) {
      const key = `${p.group ? `${p.group}: ` : ''}${p.explained} ← ${p.contributing}`;
      if (!byPair.has(key)) byPair.set(key, []);
      byPair.get(key)!.push(p.value);
    }
  }
  const top: DependencyDatum[] = [...byPair]
    .map(([pair, xs]) => ({ pair, ...summarize(xs) }))
    .sort((a, b) => b.mean - a.mean)
    .slice(0, TOP);
  const where = ctx.points.length > 1 ? ` at ${focus.label} (where ${ANOMALY} replicates best)` : '';
  return [
    section('SHAP dependencies', [
      text(
        'Kernel SHAP on the autoencoder: for the features a treated well reconstructs worst, which input features pushed the reconstruction away from the ' +
          'measured value. Each pair is a dependency between features that the treatment broke.',
      ),
      figure(
        'shap_dependencies',
        `Top ${top.length} dependency pairs${where}, mean over seeds (n = seeds in which the pair is among the top)`,
        shapDependencies(top, { title: `Top SHAP dependencies${where}`, color: representationColor([ANOMALY]).range[0] }),
      ),
      table(
        ['explained ← contributing', 'contribution'],
        top.map((d) => [d.pair, fmtSummary(d, 3)]),
      ),
    ]),
  ];
}

function pairsOf(run: CompletedRun): ShapPair[] {
  const pairs = (run.metrics.shap as { pairs?: unknown } | undefined)?.pairs;
  if (!Array.isArray(pairs)) return [];
  return pairs.filter(
    (p): p is ShapPair => p !== null && typeof p === 'object' && typeof p.explained === 'string' && typeof p.contributing === 'string' && Number.isFinite(p.value),
  );
}
