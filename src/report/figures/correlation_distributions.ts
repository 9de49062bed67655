import type { TopLevelSpec } from 'vega-lite';

/** A density curve evaluated on a grid: the replicate correlations, or the null's, of one panel. */
export interface DensityPoint {
  point: string;
  representation: string;
  curve: 'replicates' | 'null';
  x: number;
  density: number;
}

export interface ThresholdDatum {
  point: string;
  representation: string;
  /** The mean over seeds of the run's threshold. */
  threshold: number;
}

export interface CorrelationDistributionsOptions {
  points: readonly string[];
  representations: readonly string[];
  percentile: number;
}

const CURVES = { domain: ['null', 'replicates'], range: ['#9a9a9a', '#1f3b73'] };

/**
 * Replicate correlations against the null with the threshold marked: the share of the replicates' curve
 * right of the line is percent replicating. A panel per sweep point and representation, laid out as a grid
 * (a row per point, a column per representation), each titled with both so long point labels stay readable.
 */
export function correlationDistributions(curves: readonly DensityPoint[], thresholds: readonly ThresholdDatum[], o: CorrelationDistributionsOptions): TopLevelSpec {
  const panel = (point: string, rep: string) => `${rep} · ${point}`;
  const order = o.points.flatMap((p) => o.representations.map((r) => panel(p, r)));
  // A facet draws from one table: curves and thresholds travel together, told apart by `layer`.
  const values = [
    ...curves.map((c) => ({ ...c, panel: panel(c.point, c.representation), layer: 'curve' })),
    ...thresholds.map((t) => ({ ...t, panel: panel(t.point, t.representation), layer: 'threshold', label: `threshold ${t.threshold.toFixed(3)}` })),
  ];
  const [lo, hi] = curves.reduce(([a, b], c) => [Math.min(a, c.x), Math.max(b, c.x)], [Infinity, -Infinity]);
  const step = hi - lo > 1.2 ? 0.5 : hi - lo > 0.6 ? 0.2 : 0.1;
  const ticks = Array.from({ length: Math.floor(hi / step) - Math.ceil(lo / step) + 1 }, (_, i) => Number(((Math.ceil(lo / step) + i) * step).toFixed(2)));
  const x = { type: 'quantitative' as const, title: 'correlation', scale: { domain: [lo, hi], nice: false }, axis: { values: ticks, format: '.1f' } };
  // Headroom above the highest peak for the threshold's label.
  const top = 1.2 * curves.reduce((m, c) => Math.max(m, c.density), 0);
  return {
    title: `Replicate correlation vs null (line: ${ordinal(o.percentile)} percentile of the null)`,
    data: { values },
    facet: { field: 'panel', type: 'nominal', sort: order, title: null },
    columns: o.representations.length,
    resolve: { axis: { x: 'independent' } },
    spec: {
      width: 260,
      height: 110,
      layer: [
        {
          transform: [{ filter: "datum.layer === 'curve'" }],
          mark: { type: 'area', opacity: 0.35, line: { strokeWidth: 1.5 } },
          encoding: {
            x: { field: 'x', ...x },
            y: { field: 'density', type: 'quantitative', title: 'density', stack: null, scale: { domain: [0, top], nice: false } },
            color: {
              field: 'curve',
              type: 'nominal',
              title: 'correlations of',
              scale: CURVES,
              legend: { labelExpr: "datum.label === 'null' ? 'null (non-replicate pairs)' : 'replicates (per perturbation)'" },
            },
          },
        },
        {
          transform: [{ filter: "datum.layer === 'threshold'" }],
          mark: { type: 'rule', color: '#c4161c', strokeDash: [4, 3], strokeWidth: 1.5 },
          encoding: { x: { field: 'threshold', ...x } },
        },
        {
          transform: [{ filter: "datum.layer === 'threshold'" }],
          mark: { type: 'text', color: '#c4161c', align: 'left', dx: 4, y: 6, fontSize: 10 },
          encoding: { x: { field: 'threshold', ...x }, text: { field: 'label' } },
        },
      ],
    },
  };
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' }) as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}
