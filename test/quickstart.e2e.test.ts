import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import pl from 'nodejs-polars';

import { ads as runAds, adsBin as ads, type CliResult, root } from './support/cli.ts';

function manifests(expDir: string): Record<string, { status: string; backend: string | null; seed: number }> {
  const out: Record<string, { status: string; backend: string | null; seed: number }> = {};
  for (const d of readdirSync(expDir, { withFileTypes: true })) {
    if (d.isDirectory() && existsSync(join(expDir, d.name, 'manifest.json'))) {
      out[d.name] = JSON.parse(readFileSync(join(expDir, d.name, 'manifest.json'), 'utf8'));
    }
  }
  return out;
}

/** A small sweep on the simulated screen: quick enough to run several times in a test. */
function smallSpec(dir: string): string {
  const path = join(dir, 'small.yaml');
  writeFileSync(
    path,
    [
      'experiment: small',
      'dataset: { source: synthetic, synthetic: { plates: 4, moas: 4, compounds_per_moa: 3, features: 40, factors: 6 } }',
      'training: { max_epochs: 40 }',
      'evaluation: { split_by: Metadata_moa_kind }',
      'sweep:',
      '  grid: { model.latent: [4, 8] }',
      '  seeds: [1, 2]',
      '',
    ].join('\n'),
  );
  return path;
}

