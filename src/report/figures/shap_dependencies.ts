import type { TopLevelSpec } from 'vega-lite';

/** One dependency a treatment broke: a feature whose reconstruction another feature pushed off, averaged over seeds. */
export interface DependencyDatum {
  /** `group: explained ← contributing`, the group being the MoA or compound. */
  pair: string;
  mean: number;
  sd: number;
  n: number;
  /** The whisker: the 95% bootstrap interval of the mean over seeds (never below 0, as |SHAP| is not). */
  low: number;
  high: number;
}

/** The top SHAP dependency pairs as horizontal bars, strongest first. */
export function shapDependencies(data: readonly DependencyDatum[], o: { title: string; color: string }): TopLevelSpec {
  const values = data.map((d) => ({
    ...d,
    label: `${d.pair}: mean ${d.mean.toPrecision(3)}${Number.isFinite(d.sd) ? ` ± ${d.sd.toPrecision(2)} SD` : ''}, n=${d.n}`,
  }));
  // Feature names are long and are the point of the figure: the axis gives them room rather than a title.
  const y = { field: 'pair', type: 'nominal' as const, sort: data.map((d) => d.pair), title: null, axis: { labelLimit: 520 } };
  const x = { type: 'quantitative' as const, title: 'mean |SHAP| (mean over seeds)', scale: { zero: true, domainMin: 0 } };
  return {
    title: { text: o.title, subtitle: 'explained feature ← contributing feature' },
    data: { values },
    width: 320,
    height: { step: 16 },
    layer: [
      { mark: { type: 'bar', color: o.color }, encoding: { y, x: { field: 'mean', ...x }, description: { field: 'label' } } },
      { mark: { type: 'rule', color: '#222', aria: false }, encoding: { y, x: { field: 'low', ...x }, x2: { field: 'high' } } },
    ],
  };
}
