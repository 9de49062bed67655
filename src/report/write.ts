import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedSpec } from '../spec/types.ts';
import { collectRuns } from './collect.ts';
import { renderMarkdown } from './markdown.ts';

/** Aggregates every complete run of the spec's experiment into reports/<experiment>/report.md. */
export function writeReport(spec: ResolvedSpec, runsDir: string, reportsDir: string): string {
  const collected = collectRuns(join(runsDir, spec.experiment));
  const markdown = renderMarkdown({
    experiment: spec.experiment,
    description: spec.description,
    representations: spec.representations,
    splitBy: spec.evaluation.split_by,
    collected,
  });
  const dir = join(reportsDir, spec.experiment);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'report.md');
  writeFileSync(path, markdown);
  return path;
}
