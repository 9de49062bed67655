import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type pl from 'nodejs-polars';
import { type Columns, frameToProfiles, readFrame, writeColumnsParquet, writeProfilesParquet } from '../data/io.ts';
import type { Profiles } from '../data/profiles.ts';
import { SharedWorkCache } from './cache.ts';
import { writeJsonAtomic } from './files.ts';
import type { Manifest } from './manifest.ts';
import { tensorboardRunName } from './tensorboard.ts';

/**
 * The run store: the one module that knows where things are. Every other module asks it for a path or a
 * typed read or write, so the layout can change here alone.
 *
 *   <runs-dir>/<experiment>/                 an ExperimentStore; also TensorBoard's log root (HParams summary)
 *     <run-id>/                              a RunDir: one run's resolved spec and everything it produced
 *       spec.yaml  manifest.json  metrics.json
 *       tables/<name>.parquet, tables/<name>.json   (names: TABLES)
 *       model/                               the trained autoencoder (tfjs format)
 *     .locks/<run-id>.lock                   held while a process runs the run
 *     tb/<point>,seed=<n>,run=<run-id>/      the run's TensorBoard logs (train/, val/ beside its own session)
 *     search.json                            a hyper-parameter search's outcome
 *     trials/                                the search's trial runs: an ExperimentStore of its own
 *   <runs-dir>/.cache/<key>/                 shared work of runs, any experiment's (SharedWorkCache)
 */
export class ExperimentStore {
  readonly dir: string;

  constructor(
    readonly runsDir: string,
    readonly experiment: string,
    /** A folder inside the experiment's store (the search's `trials`); '' for the store itself. */
    subdir = '',
  ) {
    this.dir = join(runsDir, experiment, subdir);
  }

  /** The cache of shared work (loading, preprocessing), one for every experiment of the runs directory. */
  get cache(): SharedWorkCache {
    return sharedWorkCache(this.runsDir);
  }

  run(runId: string): RunDir {
    return new RunDir(join(this.dir, runId));
  }

  lockPath(runId: string): string {
    return join(this.dir, '.locks', `${runId}.lock`);
  }

  /** Where a run's TensorBoard logs go: beside the run directories, under `tb/`, named by what the run is. */
  tensorboardDir(run: Parameters<typeof tensorboardRunName>[0]): string {
    return join(this.dir, 'tb', tensorboardRunName(run));
  }

  get searchOutcome(): string {
    return join(this.dir, 'search.json');
  }

  /** The folders that may hold runs, sorted (TensorBoard's `tb/` and a search's `trials/` hold no manifest). */
  runDirs(): RunDir[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort()
      .map((name) => this.run(name));
  }
}

/**
 * What a run writes under `tables/`, by name (no extension): the one list of a run's tables. A reader takes
 * the name from here, as the stage that writes it does.
 */
export const TABLES = {
  /** The profiles after normalization and feature selection, with the split's `Metadata_set` (select). */
  normalized: 'normalized',
  /** The feature selection: kept features, dropped ones with their reason (JSON; select). */
  features: 'features',
  /** One row per epoch: loss, val_loss, val_objective, lr (train). */
  history: 'history',
  /** Per representation, the test wells' profiles (represent). */
  representation: (rep: string) => `representations/${rep}`,
  /** Per modality, its wells as read, imputed and z-scored (modalities). */
  modality: (name: string) => `modalities/${name}`,
  /** Per representation, one replicate correlation per replicate group (evaluate). */
  replicateCorrelation: (rep: string) => `replicate_correlation/${rep}`,
  /** Per representation, a sample of the null's correlations (evaluate). */
  nullCorrelation: (rep: string) => `null_correlation/${rep}`,
  /** Per representation and kind (activity, consistency), the per-group mAP (evaluate). */
  map: (name: string) => `map/${name}`,
  /** folds, predictions, compounds (classify). */
  moa: (name: string) => `moa/${name}`,
  /** One row per explained well, feature and input feature with a non-zero SHAP value (explain). */
  explanations: 'explanations',
} as const;

/** The folder of a hyper-parameter search's trial runs, inside its experiment's store. */
export const TRIALS = 'trials';

const MANIFEST = 'manifest.json';
const METRICS = 'metrics.json';
const SPEC = 'spec.yaml';
const TABLES_DIR = 'tables';
const MODEL_DIR = 'model';

/** What a run's results are: its settings, its metrics, its tables and its model (TensorBoard logs are not). */
const OUTPUTS = [SPEC, METRICS, TABLES_DIR, MODEL_DIR];

/** What the run store holds in a run directory: a result, or why it is not one. */
export type StoredRun =
  | { complete: true; manifest: Manifest; metrics: Record<string, unknown> }
  | { complete: false; manifest: Manifest | null; reason: string };

/** One run's directory: typed reads and writes of its spec, manifest, metrics, tables and model. */
export class RunDir {
  constructor(readonly dir: string) {}

  /** The folder's name: the run id. */
  get name(): string {
    return basename(this.dir);
  }

  get modelDir(): string {
    return join(this.dir, MODEL_DIR);
  }

