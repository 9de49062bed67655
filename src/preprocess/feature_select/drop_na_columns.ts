import type { Matrix } from '../../numeric/matrix.ts';
import { type Exclusion, stat } from './exclusion.ts';

/** pycytominer `get_na_columns`: drop a feature whose fraction of missing values exceeds `naCutoff`. */
export function dropNaColumns(x: Matrix, features: readonly string[], naCutoff: number): Exclusion[] {
  const missing = new Float64Array(x.cols);
  for (let k = 0; k < x.data.length; k++) if (Number.isNaN(x.data[k])) missing[k % x.cols]++;
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    const fraction = missing[j] / x.rows;
    if (fraction > naCutoff) out.push({ feature, detail: `${missing[j]}/${x.rows} values missing (${stat(fraction)} > na_cutoff ${naCutoff})` });
  });
  return out;
}
