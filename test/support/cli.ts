import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

export interface CompletedRunFiles {
  id: string;
  metrics: Record<string, any>;
  manifest: Record<string, any>;
}

/**
 * Writes `experiment: <name>` plus `lines` as a spec in a temp folder, runs it with `ads run` (no report), and returns
 * every run's metrics and manifest (failing with the CLI's stderr when the run fails).
 */
export async function runSpecLines(name: string, lines: readonly string[]): Promise<CompletedRunFiles[]> {
  const dir = mkdtempSync(join(tmpdir(), `ads-${name}-`));
  const spec = join(dir, `${name}.yaml`);
  writeFileSync(spec, [`experiment: ${name}`, ...lines].join('\n'));
  const r = await ads(['run', spec, '--runs-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports'), '--no-report']);
  if (r.code !== 0) throw new Error(`ads run failed (${r.code}): ${r.stderr}`);
  const exp = join(dir, 'runs', name);
  return readdirSync(exp, { withFileTypes: true })
    // Run directories only: the experiment folder also holds its TensorBoard log root (tb/).
    .filter((d) => d.isDirectory() && existsSync(join(exp, d.name, 'manifest.json')))
    .map((d) => ({
      id: d.name,
      metrics: JSON.parse(readFileSync(join(exp, d.name, 'metrics.json'), 'utf8')),
      manifest: JSON.parse(readFileSync(join(exp, d.name, 'manifest.json'), 'utf8')),
    }));
}
