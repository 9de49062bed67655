import type { Block, ReportDocument } from './blocks.ts';
import { FONT } from './figures/render.ts';

/**
 * The report as one self-contained HTML file: CSS and figures (SVG) inline, no script, no external resource,
 * so it opens offline and can be mailed or archived as is. The content security policy makes the browser
 * refuse any network fetch, should one ever creep in.
 */
export function renderHtml(doc: ReportDocument, svgs: ReadonlyMap<string, string>): string {
  const body: string[] = [`<h1>${escape(doc.title)}</h1>`, ...doc.intro.map((b) => renderBlock(b, svgs))];
  const top = doc.sections.filter((s) => s.level === 2);
  if (top.length > 1) {
    body.push(`<nav aria-label="Contents"><h2>Contents</h2><ol>${top.map((s) => `<li><a href="#${s.id}">${escape(s.title)}</a></li>`).join('')}</ol></nav>`);
  }
  for (const s of doc.sections) {
    body.push(`<h${s.level} id="${s.id}">${escape(s.title)}</h${s.level}>`, ...s.blocks.map((b) => renderBlock(b, svgs)));
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escape(doc.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function renderBlock(block: Block, svgs: ReadonlyMap<string, string>): string {
  switch (block.kind) {
    case 'text':
      return `<p>${inline(block.text)}</p>`;
    case 'table':
      return [
        '<div class="table"><table>',
        `<thead><tr>${block.header.map((h) => `<th>${inline(h)}</th>`).join('')}</tr></thead>`,
        `<tbody>${block.rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('')}</tbody>`,
        '</table></div>',
      ].join('');
    case 'figure': {
      const svg = svgs.get(block.name);
      if (svg === undefined) throw new Error(`renderHtml: figure ${block.name} was not rendered`);
      // The data sits beside the page (figures/<name>.csv), as in the Markdown: a link, not a fetch.
      return `<figure id="figure-${block.name}"><div class="plot">${svg}</div><figcaption>${inline(block.caption)} <a class="data" href="figures/${block.name}.csv">Data (CSV)</a></figcaption></figure>`;
    }
  }
}

/** Escaped text with `code` spans, the only markup the report's prose uses. */
function inline(s: string): string {
  return escape(s).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `
:root { color-scheme: light; }
body { margin: 0; background: #fafafa; color: #1d1d1f; font: 15px/1.5 ${FONT}; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 1.7em; margin: 0.4em 0 0.6em; }
h2 { font-size: 1.3em; margin: 2em 0 0.5em; padding-top: 0.4em; border-top: 1px solid #e3e3e3; }
h3 { font-size: 1.05em; margin: 1.4em 0 0.4em; }
nav h2 { border: 0; margin-top: 1em; font-size: 1.05em; }
nav ol { columns: 2; margin: 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
.table { overflow-x: auto; margin: 0.6em 0 1em; }
table { border-collapse: collapse; font-size: 0.9em; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e6e6e6; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f5f5f7; font-weight: 600; }
tbody tr:hover { background: #fafafa; }
figure { margin: 1em 0 1.6em; }
.plot { overflow-x: auto; }
.plot svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #555; font-size: 0.9em; margin-top: 0.3em; }
@media print { body { background: #fff; } main { padding: 0; } h2 { break-after: avoid; } figure { break-inside: avoid; } }
`;
