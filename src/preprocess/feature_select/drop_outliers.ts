import type { Matrix } from '../../numeric/matrix.ts';
import { type Exclusion, stat } from './exclusion.ts';

/**
 * pycytominer `drop_outlier_features`: drop a feature whose largest absolute value (|max| or |min|, missing
 * values skipped) exceeds `outlierCutoff`. Meant for normalized data, where 500 SDs is a broken feature.
 */
export function dropOutliers(x: Matrix, features: readonly string[], outlierCutoff: number): Exclusion[] {
  const largest = new Float64Array(x.cols);
  for (let k = 0; k < x.data.length; k++) {
    const v = Math.abs(x.data[k]);
    const j = k % x.cols;
    if (v > largest[j]) largest[j] = v;
  }
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    if (largest[j] > outlierCutoff) {
      out.push({ feature, detail: `max |value| ${stat(largest[j])} > outlier_cutoff ${outlierCutoff}` });
    }
  });
  return out;
}
