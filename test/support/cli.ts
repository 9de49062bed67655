import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const adsBin = join(root, 'bin', 'ads.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real `ads` command in a child process, awaited: a test worker must not block its event loop on a long
 * run (vitest's worker RPC times out after a minute of silence).
 */
export function ads(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [adsBin, ...args], { cwd: options.cwd ?? root, env: options.env, encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}
