/**
 * The command as a user starts it: bin/ads.js in a child process, after `npm run build` (so it runs dist/).
 * One JSON line per command, median of 5 starts:
 *   {"bench":"cli_start","command":"plan","runs_from":"dist","seconds":…,"peak_rss_mb":…}
 * Then the six-run quickstart with --jobs 1 and --jobs 2 (shortened to 100 epochs, no SHAP, so that the
 * line costs a minute or two), and the speed-up:
 *   {"bench":"jobs","runs":6,"jobs":2,"seconds":…,"speedup_vs_jobs_1":…,"cores":…,"load_average":…}
 */
import { spawnSync } from 'node:child_process';
import { root, round, timeAds } from './ads_process.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const quickstart = join(root, 'experiments', 'quickstart.yaml');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The command as it ships: built first (bin/ads.js runs dist/ once it is up to date). tsc emits even when
// it reports type errors; the line says so.
const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8', cwd: root });
const runsFrom = build.status === 0 ? 'dist' : 'dist (the build reported errors)';

for (const [command, args] of [
  ['--help', ['--help']],
  ['plan', ['plan', quickstart]],
  ['validate', ['validate', quickstart]],
] as const) {
  const samples = Array.from({ length: 5 }, () => timeAds([...args]));
  console.log(
    JSON.stringify({
      bench: 'cli_start',
      command,
      runs_from: runsFrom,
      seconds: round(median(samples.map((s) => s.seconds))),
      peak_rss_mb: median(samples.map((s) => s.rssMb)),
    }),
  );
}

const short = ['--set', 'training.max_epochs=100', '--set', 'explain.enabled=false', '--no-report', '--plain'];
const seconds: Record<number, number> = {};
for (const jobs of [1, 2]) {
  const dir = mkdtempSync(join(tmpdir(), 'ads-bench-jobs-'));
  const load = loadavg()[0];
  seconds[jobs] = timeAds(['run', quickstart, '--runs-dir', join(dir, 'runs'), '--jobs', String(jobs), ...short]).seconds;
  rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      bench: 'jobs',
      runs: 6,
      jobs,
      seconds: round(seconds[jobs]),
      speedup_vs_jobs_1: round(seconds[1] / seconds[jobs]),
      cores: availableParallelism(),
      load_average: round(load),
    }),
  );
}
