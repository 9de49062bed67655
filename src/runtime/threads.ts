import { availableParallelism } from 'node:os';

/**
 * runtime.threads as the number a run uses. `auto` shares the machine's cores among the runs under way at
 * once: a single run gets every core, two runs at once on two cores one each. Results do not depend on it.
 */
export function runThreads(setting: number | 'auto', runsAtOnce: number): number {
  return setting === 'auto' ? Math.max(1, Math.floor(availableParallelism() / Math.max(1, runsAtOnce))) : setting;
}
