import { type Section, section, table, text } from '../blocks.ts';
import type { SectionContext } from './context.ts';

/** Runs that are not results (failed, running, killed), named so nobody mistakes a gap for a result. */
export function unfinishedSection(ctx: SectionContext): Section[] {
  const { unfinished } = ctx.input.collected;
  if (!unfinished.length) return [];
  return [
    section('Runs not included', [
      text('These runs are not complete and are not averaged in.'),
      table(
        ['run', 'status', 'error'],
        unfinished.map((u) => [u.runId, u.status, (u.error ?? '').split('\n')[0]]),
      ),
    ]),
  ];
}
