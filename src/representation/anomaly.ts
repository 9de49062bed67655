import type { Profiles } from '../data/profiles.ts';
import { type Matrix, matrix } from '../numeric/matrix.ts';
import { standardizeAgainst } from './standardize_against.ts';

/**
 * The anomaly representation (DESIGN §2.6): per feature, the autoencoder's reconstruction minus the input,
 * x̂ − x, then z-scored against the test controls of all plates together. What a treatment does to a
 * feature that the controls' dependencies cannot explain.
 */
export function anomalyRepresentation(test: Profiles, reconstruction: Matrix, isTestControl: readonly boolean[]): Profiles {
  const { rows, cols, data } = test.values;
  if (reconstruction.rows !== rows || reconstruction.cols !== cols) {
    throw new Error(`reconstruction is ${reconstruction.rows}×${reconstruction.cols}, input ${rows}×${cols}`);
  }
  const error = new Float64Array(rows * cols);
  for (let i = 0; i < error.length; i++) error[i] = reconstruction.data[i] - data[i];
  return { ...test, values: standardizeAgainst(matrix(rows, cols, error), isTestControl, null) };
}
