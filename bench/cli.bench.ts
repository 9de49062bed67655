/**
 * The command as a user starts it: bin/ads.js in a child process, after `npm run build` (so it runs dist/).
 * One JSON line per command, median of 5 starts, with Node's own start (an empty script) measured between them:
 *   {"bench":"cli_start","command":"plan","runs_from":"dist","seconds":…,"node_start_seconds":…,"peak_rss_mb":…}
 * Then the six-run quickstart as it ships (about half a minute a sweep on one core, SHAP included) one run at a
 * time on one core (--jobs 1, runtime.threads=1: the anchor), one at a time on every core (--jobs 1,
 * runtime.threads=auto) and two at a time (--jobs 2), alternated ADS_BENCH_ROUNDS times (default 3), each line
 * with its fastest round, its speed-up over the anchor and its CPU seconds (workers included: the anchor's
 * own exceed its wall seconds, as V8's compiler and collector threads use the idle core). Where `taskset` is
 * found, the anchor also runs confined to one CPU (`pinned`), the core idle indeed, and each line gives its
 * speed-up over that too (`speedup_vs_pinned_core`):
 *   {"bench":"jobs","runs":6,"jobs":2,"threads":"auto","seconds":…,"speedup_vs_one_core":…,"speedup_vs_pinned_core":…,"cpu_seconds":…,"rounds":3,"round_seconds":[…],"cores":…,"load_average":[…]}
 * Last, the machine's own two-at-once scaling (a fixed CPU-bound loop in two processes at once against one):
 *   {"bench":"two_at_once","seconds_alone":…,"seconds_together":…,"scaling":…,"round_scaling":[…],…}
 * It once ran a shortened sweep (100 epochs, no SHAP); with runs of about a second each it measured the
 * workers' start, not running two at a time.
 */
import { spawn, spawnSync } from 'node:child_process';
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

/** Node's own start on this machine (an empty script), the floor under every command's: each line gives its own. */
function nodeStart(): number {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  return (performance.now() - t0) / 1000;
}

for (const [command, args] of [
  ['--help', ['--help']],
  ['plan', ['plan', quickstart]],
  ['validate', ['validate', quickstart]],
] as const) {
  // Alternated with Node's own start, so that both see the same machine.
  const node: number[] = [];
  const samples = Array.from({ length: 5 }, () => (node.push(nodeStart()), timeAds([...args])));
  console.log(
    JSON.stringify({
      bench: 'cli_start',
      command,
      runs_from: runsFrom,
      seconds: round(median(samples.map((s) => s.seconds))),
      node_start_seconds: round(median(node)),
      peak_rss_mb: median(samples.map((s) => s.rssMb)),
    }),
  );
}

// The anchor is the issue's: one run at a time on one core. Then one run at a time on every core
// (runtime.threads: auto, the default), and two at a time. The three alternate, ADS_BENCH_ROUNDS times (default
// 3), each line keeping its fastest round: a shared machine's speed drifts by a quarter within minutes, so
// variants run one after the other once each would compare the drift as much as the variants.
const pinnable = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const variants: { jobs: number; threads: string; pinned?: true }[] = [
  { jobs: 1, threads: '1' },
  { jobs: 1, threads: 'auto' },
  { jobs: 2, threads: 'auto' },
  ...(pinnable ? [{ jobs: 1, threads: '1', pinned: true as const }] : []),
];
const pinnedAt = variants.findIndex((v) => v.pinned);
const rounds = Math.max(1, Number(process.env.ADS_BENCH_ROUNDS ?? 3));
const samples = variants.map(() => [] as { seconds: number; cpuSeconds: number; load: number }[]);
for (let r = 0; r < rounds; r++) {
  variants.forEach(({ jobs, threads, pinned }, v) => {
    const dir = mkdtempSync(join(tmpdir(), 'ads-bench-jobs-'));
    const load = loadavg()[0];
    const args = ['run', quickstart, '--runs-dir', join(dir, 'runs'), '--jobs', String(jobs), '--set', `runtime.threads=${threads}`, '--no-report', '--plain'];
    const { seconds, cpuSeconds } = timeAds(args, pinned ? ['taskset', '-c', '0'] : []);
    rmSync(dir, { recursive: true, force: true });
    samples[v].push({ seconds, cpuSeconds, load });
  });
}
const fastest = samples.map((s) => s.reduce((a, b) => (b.seconds < a.seconds ? b : a)));
variants.forEach(({ jobs, threads, pinned }, v) => {
  console.log(
    JSON.stringify({
      bench: 'jobs',
      runs: 6,
      jobs,
      threads,
      ...(pinned && { pinned: 'taskset -c 0' }),
      seconds: round(fastest[v].seconds),
      speedup_vs_one_core: round(fastest[0].seconds / fastest[v].seconds),
      ...(pinnedAt >= 0 && { speedup_vs_pinned_core: round(fastest[pinnedAt].seconds / fastest[v].seconds) }),
      cpu_seconds: round(fastest[v].cpuSeconds),
      rounds,
      round_seconds: samples[v].map((x) => round(x.seconds)),
      cores: availableParallelism(),
      load_average: samples[v].map((x) => round(x.load)),
    }),
  );
});

/**
 * The machine's own ceiling on two runs at once: one fixed CPU-bound loop (arithmetic over an array that fits
 * in L1, nothing shared) timed in one process, then in two processes at once. On a machine whose two cores
 * are whole, `scaling` is near 2; where they share a physical core or the host slows both, it is what
 * `--jobs 2` can reach on CPU-bound runs at best.
 */
const LOOP = `const a = new Float64Array(4096).fill(1.0001); let x = 0;
for (let r = 0; r < 40000; r++) for (let i = 0; i < 4096; i++) x += a[i] * a[(i * 7) & 4095];
if (x === 0) console.log(x);`;
const loop = () =>
  new Promise<number>((done, fail) => {
    const t0 = performance.now();
    spawn(process.execPath, ['-e', LOOP], { stdio: 'ignore' }).on('error', fail).on('exit', () => done((performance.now() - t0) / 1000));
  });
const machine: { alone: number; together: number }[] = [];
for (let r = 0; r < rounds; r++) {
  const alone = await loop();
  const together = Math.max(...(await Promise.all([loop(), loop()])));
  machine.push({ alone, together });
}
// The round of median scaling: alone and together are measured one right after the other in a round, so its
// ratio holds where the machine's speed drifts between rounds (fastest times taken from different rounds did not).
const scalingOf = (m: { alone: number; together: number }) => (2 * m.alone) / m.together;
const medianRound = [...machine].sort((a, b) => scalingOf(a) - scalingOf(b))[Math.floor(machine.length / 2)];
console.log(
  JSON.stringify({
    bench: 'two_at_once',
    seconds_alone: round(medianRound.alone),
    seconds_together: round(medianRound.together),
    // Two loops' work over the time two at once took (the median round): the speed-up two runs at once can reach here.
    scaling: round(scalingOf(medianRound)),
    round_scaling: machine.map((m) => round(scalingOf(m))),
    cores: availableParallelism(),
    load_average: round(loadavg()[0]),
  }),
);
