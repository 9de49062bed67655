import { matrix } from '../numeric/matrix.ts';
import type { Profiles } from '../data/profiles.ts';

/**
 * pandas `DataFrame.interpolate()` with its defaults, which the reference pipeline applies to the input
 * table before normalizing: each missing value is filled linearly between the nearest present values above
 * and below it in the table's row order (whatever wells those are), missing values after the last present
 * one take that value, and those before the first present one stay missing.
 */
export function interpolateMissing(p: Profiles): Profiles {
  const { rows, cols, data } = p.values;
  const out = Float64Array.from(data);
  for (let j = 0; j < cols; j++) {
    let last = -1;
    for (let i = 0; i < rows; i++) {
      if (Number.isNaN(data[i * cols + j])) continue;
      if (last >= 0 && i - last > 1) {
        const from = data[last * cols + j];
        const step = (data[i * cols + j] - from) / (i - last);
        for (let k = last + 1; k < i; k++) out[k * cols + j] = from + step * (k - last);
      }
      last = i;
    }
    if (last >= 0) for (let k = last + 1; k < rows; k++) out[k * cols + j] = data[last * cols + j];
  }
  return { metadata: p.metadata, features: p.features, values: matrix(rows, cols, out) };
}
