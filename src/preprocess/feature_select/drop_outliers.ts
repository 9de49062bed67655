import { type Matrix, type MatrixView, viewOf } from '../../numeric/matrix.ts';
import { rowQuads } from '../columns.ts';
import { type Exclusion, stat } from './exclusion.ts';

/**
 * pycytominer `drop_outlier_features`: drop a feature whose largest absolute value (|max| or |min|, missing
 * values skipped) exceeds `outlierCutoff`. Meant for normalized data, where 500 SDs is a broken feature.
 */
export function dropOutliers(x: Matrix | MatrixView, features: readonly string[], outlierCutoff: number): Exclusion[] {
  const d = viewOf(x).cols.length;
  const largest = new Float64Array(d);
  const quads = rowQuads(x);
  for (let q = 0; q < quads.count; q++) {
    const [r0, r1, r2, r3] = quads.quad(q);
    for (let k = 0; k < d; k++) {
      // NaN compares false, so missing values are skipped; padding rows are zeros.
      let l = largest[k];
      const a0 = Math.abs(r0[k]);
      const a1 = Math.abs(r1[k]);
      const a2 = Math.abs(r2[k]);
      const a3 = Math.abs(r3[k]);
      if (a0 > l) l = a0;
      if (a1 > l) l = a1;
      if (a2 > l) l = a2;
      if (a3 > l) l = a3;
      largest[k] = l;
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
