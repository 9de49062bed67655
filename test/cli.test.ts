import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { adsBin, ads as run, root } from './support/cli.ts';
import { scratchDir } from './support/files.ts';

const ads = (...args: string[]) => run(args);

describe('the ads command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ads-cli-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('documents every command and option', async () => {
    const main = await ads('--help');
    expect(main.code).toBe(0);
    for (const cmd of ['run', 'validate', 'plan', 'report']) {
      expect(main.stdout).toContain(cmd);
      const help = await ads(cmd, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: ads ${cmd}`);
      expect(help.stdout).toContain('--set');
    }
    expect((await ads('run', '--help')).stdout).toMatch(/--runs-dir DIR[\s\S]*--reports-dir DIR[\s\S]*--force/);
  });

  it('rejects a bad spec with a located message, exit code 2 and no stack trace', async () => {
    const cases: [string, string, RegExp][] = [
      ['type.yaml', 'experiment: x\nmodel:\n  latent: many\n', /type\.yaml:3:11: model\.latent: /],
      ['unknown.yaml', 'experiment: x\nmodel:\n  latnet: 8\n', /unknown\.yaml:3:3: model\.latnet: unknown setting; did you mean "latent"\?/],
      ['yaml.yaml', 'experiment: x\nmodel: [1, 2\n', /yaml\.yaml:\d+:\d+:/],
      ['empty.yaml', '', /empty\.yaml:1:1: empty spec/],
    ];
    for (const [name, text, pattern] of cases) {
      const r = await ads('validate', write(name, text));
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(pattern);
      expect(r.stderr, name).not.toMatch(/^\s+at /m);
    }
  });

  it('plans a grid × seeds sweep as the product of its sizes', async () => {
    const spec = write('grid.yaml', 'experiment: g\nsweep:\n  grid: { model.latent: [4, 8, 16], training.lr: [0.01, 0.001] }\n  seeds: [1, 2]\n');
    const r = await ads('plan', spec);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('12 runs planned for experiment g');
    const json = JSON.parse((await ads('plan', spec, '--json')).stdout);
    expect(json.count).toBe(12);
    expect(new Set(json.runs.map((x: { runId: string }) => x.runId)).size).toBe(12);
  });

  it('cache prune refuses a runs directory that does not exist, rather than report an empty cache', async () => {
    const missing = join(dir, 'no-such-runs');
    const r = await ads('cache', 'prune', '--runs-dir', missing);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${missing}: no such directory`);
    const file = write('runs-file', 'not a folder');
    expect((await ads('cache', 'prune', '--runs-dir', file)).stderr).toContain(`${file}: a file, not a directory`);
    expect(r.stdout).toBe('');
    const empty = join(dir, 'empty-runs');
    mkdirSync(empty);
    const ok = await ads('cache', 'prune', '--runs-dir', empty);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/removed 0 entries \(0\.0 MiB\), kept 0/);
  });

  it('refuses unknown commands and options with exit code 2', async () => {
    expect((await ads('frobnicate')).code).toBe(2);
    const r = await ads('plan', '--bogus');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ads plan: unknown option --bogus\n/);
    // A negative number is the option's value, which the command then judges (not "ambiguous" to the parser).
    const negative = await ads('run', write('neg.yaml', 'experiment: neg\n'), '--jobs', '-1');
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('ads run: --jobs -1: expected a positive whole number');
    // A one-value option given twice with two values: which was meant is the user's to say.
    const twice = await ads('run', write('twice.yaml', 'experiment: twice\n'), '--shard', '1/4', '--shard=3/4');
    expect([twice.code, twice.stderr.split('\n')[0]]).toEqual([2, "ads run: --shard is given twice ('1/4', then '3/4'); give it once"]);
    // The same value twice, and repeatable options, are fine: the command goes on to its own finding.
    expect((await ads('report', write('same.yaml', 'experiment: same\n'), '--reports-dir', 'r', '--reports-dir', 'r', '--set', 'seed=1', '--set', 'seed=2')).stderr).toContain("ads report: no run of experiment 'same'");
  });
});

