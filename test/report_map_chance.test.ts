import { describe, expect, it, vi } from 'vitest';
import type { CompletedRun } from '../src/report/collect.ts';
import { buildReport } from '../src/report/document.ts';
import { figureCsv } from '../src/report/figure_data.ts';
import { renderSvg } from '../src/report/figures/render.ts';
import { expectedRandomAveragePrecision, randomMeanMap } from '../src/report/map_chance.ts';
import { renderMarkdown } from '../src/report/markdown.ts';
import type { RunTables } from '../src/report/run_tables.ts';
import { nullAveragePrecision } from '../src/evaluate/map_null.ts';
import { RunDir } from '../src/run/store.ts';
import { enumeratedMeanAp, orderStatisticMeanAp } from './support/random_ap.ts';

describe('expected AP of a random ranking', () => {
  it('equals hand-computed values', () => {
    // One positive among two: rank 1 (AP 1) or rank 2 (AP 1/2).
    expect(expectedRandomAveragePrecision(1, 2)).toBeCloseTo(0.75, 15);
    // One positive among three: (1 + 1/2 + 1/3)/3 = 11/18.
    expect(expectedRandomAveragePrecision(1, 3)).toBeCloseTo(11 / 18, 15);
    // Two among three: ranks {1,2} → 1, {1,3} → (1 + 2/3)/2, {2,3} → (1/2 + 2/3)/2; mean 29/36.
    expect(expectedRandomAveragePrecision(2, 3)).toBeCloseTo(29 / 36, 15);
    // Every item a positive: AP is 1 whatever the order.
    expect(expectedRandomAveragePrecision(5, 5)).toBeCloseTo(1, 15);
    expect(expectedRandomAveragePrecision(1, 1)).toBe(1);
  });

  it('equals the mean over every placement of the positives, for every list up to 10 items', () => {
    for (let n = 1; n <= 10; n++) for (let p = 1; p <= n; p++) expect(expectedRandomAveragePrecision(p, n), `${p}/${n}`).toBeCloseTo(enumeratedMeanAp(p, n), 13);
  });

  it('equals the order-statistics derivation on long lists (screens rank hundreds of controls)', () => {
    for (const [p, n] of [[1, 300], [3, 387], [11, 500], [40, 1000], [2, 44]]) {
      expect(expectedRandomAveragePrecision(p, n), `${p}/${n}`).toBeCloseTo(orderStatisticMeanAp(p, n), 12);
    }
  });

  it('is the mean of the null the mAP p-values are drawn from', () => {
    // 20 000 random rankings per configuration; the mean lands within 4 standard errors of the expectation.
    for (const [p, n] of [[3, 19], [1, 50], [7, 60]]) {
      const draws = nullAveragePrecision(p, n, 20_000, 7);
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1));
      expect(Math.abs(mean - expectedRandomAveragePrecision(p, n)), `${p}/${n}`).toBeLessThan((4 * sd) / Math.sqrt(draws.length));
    }
  });

  it('refuses impossible lists', () => {
    expect(() => expectedRandomAveragePrecision(0, 5)).toThrow(/1 ≤ positives ≤ total/);
    expect(() => expectedRandomAveragePrecision(6, 5)).toThrow(/1 ≤ positives ≤ total/);
  });

  it('averages over the groups with a defined mAP, as mean mAP does', () => {
    const t = { mean_average_precision: Float64Array.of(0.4, NaN, 0.9), n_pos: Float64Array.of(1, 2, 2), n_total: Float64Array.of(2, 3, 3) };
    expect(randomMeanMap(t)).toBeCloseTo((0.75 + 29 / 36) / 2, 15);
    expect(randomMeanMap({ ...t, mean_average_precision: Float64Array.of(NaN, NaN, NaN) })).toBeNaN();
  });
});

