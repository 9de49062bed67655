import { controlMask, type Roles, SET_COLUMN } from '../data/roles.ts';
import { metaColumn, type Profiles } from '../data/profiles.ts';
import { type SplitSettings, splitWells } from '../preprocess/split.ts';
import { stream } from '../random/streams.ts';

/** Stage `split`: label every well train / val / test_ctrl / test_treat in the `Metadata_set` column. */
export function assignSets(p: Profiles, roles: Roles, settings: SplitSettings, seed: number): Profiles {
  const isControl = controlMask(p, roles);
  const nControls = isControl.filter(Boolean).length;
  if (nControls === 0) {
    throw new Error(`no control wells: no value of column '${roles.control.column}' is one of ${JSON.stringify(roles.control.values)}`);
  }
  const sets = splitWells(metaColumn(p, roles.plate), isControl, settings, stream(seed, 'split'));
  for (const needed of ['train', 'val', 'test_ctrl'] as const) {
    if (!sets.includes(needed)) {
      throw new Error(`the split of ${nControls} control wells leaves no '${needed}' well; more controls or other split fractions are needed`);
    }
  }
  return { ...p, metadata: { ...p.metadata, [SET_COLUMN]: sets } };
}
