import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { adsBin, ads, root } from './support/cli.ts';
import { scratchDir } from './support/files.ts';

/**
 * `ads run --jobs N`: runs in worker processes, N at a time. The oracle for what a run produces is the same
 * sweep run one at a time (--jobs 1, in one process): its outputs must be the same bytes. The lifecycle
 * (a worker that dies, SIGINT) is checked on the real command, as a user meets it.
 */
const { dir, write } = scratchDir('ads-jobs-');
const DATA = 'dataset: { synthetic: { plates: 4, moas: 3, compounds_per_moa: 3, features: 24, factors: 4, controls_per_plate: 16 } }';
const SWEEP = ['training: { max_epochs: 8, batch_size: 16 }', 'sweep: { grid: { model.latent: [4, 8] }, seeds: [1, 2, 3] }'];
/** Three runs that train until stopped (or for --set training.max_epochs). */
const LONG = ['training: { max_epochs: 100000, batch_size: 16, early_stopping: { enabled: false } }', 'sweep: { seeds: [1, 2, 3] }'];
const spec = (name: string, lines: string[] = SWEEP) => write(`${name}.yaml`, [`experiment: ${name}`, DATA, ...lines, ''].join('\n'));
const stores = (name: string) => ['--runs-dir', join(dir, name, 'runs'), '--reports-dir', join(dir, name, 'reports'), '--no-report', '--plain'];
const runDirs = (name: string, experiment: string) => {
  const exp = join(dir, name, 'runs', experiment);
  return existsSync(exp) ? readdirSync(exp, { withFileTypes: true }).filter((d) => d.isDirectory() && /^[0-9a-f]{12}$/.test(d.name)).map((d) => join(exp, d.name)) : [];
};
const manifestOf = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
const locks = (name: string, experiment: string) => {
  const d = join(dir, name, 'runs', experiment, '.locks');
  return existsSync(d) ? readdirSync(d) : [];
};
/** Every file a run's results are read from (metrics.json and tables/), relative path → bytes. */
function resultFiles(runDir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>([['metrics.json', readFileSync(join(runDir, 'metrics.json'))]]);
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else files.set(relative(runDir, join(d, e.name)), readFileSync(join(d, e.name)));
    }
  };
  walk(join(runDir, 'tables'));
  return files;
}

