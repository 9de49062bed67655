import type { Matrix } from '../../numeric/matrix.ts';
import { sortedPresent } from '../columns.ts';
import { type Exclusion, stat } from './exclusion.ts';

/**
 * pycytominer `frequency_threshold` (older pycytominer, which the reference pipeline used, called it
 * `variance_threshold`), after caret's nearZeroVar. A feature is dropped when
 * - its second most common value occurs less than `freqCut` times as often as the most common one, or it
 *   has fewer than two distinct values (pandas `value_counts`, missing values not counted); or
 * - its number of distinct values divided by the number of rows (missing ones included) is below `uniqueCut`.
 * Values are compared exactly, so a feature only repeats values when they are bit-identical (−0 equals 0).
 */
export function frequencyThreshold(x: Matrix, features: readonly string[], freqCut: number, uniqueCut: number): Exclusion[] {
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    const { distinct, first, second } = valueCounts(sortedPresent(x, j));
    const reasons: string[] = [];
    if (distinct < 2) reasons.push(`${distinct} distinct value${distinct === 1 ? '' : 's'}`);
    else if (second / first < freqCut) {
      reasons.push(`second/most common value count ${second}/${first} = ${stat(second / first)} < freq_cut ${freqCut}`);
    }
    if (distinct / x.rows < uniqueCut) {
      reasons.push(`${distinct} distinct values / ${x.rows} rows = ${stat(distinct / x.rows)} < unique_cut ${uniqueCut}`);
    }
    if (reasons.length > 0) out.push({ feature, detail: reasons.join('; ') });
  });
  return out;
}

/** Number of distinct values and the two largest value counts of a sorted column. */
function valueCounts(sorted: Float64Array): { distinct: number; first: number; second: number } {
  let distinct = 0;
  let first = 0;
  let second = 0;
  for (let i = 0; i < sorted.length; ) {
    let k = i + 1;
    while (k < sorted.length && sorted[k] === sorted[i]) k++;
    const count = k - i;
    distinct++;
    if (count > first) {
      second = first;
      first = count;
    } else if (count > second) second = count;
    i = k;
  }
  return { distinct, first, second };
}
