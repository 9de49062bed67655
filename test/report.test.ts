import { describe, expect, it, vi } from 'vitest';
import { pairedDifference, summarizeMetric, groupByPoint } from '../src/report/aggregate.ts';
import type { CompletedRun } from '../src/report/collect.ts';
import { RunDir } from '../src/run/store.ts';
import { buildReport } from '../src/report/document.ts';
import { renderSvg } from '../src/report/figures/render.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import { studentTCdf, studentTQuantile } from '../src/numeric/distributions.ts';

/** A run's saved settings: its sweep point's dotted paths as nested settings, on top of a common base. */
function settingsOf(point: Record<string, unknown>): Record<string, unknown> {
  const settings: Record<string, any> = { model: { latent: 16, encoder: 'deep' }, training: { lr: 0.005 } };
  for (const [path, value] of Object.entries(point)) {
    const keys = path.split('.');
    let at = settings;
    for (const k of keys.slice(0, -1)) at = at[k] ??= {};
    at[keys[keys.length - 1]] = value;
  }
  return settings;
}

const run = (point: Record<string, unknown>, seed: number, a: number, c: number): CompletedRun => ({
  runId: `${JSON.stringify(point)}-${seed}`,
  dir: new RunDir('/nonexistent'),
  seed,
  point,
  settings: settingsOf(point),
  metrics: { percent_replicating: { anomaly: { percent: a }, cellprofiler: { percent: c } } },
});

describe('report aggregation', () => {
  const runs = [run({ 'model.latent': 8 }, 1, 50, 40), run({ 'model.latent': 8 }, 2, 60, 45), run({ 'model.latent': 8 }, 3, 70, 47), run({ 'model.latent': 16 }, 1, 80, 40)];

  it('groups runs by sweep point in plan order', () => {
    const groups = groupByPoint(runs);
    expect(groups.map((g) => g.point)).toEqual([{ 'model.latent': 8 }, { 'model.latent': 16 }]);
    expect(groups[0].runs).toHaveLength(3);
  });

  it('reports mean ± sample SD with n', () => {
    const s = summarizeMetric(groupByPoint(runs)[0].runs, 'percent_replicating.anomaly.percent')!;
    expect(s.mean).toBe(60);
    expect(s.sd).toBeCloseTo(10, 12); // sqrt(((−10)² + 0 + 10²) / 2)
    expect(s.n).toBe(3);
  });

  it('pairs anomaly − classical by run, with a 95% t interval', () => {
    // Differences 10, 15, 23: mean 16, SD sqrt(((−6)² + (−1)² + 7²)/2) = sqrt(43).
    const d = pairedDifference(groupByPoint(runs)[0].runs, 'percent_replicating.anomaly.percent', 'percent_replicating.cellprofiler.percent')!;
    expect(d.mean).toBe(16);
    const half = 4.302652729749464 * (Math.sqrt(43) / Math.sqrt(3)); // t(0.975, 2) from tables
    expect(d.low).toBeCloseTo(16 - half, 6);
    expect(d.high).toBeCloseTo(16 + half, 6);
  });

  it("Student's t matches tabulated values", () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.7062, 3);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.2281, 4);
    expect(studentTCdf(2, 5)).toBeCloseTo(0.94903, 5);
    expect(studentTCdf(-1.5, 3.7)).toBeCloseTo(1 - studentTCdf(1.5, 3.7), 12);
  });

  it('renders both representations side by side and lists unfinished runs without averaging them', () => {
    const md = renderMarkdown(
      buildReport({
        experiment: 'demo',
        description: '',
        representations: ['anomaly', 'cellprofiler'],
        splitBy: null,
        nullPercentile: 90,
        collected: { complete: runs, unfinished: [{ runId: 'abc', status: 'failed', error: 'boom' }] },
      }),
    );
    expect(md).toContain('| model.latent=8 | 60.0 ± 10.0 (n=3) | 44.0 ± 3.6 (n=3) | +16.0 [');
    expect(md).toContain('| model.latent=16 | 80.0 (n=1) | 40.0 (n=1) | +40.0 |');
    expect(md).toContain('| abc | failed | boom |');
  });

  it('leaves out the sections whose data the runs lack, and says so', () => {
    const doc = buildReport({
      experiment: 'demo',
      description: '',
      representations: ['anomaly', 'cellprofiler'],
      splitBy: null,
      nullPercentile: 90,
      collected: { complete: runs, unfinished: [] },
    });
    expect(doc.sections.map((s) => s.title)).toEqual(['Percent replicating', 'Metrics against swept settings', 'Best sweep point per metric', 'All metrics']);
    expect(renderMarkdown(doc)).toContain('sections left out): MoA classification, mAP, SHAP explanations.');
  });

  it('renders every figure of a single run (no SD, no sweep) to SVG without a Vega-Lite warning', async () => {
    const single = { ...run({}, 1, 50, 40), metrics: { ...run({}, 1, 50, 40).metrics, replicating_overlap: [{ sets: ['anomaly'], count: 3 }, { sets: ['cellprofiler'], count: 0 }, { sets: ['anomaly', 'cellprofiler'], count: 5 }] } };
    const doc = buildReport({
      experiment: 'one',
      description: '',
      representations: ['anomaly', 'cellprofiler'],
      splitBy: null,
      nullPercentile: 90,
      collected: { complete: [single], unfinished: [] },
    });
    const figures = doc.sections.flatMap((s) => s.blocks).filter((b) => b.kind === 'figure');
    expect(figures.map((f) => f.name)).toEqual(['percent_replicating', 'replicating_overlap']);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      for (const f of figures) expect(await renderSvg(f.spec, f.name)).toMatch(/^<svg[\s\S]*class="mark-rect role-mark[\s\S]*<\/svg>$/);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
