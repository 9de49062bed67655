import { describe, expect, it } from 'vitest';
import { runSpecLines } from './support/cli.ts';
import { bbbc021Dataset, describeWithShared } from './support/shared.ts';

/** Runs a spec through the CLI; returns every run's metrics. */
const run = async (name: string, lines: string[]) => (await runSpecLines(name, lines)).map((r) => r.metrics);

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const sd = (x: number[]) => Math.sqrt(x.reduce((s, v) => s + (v - mean(x)) ** 2, 0) / (x.length - 1));
const pr = (m: Record<string, any>, rep: string) => m.percent_replicating[rep].percent as number;
const f1 = (m: Record<string, any>, rep: string) => m.moa[rep].logistic.macro_f1.mean as number;

/** A simulated screen in which every MoA is of one kind, three seeds. */
function screen(kind: 'dependency' | 'mean_shift'): Promise<Record<string, any>[]> {
  return run(`sci-${kind}`, [
    `dataset: { synthetic: { dependency_share: ${kind === 'dependency' ? 1 : 0} } }`,
    'evaluation: { moa: { min_compounds: 3, classifiers: [logistic] }, map: { enabled: false } }',
    'sweep: { seeds: [1, 2, 3] }',
  ]);
}

describe('science check on simulated screens with a known answer', () => {
  it('MoAs that only change feature dependencies: anomaly beats CellProfiler on percent replicating and MoA F1', async () => {
    const runs = await screen('dependency');
    expect(runs).toHaveLength(3);
    expect(mean(runs.map((m) => pr(m, 'anomaly')))).toBeGreaterThan(mean(runs.map((m) => pr(m, 'cellprofiler'))) + 30);
    for (const m of runs) expect(f1(m, 'anomaly')).toBeGreaterThan(f1(m, 'cellprofiler'));
  }, 300_000);

  it('MoAs that only shift means: CellProfiler is not worse than anomaly beyond seed noise', async () => {
    const runs = await screen('mean_shift');
    // Paired over seeds: CellProfiler − anomaly must not be significantly negative (2 standard errors).
    for (const metric of [pr, f1]) {
      const d = runs.map((m) => metric(m, 'cellprofiler') - metric(m, 'anomaly'));
      expect(mean(d)).toBeGreaterThan(-2 * (sd(d) / Math.sqrt(d.length)));
    }
  }, 300_000);
});

describeWithShared('science check on bbbc021', () => {
  it('both representations replicate far above chance and classify MoAs better than the majority class', async () => {
    const [m] = await run('sci-bbbc021', [
      ...bbbc021Dataset(),
      // 12 MoAs of 2–4 compounds: those with 4 compounds (more than 3) are classified, in 4 folds.
      'evaluation: { moa: { min_compounds: 3, classifiers: [logistic] }, map: { enabled: false } }',
      'seed: 42',
    ]);
    for (const rep of ['anomaly', 'cellprofiler']) {
      expect(pr(m, rep)).toBeGreaterThan(30);
      expect(f1(m, rep)).toBeGreaterThan(m.moa.baseline.macro_f1.mean + 0.2);
    }
  }, 300_000);
});
