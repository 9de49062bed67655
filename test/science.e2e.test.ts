import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ads } from './support/cli.ts';
import { describeWithShared, sharedPath } from './support/shared.ts';


/** Runs a spec through the CLI; returns every run's metrics. */
async function run(name: string, lines: string[]): Promise<Record<string, any>[]> {
  const dir = mkdtempSync(join(tmpdir(), `ads-science-${name}-`));
  const spec = join(dir, `${name}.yaml`);
  writeFileSync(spec, [`experiment: ${name}`, ...lines].join('\n'));
  const r = await ads(['run', spec, '--runs-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports')]);
  if (r.code !== 0) throw new Error(`ads run failed (${r.code}): ${r.stderr}`);
  const exp = join(dir, 'runs', name);
  return readdirSync(exp, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => JSON.parse(readFileSync(join(exp, d.name, 'metrics.json'), 'utf8')));
}

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
      'dataset:',
      '  source: file',
      `  path: ${sharedPath('data/bbbc021/profiles.csv.gz')}`,
      '  columns: { plate: Image_Metadata_Plate, well: Image_Metadata_Well, perturbation: Compound, moa: moa, dose: Concentration }',
      '  control: { column: Compound, values: [DMSO] }',
      "  features: { exclude: ['_Location_', '_Center_'] }",
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