describe('the ads command starts without what it does not need', () => {
  const HEAVY = /^(@tensorflow\/|nodejs-polars|vega)/;
  const tracer = join(root, 'test', 'support', 'trace_packages.cjs');
  /** The packages `ads args` loads, as Node's own module loader sees them (trace_packages.cjs). */
  const packagesLoadedBy = (args: string[]): string[] => {
    const file = join(mkdtempSync(join(tmpdir(), 'ads-trace-')), 'packages.txt');
    writeFileSync(file, '');
    execFileSync(process.execPath, ['--require', tracer, adsBin, ...args], { cwd: root, env: { ...process.env, ADS_TRACE_PACKAGES: file }, stdio: 'ignore' });
    return [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))];
  };

  it('tfjs (its core and layers only), polars and vega load for a run, and none of them for help, plan or validate', () => {
    const quickstart = join(root, 'experiments', 'quickstart.yaml');
    // The tracer sees them where a command does need them: a run trains (tfjs) and writes tables (polars).
    const runs = mkdtempSync(join(tmpdir(), 'ads-trace-runs-'));
    const run = packagesLoadedBy(['run', quickstart, '--runs-dir', runs, '--no-report', '--plain', '--jobs', '1', '--set', 'sweep.seeds=[1]', '--set', 'sweep.grid.model.latent=[8]', '--set', 'explain.enabled=false']);
    expect(run).toContain('@tensorflow/tfjs-core');
    expect(run).toContain('nodejs-polars');
    // Only the parts of tfjs a run calls: not the bundle of all of them, with its converter and WebGL backend.
    expect(run.filter((p) => /^@tensorflow\/tfjs(-converter|-backend-webgl|-data)?$/.test(p))).toEqual([]);
    const light = [['--help'], ['plan', quickstart], ['validate', quickstart], ...['run', 'validate', 'plan', 'report', 'explain', 'simulate', 'convert', 'cache', 'slurm'].map((c) => [c, '--help'])];
    for (const args of light) expect(packagesLoadedBy(args).filter((p) => HEAVY.test(p)), args.join(' ')).toEqual([]);
  });
});

/**
 * The run lifecycle as the user meets it: exit codes, signals, a full disk, paths that cannot work. Each
 * case runs the real `ads` on a tiny simulated screen (a few seconds per run).
 */
