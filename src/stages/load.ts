import { createHash } from 'node:crypto';
import { type LoadReport, readDataset } from '../data/dataset.ts';
import type { Profiles } from '../data/profiles.ts';
import type { Roles } from '../data/roles.ts';
import { simulateScreen } from '../data/synthetic.ts';
import type { RunSpec } from '../spec/types.ts';

/** Stage `load`: the per-well table the spec names, a fingerprint of exactly what was read, and what loading did. */
export function loadDataset(
  dataset: RunSpec['dataset'],
  roles: Roles,
  seed: number,
): { profiles: Profiles; fingerprint: string; report: LoadReport | null } {
  const { profiles, report } =
    dataset.source === 'synthetic' ? { profiles: simulateScreen(dataset.synthetic, seed), report: null } : readDataset(dataset, roles);
  return { profiles, fingerprint: fingerprint(profiles), report };
}

/** sha256 of the metadata and feature values: two runs with the same fingerprint saw the same input. */
export function fingerprint(p: Profiles): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(p.metadata));
  h.update(JSON.stringify(p.features));
  h.update(new Uint8Array(p.values.data.buffer, p.values.data.byteOffset, p.values.data.byteLength));
  return `sha256:${h.digest('hex')}`;
}
