import { type Matrix, type MatrixView, viewOf } from '../../numeric/matrix.ts';
import { missingCounts } from '../columns.ts';
import { type Exclusion, stat } from './exclusion.ts';

/**
 * pycytominer `get_na_columns`: drop a feature whose fraction of missing values exceeds `naCutoff`.
 */
export function dropNaColumns(x: Matrix | MatrixView, features: readonly string[], naCutoff: number): Exclusion[] {
  const n = viewOf(x).rows.length;
  const missing = missingCounts(x);
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    const fraction = missing[j] / n;
    if (fraction > naCutoff) out.push({ feature, detail: `${missing[j]}/${n} values missing (${stat(fraction)} > na_cutoff ${naCutoff})` });
  });
  return out;
}
