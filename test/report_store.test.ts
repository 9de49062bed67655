import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it, vi } from 'vitest';
import { groupByPoint, summarizeMetric } from '../src/report/aggregate.ts';
import { collectRuns, type CompletedRun, resultSettings } from '../src/report/collect.ts';
import { buildReport } from '../src/report/document.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { writeReportFor } from '../src/report/write.ts';
import type { Manifest } from '../src/run/manifest.ts';
import { ExperimentStore, RunDir } from '../src/run/store.ts';
import { scratchDir } from './support/files.ts';

/** Writes to report.md fail while this is set: a report killed (or out of disk) in the middle of writing. */
const failing = vi.hoisted(() => ({ reportMd: false }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const writeFileSync: typeof real.writeFileSync = (path, ...rest) => {
    if (failing.reportMd && String(path).endsWith('report.md')) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return real.writeFileSync(path, ...rest);
  };
  return { ...real, default: { ...real, writeFileSync }, writeFileSync };
});

const { dir: scratch } = scratchDir('ads-report-store-');
const REPS = ['anomaly', 'cellprofiler'];

/** A resolved run spec: the same base settings for every run, with some changed. */
function spec(seed: number, changes: { lr?: number; latent?: number } = {}): Record<string, unknown> {
  return {
    experiment: 'exp',
    description: '',
    seed,
    representations: REPS,
    model: { latent: changes.latent ?? 16, encoder: 'deep' },
    training: { lr: changes.lr ?? 0.005, max_epochs: 500 },
    evaluation: { split_by: null, percent_replicating: { percentile: 90 } },
  };
}

/** A complete run in a store, as the runner leaves one: spec.yaml, metrics.json, a done manifest listing its outputs. */
function storeRun(expDir: string, runId: string, s: Record<string, unknown>, point: Record<string, unknown>, percent: [number, number]): void {
  const dir = join(expDir, runId);
  fs.mkdirSync(join(dir, 'tables'), { recursive: true });
  fs.writeFileSync(join(dir, 'spec.yaml'), stringify(s));
  const [a, c] = percent;
  fs.writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ percent_replicating: { anomaly: { percent: a, threshold: 0.3 }, cellprofiler: { percent: c, threshold: 0.4 } } }));
  const manifest: Manifest = {
    status: 'done', run_id: runId, experiment: 'exp', seed: s.seed as number, point, started_at: '', ended_at: '', seconds: {}, backend: null, threads: 1,
    versions: {}, data_fingerprint: null, data: null, host: 'h', pid: 1, error: null, outputs: new RunDir(dir).listOutputs(),
  };
  new RunDir(dir).writeManifest(manifest);
}

const completed = (runId: string, s: Record<string, unknown>, a: number): CompletedRun => ({
  runId, dir: new RunDir('/nonexistent'), seed: s.seed as number, point: {}, settings: resultSettings(s),
  metrics: { percent_replicating: { anomaly: { percent: a }, cellprofiler: { percent: 10 } } },
});

