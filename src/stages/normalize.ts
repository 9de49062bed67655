import type { Profiles } from '../data/profiles.ts';
import type { Roles } from '../data/roles.ts';
import { fitRows } from '../preprocess/fit_rows.ts';
import { normalize } from '../preprocess/normalize.ts';
import type { Stage } from '../run/stage.ts';
import type { RunSpec } from '../spec/types.ts';

/** Stage `normalize` (method §2.3): the spec's method, per plate or global, fitted on the spec's wells. */
export function normalizeProfiles(p: Profiles, roles: Roles, settings: RunSpec['normalize'], inPlace = false): Profiles {
  return normalize(p, settings, { plateColumn: roles.plate, fitRows: fitRows(p, roles, settings.fit_on) }, inPlace);
}

/**
 * Written over the split table's matrix (the loaded one): no later stage uses either (`uses`; after the shared
 * stages the pipeline hands on only `selected`), and a CDRP-size screen's matrix is 2 GB more when copied.
 */
export const normalizeStage: Stage<{ split: Profiles }, { normalized: Profiles }, object> = {
  name: 'normalize',
  reads: ['normalize'],
  uses: () => ({ split: true }),
  cacheKey: () => null,
  run({ split }, ctx) {
    return { values: { normalized: normalizeProfiles(split, ctx.roles, ctx.spec.normalize, true) } };
  },
};
