import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { expandPaths } from '../data/files.ts';
import { checkLoadedTable } from '../data/checks.ts';
import { type LoadReport, readDataset, readDatasetAsync } from '../data/dataset.ts';
import type { Origins } from '../data/origins.ts';
import type { Profiles } from '../data/profiles.ts';
import type { Roles } from '../data/roles.ts';
import { simulateScreen } from '../data/synthetic.ts';
import type { RunSpec } from '../spec/types.ts';
import type { Stage } from '../run/stage.ts';

/**
 * Stage `load`: the per-well table the spec names, a fingerprint of exactly what was read, and what loading
 * did. What the evaluations need from the table is checked here, before any training (`checkLoadedTable`);
 * `warnings` are what only weakens the run, for stderr and the manifest.
 */
export function loadDataset(
  spec: RunSpec,
  roles: Roles,
  seed: number,
): { profiles: Profiles; fingerprint: string; report: LoadReport | null; warnings: string[] } {
  const { dataset } = spec;
  return loaded(spec, roles, dataset.source === 'synthetic' ? { profiles: simulateScreen(dataset.synthetic, seed), report: null, origins: null } : readDataset(dataset, roles));
}

/**
 * `loadDataset` with the file read by `readDatasetAsync`, which lets the event loop turn between parts so
 * that a screen of gigabytes is held once, its features parsed on `threads` threads: what a run does.
 */
export async function loadDatasetAsync(spec: RunSpec, roles: Roles, seed: number, threads?: number): Promise<ReturnType<typeof loadDataset>> {
  const { dataset } = spec;
  return loaded(spec, roles, dataset.source === 'synthetic' ? { profiles: simulateScreen(dataset.synthetic, seed), report: null, origins: null } : await readDatasetAsync(dataset, roles, { threads }));
}

function loaded(spec: RunSpec, roles: Roles, read: { profiles: Profiles; report: LoadReport | null; origins: Origins | null }) {
  const warnings = checkLoadedTable(read.profiles, read.origins, roles, spec);
  return { profiles: read.profiles, fingerprint: fingerprint(read.profiles), report: read.report, warnings };
}

/** Bytes of the feature matrix hashed at a time. */
const HASH_SLICE = 1 << 28;

/** sha256 of the metadata and feature values: two runs with the same fingerprint saw the same input. */
export function fingerprint(p: Profiles): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(p.metadata));
  h.update(JSON.stringify(p.features));
  // In slices: a hash takes at most 2 GB at a time, and a CDRP-size matrix is 2.3 GB (the digest is the same).
  const { buffer, byteOffset, byteLength } = p.values.data;
  for (let at = 0; at < byteLength; at += HASH_SLICE) h.update(new Uint8Array(buffer, byteOffset + at, Math.min(HASH_SLICE, byteLength - at)));
  return `sha256:${h.digest('hex')}`;
}

/**
 * Stage `load`: reads (or simulates) the screen; the manifest gets its fingerprint and what loading did. Its
 * checks read the evaluation settings (what evaluation will need of the table).
 */
export const loadStage: Stage<object, { loaded: Profiles }, object> = {
  name: 'load',
  reads: ['dataset', 'evaluation'],
  uses: () => ({}),
  // The simulated screen is drawn from the run's seed; a file's rows are its bytes.
  cacheKey: (ctx) =>
    ctx.spec.dataset.source === 'synthetic'
      ? { seed: ctx.seed }
      : { files: contentDigests(expandPaths(typeof ctx.spec.dataset.path === 'string' ? [ctx.spec.dataset.path] : (ctx.spec.dataset.path ?? []))) },
  async run(_, ctx) {
    const { profiles, fingerprint, report, warnings } = await loadDatasetAsync(ctx.spec, ctx.roles, ctx.seed, ctx.threads);
    return { values: { loaded: profiles }, fingerprint, data: { load: report }, warnings };
  },
};

/**
 * sha256 of each file's bytes, streamed (a 2 GB table is not held in memory for it). A process running a
 * sweep hashes a file once: the digest is kept while the file's size and modification time stay the same.
 */
async function contentDigests(files: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of files) {
    const { size, mtimeMs } = statSync(file);
    const seen = `${file}\u0000${size}\u0000${mtimeMs}`;
    let digest = digests.get(seen);
    if (!digest) {
      const h = createHash('sha256');
      for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
      digest = h.digest('hex');
      digests.set(seen, digest);
    }
    out[file] = digest;
  }
  return out;
}

const digests = new Map<string, string>();