describe('ads run: nothing silently wrong', () => {
  const { dir, write } = scratchDir('ads-cli-life-');
  chmodSync(dir, 0o755); // readable by the unprivileged user of the permission case
  const TINY = [
    'dataset: { synthetic: { plates: 4, moas: 3, compounds_per_moa: 3, features: 24, factors: 4, controls_per_plate: 16 } }',
    'training: { max_epochs: 5, batch_size: 16 }',
    'evaluation: { moa: { enabled: false }, map: { enabled: false } }',
  ];
  const spec = (name: string, extra: string[] = []) => write(`${name}.yaml`, [`experiment: ${name}`, ...TINY, ...extra, ''].join('\n'));
  const stores = (name: string) => ['--runs-dir', join(dir, name, 'runs'), '--reports-dir', join(dir, name, 'reports')];
  const runDirs = (runsDir: string, experiment: string) =>
    readdirSync(join(runsDir, experiment), { withFileTypes: true })
      // tb/ holds the runs' TensorBoard logs.
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'tb')
      .map((d) => join(runsDir, experiment, d.name));
  const manifestOf = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8'));
  const locks = (runsDir: string, experiment: string) => {
    const d = join(runsDir, experiment, '.locks');
    return existsSync(d) ? readdirSync(d) : [];
  };
  /** Mounts a tmpfs of `size` at a fresh folder, or returns why it cannot (not root, no mount). */
  const smallDisk = (name: string, size: string): { path: string; unmount: () => void } | string => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'pipe' });
    } catch (err) {
      return `cannot mount a ${size} tmpfs here (needs root): ${(err as Error).message.split('\n')[0]}`;
    }
    return { path, unmount: () => execFileSync('umount', [path]) };
  };

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} to a running run marks it failed ("interrupted"), releases its lock and exits ${code}`, async () => {
      const long = spec(`sig${code}`, ['sweep: { seeds: [1, 2] }']);
      const runsDir = join(dir, `sig${code}`, 'runs');
      const child = spawn(process.execPath, [adsBin, 'run', long, ...stores(`sig${code}`), '--plain', '--jobs', '1', '--set', 'training.max_epochs=100000', '--set', 'training.early_stopping.enabled=false'], { cwd: root });
      let out = '';
      child.stdout.on('data', (b) => (out += b));
      child.stderr.on('data', (b) => (out += b));
      const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
      // Interrupt once the first run is training (its first epoch is logged).
      await vi.waitFor(() => expect(out).toMatch(/epoch 1\/100000/), { timeout: 120_000, interval: 100 });
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(out).toContain(`ads run: interrupted by ${signal}`);
      const [first] = runDirs(runsDir, `sig${code}`);
      expect(manifestOf(first)).toMatchObject({ status: 'failed', error: `train: interrupted (${signal})` });
      expect(locks(runsDir, `sig${code}`)).toEqual([]);
      // The second run never started (one run at a time; test/jobs.test.ts interrupts runs in worker processes).
      expect(runDirs(runsDir, `sig${code}`)).toHaveLength(1);
    }, 180_000);
  }

  it('a disk that fills during select fails the run (exit 1, "1 failed"), with a failed manifest and no lock', async (ctx) => {
    const disk = smallDisk('full-disk', '40k');
    if (typeof disk === 'string') return ctx.skip(disk);
    try {
      const r = await run(['run', spec('enospc'), '--runs-dir', disk.path, '--reports-dir', join(dir, 'enospc-reports'), '--plain']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/1 run\(s\): 0 done, 0 already complete, 0 running elsewhere, 1 failed/);
      expect(r.stderr).toMatch(/ads run: 1 of 1 run\(s\) failed/);
      const [runDir] = runDirs(disk.path, 'enospc');
      const m = manifestOf(runDir);
      expect(m.status).toBe('failed');
      expect(m.error).toMatch(/^select: no space left on the device \(ENOSPC/);
      expect(locks(disk.path, 'enospc')).toEqual([]);
    } finally {
      disk.unmount();
    }
  }, 120_000);

  it('unusable --runs-dir and --reports-dir are user errors naming the setting and the path, never "internal error"', async () => {
    const file = write('a-file', 'not a folder');
    const cases: [string[], number, RegExp][] = [
      [['--runs-dir', file], 2, /^--runs-dir: .*a-file cannot be a folder to write in: a file of that name exists, and it is not a folder \(EEXIST\)/],
      [['--runs-dir', join(file, 'runs')], 2, /^--runs-dir: .*a-file\/runs cannot be a folder to write in: a part of the path is a file, not a folder \(ENOTDIR\)/],
      [['--runs-dir', join(dir, 'ok-runs'), '--reports-dir', file], 2, /^--reports-dir: .*a-file cannot be a folder to write in/],
    ];
    // A file system that holds no new folders (Node's own recursive mkdir retries forever on /proc).
    if (existsSync('/proc/self')) cases.push([['--runs-dir', '/proc/ads-runs'], 2, /^--runs-dir: \/proc\/ads-runs cannot be a folder to write in: this file system does not allow a folder there/]);
    for (const [args, code, message] of cases) {
      const r = await run(['run', spec('paths'), ...args]);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error/);
    }
    const report = await run(['report', spec('paths'), '--runs-dir', join(dir, 'ok-runs'), '--reports-dir', file]);
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/^--reports-dir: /);
  });

  it('a --runs-dir the user may not write in is a user error (exit 1), whoever runs the tests', async () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o755 });
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) chmodSync(locked, 0o555);
    // Root may write anywhere: the command then runs as the unprivileged user `nobody`.
    const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [adsBin, 'run', spec('denied'), '--runs-dir', join(locked, 'runs')], { cwd: root, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
      let stderr = '';
      child.stderr.on('data', (b) => (stderr += b));
      child.on('exit', (code) => done({ code, stderr }));
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^--runs-dir: .*locked\/runs cannot be a folder to write in: permission denied \(EACCES\)/);
  }, 60_000);

  it('a report never replaces runs or files of the user: same --runs-dir and --reports-dir, a foreign folder, a mistyped --runs-dir', async () => {
    const name = 'placed';
    const runsDir = join(dir, name, 'runs');
    const first = await run(['run', spec(name), ...stores(name), '--plain']);
    expect(first.code, first.stderr).toBe(0);
    const [runDir] = runDirs(runsDir, name);
    const report = join(dir, name, 'reports', name, 'report.md');
    const written = readFileSync(report, 'utf8');
    for (const command of ['run', 'report']) {
      const same = await run([command, spec(name), '--runs-dir', runsDir, '--reports-dir', runsDir]);
      expect(same.code, same.stderr).toBe(2);
      expect(same.stderr).toMatch(new RegExp(`^--reports-dir .*runs: the report would go to .*runs/${name}, which is the experiment's runs`));
    }
    const nested = await run(['report', spec(name), '--runs-dir', runsDir, '--reports-dir', join(runsDir, name)]);
    expect(nested.code, nested.stderr).toBe(2);
    expect(nested.stderr).toMatch(/which lies inside the experiment's runs/);
    expect(manifestOf(runDir).status).toBe('done');
    // A reports folder holding what no report writes is left alone.
    const foreign = join(dir, name, 'mine');
    mkdirSync(join(foreign, name), { recursive: true });
    writeFileSync(join(foreign, name, 'data.csv'), 'a,b\n');
    const refused = await run(['report', spec(name), '--runs-dir', runsDir, '--reports-dir', foreign]);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/mine\/placed holds 'data\.csv', no report\.md: not a report folder as ads writes it/);
    expect(readFileSync(join(foreign, name, 'data.csv'), 'utf8')).toBe('a,b\n');
    // A file of the experiment's name, and a folder of one's own figures, are not report folders either.
    const own = join(dir, name, 'own');
    mkdirSync(join(own, name, 'figures'), { recursive: true });
    writeFileSync(join(own, name, 'figures', 'fig1.svg'), '<svg/>');
    writeFileSync(join(dir, name, name), 'my notes');
    for (const [reportsDir, message] of [
      [own, /own\/placed holds no report\.md: not a report folder/],
      [join(dir, name), /placed\/placed is a file, not a report folder/],
    ] as const) {
      const r = await run(['report', spec(name), '--runs-dir', runsDir, '--reports-dir', reportsDir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(readFileSync(join(own, name, 'figures', 'fig1.svg'), 'utf8')).toBe('<svg/>');
    expect(readFileSync(join(dir, name, name), 'utf8')).toBe('my notes');
    // A symbolic link to the runs folder is the runs folder, refused before any run.
    symlinkSync(runsDir, join(dir, name, 'runs-link'));
    const linked = await run(['run', spec(name), '--runs-dir', runsDir, '--reports-dir', join(dir, name, 'runs-link'), '--force']);
    expect(linked.code, linked.stderr).toBe(2);
    expect(linked.stderr).toMatch(/which is the experiment's runs/);
    expect(readFileSync(report, 'utf8')).toBe(written);
    // A file browser's .DS_Store in a report folder is no obstacle.
    writeFileSync(join(dir, name, 'reports', name, '.DS_Store'), '');
    expect((await run(['report', spec(name), ...stores(name)])).code).toBe(0);
    const rewritten = readFileSync(report, 'utf8');
    // A --runs-dir without the experiment's runs is an error, not an empty report over the good one.
    const typo = await run(['report', spec(name), '--runs-dir', join(dir, name, 'runz'), '--reports-dir', join(dir, name, 'reports')]);
    expect(typo.code, typo.stderr).toBe(2);
    expect(typo.stderr).toMatch(/no run of experiment 'placed' in .*runz/);
    expect(readFileSync(report, 'utf8')).toBe(rewritten);
  }, 120_000);

  it('a diverged training is a failed run, not a done one; the report averages nothing of it', async () => {
    const name = 'diverged';
    const r = await run(['run', spec(name), ...stores(name), '--set', 'training.lr=1e300']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/0 done, .* 1 failed/);
    const [runDir] = runDirs(join(dir, name, 'runs'), name);
    expect(manifestOf(runDir)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^train: /) });
    const md = readFileSync(join(dir, name, 'reports', name, 'report.md'), 'utf8');
    expect(md).toContain('No complete run yet.');
    expect(md).toMatch(/\| [0-9a-f]{12} \| failed \| train: /);
  }, 120_000);

  it('a 1e308 cell with drop_outliers (and drop_na_columns) off fails the run, naming the stage, the feature and the count', async () => {
    const name = 'huge';
    const csv = join(dir, 'huge.csv');
    const sim = await run(['simulate', spec(`${name}-sim`), '--out', csv]);
    expect(sim.code, sim.stderr).toBe(0);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const column = header.findIndex((c) => c.startsWith('Nuclei_'));
    const cells = lines[5].split(',');
    cells[column] = '1e308';
    lines[5] = cells.join(',');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const file = write(
      `${name}.yaml`,
      [
        `experiment: ${name}`,
        'dataset:',
        '  source: file',
        '  path: huge.csv',
        '  columns: { plate: Metadata_Plate, well: Metadata_Well, perturbation: Metadata_pert, moa: Metadata_moa }',
        '  control: { column: Metadata_role, values: [control] }',
        ...TINY.slice(1),
        'feature_select: { operations: [frequency_threshold, correlation_threshold] }',
        '',
      ].join('\n'),
    );
    const r = await run(['run', file, ...stores(name)]);
    expect(r.code, r.stderr).toBe(1);
    const [runDir] = runDirs(join(dir, name, 'runs'), name);
    const m = manifestOf(runDir);
    expect(m.status).toBe('failed');
    expect(m.error).toContain(header[column]);
    // Normalized per plate, the huge value spoils its feature on its whole plate: 100 wells on 4 plates, 25
    // wells. (Were such a value refused on reading instead, the load stage would name it.)
    if (!m.error.startsWith('load: ')) {
      expect(m.error).toMatch(/^select: 25 of the 2400 values of the normalized profiles \(100 wells × 24 features\) are not finite \(NaN or ±Infinity\), in 1 feature\(s\) \(Nuclei_\w+: 25 of 100 wells\)/);
    }
  }, 120_000);

  it('two runs of one experiment with different --set values are two points; a done run with an empty metrics.json is re-run', async () => {
    const name = 'twosets';
    const file = spec(name);
    const runsDir = join(dir, name, 'runs');
    for (const lr of ['0.001', '0.005']) {
      const r = await run(['run', file, ...stores(name), '--set', `training.lr=${lr}`]);
      expect(r.code, r.stderr).toBe(0);
    }
    // The second run's report is for its own settings: the first run is listed apart, not averaged in.
    const reportMd = join(dir, name, 'reports', name, 'report.md');
    const latest = readFileSync(reportMd, 'utf8');
    expect(latest).toContain('1 complete run(s) in 1 sweep point(s)');
    expect(latest).toMatch(/\| [0-9a-f]{12} \| 42 \| training\.lr: 0\.001 \(spec: 0\.005\) \|/);
    // By experiment name, every complete run at its own point.
    const byName = await run(['report', name, ...stores(name)]);
    expect(byName.code, byName.stderr).toBe(0);
    const md = readFileSync(reportMd, 'utf8');
    expect(md).toContain('2 complete run(s) in 2 sweep point(s)');
    expect(md).toMatch(/\| training\.lr=0\.001 \| 42 \| [0-9a-f]{12} \|/);
    expect(md).toMatch(/\| training\.lr=0\.005 \| 42 \| [0-9a-f]{12} \|/);

    const runDir = runDirs(runsDir, name).find((d) => readFileSync(join(d, 'spec.yaml'), 'utf8').includes('lr: 0.005'))!;
    writeFileSync(join(runDir, 'metrics.json'), '');
    const again = await run(['run', file, ...stores(name), '--set', 'training.lr=0.005']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/warning: run [0-9a-f]{12} .* is marked done, but metrics\.json is empty: not a result; running it again/);
    expect(again.stdout).toMatch(/1 run\(s\): 1 done, 0 already complete/);
    expect(JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8')).percent_replicating.anomaly.percent).toEqual(expect.any(Number));
  }, 180_000);

  it('ads report out of disk space exits 1 naming the folder, and leaves the previous report whole', async (ctx) => {
    const name = 'twosets';
    // The report (with each figure's data as CSV and metrics.csv) takes about 480k: one fits, a second copy beside it does not.
    const disk = smallDisk('report-disk', '700k');
    if (typeof disk === 'string') return ctx.skip(disk);
    try {
      const args = ['report', name, '--runs-dir', join(dir, name, 'runs'), '--reports-dir', disk.path];
      const first = await run(args);
      expect(first.code, first.stderr).toBe(0);
      const reportDir = join(disk.path, name);
      const read = () => Object.fromEntries(['report.md', 'report.html'].map((f) => [f, readFileSync(join(reportDir, f), 'utf8')]));
      const before = read();
      const figures = readdirSync(join(reportDir, 'figures')).sort();
      // The report takes more than half the disk: a second copy beside it cannot be written.
      const second = await run(args);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/^ads report: writing the report in .*report-disk: .*no space left on the device \(ENOSPC/);
      expect(read()).toEqual(before);
      expect(readdirSync(join(reportDir, 'figures')).sort()).toEqual(figures);
      expect(readdirSync(disk.path)).toEqual([name]);
    } finally {
      disk.unmount();
    }
  }, 120_000);
});
