import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tf } from '../src/runtime/tfjs.ts';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SET_COLUMN } from '../src/data/roles.ts';
import type { FeatureSelection } from '../src/preprocess/feature_select.ts';
import { type AnyStage, Pipeline } from '../src/run/stage.ts';
import { type RunDir, TABLES } from '../src/run/store.ts';
import { loadStage } from '../src/stages/load.ts';
import { PIPELINE, type RunMetrics } from '../src/stages/pipeline.ts';
import { trainStage } from '../src/stages/train.ts';
import { pipelineHarness } from './support/pipeline.ts';

/**
 * The pipeline in this process, stage by stage, on a screen small enough to run in seconds: what each stage
 * hands on and files in the run store, checked against the simulated design (4 plates × 16 controls; 3 MoAs ×
 * 3 compounds × 4 replicates, one dose; 24 features) rather than against the stages' own rules.
 */
const harness = pipelineHarness('ads-pipeline-');
const SCREEN = 'dataset: { synthetic: { plates: 4, moas: 3, compounds_per_moa: 3, features: 24, factors: 4, controls_per_plate: 16 } }';
const BASE = [
  SCREEN,
  'training: { max_epochs: 6, batch_size: 16 }',
  'evaluation: { moa: { min_compounds: 2, classifiers: [logistic] } }',
  'explain: { enabled: true, wells_per_group: 1, nsamples: 64 }',
];
const CONTROLS = 4 * 16;
const COMPOUNDS = 3 * 3;
const TREATED = COMPOUNDS * 4;

let run: RunDir;
let metrics: RunMetrics;
let manifest: NonNullable<ReturnType<RunDir['readManifest']>>;

beforeAll(async () => {
  const { outcomes, dirs } = await harness.run('stages', [...BASE, 'sweep: { seeds: [1] }']);
  expect(outcomes.map((o) => [o.status, o.error])).toEqual([['done', undefined]]);
  run = dirs[0];
  const stored = run.stored();
  if (!stored.complete) throw new Error(stored.reason);
  metrics = stored.metrics as RunMetrics;
  manifest = stored.manifest;
}, 120_000);

