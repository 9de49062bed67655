import { metaColumn, type Profiles } from '../data/profiles.ts';
import type { Roles } from '../data/roles.ts';
import { fitRows } from '../preprocess/fit_rows.ts';
import { normalize } from '../preprocess/normalize.ts';
import type { Stage } from '../run/stage.ts';
import type { RunSpec } from '../spec/types.ts';

/** Stage `normalize` (method §2.3): the spec's method, per plate or global, fitted on the spec's wells. */
export function normalizeProfiles(p: Profiles, roles: Roles, settings: RunSpec['normalize'], inPlace = false, fit = fitRows(p, roles, settings.fit_on)): Profiles {
  return normalize(p, settings, { plateColumn: roles.plate, fitRows: fit }, inPlace);
}

/** The plates whose scaler has one fit well (per plate), where a plate with none is normalize's error. */
function platesFittedOnOneWell(p: Profiles, roles: Roles, settings: RunSpec['normalize'], fit: Int32Array): string[] {
  if (!settings.by_plate) return [];
  const plates = metaColumn(p, roles.plate);
  const count = new Map<string, number>();
  for (const i of fit) count.set(String(plates[i]), (count.get(String(plates[i])) ?? 0) + 1);
  return [...count].filter(([, n]) => n === 1).map(([plate]) => plate);
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
    const fit = fitRows(split, ctx.roles, ctx.spec.normalize.fit_on);
    const lone = ctx.spec.normalize.method === 'none' ? [] : platesFittedOnOneWell(split, ctx.roles, ctx.spec.normalize, fit);
    const warnings = lone.length
      ? [
          `${lone.length} plate(s) (${lone.slice(0, 3).map((p) => `'${p}'`).join(', ')}${lone.length > 3 ? ', …' : ''}) have a single well to fit their ${ctx.spec.normalize.method} scaler on (normalize.fit_on): ` +
            'a well has no spread, so features keep their scale and that well becomes all zeros, as pycytominer does; give plates more controls, fit on other wells (normalize.fit_on: all_controls) or normalize across plates (normalize.by_plate: false)',
        ]
      : [];
    return { values: { normalized: normalizeProfiles(split, ctx.roles, ctx.spec.normalize, true, fit) }, warnings };
  },
};
