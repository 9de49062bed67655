/**
 * MoA classification at the reference's settings (experiments/paper/reference.yaml: 5 folds × 10 repeats,
 * logistic regression and the MLP up to 1,000 epochs, each of two representations alone and early and late
 * fusion) on the simulated 1,948 × 352 table of bench/moa_data.ts. One JSON line: seconds, fits, mean
 * macro-F1 per entry and, where a Python with scikit-learn is found ($ADS_BENCH_PYTHON, else /work/venv or
 * ./venv), the same fits on the same folds and oversampled rows in scikit-learn on one core
 * (bench/sklearn_moa.py), measured in this same run, with the ratio of the two; otherwise a note says why not.
 * Our folds run in one worker process per core (MOA_BENCH_WORKERS=1: in this process, which also gives CPU
 * seconds and their ratio to scikit-learn's, steadier than wall clocks on a shared machine).
 *   npx tsx bench/moa.bench.ts            MOA_BENCH_REPEATS=2 for a quicker pass (fewer repeats, same fits per fold)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateMoa, fusionOfAll, type MoaOptions } from '../src/classify/evaluate_moa.ts';
import { foldCount, repeatedStratifiedGroupKFold } from '../src/classify/folds.ts';
import { filterMoas } from '../src/classify/moa_filter.ts';
import { randomOversample } from '../src/classify/oversample.ts';
import { metaColumn } from '../src/data/profiles.ts';
import { selectRows } from '../src/numeric/matrix.ts';
import { kernelsInUse } from '../src/numeric/native.ts';
import { stream } from '../src/random/streams.ts';
import { FEATURES, moaTable, ROWS } from './moa_data.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repeats = Number(process.env.MOA_BENCH_REPEATS ?? 10);
/** Folds fitted at once in worker processes (runtime.threads in a run): one per core unless MOA_BENCH_WORKERS says. */
const workers = Number(process.env.MOA_BENCH_WORKERS ?? cpus().length);
const table = moaTable(1);
const options: MoaOptions = {
  min_compounds: 4,
  keep_perturbations: null,
  compound_prefix: null,
  lowercase_moa: false,
  folds: 5,
  repeats,
  classifiers: ['logistic', 'mlp'],
  C: 1,
  // The reference's (sklearn's default tol), as the anchor runs it: the same stopping rule on both sides.
  logistic_tol: 1e-4,
  mlp_max_epochs: 1000,
  fusions: fusionOfAll(['early', 'late'], Object.keys(table)),
  seed: 1,
  workers,
};
const columns = { moa: 'Metadata_moa', compound: 'Metadata_pert' };
const load = () => +loadavg()[0].toFixed(2);

const loadBefore = load();
let fits = 0;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await evaluateMoa(table, columns, options, () => fits++);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const line: Record<string, unknown> = {
  bench: 'moa',
  rows: ROWS,
  features: FEATURES,
  classes: result.classes.length,
  folds: result.n_folds,
  repeats,
  workers,
  // The products of every fit: native (numeric/native.ts) or WebAssembly; the same bits either way.
  products: kernelsInUse(),
  fits,
  seconds: +seconds.toFixed(2),
  // This process's CPU time: the fits' only with one worker (the workers' own is not counted).
  cpu_seconds: workers === 1 ? +((cpu.user + cpu.system) / 1e6).toFixed(2) : null,
  macro_f1: Object.fromEntries(result.scores.map((s) => [`${s.classifier}/${s.representation}`, +s.macro_f1.mean.toFixed(4)])),
  unconverged_fits: result.scores.reduce((a, s) => a + s.unconverged_fits, 0),
  cores: cpus().length,
  load_before: loadBefore,
  load_after: load(),
};

const python = findPython();
if (typeof python === 'string') {
  const anchor = sklearnAnchor(python);
  line.sklearn_seconds = anchor.seconds;
  line.sklearn_cpu_seconds = anchor.cpu_seconds;
  line.sklearn_fits = anchor.fits;
  line.sklearn_macro_f1 = anchor.macro_f1;
  line.sklearn_version = anchor.sklearn;
  line.ratio_vs_sklearn = +((anchor.seconds as number) / seconds).toFixed(2);
  // On a loaded machine the wall clocks of two processes run one after the other see different shares of the
  // cores; CPU seconds do not (ours are this process's, so this ratio means something with one worker).
  if (workers === 1) line.cpu_ratio_vs_sklearn = +((anchor.cpu_seconds as number) / (line.cpu_seconds as number)).toFixed(2);
  line.load_after_sklearn = load();
} else {
  line.sklearn_note = python.skipped;
}
console.log(JSON.stringify(line));

/** A Python that imports scikit-learn, or why there is none. */
function findPython(): string | { skipped: string } {
  const candidates = [process.env.ADS_BENCH_PYTHON, '/work/venv/bin/python', resolve(here, '../venv/bin/python')].filter((p): p is string => !!p);
  for (const p of candidates) {
    if (!existsSync(p)) continue;
    if (spawnSync(p, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0) return p;
  }
  return { skipped: `no scikit-learn anchor: none of ${candidates.join(', ')} imports sklearn (set ADS_BENCH_PYTHON)` };
}

/** The same folds and oversampled training rows evaluateMoa uses, for bench/sklearn_moa.py. */
function sklearnAnchor(python: string): Record<string, unknown> {
  const names = Object.keys(table);
  const first = table[names[0]];
  const selection = filterMoas(metaColumn(first, columns.moa), metaColumn(first, columns.compound), options);
  const folds = repeatedStratifiedGroupKFold(selection.labels, selection.groups, foldCount(options.folds, options.min_compounds), repeats, options.seed);
  const plan = folds.flatMap((set, r) =>
    set.map((fold, f) => {
      const yTrain = Array.from(fold.train, (i) => selection.labels[i]);
      // Every class is in every training fold here (each has more compounds than folds), so local = global labels.
      const resample = randomOversample(yTrain, stream(options.seed, `classify/oversample/${r}/${f}`));
      return { train: Array.from(resample, (k) => fold.train[k]), test: Array.from(fold.test) };
    }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'ads-moa-bench-'));
  try {
    for (const name of names) {
      const values = selectRows(table[name].values, selection.rows);
      writeFileSync(join(dir, `${name}.f64`), Buffer.from(values.data.buffer, values.data.byteOffset, values.data.byteLength));
    }
    writeFileSync(join(dir, 'plan.json'), JSON.stringify({
      rows: selection.rows.length, representations: names, labels: Array.from(selection.labels), folds: plan,
      classifiers: options.classifiers, C: options.C, logistic_tol: options.logistic_tol, mlp_max_epochs: options.mlp_max_epochs,
    }));
    const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const out = spawnSync(python, [join(here, 'sklearn_moa.py'), dir], { encoding: 'utf8', env, maxBuffer: 16 << 20 });
    if (out.status !== 0) throw new Error(`bench/sklearn_moa.py failed: ${out.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return JSON.parse(out.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