describe('the pipeline, stage by stage', () => {
  it('runs its stages in order, each timed on its own in the manifest (MoA classification apart from evaluation)', () => {
    expect(PIPELINE.stages.map((s) => s.name)).toEqual(['load', 'split', 'normalize', 'select', 'modalities', 'train', 'represent', 'evaluate', 'classify', 'explain']);
    expect(Object.keys(manifest.seconds).sort()).toEqual([...PIPELINE.stages.map((s) => s.name)].sort());
  });

  it('load: the manifest has the fingerprint of the data read; the same screen gives the same one, another seed another screen', async () => {
    expect(manifest.data_fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    const { dirs } = await harness.run('fingerprints', [...BASE.slice(0, 2), 'evaluation: { moa: { enabled: false } }', 'sweep: { grid: { model.latent: [4, 6] }, seeds: [1, 2] }'], {
      stages: PIPELINE.through('load'),
    });
    const prints = dirs.map((d) => d.readManifest()!.data_fingerprint);
    // Runs are seeds × points: the simulated screen follows the seed, not the model.
    const bySeed = new Map<unknown, Set<unknown>>();
    dirs.forEach((d, i) => bySeed.set(d.readManifest()!.seed, (bySeed.get(d.readManifest()!.seed) ?? new Set()).add(prints[i])));
    expect([...bySeed.values()].map((s) => s.size)).toEqual([1, 1]);
    expect(new Set(prints).size).toBe(2);
  });

  it('split: every control in train, val or test_ctrl, every treated well in test_treat', () => {
    const t = run.readTable(TABLES.normalized);
    const sets = t.getColumn(SET_COLUMN).toArray() as string[];
    const roles = t.getColumn('Metadata_role').toArray() as string[];
    const count = (pred: (i: number) => boolean) => sets.filter((_, i) => pred(i)).length;
    expect(sets).toHaveLength(CONTROLS + TREATED);
    expect(count((i) => roles[i] === 'treated' && sets[i] === 'test_treat')).toBe(TREATED);
    expect(count((i) => roles[i] === 'control' && ['train', 'val', 'test_ctrl'].includes(sets[i]))).toBe(CONTROLS);
    for (const set of ['train', 'val', 'test_ctrl']) expect(sets.includes(set), set).toBe(true);
    expect(manifest.data).toMatchObject({ dropped_plates: [] });
  });

  it("normalize and select: the table keeps exactly the kept features, and every feature of the screen is kept or dropped with a reason", () => {
    const selection = run.readJson<FeatureSelection>(TABLES.features);
    expect(selection.kept.length + selection.dropped.length).toBe(24);
    const features = run.readTable(TABLES.normalized).columns.filter((c) => !c.startsWith('Metadata_'));
    expect(features).toEqual([...selection.kept]);
    expect(manifest.data).toMatchObject({ features_kept: selection.kept.length, features_dropped: selection.dropped.length });
  });

  it('train: one history row per epoch, the best validation loss is the smallest in it, and the model is saved', () => {
    const h = run.readTable(TABLES.history);
    const valLoss = h.getColumn('val_loss').toArray() as number[];
    expect(h.height).toBe(metrics.training!.epochs);
    expect(metrics.training!.best_val_loss).toBe(Math.min(...valLoss));
    expect(run.hasModel()).toBe(true);
    expect(manifest.backend).toBe('wasm');
  });

  it('represent: one table per representation, of the test wells only', () => {
    const sets = run.readTable(TABLES.normalized).getColumn(SET_COLUMN).toArray() as string[];
    const testWells = sets.filter((s) => s === 'test_ctrl' || s === 'test_treat').length;
    for (const rep of ['anomaly', 'cellprofiler']) {
      const t = run.readTable(TABLES.representation(rep));
      expect(t.height, rep).toBe(testWells);
      expect(new Set(t.getColumn(SET_COLUMN).toArray())).toEqual(new Set(['test_ctrl', 'test_treat']));
    }
  });

  it('evaluate: percent replicating over the 9 simulated compounds, a row per compound in its table', () => {
    for (const rep of ['anomaly', 'cellprofiler']) {
      expect(metrics.percent_replicating![rep].n, rep).toBe(COMPOUNDS);
      const t = run.readTable(TABLES.replicateCorrelation(rep));
      expect(t.height).toBe(COMPOUNDS);
      expect(t.getColumn('n_replicates').toArray()).toEqual(Array(COMPOUNDS).fill(4));
    }
  });

  it('classify: the 3 simulated MoAs (lower-cased, as the reference keys them), each with its 3 compounds', () => {
    expect(metrics.moa!.classes).toEqual(['moa01', 'moa02', 'moa03']);
    expect(metrics.moa!.class_compounds).toEqual([3, 3, 3]);
    expect(run.readTable(TABLES.moa('compounds')).height).toBe(COMPOUNDS);
  });

  it('explain: the most anomalous well of each MoA explained', () => {
    const groups = metrics.shap!.groups;
    expect(Object.keys(groups).sort()).toEqual(['MOA01', 'MOA02', 'MOA03']);
    const wells = new Set(run.readTable(TABLES.explanations).getColumn('well').toArray());
    expect(wells.size).toBe(3);
  });
});

describe('shared work: loading and preprocessing once per data, split and preprocessing settings', () => {
  const SWEEP = [SCREEN, 'training: { max_epochs: 3, batch_size: 16 }', 'evaluation: { moa: { enabled: false }, map: { enabled: false } }', 'sweep: { grid: { model.latent: [4, 6] }, seeds: [5] }'];
  /** Every result file of a run, relative path → bytes. */
  const results = (d: RunDir) => new Map(Object.keys(d.listOutputs()).map((f) => [f, readFileSync(join(d.dir, f))]));

  it("a second model setting restores the first one's shared work, and its results are the bytes a run without the cache gives", async () => {
    const cached = await harness.run('shared', SWEEP);
    expect(cached.outcomes.map((o) => o.status)).toEqual(['done', 'done']);
    const manifests = cached.dirs.map((d) => d.readManifest()!);
    expect(manifests.map((m) => m.cache?.restored)).toEqual([false, true]);
    expect(manifests[0].cache!.key).toBe(manifests[1].cache!.key);
    // The restored run ran none of the shared stages.
    expect(Object.keys(manifests[1].seconds).sort()).toEqual(['classify', 'evaluate', 'explain', 'modalities', 'represent', 'restore', 'train']);
    expect(manifests[1].data).toEqual(manifests[0].data);
    expect(manifests[1].data_fingerprint).toBe(manifests[0].data_fingerprint);
    const plain = await harness.run('shared', SWEEP, { cache: false, runsDir: join(harness.dir, 'no-cache') });
    expect(plain.dirs.map((d) => d.readManifest()!.cache)).toEqual([undefined, undefined]);
    for (const [i, d] of cached.dirs.entries()) {
      const a = results(d);
      const b = results(plain.dirs[i]);
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      for (const [file, bytes] of a) expect(bytes.equals(b.get(file)!), `${file} of run ${i}`).toBe(true);
    }
    // One copy on disk: the restored run's table is the cache's file. Writing the run's table anew leaves the
    // cache's as it was.
    const kept = join(cached.store.cache.dir, manifests[0].cache!.key, 'tables', 'normalized.parquet');
    expect(statSync(cached.dirs[1].tablePath('normalized')).ino).toBe(statSync(kept).ino);
    const keptBytes = readFileSync(kept);
    cached.dirs[1].writeTable('normalized', { x: Float64Array.of(1, 2) });
    expect(readFileSync(kept).equals(keptBytes)).toBe(true);
    expect(statSync(cached.dirs[1].tablePath('normalized')).size).toBeLessThan(keptBytes.length);
  }, 120_000);

  it('another seed, split or preprocessing setting is other work; a damaged entry is redone, not used', async () => {
    const [screen, train, evaluation] = SWEEP;
    const runWith = (lines: string[], opts = {}) => harness.run('shared-keys', [screen, evaluation, ...lines], opts);
    const first = await runWith([train, 'sweep: { seeds: [5] }']);
    const key = first.dirs[0].readManifest()!.cache!.key;
    const cacheOf = async (lines: string[]) => (await runWith(lines)).dirs[0].readManifest()!.cache!;
    expect((await cacheOf([train, 'sweep: { seeds: [6] }'])).key).not.toBe(key);
    expect((await cacheOf([train, 'split: { val_fraction: 0.3 }', 'sweep: { seeds: [5] }'])).key).not.toBe(key);
    expect((await cacheOf([train, 'normalize: { method: robustize }', 'sweep: { seeds: [5] }'])).key).not.toBe(key);
    // A training setting shares the work.
    expect(await cacheOf(['training: { max_epochs: 2, batch_size: 16 }', 'sweep: { seeds: [5] }'])).toEqual({ key, restored: true, stages: ['load', 'split', 'normalize', 'select'] });
    // Cut a kept table short: the entry no longer matches its record, so the run does the work again.
    const entry = join(first.store.cache.dir, key, 'tables', 'normalized.parquet');
    writeFileSync(entry, readFileSync(entry).subarray(0, 100));
    const redone = await runWith([train, 'sweep: { seeds: [5] }'], { force: true });
    expect(redone.outcomes[0].status).toBe('done');
    expect(redone.dirs[0].readManifest()!.cache).toEqual({ key, restored: false, stages: ['load', 'split', 'normalize', 'select'] });
    // The damaged entry was replaced by a whole one, which the next run restores.
    const again = await runWith([train, 'sweep: { seeds: [5] }'], { force: true });
    expect(again.dirs[0].readManifest()!.cache!.restored).toBe(true);
  }, 120_000);

  it('a run waits while another live process of this host computes the same shared work, and restores what it keeps', async () => {
    const [screen, train, evaluation] = SWEEP;
    const lines = [screen, evaluation, train, 'sweep: { seeds: [11] }'];
    const first = await harness.run('shared-wait', lines);
    const { key, stages } = first.dirs[0].readManifest()!.cache!;
    const fingerprint = first.dirs[0].readManifest()!.data_fingerprint;
    const cacheDir = first.store.cache.dir;
    const aside = join(harness.dir, 'entry-aside');
    renameSync(join(cacheDir, key), aside);
    const other = computingElsewhere(join(cacheDir, `.${key}.lock`));
    // The other process keeps its entry 1.5 s later and lets go.
    const keeps = setTimeout(() => {
      renameSync(aside, join(cacheDir, key));
      other.end();
    }, 1500);
    try {
      const waiting = await harness.run('shared-wait', lines, { force: true });
      expect(waiting.outcomes.map((o) => o.status)).toEqual(['done']);
      const manifest = waiting.dirs[0].readManifest()!;
      expect(manifest.cache).toMatchObject({ key, restored: true, stages });
      expect(manifest.cache!.waited_seconds).toBeGreaterThanOrEqual(1.4);
      expect(manifest.data_fingerprint).toBe(fingerprint);
      expect(manifest.seconds).not.toHaveProperty('load');
      expect(waiting.progress).toContain(`waiting for process ${other.pid}, which loads and preprocesses the same data`);
    } finally {
      clearTimeout(keeps);
      other.end();
    }
  }, 120_000);

  it('a run waiting for shared work computes it itself when the process computing it ends without keeping it', async () => {
    const [screen, train, evaluation] = SWEEP;
    const lines = [screen, evaluation, train, 'sweep: { seeds: [12] }'];
    const first = await harness.run('shared-orphan', lines);
    const { key } = first.dirs[0].readManifest()!.cache!;
    const cacheDir = first.store.cache.dir;
    rmSync(join(cacheDir, key), { recursive: true });
    const lock = join(cacheDir, `.${key}.lock`);
    const other = computingElsewhere(lock);
    // It dies 1 s later, its lock left behind.
    const dies = setTimeout(() => other.kill(), 1000);
    try {
      const waiting = await harness.run('shared-orphan', lines, { force: true });
      expect(waiting.outcomes.map((o) => o.status)).toEqual(['done']);
      const manifest = waiting.dirs[0].readManifest()!;
      expect(manifest.cache).toMatchObject({ key, restored: false });
      expect(manifest.cache!.waited_seconds).toBeGreaterThanOrEqual(0.9);
      expect(manifest.seconds).toHaveProperty('load');
      // The run kept the entry, and let go of the claim it took over.
      expect(existsSync(join(cacheDir, key, 'entry.json'))).toBe(true);
      expect(existsSync(lock)).toBe(false);
    } finally {
      clearTimeout(dies);
      other.kill();
    }
  }, 120_000);

  it('a cache that cannot be written costs time, not results: the run is done, with a warning', async () => {
    const runsDir = join(harness.dir, 'unwritable-cache');
    mkdirSync(runsDir);
    // `.cache` a file: nothing can be made under it, as in a read-only folder (which root, running the tests, could write).
    writeFileSync(join(runsDir, '.cache'), '');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { outcomes, dirs } = await harness.run('unwritable', [SWEEP[0], SWEEP[1], SWEEP[2], 'sweep: { seeds: [13] }'], { runsDir });
      expect(outcomes.map((o) => [o.status, o.error])).toEqual([['done', undefined]]);
      expect(dirs[0].readManifest()!.cache).toMatchObject({ restored: false });
      expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toMatch(/its loaded and preprocessed data could not be kept for other runs/);
    } finally {
      stderr.mockRestore();
    }
  }, 120_000);

  it('ads cache prune removes the entries (all, or those unused for N days), never a run', async () => {
    const { dirs, store } = await harness.run('prune', SWEEP.slice(0, 3).concat('sweep: { seeds: [9] }'), { runsDir: join(harness.dir, 'prune-runs') });
    const cache = store.cache;
    // What the cache did not write stays, whatever its name: --runs-dir ~ names a .cache of other programs.
    mkdirSync(join(cache.dir, 'pip'));
    writeFileSync(join(cache.dir, 'pip', 'important'), 'keep');
    writeFileSync(join(cache.dir, 'notes.txt'), 'keep');
    mkdirSync(join(cache.dir, '0123456789abcdef0123456789abcdef'));
    // A claim left by a process that is gone goes; one held by a live process (this one) stays.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const claim = (name: string, pid: number) => writeFileSync(join(cache.dir, name), JSON.stringify({ pid, host: hostname(), since: '' }));
    claim('.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.lock', dead);
    claim('.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.lock', process.pid);
    expect(cache.prune(1)).toEqual({ entries: 0, bytes: 0, kept: 1, foreign: 3 });
    // The bytes freed: the entry's record, not its table, which is also the run's (one file, two names).
    const key = dirs[0].readManifest()!.cache!.key;
    const record = statSync(join(cache.dir, key, 'entry.json')).size;
    const pruned = cache.prune(0);
    expect(pruned.entries).toBe(1);
    expect(pruned.bytes).toBe(record);
    expect(dirs[0].stored().complete).toBe(true);
    expect(readdirSync(cache.dir).sort()).toEqual(['.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.lock', '0123456789abcdef0123456789abcdef', 'notes.txt', 'pip']);
    expect(readFileSync(join(cache.dir, 'pip', 'important'), 'utf8')).toBe('keep');
    expect(dirs[0].stored().complete).toBe(true);
  }, 120_000);
});

