import { ads } from './support/cli.ts';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReportFor } from '../src/report/write.ts';

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
}

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
  }));
  if (screenshot) {
    mkdirSync(join(root, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
  }
  await page.close();
  return { problems, ...report };
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
    const files = readdirSync(join(reportDir, 'figures')).sort();
    expect(referenced).toEqual(files);
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
    expect(html.match(/<svg/g)).toHaveLength(readdirSync(join(reportDir, 'figures')).length);
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
      expect(ids).toHaveLength(readdirSync(join(reportDir, 'figures')).length);
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
              comparisons: [{ classifier: 'logistic', a: 'anomaly', b: 'cellprofiler', mean_a: 0.3, mean_b: 0.25, t: 3.1, df: 7.6, p: 0.015 }],
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
      expect(md).toContain('| model.latent=4 | 1 | logistic | anomaly vs cellprofiler | 0.300 | 0.250 | 3.10 | 7.6 | 0.0150 |');
      expect(md).toContain('the most frequent MoA scores a macro-F1 of 0.050 ± 0.000 (n=4)');
      expect(md).toContain('| kinase inhibitor | Cells_AreaShape_Area ← Nuclei_AreaShape_Area | 0.3250 ± 0.0071 (n=2) | 2 of 2 |');
      const page = await inspect(browser, join(store, 'reports', 'fixture', 'report.html'));
      expect(page.problems).toEqual([]);
      expect(page.headings).toEqual(expect.arrayContaining(['MoA classification', 'MoA classification: logistic', 'MoA classification: mlp', 'MoA classification: t-tests', 'Mean average precision', 'SHAP dependencies']));
      expect(page.headings).not.toContain('Training');
      expect(page.figures.map((f) => f.id).sort()).toEqual(
        ['map_mean_map', 'map_percent_retrieved', 'metrics_vs_model_latent', 'moa_macro_f1', 'moa_per_class_f1', 'percent_replicating', 'replicating_overlap', 'shap_dependencies'].map(
          (n) => `figure-${n}`,
        ),
      );
      for (const f of page.figures) expect(f.marks, f.id).toBeGreaterThan(0);
    });
  });
});
