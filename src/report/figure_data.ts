import type { TopLevelSpec } from 'vega-lite';

/**
 * A figure's data as a tidy CSV table (one row per drawn datum, one column per field), written beside its SVG
 * so every number a figure shows can be read, re-plotted or checked without parsing the picture. Every figure
 * of the report draws from one inline table (`data.values`); this is that table.
 */
export function figureCsv(spec: TopLevelSpec): string {
  const values = (spec as { data?: { values?: unknown } }).data?.values;
  if (!Array.isArray(values)) throw new Error('figureCsv: the figure has no inline data table');
  const rows = values as Record<string, unknown>[];
  const columns: string[] = [];
  // `label` is the marks' accessible text, which restates the row's numbers.
  for (const row of rows) for (const key of Object.keys(row)) if (key !== 'label' && !columns.includes(key)) columns.push(key);
  const lines = [columns.map(csvField).join(','), ...rows.map((row) => columns.map((c) => csvField(cell(row[c]))).join(','))];
  return `${lines.join('\n')}\n`;
}

/**
 * Numbers to 8 significant digits (far below any difference a figure can show; metrics.csv has the runs' numbers in
 * full), NaN and absent values empty, a list of names joined by `&`.
 */
function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(Number(v.toPrecision(8))) : '';
  if (Array.isArray(v)) return v.join('&');
  return String(v);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
