import { type Matrix, type MatrixView, viewOf } from '../../numeric/matrix.ts';
import { type Exclusion, stat } from './exclusion.ts';

/** pycytominer `get_na_columns`: drop a feature whose fraction of missing values exceeds `naCutoff`. */
export function dropNaColumns(x: Matrix | MatrixView, features: readonly string[], naCutoff: number): Exclusion[] {
  const { source, rows, cols } = viewOf(x);
  const { data, cols: stride } = source;
  const missing = new Float64Array(cols.length);
  for (let r = 0; r < rows.length; r++) {
    const base = rows[r] * stride;
    for (let k = 0; k < cols.length; k++) if (Number.isNaN(data[base + cols[k]])) missing[k]++;
  }
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    const fraction = missing[j] / rows.length;
    if (fraction > naCutoff) out.push({ feature, detail: `${missing[j]}/${rows.length} values missing (${stat(fraction)} > na_cutoff ${naCutoff})` });
  });
  return out;
}