/**
 * Another process of this host computing a cache entry, as the cache sees one: a live process holding the
 * entry's lock. `end` lets go of the lock (the entry kept) and ends it; `kill` ends it, the lock left behind.
 */
function computingElsewhere(lock: string) {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
  writeFileSync(lock, JSON.stringify({ pid: child.pid, host: hostname(), since: new Date().toISOString() }));
  return {
    pid: child.pid!,
    end() {
      rmSync(lock, { force: true });
      child.kill();
    },
    kill: () => child.kill(),
  };
}

describe('resources and failures', () => {
  it('no tensor outlives a run, done or failed: the runner disposes the model whatever happens after training', async () => {
    const before = tf.memory().numTensors;
    const done = await harness.run('tensors-done', [...BASE.slice(0, 3), 'sweep: { seeds: [7] }']);
    expect(done.outcomes.map((o) => o.status)).toEqual(['done']);
    expect(tf.memory().numTensors).toBe(before);
    const failing: AnyStage = { name: 'represent', reads: [], uses: () => ({}), run: () => Promise.reject(new Error('represent broke')) };
    const failed = await harness.run('tensors-failed', [...BASE, 'sweep: { seeds: [8] }'], { stages: [...PIPELINE.through('train'), failing] });
    expect(failed.outcomes.map((o) => [o.status, o.error])).toEqual([['failed', 'represent: represent broke']]);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('a data error in a real stage leaves a failed manifest naming the stage and the plate, no lock and no result', async () => {
    // Two controls per plate: one to validation, one to test, none left to fit a plate's scaler on.
    const lines = ['dataset: { synthetic: { plates: 4, moas: 3, compounds_per_moa: 3, features: 24, factors: 4, controls_per_plate: 2 } }', 'sweep: { seeds: [1] }'];
    const { outcomes, dirs, store, runs } = await harness.run('too-few-controls', lines);
    expect(outcomes[0].status).toBe('failed');
    const m = dirs[0].readManifest()!;
    expect(m.status).toBe('failed');
    expect(m.error).toMatch(/^normalize: plate 'P00\d' \(\d+ wells\) has none of the wells its standardize scaler is fitted on \(normalize\.fit_on\)/);
    expect(Object.keys(m.seconds).sort()).toEqual(['load', 'split']);
    expect(dirs[0].stored().complete).toBe(false);
    expect(existsSync(store.lockPath(runs[0].runId))).toBe(false);
  });

  it('a plate with a single well to fit its scaler on is normalized as pycytominer does, with a warning in the manifest', async () => {
    // Three controls per plate: one each to training, validation and test, so one to fit each plate's scaler on.
    const lines = ['dataset: { synthetic: { plates: 4, moas: 3, compounds_per_moa: 3, features: 24, factors: 4, controls_per_plate: 3 } }', 'sweep: { seeds: [1] }'];
    const { dirs } = await harness.run('one-fit-well', lines, { stages: PIPELINE.through('normalize') });
    const m = dirs[0].readManifest()!;
    expect(m.status).toBe('done');
    expect((m.data as { warnings: string[] }).warnings).toContainEqual(expect.stringMatching(/^\d plate\(s\) \('P00\d'(, 'P00\d')*(, …)?\) have a single well to fit their standardize scaler on \(normalize\.fit_on\): a well has no spread/));
  });

  it('a run without a model or MoA classification selects no backend', async () => {
    const { dirs } = await harness.run('no-backend', [SCREEN, 'representations: [cellprofiler]', 'evaluation: { moa: { enabled: false } }', 'sweep: { seeds: [1] }']);
    const m = dirs[0].readManifest()!;
    expect(m.status).toBe('done');
    expect(m.backend).toBeNull();
    expect(Object.keys(dirs[0].listOutputs()).some((f) => f.startsWith('model/'))).toBe(false);
  });

  it('a search trial runs the stages through training only', () => {
    expect(PIPELINE.through('train').map((s) => s.name)).toEqual(['load', 'split', 'normalize', 'select', 'modalities', 'train']);
  });

  it('a stage that needs a value no earlier stage produces does not compile', () => {
    // @ts-expect-error train needs `selected`, which load does not produce (typecheck fails if this compiles)
    const broken = Pipeline.start().then(loadStage).then(trainStage);
    expect(broken.stages).toHaveLength(2);
  });
});
