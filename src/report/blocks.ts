import type { TopLevelSpec } from 'vega-lite';

/**
 * The report as a document of sections and blocks, built once and rendered twice: as Markdown (figures as
 * SVG files beside it) and as self-contained HTML (figures inline).
 */

export type Block =
  /** A paragraph; `code` spans in backticks are the only markup. */
  | { kind: 'text'; text: string }
  | { kind: 'table'; header: string[]; rows: string[][] }
  /** `name` is the figure's file name without extension: `figures/<name>.svg`. */
  | { kind: 'figure'; name: string; caption: string; spec: TopLevelSpec };

export interface Section {
  /** A stable anchor for the HTML table of contents. */
  id: string;
  title: string;
  level: 2 | 3;
  blocks: Block[];
}

export interface ReportDocument {
  title: string;
  intro: Block[];
  sections: Section[];
}

export const text = (t: string): Block => ({ kind: 'text', text: t });
export const table = (header: string[], rows: string[][]): Block => ({ kind: 'table', header, rows });
export const figure = (name: string, caption: string, spec: TopLevelSpec): Block => ({ kind: 'figure', name, caption, spec });

export function section(title: string, blocks: Block[], level: 2 | 3 = 2): Section {
  return { id: slug(title), title, level, blocks };
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