describe('quickstart end to end (built-in simulated screen)', () => {
  const work = mkdtempSync(join(tmpdir(), 'ads-quickstart-'));
  const runsDir = join(work, 'runs');
  const reportsDir = join(work, 'reports');
  let result: CliResult;
  // The quickstart as shipped, but for SHAP's coalition budget (512 → 256): SHAP is most of its time, and its
  // numbers are checked against shap itself elsewhere; here every stage only has to run and write its outputs.
  const quickstart = ['experiments/quickstart.yaml', '--set', 'explain.nsamples=256', '--runs-dir', runsDir, '--reports-dir', reportsDir];

  beforeAll(async () => {
    result = await runAds(['run', ...quickstart]);
  }, 600_000);

  it('runs every planned run to a complete manifest, recording the backend', async () => {
    expect(result.code, result.stderr).toBe(0);
    const m = manifests(join(runsDir, 'quickstart'));
    expect(Object.keys(m)).toHaveLength(6);
    for (const man of Object.values(m)) {
      expect(man.status).toBe('done');
      expect(['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']).toContain(man.backend);
    }
    expect(new Set(Object.values(m).map((x) => x.seed))).toEqual(new Set([1, 2, 3]));
  });

  it('writes the contracted tables, metrics and TensorBoard files', async () => {
    const exp = join(runsDir, 'quickstart');
    const runId = Object.keys(manifests(exp))[0];
    const dir = join(exp, runId);
    for (const f of ['spec.yaml', 'metrics.json', 'tables/normalized.parquet', 'tables/features.json', 'model/model.json']) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
    for (const rep of ['anomaly', 'cellprofiler']) {
      const pr = metrics.percent_replicating[rep];
      expect(pr.percent).toBeGreaterThanOrEqual(0);
      expect(pr.percent).toBeLessThanOrEqual(100);
      expect(Number.isFinite(pr.threshold)).toBe(true);
      expect(pr.n).toBe(48);
      const reps = pl.readParquet(join(dir, 'tables', 'representations', `${rep}.parquet`));
      const normalized = pl.readParquet(join(dir, 'tables', 'normalized.parquet'));
      const testWells = normalized.filter(pl.col('Metadata_set').isIn(['test_ctrl', 'test_treat'])).height;
      expect(reps.height).toBe(testWells);
      expect(reps.columns).toContain('Metadata_pert');
      const rc = pl.readParquet(join(dir, 'tables', 'replicate_correlation', `${rep}.parquet`));
      expect(rc.columns).toEqual(expect.arrayContaining(['Metadata_pert', 'replicate_correlation', 'n_replicates', 'replicating']));
      expect(rc.height).toBe(48);
      // percent in metrics.json is the share of `replicating` rows of the saved table.
      const share = (100 * (rc.getColumn('replicating').toArray() as boolean[]).filter(Boolean).length) / rc.height;
      expect(pr.percent).toBeCloseTo(share, 10);
    }
    const tb = readdirSync(join(exp, 'tb', readdirSync(join(exp, 'tb')).find((name) => name.endsWith(`,run=${basename(dir)}`))!, 'train'));
    expect(tb.some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
    expect(readdirSync(exp).some((f) => f.startsWith('events.out.tfevents.'))).toBe(true); // HParams experiment
  });

  it('shows anomaly ahead on dependency-changing MoAs and CellProfiler ahead on mean-shifting ones', async () => {
    const m = manifests(join(runsDir, 'quickstart'));
    const values = (rep: string, kind: string) =>
      Object.keys(m).map((id) => JSON.parse(readFileSync(join(runsDir, 'quickstart', id, 'metrics.json'), 'utf8')).percent_replicating[rep].split[kind].percent as number);
    const avg = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    expect(avg(values('anomaly', 'dependency'))).toBeGreaterThan(avg(values('cellprofiler', 'dependency')) + 20);
    expect(avg(values('cellprofiler', 'mean_shift'))).toBeGreaterThan(avg(values('anomaly', 'mean_shift')));
  });

  it('writes a report with percent replicating per representation, per sweep point and per MoA kind', async () => {
    const md = readFileSync(join(reportsDir, 'quickstart', 'report.md'), 'utf8');
    expect(md).toContain('| sweep point | anomaly (%) | cellprofiler (%) | Δ anomaly − cellprofiler |');
    expect(md).toMatch(/\| model\.latent=8 \| \d+\.\d ± \d+\.\d \(n=3\) \|/);
    expect(md).toMatch(/\| model\.latent=16 \| \d+\.\d ± \d+\.\d \(n=3\) \|/);
    expect(md).toContain('### Metadata_moa_kind = dependency');
    expect(md).toContain('### Metadata_moa_kind = mean_shift');
  });

  it('skips complete runs when run again', async () => {
    const again = await runAds(['run', ...quickstart]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('6 run(s): 0 done, 6 already complete');
  });
});

describe('reproducibility and crash safety', () => {
  const work = mkdtempSync(join(tmpdir(), 'ads-repro-'));
  const spec = smallSpec(work);

  it('the same spec run into two run stores gives byte-identical metrics and representation tables', async () => {
    const a = await runAds(['run', spec, '--runs-dir', join(work, 'a'), '--reports-dir', join(work, 'ra')]);
    const b = await runAds(['run', spec, '--runs-dir', join(work, 'b'), '--reports-dir', join(work, 'rb')]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ids = Object.keys(manifests(join(work, 'a', 'small'))).sort();
    expect(ids).toHaveLength(4);
    expect(Object.keys(manifests(join(work, 'b', 'small'))).sort()).toEqual(ids);
    for (const id of ids) {
      for (const f of ['metrics.json', 'tables/representations/anomaly.parquet', 'tables/representations/cellprofiler.parquet']) {
        const x = readFileSync(join(work, 'a', 'small', id, f));
        const y = readFileSync(join(work, 'b', 'small', id, f));
        expect(x.equals(y), `${id}/${f}`).toBe(true);
      }
    }
  }, 300_000);

  it('a sweep killed with SIGKILL leaves no false result and completes when run again, skipping what was done', async () => {
    const runsDir = join(work, 'killed');
    // One run at a time, so that exactly one is under way when the process dies (with --jobs N, each worker
    // marks its own run failed once its parent is gone: test/jobs.test.ts).
    const child = spawn(process.execPath, [ads, 'run', spec, '--runs-dir', runsDir, '--reports-dir', join(work, 'rk'), '--plain', '--jobs', '1'], {
      cwd: root,
      stdio: 'ignore',
    });
    const exp = join(runsDir, 'small');
    // Kill once one run is done and the next is under way.
    await new Promise<void>((res, rej) => {
      const timer = setInterval(() => {
        if (!existsSync(exp)) return;
        const st = Object.values(manifests(exp)).map((m) => m.status);
        if (st.includes('done') && st.includes('running')) {
          clearInterval(timer);
          child.kill('SIGKILL');
          res();
        }
      }, 20);
      child.on('exit', () => {
        clearInterval(timer);
        rej(new Error('the sweep finished before it could be killed'));
      });
    });
    await new Promise((r) => child.on('exit', r));
    const before = manifests(exp);
    const done = Object.keys(before).filter((id) => before[id].status === 'done');
    const interrupted = Object.keys(before).filter((id) => before[id].status === 'running');
    expect(done.length).toBeGreaterThan(0);
    expect(interrupted).toHaveLength(1);
    // The report of the killed store counts only complete runs and names the interrupted one.
    const rep = await runAds(['report', spec, '--runs-dir', runsDir, '--reports-dir', join(work, 'rk')]);
    expect(rep.code).toBe(0);
    const md = readFileSync(join(work, 'rk', 'small', 'report.md'), 'utf8');
    expect(md).toContain(`| ${interrupted[0]} | running |`);
    expect(md).toContain(`${done.length} complete run(s)`);

    const resumed = await runAds(['run', spec, '--runs-dir', runsDir, '--reports-dir', join(work, 'rk')]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`4 run(s): ${4 - done.length} done, ${done.length} already complete`);
    const after = manifests(exp);
    expect(Object.values(after).every((m) => m.status === 'done')).toBe(true);
    // What was killed and redone equals a clean run of the same point.
    const clean = JSON.parse(readFileSync(join(work, 'a', 'small', interrupted[0], 'metrics.json'), 'utf8'));
    expect(JSON.parse(readFileSync(join(exp, interrupted[0], 'metrics.json'), 'utf8'))).toEqual(clean);
  }, 300_000);
});
