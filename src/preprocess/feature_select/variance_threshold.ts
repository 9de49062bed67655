import type { Matrix, MatrixView } from '../../numeric/matrix.ts';
import { columnMoments } from '../columns.ts';
import { type Exclusion, stat } from './exclusion.ts';

/**
 * pycytominer `variance_threshold` (≥ 1.2): drop a feature whose population variance (ddof 0, missing
 * values skipped) is below `minVariance`. An all-missing feature has no variance and is kept, as in pandas.
 */
export function varianceThreshold(x: Matrix | MatrixView, features: readonly string[], minVariance: number): Exclusion[] {
  const { variance } = columnMoments(x);
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    if (variance[j] < minVariance) {
      out.push({ feature, detail: `variance ${stat(variance[j])} < min_variance ${minVariance}` });
    }
  });
  return out;
}
