import type { MetaValue, Profiles } from '../data/profiles.ts';
import { groupBy } from '../evaluate/groups.ts';
import { matrix } from '../numeric/matrix.ts';

/**
 * Treatment-level profiles: the mean of each replicate group's wells, feature by feature, with the
 * metadata of the group's first well (the grouping columns, and so perturbation and MoA, are the group's
 * own). The reference classifies these (src/data/data_utils.py read_treatment_level_profiles:
 * `groupby('PERT')[features].mean()`). Groups come in order of first appearance.
 */
export function treatmentMeans(p: Profiles, replicateBy: readonly string[]): { profiles: Profiles; wells: Int32Array } {
  const groups = groupBy(p, replicateBy);
  const d = p.values.cols;
  const out = new Float64Array(groups.rows.length * d);
  groups.rows.forEach((rows, g) => {
    const mean = out.subarray(g * d, (g + 1) * d);
    for (const i of rows) for (let j = 0; j < d; j++) mean[j] += p.values.data[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= rows.length;
  });
  const first = groups.rows.map((rows) => rows[0]);
  const metadata: Record<string, MetaValue[]> = {};
  for (const [name, column] of Object.entries(p.metadata)) metadata[name] = first.map((i) => column[i]);
  return {
    profiles: { metadata, features: p.features, values: matrix(groups.rows.length, d, out) },
    wells: Int32Array.from(groups.rows, (rows) => rows.length),
  };
}