  /** Removes whatever an earlier attempt left and makes the empty directory, with its `tables/`. */
  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(join(this.dir, TABLES_DIR), { recursive: true });
  }

  /** The partial outputs of a failed run, removed to make room on a full disk. */
  removeOutputs(): void {
    for (const d of [TABLES_DIR, MODEL_DIR]) rmSync(join(this.dir, d), { recursive: true, force: true });
  }

  writeSpec(yaml: string): void {
    writeFileSync(join(this.dir, SPEC), yaml);
  }

  hasSpec(): boolean {
    return existsSync(join(this.dir, SPEC));
  }

  specPath(): string {
    return join(this.dir, SPEC);
  }

  readSpecText(): string {
    return readFileSync(join(this.dir, SPEC), 'utf8');
  }

  readManifest(): Manifest | null {
    const path = join(this.dir, MANIFEST);
    if (!existsSync(path)) return null;
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    } catch {
      // Atomic writes make a torn manifest impossible; a hand-edited broken one is simply not a result.
      return null;
    }
  }

  writeManifest(manifest: Manifest): void {
    writeJsonAtomic(join(this.dir, MANIFEST), manifest);
  }

  get manifestPath(): string {
    return join(this.dir, MANIFEST);
  }

  writeMetrics(metrics: unknown): void {
    writeJsonAtomic(join(this.dir, METRICS), metrics);
  }

  /** `tables/<name>.parquet` */
  tablePath(name: string): string {
    return join(this.dir, TABLES_DIR, `${name}.parquet`);
  }

  hasTable(name: string): boolean {
    return existsSync(this.tablePath(name));
  }

  writeTable(name: string, table: Columns | Profiles): void {
    const path = this.tablePath(name);
    mkdirSync(join(path, '..'), { recursive: true });
    // A new file, not the old one rewritten: a table restored from the cache is the cache's file (a hard link).
    rmSync(path, { force: true });
    if (isProfiles(table)) writeProfilesParquet(table, path);
    else writeColumnsParquet(table, path);
  }

  readTable(name: string): pl.DataFrame {
    return readFrame(this.tablePath(name));
  }

  /** A profiles table (`normalized`), with `features` as its feature columns and the rest as metadata. */
  readProfiles(name: string, features: readonly string[]): Profiles {
    return frameToProfiles(this.readTable(name), features);
  }

  writeJson(name: string, value: unknown): void {
    writeJsonAtomic(join(this.dir, TABLES_DIR, `${name}.json`), value);
  }

  readJson<T>(name: string): T {
    return JSON.parse(readFileSync(join(this.dir, TABLES_DIR, `${name}.json`), 'utf8')) as T;
  }

  hasModel(): boolean {
    return existsSync(join(this.modelDir, 'model.json'));
  }

  /** Every output file, relative path (with `/`) → size: what a done manifest records. */
  listOutputs(): Record<string, number> {
    const out: Record<string, number> = {};
    const visit = (path: string) => {
      if (!existsSync(path)) return;
      const st = statSync(path);
      if (st.isDirectory()) for (const name of readdirSync(path).sort()) visit(join(path, name));
      else out[relative(this.dir, path).split(sep).join('/')] = st.size;
    };
    for (const o of OUTPUTS) visit(join(this.dir, o));
    return out;
  }

  /**
   * A run is a result only when its manifest says `done`, its metrics.json is a whole JSON object, and every
   * output the manifest lists is there with the size it was written with. A `done` run failing any of these
   * (a disk that filled, a file deleted or truncated by hand) is not a result: it is re-done, never reported.
   */
  stored(): StoredRun {
    const manifest = this.readManifest();
    if (!manifest) return { complete: false, manifest, reason: existsSync(this.manifestPath) ? 'manifest.json is not valid JSON' : 'no manifest' };
    if (manifest.status !== 'done') return { complete: false, manifest, reason: manifest.status };
    const incomplete = (why: string) => ({ complete: false as const, manifest, reason: `marked done, but ${why}` });
    const metricsPath = join(this.dir, METRICS);
    if (!existsSync(metricsPath)) return incomplete(`${METRICS} is missing`);
    const text = readFileSync(metricsPath, 'utf8');
    if (!text.trim()) return incomplete(`${METRICS} is empty`);
    let metrics: unknown;
    try {
      metrics = JSON.parse(text);
    } catch (err) {
      return incomplete(`${METRICS} is not valid JSON (${(err as Error).message})`);
    }
    if (metrics === null || typeof metrics !== 'object' || Array.isArray(metrics)) return incomplete(`${METRICS} is not a JSON object`);
    // Manifests written before outputs were recorded list none; their metrics.json is still checked above.
    for (const [file, size] of Object.entries(manifest.outputs ?? {})) {
      const path = join(this.dir, file);
      if (!existsSync(path)) return incomplete(`${file} is missing`);
      const actual = statSync(path).size;
      if (actual !== size) return incomplete(`${file} has ${actual} bytes, not the ${size} it was written with`);
    }
    return { complete: true, manifest, metrics: metrics as Record<string, unknown> };
  }
}

function isProfiles(t: Columns | Profiles): t is Profiles {
  const values = (t as Partial<Profiles>).values;
  return values !== undefined && !Array.isArray(values) && !ArrayBuffer.isView(values) && 'metadata' in t;
}

/** Every run directory under a runs directory, any depth (experiments, trials), sorted. */
export function findRunDirs(runsDir: string): RunDir[] {
  const found: RunDir[] = [];
  const visit = (dir: string) => {
    if (existsSync(join(dir, MANIFEST))) {
      found.push(new RunDir(dir));
      return;
    }
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory() && !e.name.startsWith('.')) visit(join(dir, e.name));
  };
  if (existsSync(runsDir)) visit(runsDir);
  return found.sort((a, b) => (a.dir < b.dir ? -1 : 1));
}

/** The runs directory's cache of shared work: `<runs-dir>/.cache/`. */
export function sharedWorkCache(runsDir: string): SharedWorkCache {
  return new SharedWorkCache(join(runsDir, '.cache'));
}