describe('report points are full settings, not experiment names', () => {
  it('two runs of one experiment with different --set values are two points, named by the setting that differs', () => {
    // Same seed, same (empty) sweep point: the old report called them seeds of one point and averaged 50 and 30.
    const runs = [completed('r1', spec(42, { lr: 0.001 }), 50), completed('r2', spec(42, { lr: 0.005 }), 30)];
    const points = groupByPoint(runs);
    expect(points.map((p) => p.label)).toEqual(['training.lr=0.001', 'training.lr=0.005']);
    expect(points.map((p) => summarizeMetric(p.runs, 'percent_replicating.anomaly.percent'))).toEqual([
      { mean: 50, sd: NaN, n: 1 },
      { mean: 30, sd: NaN, n: 1 },
    ]);
    const md = renderMarkdown(buildReport({ experiment: 'exp', description: '', representations: REPS, splitBy: null, nullPercentile: 90, collected: { complete: runs, unfinished: [] } }));
    expect(md).toContain('2 complete run(s) in 2 sweep point(s)');
    expect(md).toContain('| training.lr=0.001 | 42 | r1 |');
    expect(md).not.toContain('(single point)');
  });

  it('runs that differ only in the seed are averaged; a swept setting names its point first', () => {
    const runs = [
      { ...completed('a1', spec(1, { latent: 8 }), 40), point: { 'model.latent': 8 } },
      { ...completed('a2', spec(2, { latent: 8 }), 60), point: { 'model.latent': 8 } },
      { ...completed('b1', spec(1, { latent: 8, lr: 0.01 }), 70), point: { 'model.latent': 8 } },
      { ...completed('c1', spec(1, { latent: 4 }), 20), point: { 'model.latent': 4 } },
    ];
    const points = groupByPoint(runs);
    expect(points.map((p) => p.label)).toEqual(['model.latent=4, training.lr=0.005', 'model.latent=8, training.lr=0.005', 'model.latent=8, training.lr=0.01']);
    expect(points.map((p) => p.runs.map((r) => r.runId))).toEqual([['c1'], ['a1', 'a2'], ['b1']]);
    expect(summarizeMetric(points[1].runs, 'percent_replicating.anomaly.percent')).toEqual({ mean: 50, sd: Math.sqrt(200), n: 2 });
  });

  it("with a spec, complete runs of other settings are listed apart with what differs, never averaged", () => {
    const expDir = join(scratch, 'runs', 'exp');
    storeRun(expDir, 'aaaaaaaaaaa1', spec(1), {}, [50, 40]);
    storeRun(expDir, 'aaaaaaaaaaa2', spec(2), {}, [60, 42]);
    storeRun(expDir, 'bbbbbbbbbbbb', spec(1, { lr: 0.001 }), {}, [1000, 1000]);
    const collected = collectRuns(new ExperimentStore(join(expDir, '..'), 'exp'), [resultSettings(spec(1)), resultSettings(spec(2))]);
    expect(collected.complete.map((r) => r.runId)).toEqual(['aaaaaaaaaaa1', 'aaaaaaaaaaa2']);
    expect(collected.outdated).toEqual([{ run: expect.objectContaining({ runId: 'bbbbbbbbbbbb' }), differences: ['training.lr: 0.001 (spec: 0.005)'] }]);
    const md = renderMarkdown(buildReport({ experiment: 'exp', description: '', representations: REPS, splitBy: null, nullPercentile: 90, collected }));
    expect(md).toContain('| (single point) | 55.0 ± 7.1 (n=2) | 41.0 ± 1.4 (n=2) |');
    expect(md).toContain('## Runs of other settings');
    expect(md).toContain('| bbbbbbbbbbbb | 1 | training.lr: 0.001 (spec: 0.005) |');
    // Without a spec (ads report <experiment>) every run is a result, at its own point.
    expect(groupByPoint(collectRuns(new ExperimentStore(join(expDir, '..'), 'exp')).complete).map((p) => [p.label, p.runs.length])).toEqual([
      ['training.lr=0.001', 1],
      ['training.lr=0.005', 2],
    ]);
  });

  it('a done run with an empty metrics.json is not a result: listed as incomplete, never read', () => {
    const expDir = join(scratch, 'runs-empty', 'exp');
    storeRun(expDir, 'cccccccccccc', spec(1), {}, [50, 40]);
    storeRun(expDir, 'dddddddddddd', spec(2), {}, [60, 42]);
    fs.writeFileSync(join(expDir, 'dddddddddddd', 'metrics.json'), '');
    const collected = collectRuns(new ExperimentStore(join(expDir, '..'), 'exp'));
    expect(collected.complete.map((r) => r.runId)).toEqual(['cccccccccccc']);
    expect(collected.unfinished).toEqual([{ runId: 'dddddddddddd', status: 'incomplete', error: 'marked done, but metrics.json is empty' }]);
  });

  it('a run left `running` by a process that is gone is named as killed', () => {
    const expDir = join(scratch, 'runs-killed', 'exp');
    storeRun(expDir, 'ffffffffffff', spec(1), {}, [50, 40]);
    const manifestPath = join(expDir, 'ffffffffffff', 'manifest.json');
    const dead = 2 ** 22 + 12345; // above Linux's default pid_max: no live process has it
    const m = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    fs.writeFileSync(manifestPath, JSON.stringify({ ...m, status: 'running', host: hostname(), pid: dead, outputs: null }));
    expect(collectRuns(new ExperimentStore(join(expDir, '..'), 'exp')).unfinished).toEqual([
      { runId: 'ffffffffffff', status: 'running', error: `process ${dead} on ${hostname()} is gone (killed?); the next ads run re-does it` },
    ]);
  });
});

describe('writing a report', () => {
  const settings = { experiment: 'exp', description: '', representations: REPS, splitBy: null, nullPercentile: 90 };
  const runsDir = join(scratch, 'write-runs');
  const reportsDir = join(scratch, 'reports');
  const reportDir = join(reportsDir, 'exp');
  const snapshot = () =>
    Object.fromEntries(
      (fs.readdirSync(reportDir, { recursive: true }) as string[])
        .filter((f) => fs.statSync(join(reportDir, f)).isFile())
        .sort()
        .map((f) => [f, fs.readFileSync(join(reportDir, f), 'utf8')]),
    );

  it('is atomic: a failure midway leaves the previous report whole, and no temporary folder', async () => {
    storeRun(join(runsDir, 'exp'), 'eeeeeeeeeee1', spec(1), {}, [50, 40]);
    await writeReportFor(settings, runsDir, reportsDir);
    const before = snapshot();
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['report.md', 'report.html', 'figures/percent_replicating.svg']));
    expect(before['report.md']).toContain('1 complete run(s) in 1 sweep point(s)');

    storeRun(join(runsDir, 'exp'), 'eeeeeeeeeee2', spec(2), {}, [60, 42]);
    failing.reportMd = true;
    try {
      await expect(writeReportFor(settings, runsDir, reportsDir)).rejects.toThrow(/ENOSPC/);
    } finally {
      failing.reportMd = false;
    }
    expect(snapshot()).toEqual(before);
    expect(fs.readdirSync(reportsDir)).toEqual(['exp']);

    await writeReportFor(settings, runsDir, reportsDir);
    expect(snapshot()['report.md']).toContain('2 complete run(s) in 1 sweep point(s)');
    expect(fs.readdirSync(reportsDir)).toEqual(['exp']);
  });

  it('puts back a previous report that a killed writer had moved aside, and clears its half-written folder', async () => {
    const before = snapshot();
    const dead = 2 ** 22 + 12345; // above Linux's default pid_max: no live process has it
    fs.renameSync(reportDir, join(reportsDir, `.exp.old-${dead}`));
    fs.mkdirSync(join(reportsDir, `.exp.tmp-${dead}`));
    fs.writeFileSync(join(reportsDir, `.exp.tmp-${dead}`, 'report.md'), '');
    failing.reportMd = true;
    try {
      await expect(writeReportFor(settings, runsDir, reportsDir)).rejects.toThrow(/ENOSPC/);
    } finally {
      failing.reportMd = false;
    }
    // Even this write failed, the report is back in place and the leftovers are gone.
    expect(fs.readdirSync(reportsDir)).toEqual(['exp']);
    expect(snapshot()).toEqual(before);
  });
});
