import { UserError } from '../errors.ts';

/** A 1-based share `index` of `count` (`--shard 2/4`): the second quarter of the planned runs. */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UserError(`--shard ${text}: expected i/n with 1 ≤ i ≤ n (e.g. --shard 2/4)`, 2);
  }
  return { index, count };
}

/**
 * The runs of one shard: every n-th run of the plan, starting at the i-th. Deterministic (the plan's order
 * is), disjoint across shards, together the whole plan, and balanced: seeds and points interleave.
 */
export function shardOf<T>(runs: readonly T[], shard: Shard): T[] {
  return runs.filter((_, k) => k % shard.count === shard.index - 1);
}
