import type { Matrix } from '../../numeric/matrix.ts';
import { columnMoments } from '../columns.ts';
import type { Affine } from './affine.ts';

const EPS = 2 ** -52;

/**
 * scikit-learn's StandardScaler: center = mean, scale = population SD, both ignoring NaN. A feature that is
 * constant on the fit rows gets scale 1 (so it is only centered), with sklearn's own test for "constant"
 * (`_is_constant_feature`), which also catches variances that are rounding noise around a large mean.
 * This matters with per-plate fits on one or two control wells, where such features are common.
 */
export function fitStandardize(fit: Matrix): Affine {
  const { count, mean, variance } = columnMoments(fit);
  const scale = variance.map((v, j) => {
    const n = count[j];
    const constant = v <= n * EPS * v + (n * mean[j] * EPS) ** 2;
    return constant ? 1 : Math.sqrt(v);
  });
  return { center: mean, scale };
}
