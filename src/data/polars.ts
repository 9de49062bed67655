import { createRequire } from 'node:module';
import type pl from 'nodejs-polars';

let loaded: typeof pl | undefined;

/**
 * polars, the table library, loaded where it is first used: its native module takes about 0.3 s to start,
 * which `ads validate` and `ads plan` (they read only a table's header) never pay.
 */
export function polars(): typeof pl {
  return (loaded ??= createRequire(import.meta.url)('nodejs-polars') as typeof pl);
}

/** The first line of a polars error (the rest is its native backtrace), for a message naming the file. */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
