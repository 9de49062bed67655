import { type Matrix, type MatrixView, viewOf } from '../../numeric/matrix.ts';
import { rowQuads } from '../columns.ts';
import { type Exclusion, stat } from './exclusion.ts';

/** pycytominer `get_na_columns`: drop a feature whose fraction of missing values exceeds `naCutoff`. */
export function dropNaColumns(x: Matrix | MatrixView, features: readonly string[], naCutoff: number): Exclusion[] {
  const { rows, cols } = viewOf(x);
  const n = rows.length;
  const d = cols.length;
  const missing = new Float64Array(d);
  const quads = rowQuads(x);
  for (let q = 0; q < quads.count; q++) {
    const [r0, r1, r2, r3] = quads.quad(q);
    for (let k = 0; k < d; k++) {
      const v0 = r0[k];
      const v1 = r1[k];
      const v2 = r2[k];
      const v3 = r3[k];
      // Padding rows are zeros, never missing.
      if (v0 !== v0 || v1 !== v1 || v2 !== v2 || v3 !== v3) missing[k] += (v0 !== v0 ? 1 : 0) + (v1 !== v1 ? 1 : 0) + (v2 !== v2 ? 1 : 0) + (v3 !== v3 ? 1 : 0);
    }
  }
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    const fraction = missing[j] / n;
    if (fraction > naCutoff) out.push({ feature, detail: `${missing[j]}/${n} values missing (${stat(fraction)} > na_cutoff ${naCutoff})` });
  });
  return out;
}
