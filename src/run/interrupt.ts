/**
 * What has to happen before the process stops on SIGINT or SIGTERM (a running run is marked failed and its
 * lock released). Whoever starts such work registers a cleanup here and removes it when done; the CLI's
 * signal handler runs them all, then exits.
 */
export type Cleanup = (reason: string) => void;

const cleanups = new Set<Cleanup>();

/** Registers a cleanup; returns the function that removes it again. */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs every registered cleanup (each at most once); one that throws does not keep the others from running. */
export function interruptAll(reason: string): string[] {
  const problems: string[] = [];
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup(reason);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  return problems;
}
