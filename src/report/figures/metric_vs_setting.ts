import type { TopLevelSpec } from 'vega-lite';
import { representationColor } from './style.ts';

/** A metric's mean ± SD over seeds at one value of a swept numeric setting. */
export interface SettingDatum {
  metric: string;
  x: number;
  representation: string;
  /** The other swept settings of this point, so lines never join points that differ in more than `x`. */
  others: string;
  mean: number;
  sd: number;
  n: number;
  /** The error bar: the 95% bootstrap interval of the mean over seeds. */
  low: number;
  high: number;
}

/**
 * Each metric against one swept numeric setting (an ablation): a panel per metric with its own y axis, a line
 * per representation (dashed per combination of the other swept settings), error bars spanning the 95% bootstrap interval of the mean. A setting
 * spanning a decade or more (a learning rate) is drawn on a log axis.
 */
export function metricVsSetting(data: readonly SettingDatum[], o: { setting: string; metrics: readonly string[]; representations: readonly string[] }): TopLevelSpec {
  const xs = data.map((d) => d.x);
  const log = Math.min(...xs) > 0 && Math.max(...xs) / Math.min(...xs) >= 10;
  const grid = new Set(xs).size <= 6 && xs.every((v) => Number(v.toPrecision(3)) === v);
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: o.setting,
    scale: { ...(log ? { type: 'log' as const } : { zero: false }), nice: false, padding: 14 },
    // A grid's few round values are the ticks; a random search's draws get the axis' own.
    axis: { labelExpr: "format(datum.value, '.3~g')", ...(grid ? { values: [...new Set(xs)].sort((a, b) => a - b) } : {}) },
  };
  const values = data.map((d) => ({
    ...d,
    label: `${d.representation}, ${d.metric} at ${o.setting}=${d.x}${d.others ? ` (${d.others})` : ''}: mean ${d.mean.toPrecision(4)}, n=${d.n}`,
  }));
  const color = { field: 'representation', type: 'nominal' as const, title: 'representation', scale: representationColor(o.representations) };
  // Nice bounds, not pixel padding: a padded domain of a score near 0 would show ticks below 0, which it cannot take.
  const y = { field: 'mean', type: 'quantitative' as const, title: null, scale: { zero: false, nice: true } };
  const severalOthers = new Set(data.map((d) => d.others)).size > 1;
  // A random search varies every setting at once: no two points share the others, so there is nothing to join.
  const joined = new Set(data.map((d) => `${d.metric}\u0000${d.representation}\u0000${d.others}`)).size < data.length;
  return {
    title: `Metrics against ${o.setting} (mean over seeds, 95% bootstrap interval)`,
    data: { values },
    facet: { field: 'metric', type: 'nominal', sort: [...o.metrics], title: null },
    columns: 3,
    // Every panel its own y axis (metrics differ in unit) and its own x axis (a panel read alone needs one).
    resolve: { scale: { y: 'independent' }, axis: { x: 'independent' } },
    spec: {
      width: 220,
      height: 150,
      layer: [
        ...(joined
          ? [
              {
                mark: { type: 'line' as const, aria: false },
                encoding: {
                  x,
                  y,
                  color,
                  detail: { field: 'others', type: 'nominal' as const },
                  ...(severalOthers
                    ? { strokeDash: { field: 'others', type: 'nominal' as const, title: 'other settings', sort: [...new Set(data.map((d) => d.others))], legend: { symbolType: 'stroke', symbolStrokeColor: '#333' } } }
                    : {}),
                },
              },
            ]
          : []),
        { mark: { type: 'point', filled: true, opacity: 1 }, encoding: { x, y, color, description: { field: 'label' } } },
        { mark: { type: 'rule', strokeWidth: 1, aria: false }, encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color } },
      ],
    },
  };
}
