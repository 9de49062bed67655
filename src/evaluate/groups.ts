import { type MetaValue, metaColumn, type Profiles } from '../data/profiles.ts';

/** Wells grouped by the joint value of some metadata columns (a perturbation, a MoA). */
export interface Groups {
  /** One printable key per group: the value itself for one column, a JSON array for several. */
  readonly keys: string[];
  /** The grouping columns' values for each group. */
  readonly by: Record<string, MetaValue>[];
  /** Row indices of each group's wells, in table order. */
  readonly rows: number[][];
}

export function groupKey(values: readonly MetaValue[]): string {
  return values.length === 1 ? String(values[0]) : JSON.stringify(values);
}

/**
 * Groups of wells sharing the values of `columns`, in order of first appearance. Wells for which
 * `include` is false are left out (e.g. controls, or wells without a MoA).
 */
export function groupBy(p: Profiles, columns: readonly string[], include?: (i: number) => boolean): Groups {
  if (columns.length === 0) throw new Error('groupBy needs at least one column');
  const cols = columns.map((c) => metaColumn(p, c));
  const index = new Map<string, number>();
  const groups: Groups = { keys: [], by: [], rows: [] };
  for (let i = 0; i < p.values.rows; i++) {
    if (include && !include(i)) continue;
    const values = cols.map((c) => c[i]);
    const key = groupKey(values);
    let g = index.get(key);
    if (g === undefined) {
      g = groups.keys.length;
      index.set(key, g);
      groups.keys.push(key);
      groups.by.push(Object.fromEntries(columns.map((c, k) => [c, values[k]])));
      groups.rows.push([]);
    }
    groups.rows[g].push(i);
  }
  return groups;
}
