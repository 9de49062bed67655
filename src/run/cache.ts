import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Profiles } from '../data/profiles.ts';
import { canonicalJson, writeJsonAtomic } from './files.ts';
import { isLock, tryLock, type Holder, type Lock } from './lock.ts';
import type { AnyStage, StageContext, StageOutput } from './stage.ts';
import { toolVersions } from './versions.ts';

/**
 * The run store's cache of shared work (Pipeline.shareSoFar): what the shared stages of a run produced —
 * the tables and JSON they filed, what they told the manifest, and the values they handed on — under a key
 * of everything it depends on. A run whose key is there restores it instead of loading and preprocessing
 * again, with byte-identical files. Entries are written whole, under a temporary name renamed into place, so
 * concurrent runs (workers, Slurm tasks on a shared file system) see an entry complete or not at all. A run
 * that computes an entry holds its key's lock meanwhile, and a run of another process of this host that needs
 * the same key waits for that entry instead of doing the same work beside it (`restoreOrClaim`).
 *
 *   <runs-dir>/.cache/<key>/entry.json      what each stage returned (but its tables), and the values
 *   <runs-dir>/.cache/<key>/tables/…        the stages' tables, as the run wrote them
 *   <runs-dir>/.cache/.<key>.lock           held by the process computing the entry
 */

/** What the cache needs of a run directory (the run store's RunDir). */
interface RunFiles {
  readonly dir: string;
  tablePath(name: string): string;
  readProfiles(name: string, features: readonly string[]): Profiles;
}

/** A shared stage's output as the cache keeps it: its tables by name (files beside the entry), the rest as is. */
interface KeptOutput {
  stage: string;
  tables: string[];
  json?: Record<string, unknown>;
  metrics?: unknown;
  scalars?: Record<string, number>;
  data?: Record<string, unknown>;
  warnings?: readonly string[];
  fingerprint?: string;
}

/** A value handed on: a table the stage filed (with its features), or JSON. */
type KeptValue = { table: string; features: readonly string[] } | { json: unknown };

interface Entry {
  key: string;
  stages: string[];
  outputs: KeptOutput[];
  values: Record<string, KeptValue>;
  /** Table file → size, checked before an entry is used. */
  files: Record<string, number>;
}

/** What a restored entry gives the run: each stage's output (tables already in the run directory) and the values. */
export interface Restored {
  outputs: StageOutput<unknown, unknown>[];
  values: Record<string, unknown>;
}

/** How often a run waiting for another process's entry looks again: small beside any shared work's seconds. */
const WAIT_POLL_MS = 100;
/** The claim of a run that computes an entry without holding its lock (none could be taken, or need be). */
const NO_CLAIM: Lock = { release: () => undefined };

export class SharedWorkCache {
  constructor(readonly dir: string) {}

  /**
   * The key of a run's shared work: the code that computes it, and per stage its name, the settings it reads
   * and its own `cacheKey` (seed, the data's bytes). Two runs with equal keys produce the same bytes.
   */
  async keyOf(stages: readonly AnyStage[], ctx: StageContext): Promise<string> {
    const parts = [];
    for (const stage of stages) {
      parts.push({
        stage: stage.name,
        settings: Object.fromEntries(stage.reads.map((section) => [section, ctx.spec[section]])),
        depends: (await stage.cacheKey!(ctx)) ?? null,
      });
    }
    return createHash('sha256').update(canonicalJson({ code: codeDigest(), versions: toolVersions(), stages: parts })).digest('hex').slice(0, 32);
  }

