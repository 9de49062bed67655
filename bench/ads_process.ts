import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The command as a user starts it (bin/ads.js, which runs dist/ once `npm run build` made it current). */
export const root = resolve(import.meta.dirname, '..');
const ads = join(root, 'bin', 'ads.js');

export const round = (x: number) => Math.round(x * 1000) / 1000;

/** Wall seconds and peak resident memory of `ads args` (GNU time: Node does not report a child's peak). */
export function timeAds(args: string[]): { seconds: number; rssMb: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ads, ...args], { encoding: 'utf8', cwd: root, maxBuffer: 256 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error) throw new Error(`cannot run /usr/bin/time (apt-get install -y time): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ads ${args.join(' ')} failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return { seconds, rssMb: Math.round(Number(r.stderr.trim().split('\n').pop()) / 1024) };
}
