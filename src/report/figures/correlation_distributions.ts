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
 * Replicate correlations against the null, one panel per sweep point (rows) and representation (columns),
 * with the threshold marked: the share of the replicates' curve right of the line is percent replicating.
 */
export function correlationDistributions(curves: readonly DensityPoint[], thresholds: readonly ThresholdDatum[], o: CorrelationDistributionsOptions): TopLevelSpec {
  // A facet draws from one table: curves and thresholds travel together, told apart by `layer`.
  const values = [
    ...curves.map((c) => ({ ...c, layer: 'curve' })),
    ...thresholds.map((t) => ({ ...t, layer: 'threshold', label: `threshold ${t.threshold.toFixed(3)}` })),
  ];
  const x = { type: 'quantitative' as const, title: 'correlation' };
  // Headroom above the highest peak for the threshold's label.
  const top = 1.2 * Math.max(0, ...curves.map((c) => c.density));
  return {
    title: `Replicate correlation vs null (line: ${ordinal(o.percentile)} percentile of the null)`,
    data: { values },
    facet: {
      row: { field: 'point', type: 'nominal', sort: [...o.points], title: null, header: { labelAngle: 0, labelAlign: 'right', labelPadding: 8, labelLimit: 220 } },
      column: { field: 'representation', type: 'nominal', sort: [...o.representations], title: null },
    },
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
            color: { field: 'curve', type: 'nominal', title: 'correlations of', scale: CURVES, legend: { labelExpr: "datum.label === 'null' ? 'null (non-replicate pairs)' : 'replicates (per perturbation)'" } },
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
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}
