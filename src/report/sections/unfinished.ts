import { type Section, section, table, text } from '../blocks.ts';
import type { SectionContext } from './context.ts';

/**
 * Runs that are not averaged in, named so nobody mistakes a gap for a result: complete runs whose settings
 * the spec no longer has, and runs that are not results (failed, running, killed, done but incomplete).
 */
export function unfinishedSection(ctx: SectionContext): Section[] {
  const { unfinished, outdated = [] } = ctx.input.collected;
  const sections: Section[] = [];
  if (outdated.length) {
    sections.push(
      section('Runs of other settings', [
        text(
          "These runs are complete, but their settings are none of the current spec's (it changed since they ran, or they were run with other --set values). " +
            'They are not averaged in; `ads report <experiment>` groups every complete run by its own settings.',
        ),
        table(
          ['run', 'seed', 'differs from the spec in'],
          outdated.map((o) => [o.run.runId, String(o.run.seed), o.differences.slice(0, 4).join('; ') + (o.differences.length > 4 ? `; and ${o.differences.length - 4} more` : '')]),
        ),
      ]),
    );
  }
  if (unfinished.length) {
    sections.push(
      section('Runs not included', [
        text('These runs are not complete and are not averaged in.'),
        table(
          ['run', 'status', 'error'],
          unfinished.map((u) => [u.runId, u.status, (u.error ?? '').split('\n')[0]]),
        ),
      ]),
    );
  }
  return sections;
}
