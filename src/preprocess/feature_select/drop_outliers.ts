import { type Matrix, type MatrixView, viewOf } from '../../numeric/matrix.ts';
import { type Exclusion, stat } from './exclusion.ts';

/**
 * pycytominer `drop_outlier_features`: drop a feature whose largest absolute value (|max| or |min|, missing
 * values skipped) exceeds `outlierCutoff`. Meant for normalized data, where 500 SDs is a broken feature.
 */
export function dropOutliers(x: Matrix | MatrixView, features: readonly string[], outlierCutoff: number): Exclusion[] {
  const { source, rows, cols } = viewOf(x);
  const { data, cols: stride } = source;
  const largest = new Float64Array(cols.length);
  for (let r = 0; r < rows.length; r++) {
    const base = rows[r] * stride;
    for (let k = 0; k < cols.length; k++) {
      const v = Math.abs(data[base + cols[k]]);
      if (v > largest[k]) largest[k] = v;
    }
  }
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    if (largest[j] > outlierCutoff) {
      out.push({ feature, detail: `max |value| ${stat(largest[j])} > outlier_cutoff ${outlierCutoff}` });
    }
  });
  return out;
}
