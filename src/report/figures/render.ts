import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * The one place Vega-Lite specs become SVG: compiled to Vega and rendered headless in Node (no browser, no
 * canvas), so a report builds wherever the runs do.
 */

/** Generic font stack: a report opened offline, on any system, must not need a web font. */
export const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';

/** The look every figure shares. */
const THEME: NonNullable<TopLevelSpec['config']> = {
  font: FONT,
  background: 'white',
  view: { stroke: '#d0d0d0' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#ececec', labelLimit: 260 },
  header: { labelFontSize: 12, titleFontSize: 12, labelLimit: 320 },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 260 },
  title: { fontSize: 13, anchor: 'start', fontWeight: 'bold', offset: 10 },
};

/**
 * Vega in Node has no canvas to measure text with and guesses 0.8 em per character: labels are cut short at
 * half their room and layouts leave wide gaps. Vega lets a host supply the measure (as vl-convert does);
 * widths per kind of character of a common sans-serif, erring wide (DejaVu Sans, the usual Linux default),
 * lay a figure out close to what a browser then draws.
 */
const { textMetrics } = vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } };
interface TextItem {
  text?: unknown;
  fontSize?: number;
  fontWeight?: string | number;
}
textMetrics.width = (item, text) => {
  const s = String(text ?? item.text ?? '');
  let em = 0;
  for (const ch of s) em += charWidth(ch);
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600;
  return em * (item.fontSize ?? 11) * (bold ? 1.1 : 1);
};

function charWidth(ch: string): number {
  if (' .,:;!|\'ijlI()[]'.includes(ch)) return 0.32;
  if ('mwMW'.includes(ch)) return 0.92;
  if (ch >= 'A' && ch <= 'Z') return 0.7;
  if (ch >= '0' && ch <= '9') return 0.64;
  if (ch >= 'a' && ch <= 'z') return 0.58;
  return 0.64;
}

export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const compiled = compile({ ...spec, config: { ...THEME, ...spec.config } }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return prefixIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

/**
 * Vega numbers clip paths and gradients from 1 in every SVG; inlined side by side in one HTML page, the second
 * figure's `url(#clip1)` would resolve to the first figure's clip. A per-figure prefix keeps them apart.
 */
function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}-${id}"`);
}
