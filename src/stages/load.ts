import { createHash } from 'node:crypto';
import { frameToProfiles, readFrame } from '../data/io.ts';
import type { Profiles } from '../data/profiles.ts';
import { simulateScreen } from '../data/synthetic.ts';
import type { ResolvedSpec } from '../spec/types.ts';

/** Stage `load`: the per-well table the spec names, and a fingerprint of exactly what was read. */
export function loadDataset(dataset: ResolvedSpec['dataset'], seed: number): { profiles: Profiles; fingerprint: string } {
  const profiles = dataset.source === 'synthetic' ? simulateScreen(dataset.synthetic, seed) : readTable(dataset);
  return { profiles, fingerprint: fingerprint(profiles) };
}

function readTable(dataset: ResolvedSpec['dataset']): Profiles {
  if (!dataset.path) throw new Error('dataset.path is required when dataset.source is file');
  const df = readFrame(dataset.path);
  const features = df.columns.filter((c) => dataset.features.prefixes.some((p) => c.startsWith(p)));
  if (features.length === 0) {
    throw new Error(`${dataset.path}: no feature columns (none starts with ${dataset.features.prefixes.join(', ')})`);
  }
  return frameToProfiles(df, features);
}

/** sha256 of the metadata and feature values: two runs with the same fingerprint saw the same input. */
export function fingerprint(p: Profiles): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(p.metadata));
  h.update(JSON.stringify(p.features));
  h.update(new Uint8Array(p.values.data.buffer, p.values.data.byteOffset, p.values.data.byteLength));
  return `sha256:${h.digest('hex')}`;
}
