import type { TopLevelSpec } from 'vega-lite';
import { representationColor } from './style.ts';

/** One exclusive region of the replicating sets' Venn diagram at one sweep point: mean ± SD count over seeds. */
export interface OverlapDatum {
  point: string;
  /** The representations in which these perturbations replicate, and in no other. */
  sets: readonly string[];
  mean: number;
  sd: number;
  n: number;
  /** The whisker: the 95% bootstrap interval of the mean over seeds. */
  low: number;
  high: number;
}

export function regionLabel(sets: readonly string[], representations: readonly string[]): string {
  return sets.length === representations.length && representations.length > 1 ? `all (${sets.join(' & ')})` : `${sets.join(' & ')} only`;
}

/**
 * The Venn counts as grouped bars: a region per bar, a group per sweep point. A region of one representation
 * takes that representation's colour; shared regions are grey, so "only anomaly" and "only CellProfiler"
 * stand out against what both find.
 */
export function replicatingOverlap(data: readonly OverlapDatum[], o: { points: readonly string[]; representations: readonly string[] }): TopLevelSpec {
  const regions = [...new Set(data.map((d) => regionLabel(d.sets, o.representations)))];
  const single = representationColor(o.representations);
  const greys = ['#555555', '#8a8a8a', '#b0b0b0', '#cfcfcf'];
  let g = 0;
  const range = regions.map((r) => {
    const i = single.domain.findIndex((rep) => r === `${rep} only`);
    return i >= 0 ? single.range[i] : greys[g++ % greys.length];
  });
  const values = data.map((d) => {
    const region = regionLabel(d.sets, o.representations);
    return {
      point: d.point,
      region,
      mean: d.mean,
      label: `${region}, ${d.point}: mean ${d.mean.toFixed(1)}${Number.isFinite(d.sd) ? ` ± ${d.sd.toFixed(1)} SD` : ''}, n=${d.n}`,
    };
  });
  const y = { field: 'point', type: 'nominal' as const, sort: [...o.points], title: 'sweep point' };
  const yOffset = { field: 'region', type: 'nominal' as const, sort: regions };
  const x = { type: 'quantitative' as const, title: 'replicating perturbations (count)' };
  return {
    title: 'Overlap of the replicating sets (exclusive regions, mean over seeds, 95% bootstrap interval)',
    data: { values },
    width: 360,
    height: { step: 13 },
    layer: [
      {
        mark: { type: 'bar', height: { band: 0.9 } },
        encoding: {
          y,
          yOffset,
          x: { field: 'mean', ...x },
          color: { field: 'region', type: 'nominal', title: 'replicating in', scale: { domain: regions, range } },
          description: { field: 'label' },
        },
      },
      { mark: { type: 'rule', color: '#222', strokeWidth: 1.2, aria: false }, encoding: { y, yOffset, x: { field: 'low', ...x }, x2: { field: 'high' } } },
    ],
  };
}
