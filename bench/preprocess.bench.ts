/**
 * Preprocessing of one simulated screen as a CSV.gz (40 plates × 384 wells, 24 controls per plate, 29 MoAs
 * × 16 compounds × 6 doses × 5 replicates: 14,880 wells × 1,700 features, as `ads simulate` writes it):
 * load, (split,) per-plate standardize fitted on the controls, and each of the five feature selections alone,
 * as a run does them; then the same steps in pycytominer on pandas, on the same file, in this same run, with the
 * ratio of the two per step (ratio > 1: this project is faster) and whether both kept the same features.
 * Each side runs twice and each step counts at the faster of its two times: pycytominer before and after,
 * this project's steps in between, each round in a fresh process of its own (bench/preprocess_steps.ts), so
 * that each starts cold as a run does (no code compiled by a round before) and its peak RSS is its own.
 * One JSON line per step and one for the whole:
 *   {"bench":"preprocess","stage":…,"seconds":…,"peak_rss_mb":…,"pycytominer_seconds":…,"ratio_vs_pycytominer":…}
 *
 * The anchor runs where a pycytominer source checkout is given (PYCYTOMINER_SRC: the folder that holds the
 * `pycytominer` package, e.g. a clone of github.com/cytomining/pycytominer) and its Python has pandas,
 * scikit-learn and scipy (PYCYTOMINER_PYTHON, default /usr/bin/python3 with Debian's python3-pandas,
 * python3-sklearn, python3-scipy, python3-yaml); otherwise a note says why it is missing.
 * The file is written by a child process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolesOf } from '../src/data/roles.ts';
import { inflaterInUse } from '../src/data/inflate.ts';
import { kernelsInUse } from '../src/numeric/native.ts';
import { validateExperiment } from '../src/spec/schema.ts';
import type { ResolvedSpec } from '../src/spec/types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const synthetic = { plates: 40, wells_per_plate: 384, controls_per_plate: 24, moas: 29, compounds_per_moa: 16, doses: 6, replicates: 5, features: 1700, factors: 40 };

const dir = mkdtempSync(join(tmpdir(), 'ads-bench-'));
const path = join(dir, 'screen.csv.gz');
writeFileSync(join(dir, 'screen.yaml'), `experiment: bench\ndataset:\n  synthetic: ${JSON.stringify(synthetic)}\n`);
execFileSync(process.execPath, [resolve(here, '../bin/ads.js'), 'simulate', join(dir, 'screen.yaml'), '--out', path], { stdio: 'ignore' });

const checked = validateExperiment({
  experiment: 'bench',
  dataset: { source: 'file', path },
  normalize: { method: 'standardize', by_plate: true, fit_on: 'all_controls' },
});
if (!checked.valid) throw new Error(JSON.stringify(checked.errors));
const spec = checked.value as ResolvedSpec;
const roles = rolesOf(spec.dataset);

const round = (x: number) => Math.round(x * 1000) / 1000;

/** One of this project's steps, as preprocess_steps.ts prints it. */
interface OurLine {
  stage: string;
  seconds: number;
  peak_rss_mb: number;
  kept?: string[];
  rows: number;
  features: number;
}

/** This project's steps in a process of their own, on the same file. */
function ourRound(): OurLine[] {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'preprocess_steps.ts'), path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`preprocess_steps.ts failed: ${run.stderr}`);
  return run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as OurLine);
}

interface AnchorLine {
  step: string;
  seconds: number;
  peak_rss_mb: number;
  kept?: string[];
}

/** pycytominer's lines for the same steps, or null (with a note) where it cannot run here. */
function anchor(): Map<string, AnchorLine> | null {
  const note = (message: string) => console.log(JSON.stringify({ bench: 'note', message: `no pycytominer anchor: ${message}` }));
  const source = process.env.PYCYTOMINER_SRC;
  const python = process.env.PYCYTOMINER_PYTHON ?? '/usr/bin/python3';
  if (!source || !existsSync(join(source, 'pycytominer', 'feature_select.py'))) {
    note('set PYCYTOMINER_SRC to a pycytominer source checkout (the folder holding the pycytominer package)');
    return null;
  }
  const probe = spawnSync(python, ['-c', 'import pandas, sklearn, scipy, yaml'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    note(`${python} lacks pandas, scikit-learn, scipy or yaml (apt-get install -y python3-pandas python3-sklearn python3-scipy python3-yaml)`);
    return null;
  }
  const run = spawnSync(
    python,
    [join(here, 'pycytominer_preprocess.py'), source, path, roles.plate, roles.control.column, String(roles.control.values[0]), spec.dataset.features.prefixes.join(',')],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  if (run.status !== 0) {
    note(`it failed: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return null;
  }
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as AnchorLine);
  return new Map(lines.map((l) => [l.step, l]));
}

// The anchor runs before and after this process's steps, and each of its steps counts at its faster time:
// on a shared machine the load changes within a minute, and the ratio should not flatter this project.
const before = anchor();

const rounds = [ourRound(), ourRound()];
const ours = rounds[0].map((line, k) => (rounds[1][k].seconds < line.seconds ? { ...rounds[1][k], peak_rss_mb: Math.max(line.peak_rss_mb, rounds[1][k].peak_rss_mb) } : { ...line, peak_rss_mb: Math.max(line.peak_rss_mb, rounds[1][k].peak_rss_mb) }));
const after = before && anchor();
const reference = before && after && new Map([...before].map(([step, line]) => [step, after.get(step)!.seconds < line.seconds ? after.get(step)! : line]));
const sameKept = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((f, k) => f === b[k]);
for (const line of ours) {
  const ref = reference?.get(line.stage);
  console.log(
    JSON.stringify({
      bench: 'preprocess',
      stage: line.stage,
      seconds: round(line.seconds),
      peak_rss_mb: line.peak_rss_mb,
      ...(ref && {
        pycytominer_seconds: ref.seconds,
        ratio_vs_pycytominer: round(ref.seconds / line.seconds),
        ...(line.kept && ref.kept && { kept: line.kept.length, same_features_kept: sameKept(line.kept, ref.kept) }),
      }),
    }),
  );
}
// The whole: the steps pycytominer does too (not the split).
const total = ours.filter((l) => l.stage !== 'split').reduce((s, l) => s + l.seconds, 0);
const refTotal = reference && { seconds: round([...reference].filter(([step]) => step !== 'total').reduce((s, [, l]) => s + l.seconds, 0)), peak_rss_mb: Math.max(before!.get('total')!.peak_rss_mb, after!.get('total')!.peak_rss_mb) };
console.log(
  JSON.stringify({
    bench: 'preprocess',
    rows: ours[0].rows,
    features: ours[0].features,
    seconds: round(total),
    peak_rss_mb: Math.max(...ours.map((l) => l.peak_rss_mb)),
    // The correlation filter's Gram products: native (numeric/native.ts) or WebAssembly; the same bits either way.
    products: kernelsInUse(),
    // What inflated the CSV.gz (data/inflate.ts): ISA-L's igzip where the addon has it, else Node's zlib.
    inflater: inflaterInUse(),
    // The machine's 1-minute load average at the end: above its number of cores, every figure is slowed.
    load_average: round(loadavg()[0]),
    ...(refTotal && {
      pycytominer_seconds: refTotal.seconds,
      pycytominer_peak_rss_mb: refTotal.peak_rss_mb,
      ratio_vs_pycytominer: round(refTotal.seconds / total),
    }),
  }),
);
rmSync(dir, { recursive: true, force: true });
