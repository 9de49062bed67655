import type { MetaValue, Profiles } from '../data/profiles.ts';
import { groupBy } from '../evaluate/groups.ts';
import { type Matrix, matrix } from '../numeric/matrix.ts';

/**
 * Treatment-level profiles: the mean of each replicate group's wells, feature by feature, with the
 * metadata of the group's first well (the grouping columns, and so perturbation and MoA, are the group's
 * own). The reference classifies these (src/data/data_utils.py read_treatment_level_profiles:
 * `groupby('PERT')[features].mean()`). Groups come in order of first appearance.
 */
export function treatmentMeans(p: Profiles, replicateBy: readonly string[]): { profiles: Profiles; wells: Int32Array } {
  const groups = groupBy(p, replicateBy);
  const first = groups.rows.map((rows) => rows[0]);
  const metadata: Record<string, MetaValue[]> = {};
  for (const [name, column] of Object.entries(p.metadata)) metadata[name] = first.map((i) => column[i]);
  return {
    profiles: { metadata, features: p.features, values: groupMeans(p, groups.rows) },
    wells: Int32Array.from(groups.rows, (rows) => rows.length),
  };
}

/** Per group of rows, the mean of its wells, feature by feature (summed in row order, then divided). */
export function groupMeans(p: Profiles, groups: readonly (readonly number[])[]): Matrix {
  const d = p.values.cols;
  const out = new Float64Array(groups.length * d);
  groups.forEach((rows, g) => {
    const mean = out.subarray(g * d, (g + 1) * d);
    for (const i of rows) for (let j = 0; j < d; j++) mean[j] += p.values.data[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= rows.length;
  });
  return matrix(groups.length, d, out);
}
