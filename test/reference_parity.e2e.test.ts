import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { runSpecLines } from './support/cli.ts';
import { describeWithShared, jumpscopeDataset, sharedPath } from './support/shared.ts';

describeWithShared('end to end on jump-scope with the reference implementation’s settings', () => {
  it('anomaly percent replicating over seeds 42–44 is within 3 points of the reference, CellProfiler equals it up to null noise', async () => {
    const summary = JSON.parse(readFileSync(sharedPath('parity/reference-pipeline/jumpscope/summary.json'), 'utf8'));
    const ref = Object.values(summary.all_seeds_percent_replicating) as { ae_diff: number; baseline: number }[];
    const refAnomaly = ref.reduce((s, r) => s + r.ae_diff, 0) / ref.length; // 18.5
    const refBaseline = ref[0].baseline; // 15.6
    const metrics = (
      await runSpecLines('jumpscope-reference', [
        ...jumpscopeDataset(),
        // The reference computes representations with the final weights, fills undefined z-scores by
        // interpolation and draws its null with pandas' per-perturbation re-seeded sampling.
        'training: { restore_best: false }',
        'evaluation:',
        '  fill_undefined: interpolate',
        '  percent_replicating: { null_sampling: reference }',
        '  map: { enabled: false }',
        'sweep: { seeds: [42, 43, 44] }',
      ])
    ).map((r) => r.metrics);
    expect(metrics).toHaveLength(3);
    const anomaly = metrics.map((m) => m.percent_replicating.anomaly.percent as number);
    const cellprofiler = metrics.map((m) => m.percent_replicating.cellprofiler.percent as number);
    const mean = anomaly.reduce((a, b) => a + b, 0) / anomaly.length;
    expect(Math.abs(mean - refAnomaly)).toBeLessThanOrEqual(3);
    // 90 perturbations: one perturbation is 1.1 points; the null's draws move the threshold by about that.
    for (const c of cellprofiler) expect(Math.abs(c - refBaseline)).toBeLessThanOrEqual(2.3);
  }, 300_000);
});
