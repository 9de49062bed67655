import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest's global setup: every temporary folder of the test run — the tests' own, and those of the `ads`
 * processes, Python oracles and Slurm jobs they start — goes under one folder (TMPDIR, which `os.tmpdir()`
 * and the processes it is passed to read), removed when the run ends. A test then needs no clean-up of its
 * own, and a failed or interrupted test leaves nothing behind in the user's /tmp either (but the folder of
 * a killed run).
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'ads-tests-'));
  // Open to every user, as /tmp is (sticky): a test runs the CLI as another user, which may write its own
  // temporary files (tsx's cache, when dist/ is older than the sources).
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