  /**
   * The entry of `key` restored into `run`, or else the claim to compute it (released once the entry is
   * stored, or the run ends without it). While a live process of this host holds the claim, this waits for
   * its entry rather than doing the same work beside it, which would take twice the CPU and twice the memory
   * (a screen's tables, at once); `waiting` is told at each look and may throw to stop waiting (the run was
   * interrupted). Should the holder end without an entry, the claim passes here. A holder of another host
   * cannot be checked for life, so there the work is done here too: both succeed, and one copy is kept.
   */
  async restoreOrClaim(key: string, run: RunFiles, waiting: (holder: Holder) => void): Promise<{ restored: Restored } | { claim: Lock }> {
    const lockPath = join(this.dir, `.${key}.lock`);
    for (;;) {
      let restored = this.restore(key, run);
      if (restored) return { restored };
      let lock: Lock | Holder;
      try {
        lock = tryLock(lockPath);
      } catch {
        // A cache folder that cannot be written: no claim to hold, and the run computes (store warns).
        return { claim: NO_CLAIM };
      }
      if (isLock(lock)) {
        // The holder before may have stored the entry and let go between the look above and the lock.
        restored = this.restore(key, run);
        if (!restored) return { claim: lock };
        lock.release();
        return { restored };
      }
      if (lock.host !== hostname() || lock.pid === process.pid) return { claim: NO_CLAIM };
      waiting(lock);
      await sleep(WAIT_POLL_MS);
    }
  }

  /** The entry of `key`, restored into `run` (its tables linked or copied in), or null when there is none or it is damaged. */
  restore(key: string, run: RunFiles): Restored | null {
    const dir = join(this.dir, key);
    if (!existsSync(dir)) return null;
    let entry: Entry;
    try {
      entry = JSON.parse(readFileSync(join(dir, 'entry.json'), 'utf8')) as Entry;
      for (const [file, size] of Object.entries(entry.files)) if (statSync(join(dir, file)).size !== size) throw new Error(`${file} changed`);
    } catch {
      // An entry is renamed into place whole, so one that does not match its record was damaged since (a
      // hand, a disk): it goes, the work is redone, and this run keeps a whole entry again.
      rmSync(dir, { recursive: true, force: true });
      return null;
    }
    for (const file of Object.keys(entry.files)) {
      const target = join(run.dir, file);
      mkdirSync(dirname(target), { recursive: true });
      linkOrCopy(join(dir, file), target);
    }
    const outputs = entry.outputs.map(({ stage: _stage, tables: _tables, ...out }) => ({ values: {}, ...out }));
    const values = Object.fromEntries(
      Object.entries(entry.values).map(([name, kept]) => [name, 'table' in kept ? run.readProfiles(kept.table, kept.features) : kept.json]),
    );
    // The entry's folder time is its last use (`ads cache prune --unused-days`).
    const now = new Date();
    utimesSync(dir, now, now);
    return { outputs, values };
  }

