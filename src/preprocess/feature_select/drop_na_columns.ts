import type { Matrix } from '../../numeric/matrix.ts';
import type { Exclusion } from './types.ts';

/** pycytominer `get_na_columns`: drop a feature whose fraction of missing values exceeds `naCutoff`. */
export function dropNaColumns(x: Matrix, features: readonly string[], naCutoff: number): Exclusion[] {
  const missing = new Float64Array(x.cols);
  for (let k = 0; k < x.data.length; k++) if (Number.isNaN(x.data[k])) missing[k % x.cols]++;
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    const fraction = missing[j] / x.rows;
    if (fraction > naCutoff) out.push({ feature, detail: `${missing[j]}/${x.rows} values missing (${fmt(fraction)} > na_cutoff ${naCutoff})` });
  });
  return out;
}

function fmt(v: number): string {
  return Number(v.toPrecision(4)).toString();
}
