import type { Matrix } from '../../numeric/matrix.ts';
import { medianInPlace } from '../../numeric/stats.ts';
import { presentValues } from '../columns.ts';
import type { Affine } from './affine.ts';

/** Consistency constant making the MAD estimate the SD of normal data (pycytominer's RobustMAD). */
const NORMAL_MAD = 1.4826;

/**
 * pycytominer's RobustMAD: (x − median) / (1.4826·MAD + epsilon), ignoring NaN. Unlike the sklearn scalers
 * a zero MAD is not replaced: epsilon is the only guard, so constant features blow up to ±x/epsilon
 * (or 0) exactly as in pycytominer.
 */
export function fitMadRobustize(fit: Matrix, epsilon: number): Affine {
  const center = new Float64Array(fit.cols);
  const scale = new Float64Array(fit.cols);
  for (let j = 0; j < fit.cols; j++) {
    const values = presentValues(fit, j);
    const med = medianInPlace(values);
    const deviations = values.map((v) => Math.abs(v - med));
    center[j] = med;
    // scipy's median_abs_deviation(scale=1/1.4826) divides by the scale; dividing keeps its rounding.
    scale[j] = medianInPlace(deviations) / (1 / NORMAL_MAD) + epsilon;
  }
  return { center, scale };
}
