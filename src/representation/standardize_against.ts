import { groupRows, type MetaValue } from '../data/profiles.ts';
import { type Matrix, matrix, selectRows } from '../numeric/matrix.ts';
import { applyAffine } from '../preprocess/normalize/affine.ts';
import { fitStandardize } from '../preprocess/normalize/standardize.ts';

/**
 * z-scores every row against the reference rows (mean and population SD of the reference), within each
 * group when `groups` is given (per plate), over all rows together otherwise. How both representations are
 * put on the scale of the held-out controls (DESIGN §2.6).
 */
export function standardizeAgainst(values: Matrix, reference: readonly boolean[], groups: readonly MetaValue[] | null): Matrix {
  const out = new Float64Array(values.data.length);
  const blocks = groups ? [...groupRows(groups).values()] : [Array.from({ length: values.rows }, (_, i) => i)];
  for (const rows of blocks) {
    const ref = rows.filter((i) => reference[i]);
    if (ref.length === 0) {
      throw new Error(`no reference (test_ctrl) wells ${groups ? `on plate ${String(groups[rows[0]])}` : 'at all'} to standardize against`);
    }
    const scaled = applyAffine(selectRows(values, rows), fitStandardize(selectRows(values, ref)));
    rows.forEach((i, k) => out.set(scaled.data.subarray(k * values.cols, (k + 1) * values.cols), i * values.cols));
  }
  return matrix(values.rows, values.cols, out);
}
