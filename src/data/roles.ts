import type { ResolvedSpec } from '../spec/types.ts';
import { type MetaValue, metaColumn, type Profiles } from './profiles.ts';

/** Which metadata column plays which part (DESIGN §2.1), resolved from `dataset.columns` and `dataset.control`. */
export interface Roles {
  plate: string;
  well: string;
  perturbation: string;
  moa: string | null;
  control: { column: string; values: readonly MetaValue[] };
}

export function rolesOf(dataset: ResolvedSpec['dataset']): Roles {
  return { ...dataset.columns, control: dataset.control };
}

/** One boolean per well: is it a negative control? Values compare as strings, so 0 matches "0". */
export function controlMask(p: Profiles, roles: Roles): boolean[] {
  const wanted = new Set(roles.control.values.map(String));
  return metaColumn(p, roles.control.column).map((v) => v !== null && wanted.has(String(v)));
}

/** The metadata column naming each well's set (train, val, test_ctrl, test_treat). */
export const SET_COLUMN = 'Metadata_set';
