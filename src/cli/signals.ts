import { interruptAll } from '../run/interrupt.ts';

/** The shell's convention: a process stopped by signal n exits with 128 + n. */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * On SIGINT (Ctrl-C) or SIGTERM (Slurm's time limit, `kill`): the work under way cleans up (a running run
 * is marked failed, "interrupted", and its lock released), then the process exits with 130 or 143. A report
 * being written needs nothing: it is swapped into place whole (see report/write.ts). Returns the function
 * that removes the handlers again.
 */
export function exitOnSignals(command: string): () => void {
  const handler = (signal: keyof typeof EXIT_CODES) => {
    const problems = interruptAll(`interrupted (${signal})`);
    // The live task tree hides the cursor; give it back before leaving the terminal.
    if (process.stdout.isTTY) process.stdout.write('\u001b[?25h\n');
    for (const p of problems) console.error(`ads ${command}: while stopping: ${p}`);
    console.error(`ads ${command}: interrupted by ${signal}`);
    process.exit(EXIT_CODES[signal]);
  };
  const signals = Object.keys(EXIT_CODES) as (keyof typeof EXIT_CODES)[];
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
  };
}
