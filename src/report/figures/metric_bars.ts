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
  /** The whisker: the 95% bootstrap interval of the mean over seeds. */
  low: number;
  high: number;
  /** This bar's own reference level, when the level depends on the runs behind the bar (see `ReferenceLevel`). */
  reference?: number;
}

/**
 * A level the bars are read against (chance, a trivial classifier), drawn as a dashed line, named, and written
 * into the figure's data as the column `column` (so its CSV holds it beside every bar). Either one level for the
 * whole figure, or each bar's own (`BarDatum.reference`: a chance level that depends on the runs' data), drawn per
 * panel at the mean of its bars' levels and named with their range.
 */
export type ReferenceLevel = { column: string; value: number; label: string } | { column: string; perBar: true; name: string };

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
  reference?: ReferenceLevel;
}

/**
 * Horizontal grouped bars, one group per category and one bar per representation, with error bars spanning the
 * 95% bootstrap interval of the mean (inside the values' range), and optionally a named reference level.
 * Horizontal because category labels (sweep points, MoA names) are long.
 */
export function metricBars(data: readonly BarDatum[], o: MetricBarsOptions): TopLevelSpec {
  const ref = o.reference;
  const values = data.map(({ reference, ...d }) => {
    const level = !ref ? undefined : 'perBar' in ref ? (reference !== undefined && Number.isFinite(reference) ? reference : null) : ref.value;
    return {
      ...d,
      ...(ref ? { [ref.column]: level } : {}),
      // The bar's accessible label carries the exact numbers (its error bar's and its own reference level too), so a reader or a test can check what is drawn.
      label: `${d.representation}, ${d.category}${o.panels.length > 1 ? `, ${d.panel}` : ''}: mean ${d.mean.toFixed(o.digits)}${
        Number.isFinite(d.sd) ? ` ± ${d.sd.toFixed(o.digits)} SD` : ''
      }, n=${d.n}, 95% interval [${d.low.toFixed(o.digits)}, ${d.high.toFixed(o.digits)}]${
        ref && 'perBar' in ref && typeof level === 'number' ? `, ${ref.name} ${level.toFixed(o.digits)}` : ''
      }`,
    };
  });
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
      ...(!ref ? [] : 'perBar' in ref ? perBarReferenceLayers(ref, o.digits, x) : referenceLayers(ref, x)),
    ],
  };
  // A single panel needs no facet (whose empty header would only add a gap).
  if (o.panels.length === 1) return { title: o.title, data: { values }, ...panel };
  return { title: o.title, data: { values }, facet: { column: { field: 'panel', type: 'nominal', sort: [...o.panels], title: null } }, spec: panel };
}

/** The reference level as a dashed vertical line across the panel, named at its top. */
export function referenceLayers(ref: { value: number; label: string }, x: { type: 'quantitative'; title: string; scale: object }) {
  return [
    {
      mark: { type: 'rule' as const, color: '#b03030', strokeDash: [5, 3], strokeWidth: 1.4 },
      encoding: { x: { datum: ref.value, ...x }, description: { value: `${ref.label}: ${ref.value}` } },
    },
    {
      mark: { type: 'text' as const, color: '#b03030', align: 'left' as const, baseline: 'top' as const, dx: 3, y: 2, fontSize: 10, aria: false },
      encoding: { x: { datum: ref.value, ...x }, text: { value: ref.label } },
    },
  ];
}

/**
 * Bars' own reference levels as one dashed line per panel at their mean, named at its top with their range at
 * the figure's precision (one value when they agree), in the same look as a figure-wide level.
 */
function perBarReferenceLayers(ref: { column: string; name: string }, digits: number, x: { type: 'quantitative'; title: string; scale: object }) {
  const field = `datum[${JSON.stringify(ref.column)}]`;
  const fmt = (v: string) => `format(${v}, '.${digits}f')`;
  const transform = [
    { filter: `isValid(${field}) && isFinite(${field})` },
    {
      aggregate: [
        { op: 'mean' as const, field: ref.column, as: 'reference_mean' },
        { op: 'min' as const, field: ref.column, as: 'reference_min' },
        { op: 'max' as const, field: ref.column, as: 'reference_max' },
      ],
      groupby: ['panel'],
    },
    {
      calculate:
        `${JSON.stringify(`${ref.name} (`)} + ${fmt('datum.reference_min')} + ` +
        `(${fmt('datum.reference_min')} === ${fmt('datum.reference_max')} ? '' : '–' + ${fmt('datum.reference_max')}) + ')'`,
      as: 'reference_label',
    },
    { calculate: "datum.reference_label + ': ' + format(datum.reference_mean, '.6~g')", as: 'reference_description' },
  ];
  return [
    {
      transform,
      mark: { type: 'rule' as const, color: '#b03030', strokeDash: [5, 3], strokeWidth: 1.4 },
      encoding: { x: { field: 'reference_mean', ...x }, description: { field: 'reference_description' } },
    },
    {
      transform,
      mark: { type: 'text' as const, color: '#b03030', align: 'left' as const, baseline: 'top' as const, dx: 3, y: 2, fontSize: 10, aria: false },
      encoding: { x: { field: 'reference_mean', ...x }, text: { field: 'reference_label' } },
    },
  ];
}
