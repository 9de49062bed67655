import type { TopLevelSpec } from 'vega-lite';
import { representationColor } from './style.ts';

/** One bar: a metric's mean ± SD over seeds for one representation in one category (a sweep point, a class). */
export interface BarDatum {
  /** The small multiple it belongs to (e.g. a subset of perturbations, a classifier). */
  panel: string;
  category: string;
  representation: string;
  mean: number;
  sd: number;
  n: number;
}

export interface MetricBarsOptions {
  title: string;
  valueTitle: string;
  categoryTitle: string;
  /** Draw order of the categories and panels (e.g. the plan's order of sweep points). */
  categories: readonly string[];
  panels: readonly string[];
  representations: readonly string[];
  /** A fixed value axis (0–100 for percentages, 0–1 for F1) keeps figures comparable; otherwise from zero to the data. */
  domain?: [number, number];
  digits: number;
}

/**
 * Horizontal grouped bars, one group per category and one bar per representation, with ±1 SD error bars.
 * Horizontal because category labels (sweep points, MoA names) are long.
 */
export function metricBars(data: readonly BarDatum[], o: MetricBarsOptions): TopLevelSpec {
  const values = data.map((d) => ({
    ...d,
    low: Number.isFinite(d.sd) ? d.mean - d.sd : d.mean,
    high: Number.isFinite(d.sd) ? d.mean + d.sd : d.mean,
    // The bar's accessible label carries the exact numbers (its error bar's too), so a reader or a test can check what is drawn.
    label: `${d.representation}, ${d.category}${o.panels.length > 1 ? `, ${d.panel}` : ''}: mean ${d.mean.toFixed(o.digits)}${
      Number.isFinite(d.sd) ? ` ± ${d.sd.toFixed(o.digits)} SD` : ''
    }, n=${d.n}`,
  }));
  const x = {
    type: 'quantitative' as const,
    title: o.valueTitle,
    scale: o.domain ? { domain: o.domain, clamp: true, nice: false } : { zero: true },
  };
  const y = { field: 'category', type: 'nominal' as const, sort: [...o.categories], title: o.categoryTitle };
  const yOffset = { field: 'representation', type: 'nominal' as const, sort: [...o.representations] };
  const panel = {
    width: 240,
    height: { step: 13 },
    layer: [
      {
        mark: { type: 'bar' as const, height: { band: 0.9 } },
        encoding: {
          y,
          yOffset,
          x: { field: 'mean', ...x },
          color: { field: 'representation', type: 'nominal' as const, title: 'representation', scale: representationColor(o.representations) },
          description: { field: 'label' },
        },
      },
      {
        mark: { type: 'rule' as const, color: '#222', strokeWidth: 1.2, aria: false },
        encoding: { y, yOffset, x: { field: 'low', ...x }, x2: { field: 'high' } },
      },
    ],
  };
  // A single panel needs no facet (whose empty header would only add a gap).
  if (o.panels.length === 1) return { title: o.title, data: { values }, ...panel };
  return { title: o.title, data: { values }, facet: { column: { field: 'panel', type: 'nominal', sort: [...o.panels], title: null } }, spec: panel };
}