describe('the report draws and names mean mAP’s chance level', () => {
  const table = (rows: [number, number, number][]) => ({
    mean_average_precision: Float64Array.from(rows, (r) => r[0]),
    n_pos: Float64Array.from(rows, (r) => r[1]),
    n_total: Float64Array.from(rows, (r) => r[2]),
  });
  // Seed 1 ranked 3 replicates among 16 controls, seed 2 among 18 (another split); consistency ranked 11 compounds.
  const activity = { 1: table([[0.5, 3, 19], [0.6, 3, 19]]), 2: table([[0.5, 3, 21]]) } as const;
  const consistency = table([[0.3, 2, 11], [0.4, 3, 11], [NaN, 1, 11]]);
  const runs: CompletedRun[] = [1, 2].map((seed) => ({
    runId: `r${seed}`,
    dir: new RunDir('/nonexistent'),
    seed,
    point: {},
    settings: { evaluation: { map: { threshold: 0.05 } } },
    metrics: {
      percent_replicating: { anomaly: { percent: 50 }, cellprofiler: { percent: 40 } },
      map: Object.fromEntries(
        ['anomaly', 'cellprofiler'].map((rep) => [
          rep,
          { activity: { mean_map: 0.55, percent_retrieved: 50, n: 2, n_retrieved: 1 }, consistency: { mean_map: 0.35, percent_retrieved: 50, n: 2, n_retrieved: 1 } },
        ]),
      ),
    },
  }));
  const tables = new Map<string, RunTables>(
    runs.map((r) => [
      r.runId,
      {
        history: null,
        replicateCorrelation: {},
        nullCorrelation: {},
        wells: null,
        map: Object.fromEntries(['anomaly', 'cellprofiler'].flatMap((rep) => [[`${rep}_activity`, activity[r.seed as 1 | 2]], [`${rep}_consistency`, consistency]])),
      },
    ]),
  );
  const input = { experiment: 'm', description: '', representations: ['anomaly', 'cellprofiler'], splitBy: null, nullPercentile: 90, collected: { complete: runs, unfinished: [] } };
  // The oracle: placements enumerated for the short lists, order statistics for the long ones.
  const activityChance = (orderStatisticMeanAp(3, 19) + orderStatisticMeanAp(3, 21)) / 2;
  const consistencyChance = (enumeratedMeanAp(2, 11) + enumeratedMeanAp(3, 11)) / 2;

  it('per bar in the figure’s data and CSV, per task in the text of report.md', async () => {
    const doc = buildReport({ ...input, tables });
    const fig = doc.sections.flatMap((s) => s.blocks).find((b) => b.kind === 'figure' && b.name === 'map_mean_map');
    if (fig?.kind !== 'figure') throw new Error('no mean mAP figure');
    const csv = figureCsv(fig.spec).trim().split('\n');
    const header = csv[0].split(',');
    expect(header).toContain('chance');
    const rows = csv.slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const expected = row[header.indexOf('panel')] === 'activity' ? activityChance : consistencyChance;
      expect(Number(row[header.indexOf('chance')])).toBeCloseTo(expected, 7);
    }
    const md = renderMarkdown(doc);
    expect(md).toContain(`activity ${activityChance.toFixed(3)}; consistency ${consistencyChance.toFixed(3)}`);
    expect(md).toContain('H_N/N + (p − 1)(N − H_N)/(N(N − 1))');
    expect(md).toContain('dashed: chance, the mean mAP of random rankings of the same lists');
    // Percent retrieved's chance is in its CSV too: the threshold, as a percentage.
    const retrieved = doc.sections.flatMap((s) => s.blocks).find((b) => b.kind === 'figure' && b.name === 'map_percent_retrieved');
    if (retrieved?.kind !== 'figure') throw new Error('no percent retrieved figure');
    const rcsv = figureCsv(retrieved.spec).trim().split('\n');
    const rheader = rcsv[0].split(',');
    for (const line of rcsv.slice(1)) expect(line.split(',')[rheader.indexOf('chance')]).toBe('5');

    // Drawn: one dashed line per task, named with its value, without a Vega-Lite warning.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const svg = await renderSvg(fig.spec, fig.name);
      expect(svg).toContain(`aria-label="chance: random ranking (${activityChance.toFixed(3)}): `);
      expect(svg).toContain(`aria-label="chance: random ranking (${consistencyChance.toFixed(3)}): `);
      const value = (label: string) => Number(new RegExp(`aria-label="chance: random ranking \\(${label}\\): ([\\d.]+)"`).exec(svg)![1]);
      expect(value(activityChance.toFixed(3))).toBeCloseTo(activityChance, 5);
      expect(svg).toContain(`>chance: random ranking (${consistencyChance.toFixed(3)})</text>`);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('names the range when the bars of a task have different levels', async () => {
    // Two sweep points whose splits differ: activity's chance differs between them.
    const points = runs.map((r) => ({ ...r, point: { 'model.latent': r.seed * 4 }, settings: { ...r.settings, model: { latent: r.seed * 4 } } }));
    const doc = buildReport({ ...input, collected: { complete: points, unfinished: [] }, tables });
    const md = renderMarkdown(doc);
    const [lo, hi] = [orderStatisticMeanAp(3, 21), orderStatisticMeanAp(3, 19)].map((x) => x.toFixed(3));
    expect(md).toContain(`activity ${lo}–${hi} across bars`);
    const fig = doc.sections.flatMap((s) => s.blocks).find((b) => b.kind === 'figure' && b.name === 'map_mean_map');
    if (fig?.kind !== 'figure') throw new Error('no mean mAP figure');
    expect(await renderSvg(fig.spec, fig.name)).toContain(`aria-label="chance: random ranking (${lo}–${hi}): `);
  });

  it('says why it is not drawn when the runs’ mAP tables lack the list sizes', () => {
    const md = renderMarkdown(buildReport(input));
    expect(md).toContain('Mean mAP’s chance level (the expected mAP of random rankings) is not drawn');
    expect(md).not.toContain('dashed: chance, the mean mAP');
  });
});
