import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, hostname, tmpdir, totalmem } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlurmJob, slurmScripts } from '../src/slurm/scripts.ts';

const root = resolve(import.meta.dirname, '..');

const SPEC = `experiment: slurmtest
dataset: {synthetic: {plates: 4, moas: 4, compounds_per_moa: 3, features: 40, factors: 6}}
training: {max_epochs: 30}
sweep:
  grid: {model.latent: [4, 8]}
  seeds: [1, 2]
`;

/** The real command, as a user runs it: a separate process through bin/ads.js. */
function ads(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'ads.js'), ...args], { cwd, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the Slurm scripts', () => {
  const job: SlurmJob = {
    experiment: 'exp',
    specFile: '/data/specs/exp.yaml',
    runsDir: '/scratch/runs',
    reportsDir: '/scratch/reports',
    projectDir: '/home/me/project dir',
    node: '/opt/node/bin/node',
    adsBin: '/home/me/ads/bin/ads.js',
    sets: ['model.latent=8', "description=it's"],
    outDir: '/scratch/slurm/exp',
    shards: 7,
    time: '02:00:00',
    cpus: 4,
  };

  it('declares the array, its resources and logs, and runs shard $SLURM_ARRAY_TASK_ID/n without a report', () => {
    const { array } = slurmScripts(job);
    expect(array.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    for (const d of ['--job-name=ads-exp', '--array=1-7', '--output=/scratch/slurm/exp/logs/%A_%a.out', '--time=02:00:00', '--cpus-per-task=4']) {
      expect(array).toContain(`#SBATCH ${d}\n`);
    }
    expect(array).not.toMatch(/--partition|--gres|--mem/);
    expect(array).toContain(`cd '/home/me/project dir'\n`);
    expect(array).toContain(
      `exec /opt/node/bin/node /home/me/ads/bin/ads.js run /data/specs/exp.yaml --set model.latent=8 --set 'description=it'\\''s' ` +
        '--runs-dir /scratch/runs --reports-dir /scratch/reports --no-report --plain --jobs 4 --shard "${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}/7"',
    );
    // sbatch stops reading directives at the first command.
    const lines = array.split('\n');
    const firstCommand = lines.findIndex((l) => l !== '' && !l.startsWith('#'));
    expect(lines.map((l) => l.startsWith('#SBATCH')).lastIndexOf(true)).toBeLessThan(firstCommand);

    const withAll = slurmScripts({ ...job, partition: 'gpu', gpus: 2, mem: '16G' }).array;
    for (const d of ['--partition=gpu', '--gres=gpu:2', '--mem=16G']) expect(withAll).toContain(`#SBATCH ${d}\n`);
  });

  it('writes the report once every task has ended, failed or not', () => {
    const { report, submit } = slurmScripts({ ...job, partition: 'gpu', gpus: 2, mem: '16G' });
    expect(report).toContain('#SBATCH --output=/scratch/slurm/exp/logs/report_%j.out\n');
    expect(report).toContain('#SBATCH --partition=gpu\n');
    expect(report).not.toMatch(/--array|--gres|--mem/);
    expect(report).toContain(
      `exec /opt/node/bin/node /home/me/ads/bin/ads.js report /data/specs/exp.yaml --set model.latent=8 --set 'description=it'\\''s' --runs-dir /scratch/runs --reports-dir /scratch/reports\n`,
    );
    expect(submit).toContain('array_id=$(sbatch --parsable /scratch/slurm/exp/array.sbatch)\n');
    expect(submit).toContain('report_id=$(sbatch --parsable --dependency=afterany:"$array_id" /scratch/slurm/exp/report.sbatch)\n');
  });

  it('is written by ads slurm as valid bash, with absolute paths and one task per run by default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ads-slurm-scripts-'));
    try {
      writeFileSync(join(dir, 'spec.yaml'), SPEC);
      const r = ads(dir, process.env, 'slurm', 'spec.yaml', '--partition', 'debug', '--out', 'jobs');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('4 run(s) in 4 array task(s)');
      expect(r.stdout).toContain(`bash ${join(dir, 'jobs', 'submit.sh')}`);
      for (const name of ['array.sbatch', 'report.sbatch', 'submit.sh']) {
        const check = spawnSync('bash', ['-n', join(dir, 'jobs', name)], { encoding: 'utf8' });
        expect(check.stderr, name).toBe('');
      }
      expect(existsSync(join(dir, 'jobs', 'logs'))).toBe(true);
      const array = readFileSync(join(dir, 'jobs', 'array.sbatch'), 'utf8');
      expect(array).toContain('#SBATCH --array=1-4\n');
      expect(array).toContain(`${join(root, 'bin', 'ads.js')} run ${join(dir, 'spec.yaml')} --runs-dir ${join(dir, 'runs')} --reports-dir ${join(dir, 'reports')}`);
      expect(ads(dir, process.env, 'slurm', 'spec.yaml', '--shards', '5').stderr).toContain('more than the 4 planned run(s)');
      expect(ads(dir, process.env, 'slurm', 'spec.yaml', '--time', 'soon').code).toBe(2);
      // Zero is no limit at all to Slurm; minutes and seconds stop at 59.
      expect(ads(dir, process.env, 'slurm', 'spec.yaml', '--time', '00:00:00').stderr).toContain('a time limit of zero means none to Slurm');
      expect(ads(dir, process.env, 'slurm', 'spec.yaml', '--time', '99:99:99').stderr).toContain('minutes and seconds run from 0 to 59');
      expect(ads(dir, process.env, 'slurm', 'spec.yaml', '--time', '1-12:30:00').code).toBe(0);
      // A report folder that is the runs folder would replace the runs.
      const same = ads(dir, process.env, 'slurm', 'spec.yaml', '--runs-dir', 'out', '--reports-dir', 'out');
      expect(same.code).toBe(2);
      expect(same.stderr).toMatch(/which is the experiment's runs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const BINARIES = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol', 'sinfo', 'scancel'] as const;
type Binary = (typeof BINARIES)[number];

/** Daemons live in sbin, which a non-root PATH often lacks. */
function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d.startsWith('/')), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

const bins = Object.fromEntries(BINARIES.map((b) => [b, findBinary(b)])) as Record<Binary, string | undefined>;
const missing = BINARIES.filter((b) => !bins[b]);
const cannotRun =
  missing.length > 0
    ? `Slurm/munge binaries missing (${missing.join(', ')}): apt-get install slurm-wlm munge`
    : process.getuid?.() !== 0
      ? 'a one-node Slurm needs root (slurmd launches the jobs)'
      : null;
if (cannotRun) console.warn(`skipping the real Slurm test: ${cannotRun}`);

/**
 * Runs a daemon in the foreground under a bash watchdog that stops it when this test process is gone, so a
 * crashed or killed test run leaves no daemon behind; SIGTERM to the watchdog stops the daemon at once.
 */
const WATCHDOG = `parent=$1; shift
"$@" & child=$!
trap 'kill "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1; done
kill "$child" 2>/dev/null
wait "$child"`;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function until(what: () => boolean, seconds: number): Promise<boolean> {
  for (const end = Date.now() + seconds * 1000; Date.now() < end; await sleep(500)) if (what()) return true;
  return what();
}

describe.skipIf(cannotRun !== null)('a sweep on a real one-node Slurm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ads-slurm-'));
  const watchdogs: ChildProcess[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') };
  const jobIds: string[] = [];
  let unavailable: string | null = null;

  const slurm = (bin: Binary, ...args: string[]) => spawnSync(bins[bin]!, args, { env, encoding: 'utf8' });
  const daemon = (name: string, bin: Binary, ...args: string[]) => {
    const out = openSync(join(dir, `${name}.out`), 'w');
    watchdogs.push(spawn('bash', ['-c', WATCHDOG, 'watchdog', String(process.pid), bins[bin]!, ...args], { env, stdio: ['ignore', out, out] }));
  };
  const logs = (...names: string[]) =>
    names
      .map((n) => join(dir, n))
      .filter((p) => existsSync(p))
      .map((p) => `--- ${p}\n${readFileSync(p, 'utf8').split('\n').slice(-25).join('\n')}`)
      .join('\n');

  beforeAll(async () => {
    const munge = join(dir, 'munge');
    mkdirSync(munge, { mode: 0o700 });
    writeFileSync(join(munge, 'munge.key'), randomBytes(1024), { mode: 0o400 });
    const socket = join(munge, 'munge.socket');
    // --force: munged wants a socket directory everyone can traverse; this one is private on purpose.
    daemon('munged', 'munged', '--foreground', '--force', `--key-file=${join(munge, 'munge.key')}`, `--socket=${socket}`,
      `--pid-file=${join(munge, 'munged.pid')}`, `--log-file=${join(munge, 'munged.log')}`, `--seed-file=${join(munge, 'munged.seed')}`);
    if (!(await until(() => existsSync(socket), 15))) {
      unavailable = `munged did not start (its log follows)\n${logs('munged.out')}`;
      return;
    }

    const host = hostname().split('.')[0];
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    for (const d of ['state', 'spool']) mkdirSync(join(dir, d));
    const conf = slurmConf({ dir, host, ctldPort, slurmdPort, socket });
    writeFileSync(join(dir, 'slurm.conf'), conf);
    daemon('slurmctld', 'slurmctld', '-D', '-i');
    daemon('slurmd', 'slurmd', '-D', '-N', host);
    const exited = () => watchdogs.some((w) => w.exitCode !== null || w.signalCode !== null);
    const idle = await until(() => exited() || /^idle/.test(slurm('sinfo', '-h', '-N', '-o', '%T').stdout ?? ''), 60);
    if (!idle || exited()) {
      unavailable = `slurmctld/slurmd did not bring node ${host} up idle (their logs follow)\n${logs('slurmctld.out', 'slurmctld.log', 'slurmd.out', 'slurmd.log')}`;
    }
  });

  afterAll(async () => {
    // Jobs still queued or running (a failed wait) are cancelled while slurmctld is still there to do it.
    if (jobIds.length && bins.scancel) slurm('scancel', ...jobIds);
    for (const w of watchdogs) {
      if (w.exitCode === null && w.signalCode === null) {
        const exited = new Promise((ok) => w.once('exit', ok));
        w.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs every run once across the array and writes the report after it', async (ctx) => {
    if (unavailable) {
      console.warn(`skipping the real Slurm test: ${unavailable}`);
      ctx.skip(unavailable.split('\n')[0]);
    }
    writeFileSync(join(dir, 'spec.yaml'), SPEC);
    const generated = ads(dir, env, 'slurm', 'spec.yaml', '--shards', '2', '--time', '00:10:00', '--out', 'jobs', '--runs-dir', 'runs', '--reports-dir', 'reports', '--submit');
    expect(generated.stderr).toBe('');
    expect(generated.code).toBe(0);
    const arrayId = /array job (\d+)/.exec(generated.stdout)?.[1];
    const reportId = /report job (\d+)/.exec(generated.stdout)?.[1];
    expect(arrayId, generated.stdout).toBeDefined();
    expect(reportId, generated.stdout).toBeDefined();
    jobIds.push(arrayId!, reportId!);

    // squeue lists pending and running jobs only: empty output means both jobs have ended.
    const ended = await until(() => {
      const q = slurm('squeue', '-h', '-j', jobIds.join(','));
      return q.status === 0 && q.stdout.trim() === '';
    }, 300);
    const logDir = join(dir, 'jobs', 'logs');
    const jobLogs = () => (existsSync(logDir) ? readdirSync(logDir).sort().map((f) => `--- ${f}\n${readFileSync(join(logDir, f), 'utf8')}`).join('\n') : '(no logs)');
    expect(ended, `jobs still queued after 5 minutes:\n${slurm('squeue').stdout}\n${jobLogs()}`).toBe(true);

    const states = (id: string) => [...slurm('scontrol', '-o', 'show', 'job', id).stdout.matchAll(/JobState=(\w+)/g)].map((m) => m[1]);
    expect(states(arrayId!), jobLogs()).toEqual(['COMPLETED', 'COMPLETED']);
    expect(states(reportId!), jobLogs()).toEqual(['COMPLETED']);

    // Each task ran its own two runs: together four done, none found complete or locked by the other task.
    const taskLogs = ['1', '2'].map((t) => readFileSync(join(logDir, `${arrayId}_${t}.out`), 'utf8'));
    for (const log of taskLogs) expect(log).toContain('2 run(s): 2 done, 0 already complete, 0 running elsewhere, 0 failed.');

    const plan = JSON.parse(ads(dir, env, 'plan', 'spec.yaml', '--json').stdout) as { runs: { runId: string }[] };
    const store = join(dir, 'runs', 'slurmtest');
    const runDirs = readdirSync(store, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'tb');
    expect(runDirs.map((d) => d.name).sort()).toEqual(plan.runs.map((r) => r.runId).sort());
    for (const d of runDirs) {
      const manifest = JSON.parse(readFileSync(join(store, d.name, 'manifest.json'), 'utf8')) as { status: string; run_id: string };
      expect(manifest).toMatchObject({ status: 'done', run_id: d.name });
    }
    expect(existsSync(join(store, '.locks')) ? readdirSync(join(store, '.locks')) : []).toEqual([]);

    const report = readFileSync(join(dir, 'reports', 'slurmtest', 'report.md'), 'utf8');
    expect(report).toContain('4 complete run(s)');
    expect(readFileSync(join(logDir, `report_${reportId}.out`), 'utf8')).toContain(`Report: ${join(dir, 'reports', 'slurmtest', 'report.md')}`);
  }, 420_000);
});

/** The smallest slurm.conf a one-node cluster on 127.0.0.1 runs with, everything private to `dir`. */
function slurmConf(o: { dir: string; host: string; ctldPort: number; slurmdPort: number; socket: string }): string {
  // Below the machine's real size: a node configured larger than it is gets drained.
  const cpus = Math.min(2, availableParallelism());
  const memory = Math.floor(totalmem() / 2 ** 20 / 2);
  return [
    'ClusterName=adstest',
    `SlurmctldHost=${o.host}(127.0.0.1)`,
    `SlurmctldPort=${o.ctldPort}`,
    `SlurmdPort=${o.slurmdPort}`,
    // Bind to the node's address (127.0.0.1) instead of every interface.
    'CommunicationParameters=NoCtldInAddrAny,NoInAddrAny',
    'AuthType=auth/munge',
    'CredType=cred/munge',
    `AuthInfo=socket=${o.socket}`,
    'SlurmUser=root',
    'SlurmdUser=root',
    `StateSaveLocation=${join(o.dir, 'state')}`,
    `SlurmdSpoolDir=${join(o.dir, 'spool')}`,
    `SlurmctldPidFile=${join(o.dir, 'slurmctld.pid')}`,
    `SlurmdPidFile=${join(o.dir, 'slurmd.pid')}`,
    `SlurmctldLogFile=${join(o.dir, 'slurmctld.log')}`,
    `SlurmdLogFile=${join(o.dir, 'slurmd.log')}`,
    // No cgroups: containers and CI runners rarely delegate them.
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'SchedulerType=sched/backfill',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'ReturnToService=2',
    'MpiDefault=none',
    'JobCompType=jobcomp/none',
    'AccountingStorageType=accounting_storage/none',
    // No mail server on a test node.
    'MailProg=/bin/true',
    `NodeName=${o.host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${memory} State=UNKNOWN`,
    `PartitionName=debug Nodes=${o.host} Default=YES MaxTime=INFINITE State=UP`,
    '',
  ].join('\n');
}
