import type { MetaValue, Profiles } from '../data/profiles.ts';
import { selectRows } from '../numeric/matrix.ts';
import type { RandomStream } from '../random/streams.ts';
import { groupMeans } from './treatments.ts';

/**
 * Rows that pair Cell Painting with other assays of the same compounds, for MoA classification across assays.
 * The assays were measured in different wells, so nothing pairs a well with a well: the reference pairs
 * treatments (read_paired_treatment_level_profiles: each assay's mean profile per key, merged on the key),
 * or draws replicates per key and pairs every drawn well of one assay with every drawn well of the other
 * (generate_random_match_of_replicate_pairs: groupby(key).sample(n), then merge on the key).
 */

/** One assay's treated wells and each well's match key (null: unmatched). */
export interface AssayRows {
  profiles: Profiles;
  keys: readonly (string | null)[];
}

export interface Paired {
  /** Per assay (in the order given), its profile for each paired row; every table has the first assay's metadata. */
  tables: Profiles[];
  /** Per row, its key. */
  keys: string[];
  /** Per row, the first assay's wells behind it. */
  wells: Int32Array;
}

/**
 * Treatment-level pairing: per key present in every assay (in order of first appearance in the first), each
 * assay's mean over the key's wells. The first assay's tables share rows and metadata (its representations);
 * a row's metadata is the key's first well's there.
 */
export function pairTreatments(first: readonly Profiles[], firstKeys: readonly (string | null)[], others: readonly AssayRows[]): Paired {
  const groups = [firstKeys, ...others.map((o) => o.keys)].map(groupByKey);
  const keys = [...groups[0].keys()].filter((k) => groups.every((g) => g.has(k)));
  const metaRows = keys.map((k) => groups[0].get(k)![0]);
  const metadata = metadataOf(first[0], metaRows);
  const mean = (p: Profiles, g: Map<string, number[]>) => ({ metadata, features: p.features, values: groupMeans(p, keys.map((k) => g.get(k)!)) });
  return {
    tables: [...first.map((p) => mean(p, groups[0])), ...others.map((o, t) => mean(o.profiles, groups[t + 1]))],
    keys,
    wells: Int32Array.from(keys, (k) => groups[0].get(k)!.length),
  };
}

/**
 * Replicate-level pairing: per key present in every assay, up to `n` wells drawn from each (all when fewer),
 * and a row for every combination of the drawn wells, the first assay's well outermost, as pandas merge
 * orders them.
 */
export function pairReplicates(
  first: readonly Profiles[],
  firstKeys: readonly (string | null)[],
  others: readonly AssayRows[],
  n: number,
  rs: RandomStream,
): Paired {
  const groups = [firstKeys, ...others.map((o) => o.keys)].map(groupByKey);
  const keys = [...groups[0].keys()].filter((k) => groups.every((g) => g.has(k)));
  const picks: number[][] = [[], ...others.map(() => [])];
  const rowKeys: string[] = [];
  for (const k of keys) {
    const drawn = groups.map((g) => draw(g.get(k)!, n, rs));
    for (const combo of product(drawn)) {
      combo.forEach((row, t) => picks[t].push(row));
      rowKeys.push(k);
    }
  }
  const metadata = metadataOf(first[0], picks[0]);
  const take = (p: Profiles, rows: number[]) => ({ metadata, features: p.features, values: selectRows(p.values, Int32Array.from(rows)) });
  return {
    tables: [...first.map((p) => take(p, picks[0])), ...others.map((o, t) => take(o.profiles, picks[t + 1]))],
    keys: rowKeys,
    wells: new Int32Array(rowKeys.length).fill(1),
  };
}

/** Rows by key, keys in order of first appearance, rows in table order. */
function groupByKey(keys: readonly (string | null)[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  keys.forEach((k, i) => {
    if (k === null) return;
    const rows = out.get(k);
    if (rows) rows.push(i);
    else out.set(k, [i]);
  });
  return out;
}

function metadataOf(p: Profiles, rows: readonly number[]): Record<string, MetaValue[]> {
  return Object.fromEntries(Object.entries(p.metadata).map(([name, column]) => [name, rows.map((i) => column[i])]));
}

/** Up to n of the rows without replacement, in table order (a partial Fisher–Yates shuffle of positions). */
function draw(rows: readonly number[], n: number, rs: RandomStream): number[] {
  if (rows.length <= n) return [...rows];
  const pool = [...rows];
  for (let i = 0; i < n; i++) {
    const j = i + rs.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n).sort((a, b) => a - b);
}

/** Every combination, one value from each list, the first list outermost. */
function product(lists: readonly number[][]): number[][] {
  return lists.reduce<number[][]>((acc, list) => acc.flatMap((combo) => list.map((v) => [...combo, v])), [[]]);
}
