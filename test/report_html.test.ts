import { ads } from './support/cli.ts';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pl from 'nodejs-polars';
import { writeReportFor } from '../src/report/write.ts';
import { orderStatisticMeanAp } from './support/random_ap.ts';

const root = resolve(import.meta.dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

async function runAds(args: string[]): Promise<string> {
  const r = await ads(args);
  if (r.code !== 0) throw new Error(`ads ${args[0]} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** Figures every report of an autoencoder sweep has; later stages add more (mAP, MoA, SHAP). */
const CORE_FIGURES = ['metrics_vs_model_latent', 'percent_replicating', 'replicate_correlation', 'replicating_overlap', 'training_curves'];

const svgFiles = (reportDir: string) =>
  readdirSync(join(reportDir, 'figures'))
    .filter((f) => f.endsWith('.svg'))
    .sort();

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;

/** A run directory that is not a result: its manifest says `status` (failed, or killed while running). */
function fakeUnfinishedRun(expDir: string, runId: string, status: 'failed' | 'running', error: string | null): void {
  mkdirSync(join(expDir, runId), { recursive: true });
  writeFileSync(join(expDir, runId, 'spec.yaml'), 'experiment: tiny\n');
  // A metrics.json with absurd numbers: were it averaged in, the report's means would show it.
  writeFileSync(join(expDir, runId, 'metrics.json'), JSON.stringify({ percent_replicating: { anomaly: { percent: 1000 }, cellprofiler: { percent: 1000 } } }));
  writeFileSync(join(expDir, runId, 'manifest.json'), JSON.stringify({ status, run_id: runId, experiment: 'tiny', seed: 9, point: { 'model.latent': 4 }, error }));
}

/** What the page shows, read in the browser with every non-file request refused. */
interface PageReport {
  problems: string[];
  headings: string[];
  figures: { id: string; width: number; height: number; marks: number }[];
  bars: { label: string; width: number }[];
  /** Per figure, the numbers on its value axes' tick labels. */
  ticks: { id: string; values: number[] }[];
  /** Every figure's data link, as the page has it. */
  dataLinks: { id: string; href: string }[];
  /** The top-level sections, by anchor. */
  sections: string[];
}

/** Figures whose value axis is a quantity that cannot be negative: percentages, F1, mAP, counts, |SHAP|. */
const NON_NEGATIVE = /^figure-(percent_replicating|moa_macro_f1|moa_per_class_f1|map_.*|replicating_overlap|shap_dependencies|metrics_vs_.*)$/;

async function inspect(browser: Browser, htmlPath: string, screenshot?: string): Promise<PageReport> {
  const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    problems.push(`network request: ${url}`);
    return route.abort();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()}`));
  await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
  const report = await page.evaluate(() => ({
    headings: [...document.querySelectorAll('h2, h3')].map((h) => h.textContent ?? ''),
    figures: [...document.querySelectorAll('figure')].map((f) => {
      const svg = f.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      // Data marks (bars, lines, areas, rules, points), not axes or legends.
      const marks = svg ? [...svg.querySelectorAll('g.role-mark > *')].filter((m) => m.getAttribute('d') !== '' && m.getAttribute('display') !== 'none').length : 0;
      return { id: f.id, width: box?.width ?? 0, height: box?.height ?? 0, marks };
    }),
    bars: [...document.querySelectorAll('#figure-percent_replicating g.mark-rect.role-mark path')].map((p) => ({
      label: p.getAttribute('aria-label') ?? '',
      width: (p as SVGGraphicsElement).getBBox().width,
    })),
    // Numeric tick labels of every axis (category labels — sweep points, MoAs, feature pairs — are not numbers).
    ticks: [...document.querySelectorAll('figure')].map((f) => ({
      id: f.id,
      values: [...f.querySelectorAll('g.role-axis-label text')]
        .map((t) => (t.textContent ?? '').trim().replace(/[\u2212\u2013]/g, '-'))
        .filter((t) => /^-?[\d.]+$/.test(t))
        .map(Number),
    })),
    dataLinks: [...document.querySelectorAll('figure')].map((f) => ({ id: f.id, href: f.querySelector('figcaption a.data')?.getAttribute('href') ?? '' })),
    sections: [...document.querySelectorAll('h2[id]')].map((h) => h.id),
  }));
  if (screenshot) {
    mkdirSync(join(root, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
    // One picture per section too, each from its heading down: what a reviewer sees of it on one screen.
    for (const id of report.sections) {
      await page.locator(`h2#${id}`).scrollIntoViewIfNeeded();
      await page.evaluate((sid) => document.getElementById(sid)!.scrollIntoView({ block: 'start' }), id);
      await page.screenshot({ path: screenshot.replace(/\.png$/, `-${id}.png`) });
    }
  }
  await page.close();
  return { problems, ...report };
}

/**
 * What a reviewer checks at a glance: no axis of a non-negative quantity runs below 0; every figure links its
 * data, the CSV is there, and its whiskers stay in range (percentages 0–100, the rest ≥ 0).
 */
function expectHonestFigures(page: PageReport, reportDir: string): void {
  for (const t of page.ticks.filter((x) => NON_NEGATIVE.test(x.id))) {
    expect(t.values.length, t.id).toBeGreaterThan(0);
    expect(Math.min(...t.values), t.id).toBeGreaterThanOrEqual(0);
  }
  expect(page.dataLinks).toHaveLength(page.figures.length);
  for (const { id, href } of page.dataLinks) {
    expect(href, id).toBe(`figures/${id.replace(/^figure-/, '')}.csv`);
    const csv = readFileSync(join(reportDir, href), 'utf8').trim().split('\n');
    expect(csv.length, id).toBeGreaterThan(1);
    const header = csv[0].split(',');
    if (!NON_NEGATIVE.test(id) || !header.includes('low')) continue;
    for (const line of csv.slice(1)) {
      const cells = line.split(',');
      const [low, high] = [Number(cells[header.indexOf('low')]), Number(cells[header.indexOf('high')])];
      expect(low, `${id}: ${line}`).toBeGreaterThanOrEqual(0);
      if (/percent/.test(id)) expect(high, `${id}: ${line}`).toBeLessThanOrEqual(100);
    }
  }
  // report.md links the same CSVs as report.html.
  const md = readFileSync(join(reportDir, 'report.md'), 'utf8');
  expect([...md.matchAll(/\[Data \(CSV\)\]\((figures\/[^)]+\.csv)\)/g)].map((m) => m[1]).sort()).toEqual(page.dataLinks.map((l) => l.href).sort());
}

describe('report of a real run store: report.md, figures/, self-contained report.html', () => {
  const work = mkdtempSync(join(tmpdir(), 'ads-report-'));
  const runsDir = join(work, 'runs');
  const reportsDir = join(work, 'reports');
  const expDir = join(runsDir, 'tiny');
  const reportDir = join(reportsDir, 'tiny');

  beforeAll(async () => {
    const spec = join(work, 'tiny.yaml');
    writeFileSync(
      spec,
      [
        'experiment: tiny',
        'dataset: { source: synthetic, synthetic: { plates: 4, moas: 4, compounds_per_moa: 3, features: 40, factors: 6 } }',
        'training: { max_epochs: 30 }',
        'evaluation: { split_by: Metadata_moa_kind }',
        'sweep:',
        '  grid: { model.latent: [4, 8] }',
        '  seeds: [1, 2]',
        '',
      ].join('\n'),
    );
    await runAds(['run', spec, '--runs-dir', runsDir, '--reports-dir', reportsDir, '--no-report', '--plain']);
    fakeUnfinishedRun(expDir, 'f00000000001', 'failed', 'out of memory | while training');
    fakeUnfinishedRun(expDir, 'f00000000002', 'running', null);
    // By experiment name: the settings come from a complete run's saved spec.
    await runAds(['report', 'tiny', '--runs-dir', runsDir, '--reports-dir', reportsDir]);
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const completeRuns = () =>
    readdirSync(expDir).filter((id) => existsSync(join(expDir, id, 'manifest.json')) && JSON.parse(readFileSync(join(expDir, id, 'manifest.json'), 'utf8')).status === 'done');
  const prOf = (latent: number, rep: string) =>
    completeRuns()
      .map((id) => ({ m: JSON.parse(readFileSync(join(expDir, id, 'manifest.json'), 'utf8')), x: JSON.parse(readFileSync(join(expDir, id, 'metrics.json'), 'utf8')) }))
      .filter(({ m }) => m.point['model.latent'] === latent)
      .map(({ x }) => x.percent_replicating[rep].percent as number);

  it('writes report.md whose figures are SVG files beside it, each referenced', () => {
    const md = readFileSync(join(reportDir, 'report.md'), 'utf8');
    const referenced = [...md.matchAll(/!\[[^\]]*\]\(figures\/([^)]+\.svg)\)/g)].map((m) => m[1]).sort();
    const files = svgFiles(reportDir);
    expect(referenced).toEqual(files);
    // Each figure's data beside it.
    expect(readdirSync(join(reportDir, 'figures')).filter((f) => f.endsWith('.csv')).sort()).toEqual(files.map((f) => f.replace(/\.svg$/, '.csv')));
    expect(files).toEqual(expect.arrayContaining(CORE_FIGURES.map((f) => `${f}.svg`)));
    for (const f of files) expect(readFileSync(join(reportDir, 'figures', f), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });

  it('averages only complete runs, lists the others, and states the difference with its interval', () => {
    const md = readFileSync(join(reportDir, 'report.md'), 'utf8');
    expect(completeRuns()).toHaveLength(4);
    expect(md).toContain('4 complete run(s) in 2 sweep point(s)');
    expect(md).toContain('| f00000000001 | failed | out of memory \\| while training |');
    expect(md).toContain('| f00000000002 | running |  |');
    const a = prOf(4, 'anomaly');
    const c = prOf(4, 'cellprofiler');
    expect(a).toHaveLength(2);
    expect(md).toContain(`| model.latent=4 | ${mean(a).toFixed(1)} ± `);
    expect(md).toContain(`| ${mean(c).toFixed(1)} ± `);
    expect(md).toMatch(/\| model\.latent=4 \| [\d.]+ ± [\d.]+ \(n=2\) \| [\d.]+ ± [\d.]+ \(n=2\) \| [+-][\d.]+ \[-?[\d.]+, -?[\d.]+\] \|/);
  });

  it('report.html has no script and no external reference', () => {
    const html = readFileSync(join(reportDir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|@import|url\((?!#)/i);
    expect(html.match(/<svg/g)).toHaveLength(svgFiles(reportDir).length);
  });

  describe.skipIf(!hasChromium)(`in headless Chromium${hasChromium ? '' : ` [skipped: ${CHROMIUM} is absent]`}`, () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      });
    });
    afterAll(async () => browser?.close());

    it('opens offline with every section and every figure drawn, and bars that equal the runs’ means', async () => {
      const page = await inspect(browser, join(reportDir, 'report.html'), join(root, 'test-artifacts', 'report.png'));
      expect(page.problems).toEqual([]);
      expect(page.headings).toEqual(
        expect.arrayContaining([
          'Percent replicating',
          'Metadata_moa_kind = dependency',
          'Metadata_moa_kind = mean_shift',
          'Replicate correlation against the null',
          'Overlap of replicating sets',
          'Metrics against swept settings',
          'Training',
          'Best sweep point per metric',
          'All metrics',
          'Runs not included',
        ]),
      );
      const ids = page.figures.map((f) => f.id);
      expect(ids).toEqual(expect.arrayContaining(CORE_FIGURES.map((n) => `figure-${n}`)));
      expect(ids).toHaveLength(svgFiles(reportDir).length);
      // mAP is measured by the pipeline's evaluate stage whenever the screen has what it needs.
      const metrics = JSON.parse(readFileSync(join(expDir, completeRuns()[0], 'metrics.json'), 'utf8'));
      if (metrics.map) expect(ids).toEqual(expect.arrayContaining(['figure-map_percent_retrieved', 'figure-map_mean_map']));
      for (const f of page.figures) {
        expect(f.width, f.id).toBeGreaterThan(100);
        expect(f.height, f.id).toBeGreaterThan(100);
        expect(f.marks, f.id).toBeGreaterThan(0);
      }
      // The bar of anomaly at latent 4 over all perturbations: its label and its length both say the runs' mean.
      const expected = mean(prOf(4, 'anomaly'));
      const bar = page.bars.find((b) => b.label.startsWith('anomaly, model.latent=4, all perturbations:'));
      expect(bar, page.bars.map((b) => b.label).join('\n')).toBeDefined();
      expect(Number(/mean (-?[\d.]+)/.exec(bar!.label)![1])).toBeCloseTo(expected, 2);
      // 0–100 % spans the panel's 240 px.
      expect((bar!.width / 240) * 100).toBeCloseTo(expected, 0);
      expectHonestFigures(page, reportDir);
      // Chance is drawn and named: 10% beats the null's 90th percentile by chance alone.
      const html = readFileSync(join(reportDir, 'report.html'), 'utf8');
      expect(html).toContain('aria-label="chance (10%): 10"');
      if (metrics.map) {
        // Mean mAP's chance, per bar: the mean over the point's seeds of the mAP random rankings of each run's own lists
        // would score (from each run's mAP table: positives and list length per group), drawn per task and named.
        const csv = readFileSync(join(reportDir, 'figures', 'map_mean_map.csv'), 'utf8').trim().split('\n');
        const header = csv[0].split(',');
        const col = (row: string[], name: string) => row[header.indexOf(name)];
        expect(csv.length).toBeGreaterThan(1);
        for (const row of csv.slice(1).map((l) => l.split(','))) {
          const levels = completeRuns()
            .filter((id) => `model.latent=${JSON.parse(readFileSync(join(expDir, id, 'manifest.json'), 'utf8')).point['model.latent']}` === col(row, 'category'))
            .map((id) => {
              const t = pl.readParquet(join(expDir, id, 'tables', 'map', `${col(row, 'representation')}_${col(row, 'panel')}.parquet`));
              const [map, pos, total] = ['mean_average_precision', 'n_pos', 'n_total'].map((c) => t.getColumn(c).toArray() as number[]);
              const defined = map.map((m, g) => [m, g] as const).filter(([m]) => m !== null && Number.isFinite(m));
              return defined.reduce((s, [, g]) => s + orderStatisticMeanAp(pos[g], total[g]), 0) / defined.length;
            });
          expect(Number(col(row, 'chance')), row.join(',')).toBeCloseTo(mean(levels), 6);
        }
        expect(html).toMatch(/aria-label="chance: random ranking \(0\.\d{3}(–0\.\d{3})?\): 0\.\d+"/);
        expect(readFileSync(join(reportDir, 'report.md'), 'utf8')).toMatch(/Mean mAP’s chance level \(the dashed line on mean mAP\) is the mean mAP of randomly ranked lists/);
        expect(html).toMatch(/Mean mAP’s chance level \(the dashed line on mean mAP\) is the mean mAP of randomly ranked lists/);
      }
      // Provenance: the data's fingerprint as the runs recorded it, the stages' counts, and the rebuild command.
      expect(page.sections).toContain('provenance');
      const md = readFileSync(join(reportDir, 'report.md'), 'utf8');
      const manifest = JSON.parse(readFileSync(join(expDir, completeRuns()[0], 'manifest.json'), 'utf8'));
      // A simulated screen is drawn from each run's seed: its fingerprints differ between seeds, and the row says so.
      expect(md).toMatch(new RegExp(`\\| data fingerprint \\| [^\\n]*\`${manifest.data_fingerprint}\``));
      expect(md).toContain('| data source | synthetic |');
      expect(md).toContain(`| after feature selection: features | ${manifest.data.features_kept} kept, ${manifest.data.features_dropped} dropped |`);
      expect(md).toMatch(/\| evaluated \| 12 replicate groups of 48 treated wells \(of 48; 0 dropped/);
      expect(md).toMatch(/\| after split: wells per set \| test_ctrl \d+, test_treat \d+, train \d+, val \d+ \|/);
      expect(md).toContain(`| backend | ${manifest.backend} |`);
      expect(md).toContain(`Rebuild this report from the runs: \`ads report tiny --runs-dir ${runsDir} --reports-dir ${reportsDir}\``);
      expect(existsSync(join(root, 'test-artifacts', 'report-provenance.png'))).toBe(true);
      // The tidy table of every run's numbers: each run's percent replicating as its metrics.json has it.
      const tidy = readFileSync(join(reportDir, 'metrics.csv'), 'utf8').trim().split('\n');
      expect(tidy[0]).toBe('run_id,seed,sweep_point,metric,value');
      for (const id of completeRuns()) {
        const m = JSON.parse(readFileSync(join(expDir, id, 'manifest.json'), 'utf8'));
        const x = JSON.parse(readFileSync(join(expDir, id, 'metrics.json'), 'utf8'));
        expect(tidy).toContain(`${id},${m.seed},model.latent=${m.point['model.latent']},percent_replicating.anomaly.percent,${x.percent_replicating.anomaly.percent}`);
      }
    });

    it('draws MoA, mAP and SHAP sections from metrics alone, leaving out figures whose tables are absent', async () => {
      const store = join(work, 'fixture');
      const exp = join(store, 'runs', 'fixture');
      const classes = ['kinase inhibitor', 'HDAC inhibitor', 'tubulin binder'];
      for (const [i, latent] of [4, 4, 8, 8].entries()) {
        const id = `r${i}`;
        mkdirSync(join(exp, id), { recursive: true });
        const rep = (base: number) => ({
          logistic: { macro_f1: { mean: base + 0.01 * i, sd: 0.02 }, weighted_f1: { mean: base + 0.02, sd: 0.02 }, per_class_f1: Object.fromEntries(classes.map((c, k) => [c, base + 0.1 * k])) },
          mlp: { macro_f1: { mean: base - 0.03, sd: 0.03 }, weighted_f1: { mean: base, sd: 0.03 }, per_class_f1: Object.fromEntries(classes.map((c, k) => [c, base + 0.05 * k])) },
        });
        writeFileSync(
          join(exp, id, 'metrics.json'),
          JSON.stringify({
            percent_replicating: { anomaly: { percent: 40 + latent + i, threshold: 0.2, n: 20, n_replicating: 9 }, cellprofiler: { percent: 45, threshold: 0.25, n: 20, n_replicating: 9 } },
            replicating_overlap: [
              { sets: ['anomaly'], count: 3 + i },
              { sets: ['cellprofiler'], count: 4 },
              { sets: ['anomaly', 'cellprofiler'], count: 5 },
            ],
            moa: {
              classes,
              n_wells: 120,
              baseline: { macro_f1: { mean: 0.05, sd: 0.01 }, weighted_f1: { mean: 0.1, sd: 0.01 } },
              anomaly: rep(0.3),
              cellprofiler: rep(0.25),
              early_fusion: rep(0.32),
              class_wells: [40, 40, 40],
              class_compounds: [4, 4, 4],
              // Runs of latent 4 have the corrected test (5 folds × 4 repeats); those of latent 8 predate it.
              comparisons: [
                {
                  classifier: 'logistic',
                  a: 'anomaly',
                  b: 'cellprofiler',
                  mean_a: 0.3,
                  mean_b: 0.25,
                  t: 3.1,
                  df: 7.6,
                  p: 0.015,
                  ...(latent === 4 ? { corrected: { t: 1.234, df: 19, p: 0.234, n: 20, test_train_ratio: 0.25 } } : {}),
                },
              ],
            },
            map: {
              anomaly: { activity: { mean_map: 0.5 + 0.01 * i, percent_retrieved: 60, n: 20, n_retrieved: 12 }, consistency: { mean_map: 0.3, percent_retrieved: 25, n: 4, n_retrieved: 1 } },
              cellprofiler: { activity: { mean_map: 0.45, percent_retrieved: 55, n: 20, n_retrieved: 11 }, consistency: { mean_map: 0.35, percent_retrieved: 50, n: 4, n_retrieved: 2 } },
            },
            shap: {
              group_by: 'Metadata_moa',
              records: 6,
              groups: {
                'kinase inhibitor': { records: 3, pairs: [{ explained: 'Cells_AreaShape_Area', contributor: 'Nuclei_AreaShape_Area', count: 3, mean_abs_shap: 0.3 + 0.01 * i }] },
                'HDAC inhibitor': { records: 3, pairs: [{ explained: 'Cytoplasm_Intensity_Mean', contributor: 'Cells_Texture_Contrast', count: 2, mean_abs_shap: 0.2 }] },
              },
            },
          }),
        );
        writeFileSync(join(exp, id, 'spec.yaml'), `experiment: fixture\nmodel: { latent: ${latent} }\nevaluation: { map: { threshold: 0.05 } }\n`);
        writeFileSync(join(exp, id, 'manifest.json'), JSON.stringify({ status: 'done', run_id: id, experiment: 'fixture', seed: 1 + (i % 2), point: { 'model.latent': latent }, error: null }));
      }
      await writeReportFor(
        { experiment: 'fixture', description: '', representations: ['anomaly', 'cellprofiler'], splitBy: null, nullPercentile: 90 },
        join(store, 'runs'),
        join(store, 'reports'),
      );
      const md = readFileSync(join(store, 'reports', 'fixture', 'report.md'), 'utf8');
      // Fusions are representations too: a column of their own, left out of the anomaly − CellProfiler difference.
      expect(md).toContain('| `moa.{rep}.logistic.macro_f1.mean` | model.latent=4 | 0.305 ± 0.007 (n=2) | 0.255 ± 0.007 (n=2) | 0.325 ± 0.007 (n=2) | +0.050 [');
      // The corrected test is the one shown (Welch's across repeats stays in metrics.json); a run without it shows –.
      expect(md).toContain('| model.latent=4 | 1 | logistic | anomaly vs cellprofiler | 0.300 | 0.250 | 20 | 0.250 | 1.23 | 19 | 0.2340 |');
      expect(md).toContain('| model.latent=8 | 1 | logistic | anomaly vs cellprofiler | 0.300 | 0.250 | – | – | – | – | – |');
      expect(md).toContain('Nadeau–Bengio corrected resampled t-test');
      expect(md).not.toContain('| 3.10 |');
      expect(md).toContain('the most frequent MoA scores a macro-F1 of 0.050 ± 0.000 (n=4)');
      expect(md).toContain('| kinase inhibitor | Cells_AreaShape_Area ← Nuclei_AreaShape_Area | 0.3250 ± 0.0071 (n=2) | 2 of 2 |');
      const page = await inspect(browser, join(store, 'reports', 'fixture', 'report.html'), join(root, 'test-artifacts', 'report-fixture.png'));
      expect(page.problems).toEqual([]);
      expect(page.headings).toEqual(expect.arrayContaining(['MoA classification', 'MoA classification: logistic', 'MoA classification: mlp', 'MoA classification: t-tests', 'Mean average precision', 'SHAP dependencies']));
      expect(page.headings).not.toContain('Training');
      expect(page.figures.map((f) => f.id).sort()).toEqual(
        ['map_mean_map', 'map_percent_retrieved', 'metrics_vs_model_latent', 'moa_macro_f1', 'moa_per_class_f1', 'percent_replicating', 'replicating_overlap', 'shap_dependencies'].map(
          (n) => `figure-${n}`,
        ),
      );
      for (const f of page.figures) expect(f.marks, f.id).toBeGreaterThan(0);
      expectHonestFigures(page, join(store, 'reports', 'fixture'));
      const html = readFileSync(join(store, 'reports', 'fixture', 'report.html'), 'utf8');
      // Baselines drawn and named: the majority class (0.05) and, per class, a uniform guess over 3 balanced MoAs (F1 = 1/3).
      expect(html).toContain('aria-label="majority-class baseline (0.050): 0.05"');
      expect(html).toMatch(/aria-label="uniform guess \(0\.333\): 0\.333333/);
      expect(html).toContain('aria-label="chance (≤ 5%): 5"');
      // Without the runs' mAP tables, mean mAP's chance (which depends on each group's list sizes) is not guessed: the text says why.
      expect(md).toContain('Mean mAP’s chance level (the expected mAP of random rankings) is not drawn');
      expect(html).not.toContain('chance: random ranking');
      // SHAP: a pair found by one seed of two has a mean |SHAP| whose interval starts at 0, never below.
      const shapCsv = readFileSync(join(store, 'reports', 'fixture', 'figures', 'shap_dependencies.csv'), 'utf8').trim().split('\n');
      const header = shapCsv[0].split(',');
      for (const line of shapCsv.slice(1)) expect(Number(line.split(',')[header.indexOf('low')])).toBeGreaterThanOrEqual(0);
    });
  });
});
