import { groupRows, type MetaValue } from '../data/profiles.ts';
import { permutation, type RandomStream } from '../random/streams.ts';

/**
 * The sets of method §2.2; the label lands in the `Metadata_set` column. `unused` holds training controls
 * left out by a cap on the training-set size.
 */
export type WellSet = 'train' | 'val' | 'test_ctrl' | 'test_treat' | 'unused';

export interface SplitSettings {
  test_fraction: number;
  val_fraction: number;
  max_train_wells: number | null;
}

/**
 * Split control wells into train / val / test_ctrl, stratified by plate; every other well is test_treat.
 * Like scikit-learn's stratified train_test_split: the held-out count is ceil(fraction · n) overall,
 * shared across plates in proportion to their size (largest remainder), then drawn at random within each
 * plate. A plate too small to give every set a well still takes part; the totals stay right.
 */
export function splitWells(
  plates: readonly MetaValue[],
  isControl: readonly boolean[],
  settings: SplitSettings,
  rs: RandomStream,
): WellSet[] {
  const sets: WellSet[] = isControl.map((c) => (c ? 'train' : 'test_treat'));
  const controls = isControl.flatMap((c, i) => (c ? [i] : []));
  const test = stratifiedSample(controls, plates, Math.ceil(settings.test_fraction * controls.length), rs);
  for (const i of test) sets[i] = 'test_ctrl';
  const trainAll = controls.filter((i) => sets[i] === 'train');
  for (const i of stratifiedSample(trainAll, plates, Math.ceil(settings.val_fraction * trainAll.length), rs)) sets[i] = 'val';
  const train = controls.filter((i) => sets[i] === 'train');
  if (settings.max_train_wells !== null && train.length > settings.max_train_wells) {
    for (const i of stratifiedSample(train, plates, train.length - settings.max_train_wells, rs)) sets[i] = 'unused';
  }
  return sets;
}

/** `total` of the rows, shared across strata in proportion to their size, drawn at random within each. */
function stratifiedSample(rows: number[], strata: readonly MetaValue[], total: number, rs: RandomStream): number[] {
  const groups = [...groupRows(rows.map((i) => strata[i])).values()].map((idx) => idx.map((k) => rows[k]));
  const counts = largestRemainder(
    groups.map((g) => (g.length / rows.length) * total),
    total,
  );
  return groups.flatMap((g, gi) => {
    const order = permutation(rs, g.length);
    return Array.from(order.subarray(0, counts[gi]), (k) => g[k]);
  });
}

/** Integer shares of `total` closest to the real quotas, ties to the earlier group. */
function largestRemainder(quotas: number[], total: number): number[] {
  const counts = quotas.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = quotas.map((q, i) => [q - Math.floor(q), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left <= 0) break;
    counts[i]++;
    left--;
  }
  return counts;
}
