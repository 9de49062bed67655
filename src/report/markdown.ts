import type { Block, ReportDocument } from './blocks.ts';

/** The report as Markdown; figures are referenced as `figures/<name>.svg`, their data as `figures/<name>.csv`, both written beside it. */
export function renderMarkdown(doc: ReportDocument): string {
  const out: string[] = [`# ${doc.title}`, ''];
  for (const block of doc.intro) out.push(...renderBlock(block));
  for (const s of doc.sections) {
    out.push(`${'#'.repeat(s.level)} ${s.title}`, '');
    for (const block of s.blocks) out.push(...renderBlock(block));
  }
  return out.join('\n');
}

function renderBlock(block: Block): string[] {
  switch (block.kind) {
    case 'text':
      return [block.text, ''];
    case 'table':
      return [row(block.header), `|${block.header.map(() => '---').join('|')}|`, ...block.rows.map(row), ''];
    case 'figure':
      return [`![${block.caption}](figures/${block.name}.svg)`, '', `*${block.caption}* [Data (CSV)](figures/${block.name}.csv)`, ''];
  }
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
}
