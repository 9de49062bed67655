import type { Matrix } from '../../numeric/matrix.ts';
import { medianInPlace, percentileInPlace } from '../../numeric/stats.ts';
import { presentValues } from '../columns.ts';
import type { Affine } from './affine.ts';

const EPS = 2 ** -52;

/**
 * scikit-learn's RobustScaler with its defaults: center = median, scale = interquartile range (25th–75th
 * percentile, numpy's linear interpolation), ignoring NaN. An IQR below 10·machine-epsilon becomes 1
 * (sklearn's `_handle_zeros_in_scale`).
 */
export function fitRobustize(fit: Matrix): Affine {
  const center = new Float64Array(fit.cols);
  const scale = new Float64Array(fit.cols);
  for (let j = 0; j < fit.cols; j++) {
    const values = presentValues(fit, j);
    center[j] = medianInPlace(values);
    const iqr = percentileInPlace(values, 75) - percentileInPlace(values, 25);
    scale[j] = iqr < 10 * EPS ? 1 : iqr;
  }
  return { center, scale };
}
