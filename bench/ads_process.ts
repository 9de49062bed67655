import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The command as a user starts it (bin/ads.js, which runs dist/ once `npm run build` made it current). */
export const root = resolve(import.meta.dirname, '..');
const ads = join(root, 'bin', 'ads.js');

export const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Wall seconds, CPU seconds (user and system, its worker processes included: Linux adds a reaped child's
 * to its parent's) and peak resident memory of `ads args` (GNU time: Node does not report a child's peak),
 * started through `wrapper` where given (e.g. taskset).
 */
export function timeAds(args: string[], wrapper: string[] = []): { seconds: number; cpuSeconds: number; rssMb: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', ...wrapper, process.execPath, ads, ...args], { encoding: 'utf8', cwd: root, maxBuffer: 256 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error) throw new Error(`cannot run /usr/bin/time (apt-get install -y time): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ads ${args.join(' ')} failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const [kb, user, system] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds, cpuSeconds: user + system, rssMb: Math.round(kb / 1024) };
}
