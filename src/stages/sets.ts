import { metaColumn, type Profiles, whereRows } from '../data/profiles.ts';
import { SET_COLUMN } from '../data/roles.ts';

/** A split set of the `split` stage, as `Metadata_set` holds it. */
export type SplitSet = 'train' | 'val' | 'test_ctrl' | 'test_treat' | 'unused';

/** Row indices of the wells in any of `sets`, in table order. */
export function setRows(p: Profiles, ...sets: SplitSet[]): Int32Array {
  const col = metaColumn(p, SET_COLUMN);
  return whereRows(col.length, (i) => (sets as unknown[]).includes(col[i]));
}
