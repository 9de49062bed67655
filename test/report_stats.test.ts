import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { correctedResampledTTest } from '../src/classify/metrics.ts';
import { metricRange, pairedDifference } from '../src/report/aggregate.ts';
import type { CompletedRun } from '../src/report/collect.ts';
import { RunDir } from '../src/run/store.ts';
import { bootstrapMeanInterval } from '../src/report/interval.ts';

/** scipy's values, from test/oracles/report_stats.py. */
const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'report_stats.json'), 'utf8')) as {
  corrected_t: { diffs: number[]; ratio: number; t: number; df: number; p: number; p_uncorrected: number }[];
  bootstrap_exact: { x: number[]; interval: [number, number] }[];
  bootstrap_large: { x: number[]; interval: [number, number]; se: number };
};

describe('Nadeau–Bengio corrected resampled t-test', () => {
  it.each(oracle.corrected_t.map((c, i) => [i, c] as const))('case %i equals scipy.stats.t on the corrected standard error', (_, c) => {
    const r = correctedResampledTTest(c.diffs, c.ratio);
    expect(r.t).toBeCloseTo(c.t, 10);
    expect(r.df).toBe(c.df);
    expect(r.p).toBeCloseTo(c.p, 8);
    expect(r.n).toBe(c.diffs.length);
    // The correction only ever makes the test more cautious than the plain one-sample t-test.
    if (Number.isFinite(c.p_uncorrected) && c.p_uncorrected < 1) expect(r.p).toBeGreaterThan(c.p_uncorrected);
  });

  it('has nothing to test without two folds or without variance', () => {
    expect(correctedResampledTTest([0.1], 0.25).p).toBeNaN();
    expect(correctedResampledTTest([0, 0, 0], 0.25).p).toBeNaN();
    expect(correctedResampledTTest([0.25, 0.25, 0.25], 0.25)).toMatchObject({ t: Infinity, p: 0, df: 2 });
  });
});

describe('bootstrap interval of a mean', () => {
  it.each(oracle.bootstrap_exact.map((c) => [c.x.join(', '), c] as const))('exactly equals the enumeration of every resample of [%s]', (_, c) => {
    const [low, high] = bootstrapMeanInterval(c.x);
    expect(low).toBeCloseTo(c.interval[0], 10);
    expect(high).toBeCloseTo(c.interval[1], 10);
    // Inside the values' range, whatever it is: a percent stays ≤ 100, a |SHAP| ≥ 0.
    expect(low).toBeGreaterThanOrEqual(Math.min(...c.x));
    expect(high).toBeLessThanOrEqual(Math.max(...c.x));
  });

  it('beyond ten values agrees with scipy.stats.bootstrap (percentile) within its Monte Carlo error', () => {
    const { x, interval, se } = oracle.bootstrap_large;
    const [low, high] = bootstrapMeanInterval(x);
    // Two Monte Carlo estimates of a 2.5% quantile (20 000 and 200 000 resamples): a tenth of a standard error apart at most.
    expect(Math.abs(low - interval[0])).toBeLessThan(0.1 * se);
    expect(Math.abs(high - interval[1])).toBeLessThan(0.1 * se);
    expect(bootstrapMeanInterval(x)).toEqual([low, high]);
  });
});

describe('paired differences keep to the metric’s range', () => {
  const run = (seed: number, a: number, b: number): CompletedRun => ({
    runId: `r${seed}`,
    dir: new RunDir(''),
    seed,
    point: {},
    settings: {},
    metrics: { percent_replicating: { anomaly: { percent: a }, cellprofiler: { percent: b } } },
  });

  it('cuts a t interval past +100 percentage points at 100 (the issue’s +91.7 [81.3, 102.0])', () => {
    // Hand-computed: differences 88, 95, 92.1 → mean 91.7, SD 3.5, t(0.975, 2) = 4.303 → 91.7 ± 8.7 = [83.0, 100.4].
    const d = pairedDifference([run(1, 100, 12), run(2, 100, 5), run(3, 100, 7.9)], 'percent_replicating.anomaly.percent', 'percent_replicating.cellprofiler.percent')!;
    expect(d.mean).toBeCloseTo(91.7, 10);
    expect(d.n).toBe(3);
    expect(d.low).toBeCloseTo(91.7 - 4.302652729911275 * (d.sd / Math.sqrt(3)), 8);
    expect(d.high).toBe(100);
  });

  it('knows the ranges of the report’s metrics', () => {
    expect(metricRange('percent_replicating.anomaly.percent')).toEqual([0, 100]);
    expect(metricRange('map.anomaly.activity.percent_retrieved')).toEqual([0, 100]);
    expect(metricRange('moa.anomaly.logistic.macro_f1.mean')).toEqual([0, 1]);
    expect(metricRange('map.anomaly.activity.mean_map')).toEqual([0, 1]);
    expect(metricRange('percent_replicating.anomaly.threshold')).toEqual([-1, 1]);
    expect(metricRange('training.best_val_loss')).toEqual([0, Infinity]);
  });
});
