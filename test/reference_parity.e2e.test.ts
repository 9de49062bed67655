import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ads } from './support/cli.ts';
import { describeWithShared, sharedPath } from './support/shared.ts';


describeWithShared('end to end on jump-scope with the reference implementation’s settings', () => {
  it('anomaly percent replicating over seeds 42–44 is within 3 points of the reference, CellProfiler equals it up to null noise', async () => {
    const summary = JSON.parse(readFileSync(sharedPath('parity/reference-pipeline/jumpscope/summary.json'), 'utf8'));
    const ref = Object.values(summary.all_seeds_percent_replicating) as { ae_diff: number; baseline: number }[];
    const refAnomaly = ref.reduce((s, r) => s + r.ae_diff, 0) / ref.length; // 18.5
    const refBaseline = ref[0].baseline; // 15.6
    const dir = mkdtempSync(join(tmpdir(), 'ads-refparity-'));
    const spec = join(dir, 'jumpscope-reference.yaml');
    writeFileSync(
      spec,
      [
        'experiment: jumpscope-reference',
        'dataset:',
        '  source: file',
        `  path: ${sharedPath('data/jump-scope/profiles.csv.gz')}`,
        '  columns: { plate: Metadata_plate_id, perturbation: Metadata_broad_sample, moa: Metadata_moa }',
        '  control: { column: Metadata_control_type, values: [negcon] }',
        // The reference computes representations with the final weights, fills undefined z-scores by
        // interpolation and draws its null with pandas' per-perturbation re-seeded sampling.
        'training: { restore_best: false }',
        'evaluation:',
        '  fill_undefined: interpolate',
        '  percent_replicating: { null_sampling: reference }',
        '  map: { enabled: false }',
        'sweep: { seeds: [42, 43, 44] }',
      ].join('\n'),
    );
    const r = await ads(['run', spec, '--runs-dir', join(dir, 'runs'), '--reports-dir', join(dir, 'reports')]);
    expect(r.code, r.stderr).toBe(0);
    const exp = join(dir, 'runs', 'jumpscope-reference');
    const metrics = readdirSync(exp, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => JSON.parse(readFileSync(join(exp, d.name, 'metrics.json'), 'utf8')));
    expect(metrics).toHaveLength(3);
    const anomaly = metrics.map((m) => m.percent_replicating.anomaly.percent as number);
    const cellprofiler = metrics.map((m) => m.percent_replicating.cellprofiler.percent as number);
    const mean = anomaly.reduce((a, b) => a + b, 0) / anomaly.length;
    expect(Math.abs(mean - refAnomaly)).toBeLessThanOrEqual(3);
    // 90 perturbations: one perturbation is 1.1 points; the null's draws move the threshold by about that.
    for (const c of cellprofiler) expect(Math.abs(c - refBaseline)).toBeLessThanOrEqual(2.3);
  }, 300_000);
});
