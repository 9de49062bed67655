import { metaColumn, type MetaValue, type Profiles } from '../data/profiles.ts';
import { groupBy } from './groups.ts';

/**
 * The MoAs MoA consistency can score: those with two or more labelled perturbations (replicate groups), the
 * only ones whose perturbations have a positive to retrieve. With fewer than two such MoAs there is nothing
 * to tell apart (one MoA: every other perturbation is a positive, and every list is retrieved), and the
 * evaluation leaves consistency out.
 */
export function consistencyMoaCount(p: Profiles, replicateBy: readonly string[], moa: string): number {
  const moaCol = metaColumn(p, moa);
  const groups = groupBy(p, replicateBy, (i) => moaCol[i] !== null && moaCol[i] !== '');
  const perMoa = new Map<MetaValue, number>();
  for (const rows of groups.rows) perMoa.set(moaCol[rows[0]], (perMoa.get(moaCol[rows[0]]) ?? 0) + 1);
  return [...perMoa.values()].filter((n) => n >= 2).length;
}