  /**
   * Keeps the shared stages' outputs under `key`: the tables from the run directory (where the run wrote them),
   * the rest from what the stages returned, and the values of the last stage.
   */
  store(key: string, run: RunFiles, outputs: readonly { stage: string; output: StageOutput<unknown, unknown> }[], values: Record<string, unknown>): void {
    const final = join(this.dir, key);
    if (existsSync(final)) return;
    const tmp = join(this.dir, `.${key}.${process.pid}.${randomBytes(4).toString('hex')}`);
    try {
      const files: Record<string, number> = {};
      const kept: KeptOutput[] = outputs.map(({ stage, output }) => {
        const tables = Object.keys(output.tables ?? {});
        for (const name of tables) {
          const file = relative(run.dir, run.tablePath(name)).split(sep).join('/');
          mkdirSync(dirname(join(tmp, file)), { recursive: true });
          linkOrCopy(run.tablePath(name), join(tmp, file));
          files[file] = statSync(join(tmp, file)).size;
        }
        const { values: _values, tables: _tables, model, ...rest } = output;
        if (model) throw new Error(`internal: shared stage '${stage}' returned a model, which the cache does not keep`);
        return { stage, tables, ...rest };
      });
      const last = outputs[outputs.length - 1].output;
      const keptValues = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, keptValue(name, value, last)]));
      mkdirSync(tmp, { recursive: true });
      writeJsonAtomic(join(tmp, 'entry.json'), { key, stages: outputs.map((o) => o.stage), outputs: kept, values: keptValues, files } satisfies Entry);
      try {
        renameSync(tmp, final);
      } catch (err) {
        // Another run kept the same entry meanwhile: the same bytes; its copy stays.
        if (!existsSync(final)) throw err;
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  /**
   * Removes the entries not used for `unusedDays` days (all with 0): how many, and the bytes freed (a table
   * that runs restored stays on disk as theirs until they go). Only what this cache writes goes (a key's folder
   * holding its entry.json, the leftover of an interrupted write, the lock of a process that is gone);
   * anything else in the folder is counted in `foreign` and left alone, so a --runs-dir that names another
   * folder (a home directory, whose .cache is another program's) loses nothing.
   */
  prune(unusedDays: number): { entries: number; bytes: number; kept: number; foreign: number } {
    const counts = { entries: 0, bytes: 0, kept: 0, foreign: 0 };
    if (!existsSync(this.dir)) return counts;
    const cutoff = Date.now() - unusedDays * 86_400_000;
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name);
      if (LOCK.test(name)) {
        // Taken (so its holder is gone) and let go; one held by a live process, or another host's, stays.
        const lock = tryLock(path);
        if (isLock(lock)) lock.release();
        continue;
      }
      // Leftovers of an interrupted write (".<key>.<pid>.<rand>") go whatever their age, unless being written now.
      const partial = PARTIAL.test(name);
      if (!partial && !(KEY.test(name) && existsSync(join(path, 'entry.json')))) {
        counts.foreign++;
        continue;
      }
      if (!partial && statSync(path).mtimeMs >= cutoff) {
        counts.kept++;
        continue;
      }
      if (partial && Date.now() - statSync(path).mtimeMs < 3_600_000) continue;
      counts.bytes += sizeOf(path);
      rmSync(path, { recursive: true, force: true });
      if (!partial) counts.entries++;
    }
    return counts;
  }
}

/** An entry's folder name (`keyOf`), the temporary name `store` writes it under, and its lock's name. */
const KEY = /^[0-9a-f]{32}$/;
const PARTIAL = /^\.[0-9a-f]{32}\.\d+\.[0-9a-f]{8}$/;
const LOCK = /^\.[0-9a-f]{32}\.lock$/;

/** A value the last shared stage hands on: a table it filed is kept by name, anything else as JSON. */
function keptValue(name: string, value: unknown, output: StageOutput<unknown, unknown>): KeptValue {
  const table = Object.entries(output.tables ?? {}).find(([, t]) => t === value);
  if (table) return { table: table[0], features: (value as Profiles).features };
  if (value !== null && typeof value === 'object' && 'values' in value && 'metadata' in value) {
    throw new Error(`internal: shared value '${name}' is a table the stage does not file, which the cache cannot keep`);
  }
  return { json: value };
}

/**
 * `to` as a hard link to `from` where the file system allows one, else a copy. The tables are written whole and
 * never again (RunDir.writeTable replaces a file rather than writing into it), so a run and the cache can
 * share one: at LINCS size the normalized table is 670 MB, which keeping and restoring copied twice.
 */
function linkOrCopy(from: string, to: string): void {
  rmSync(to, { force: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** The bytes removing `path` frees: a file still linked from a run (linkOrCopy) frees none. */
function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.nlink > 1 ? 0 : st.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

let digest: string | null = null;

/** sha256 over the files of the running code (src/ under tsx, dist/ when compiled): new code, new keys. */
function codeDigest(): string {
  if (digest) return digest;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const h = createHash('sha256');
  const visit = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) visit(path);
      else if (/\.(ts|js|json|wasm)$/.test(e.name)) h.update(relative(root, path)).update(readFileSync(path));
    }
  };
  visit(root);
  return (digest = h.digest('hex'));
}