describe('ads run --jobs', () => {
  it('gives byte-identical metrics and tables with --jobs 2 as with --jobs 1, and counts every run', async () => {
    const file = spec('same');
    const one = await ads(['run', file, ...stores('one'), '--jobs', '1']);
    expect(one.code, one.stderr).toBe(0);
    const two = await ads(['run', file, ...stores('two'), '--jobs', '2']);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toMatch(/6 run\(s\): 6 done, 0 already complete, 0 running elsewhere, 0 failed/);
    // Two workers, each telling its runs' stages, interleaved: each line names its run.
    expect(two.stdout).toMatch(/[0-9a-f]{12} train: epoch 1\/8/);
    const sequential = runDirs('one', 'same');
    expect(sequential).toHaveLength(6);
    for (const runDir of sequential) {
      const id = runDir.split('/').pop()!;
      const parallel = join(dir, 'two', 'runs', 'same', id);
      const a = resultFiles(runDir);
      const b = resultFiles(parallel);
      expect([...b.keys()].sort(), id).toEqual([...a.keys()].sort());
      expect(a.size, id).toBeGreaterThan(3);
      for (const [path, bytes] of a) expect(b.get(path)!.equals(bytes), `${id}/${path}`).toBe(true);
      // Run in a worker: another process than the one that drew the progress.
      expect(manifestOf(parallel).status).toBe('done');
      // runtime.threads: auto — every core for a run alone, the cores shared by two runs at once; the bytes
      // above are the same whatever the number.
      expect(manifestOf(runDir).threads).toBe(availableParallelism());
      expect(manifestOf(parallel).threads).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
    }
    const pids = new Set(runDirs('two', 'same').map((d) => manifestOf(d).pid));
    expect(pids.size).toBe(2);
    // The experiment's TensorBoard summary, written by a worker with --jobs 2: the same hyperparameters and
    // metric columns as one at a time. Only its event times differ, fixed-width doubles, so the sizes are equal.
    const [summaryOne, summaryTwo] = ['one', 'two'].map((name) => {
      const root = join(dir, name, 'runs', 'same');
      const files = readdirSync(root).filter((f) => f.startsWith('events.out.tfevents.'));
      expect(files, name).toHaveLength(1);
      return readFileSync(join(root, files[0]));
    });
    expect(summaryTwo.length).toBe(summaryOne.length);
    for (const name of ['model.latent', 'percent replicating (anomaly)', 'validation loss']) expect(summaryTwo.includes(name), name).toBe(true);
    // Run again: every run is complete, so every one is skipped, in the workers as in one process.
    const again = await ads(['run', file, ...stores('two'), '--jobs', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/6 run\(s\): 0 done, 6 already complete, 0 running elsewhere, 0 failed/);
  }, 600_000);

  it('a sweep over model settings loads and preprocesses once: the run that starts beside the first waits for its shared work', async () => {
    // A screen whose shared work (~0.3 s) outlasts the few tens of ms between the two workers' first runs.
    const screen = 'dataset: { synthetic: { plates: 8, moas: 3, compounds_per_moa: 3, features: 600, factors: 4, controls_per_plate: 48 } }';
    const file = write('once.yaml', ['experiment: once', screen, 'training: { max_epochs: 4, batch_size: 16 }', 'explain: { enabled: false }', 'sweep: { grid: { model.latent: [4, 6, 8] }, seeds: [1] }', ''].join('\n'));
    const r = await ads(['run', file, ...stores('once'), '--jobs', '2']);
    expect(r.code, r.stderr).toBe(0);
    const manifests = runDirs('once', 'once').map(manifestOf);
    expect(manifests).toHaveLength(3);
    expect(new Set(manifests.map((m) => m.cache.key)).size).toBe(1);
    // Two workers started two runs at once; one computed the shared work, every other run restored it.
    expect(new Set(manifests.map((m) => m.pid)).size).toBe(2);
    // On failure, what each run did with the shared work and what the command said.
    expect(manifests.filter((m) => !m.cache.restored), JSON.stringify(manifests.map((m) => ({ pid: m.pid, cache: m.cache }))) + r.stdout + r.stderr).toHaveLength(1);
    // The one that waited (unless the machine delayed its start past the other's shared work) said so.
    if (manifests.some((m) => m.cache.waited_seconds > 0)) {
      expect(r.stdout).toMatch(/[0-9a-f]{12} load: waiting for process \d+, which loads and preprocesses the same data/);
    }
    expect(readdirSync(join(dir, 'once', 'runs', '.cache')).filter((f) => f.endsWith('.lock'))).toEqual([]);
  }, 300_000);

  it('a worker that dies fails its run (manifest, lock, count) and the other runs go on', async () => {
    const file = spec('crash', LONG);
    const child = spawn(process.execPath, [adsBin, 'run', file, ...stores('crash'), '--jobs', '2', '--set', 'training.max_epochs=30'], { cwd: root });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    // Kill the worker of the first run seen training.
    let victim: { dir: string; pid: number } | undefined;
    await vi.waitFor(
      () => {
        victim = runDirs('crash', 'crash')
          .filter((d) => existsSync(join(d, 'manifest.json')))
          .map((d) => ({ dir: d, m: manifestOf(d) }))
          .filter(({ m }) => m.status === 'running' && m.seconds.select !== undefined && m.pid !== child.pid)
          .map(({ dir: d, m }) => ({ dir: d, pid: m.pid as number }))[0];
        expect(victim).toBeDefined();
      },
      { timeout: 120_000, interval: 50 },
    );
    process.kill(victim!.pid, 'SIGKILL');
    expect(await exited, out).toBe(1);
    expect(out).toMatch(/3 run\(s\): 2 done, 0 already complete, 0 running elsewhere, 1 failed/);
    const m = manifestOf(victim!.dir);
    expect(m.status).toBe('failed');
    expect(m.error).toMatch(/^\w+: the worker process running it ended unexpectedly \(signal SIGKILL\)$/);
    expect(locks('crash', 'crash')).toEqual([]);
  }, 300_000);

  it('SIGINT marks every running run failed ("interrupted"), releases their locks and exits 130', async () => {
    const file = spec('sigint', LONG);
    const child = spawn(process.execPath, [adsBin, 'run', file, ...stores('sigint'), '--jobs', '2'], { cwd: root });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    // Both workers training.
    await vi.waitFor(() => expect(out.match(/[0-9a-f]{12} train: epoch 1\/100000/g)?.length ?? 0).toBe(2), { timeout: 180_000, interval: 100 });
    child.kill('SIGINT');
    expect(await exited, out).toBe(130);
    expect(out).toContain('ads run: interrupted by SIGINT');
    const started = runDirs('sigint', 'sigint');
    expect(started).toHaveLength(2);
    for (const d of started) expect(manifestOf(d)).toMatchObject({ status: 'failed', error: 'train: interrupted (SIGINT)' });
    expect(locks('sigint', 'sigint')).toEqual([]);
  }, 300_000);

  it('a parent killed outright (SIGKILL) leaves no run "running": each worker fails its own run and exits', async () => {
    const file = spec('orphan', LONG);
    const child = spawn(process.execPath, [adsBin, 'run', file, ...stores('orphan'), '--jobs', '2'], { cwd: root });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    const exited = new Promise((done) => child.on('exit', done));
    await vi.waitFor(() => expect(out.match(/[0-9a-f]{12} train: epoch 1\/100000/g)?.length ?? 0).toBe(2), { timeout: 180_000, interval: 100 });
    const workers = runDirs('orphan', 'orphan').map((d) => manifestOf(d).pid as number);
    child.kill('SIGKILL');
    await exited;
    const gone = (pid: number) => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    await vi.waitFor(() => expect(workers.every(gone)).toBe(true), { timeout: 30_000, interval: 100 });
    for (const d of runDirs('orphan', 'orphan')) {
      expect(manifestOf(d)).toMatchObject({ status: 'failed', error: 'train: interrupted (the ads process that started this worker ended)' });
    }
    expect(locks('orphan', 'orphan')).toEqual([]);
  }, 300_000);

  it('runs a search in batches of N: its trials are a function of the seed and N', async () => {
    const file = spec('search', [
      'training: { max_epochs: 4, batch_size: 16 }',
      'evaluation: { moa: { enabled: false }, map: { enabled: false } }',
      'explain: { enabled: false }',
      'sweep:',
      '  search:',
      '    trials: 4',
      '    startup: 2',
      '    params: { training.lr: { log_uniform: [1.0e-4, 1.0e-2] }, model.latent: { choices: [4, 8] } }',
      // Pruned, trial 1 would be judged against trial 0 one at a time but not in a batch with it.
      '    prune: { enabled: false }',
    ]);
    const searchOf = async (name: string, jobs: string) => {
      const r = await ads(['run', file, ...stores(name), '--jobs', jobs]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(readFileSync(join(dir, name, 'runs', 'search', 'search.json'), 'utf8')) as { trials: { params: unknown; objective: number }[] };
    };
    const one = await searchOf('search1', '1');
    const two = await searchOf('search2', '2');
    expect(two.trials).toHaveLength(4);
    // A trial stops after training, in a worker process as here: its last stage is 'train', then nothing.
    for (const name of ['search1', 'search2']) {
      for (const trial of runDirs(name, 'search/trials')) {
        const stages = Object.keys(manifestOf(trial).seconds);
        expect(stages, trial).toContain('train');
        expect(stages.filter((s) => ['represent', 'evaluate', 'classify', 'explain'].includes(s)), trial).toEqual([]);
      }
      expect(runDirs(name, 'search/trials')).toHaveLength(4);
    }
    // Batches [0, 1] and [2, 3]. Trials 0 and 1 are the startup's random draws, in the same order either way;
    // trial 2 is suggested from trials 0 and 1 in both searches (so it is the same); only trial 3 sees trial 2
    // when one runs at a time.
    expect(two.trials.slice(0, 3)).toEqual(one.trials.slice(0, 3));
    // The same N again: the same search, read back from the complete trials.
    expect(await searchOf('search2', '2')).toEqual(two);
  }, 600_000);

  it('a folder where the experiment summary goes is a path to change (exit 2, named), whether a worker or the ads process writes it', async () => {
    const file = spec('folder');
    for (const jobs of ['1', '2']) {
      const name = `folder${jobs}`;
      // A folder named as a TensorBoard event file, where the summary replaces the old event files.
      const inTheWay = join(dir, name, 'runs', 'folder', 'events.out.tfevents.1.host');
      mkdirSync(join(inTheWay, 'inside'), { recursive: true });
      const r = await ads(['run', file, ...stores(name), '--jobs', jobs]);
      expect(r.code, `--jobs ${jobs}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(`${inTheWay}: it is a folder, not a file (EISDIR)`);
      expect(r.stderr).not.toContain('internal error');
    }
  });

  it('refuses a --jobs that is not a positive whole number (exit 2)', async () => {
    for (const bad of ['0', 'two', '1.5']) {
      const r = await ads(['run', spec('bad'), ...stores('bad'), '--jobs', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toContain(`--jobs ${bad}: expected a positive whole number`);
    }
  });
});
