import type { RunSpec } from '../spec/types.ts';
import { type MetaValue, metaColumn, type Profiles } from './profiles.ts';

/** Which metadata column plays which part (method §2.1), resolved from the spec's `dataset` section. */
export interface Roles {
  plate: string;
  well: string;
  perturbation: string;
  moa: string | null;
  dose: string | null;
  batch: string | null;
  control: { column: string; values: readonly MetaValue[] };
  /** The columns whose joint value makes a replicate group. */
  replicateBy: string[];
}

export function rolesOf(dataset: RunSpec['dataset']): Roles {
  const { columns } = dataset;
  return {
    ...columns,
    control: dataset.control,
    replicateBy: dataset.replicate_by ?? [columns.perturbation, ...(columns.dose ? [columns.dose] : [])],
  };
}

/**
 * The columns a table must have, with the role each plays (for errors that say why a column is needed).
 * The MoA column is not among them: only MoA evaluations need it, and they say so themselves.
 */
export function requiredColumns(roles: Roles): { column: string; role: string }[] {
  const out = [
    { column: roles.plate, role: 'plate' },
    { column: roles.perturbation, role: 'perturbation' },
    { column: roles.control.column, role: 'control marker' },
    ...(roles.dose ? [{ column: roles.dose, role: 'dose' }] : []),
    ...(roles.batch ? [{ column: roles.batch, role: 'batch' }] : []),
    ...roles.replicateBy.map((column) => ({ column, role: 'replicate_by' })),
  ];
  return out.filter((c, i) => out.findIndex((d) => d.column === c.column) === i);
}

/** One boolean per well: is it a negative control? Values compare as strings, so 0 matches "0". */
export function controlMask(p: Profiles, roles: Roles): boolean[] {
  const wanted = new Set(roles.control.values.map(String));
  return metaColumn(p, roles.control.column).map((v) => v !== null && wanted.has(String(v)));
}

/** The metadata column naming each well's set (train, val, test_ctrl, test_treat). */
export const SET_COLUMN = 'Metadata_set';
