import type { Profiles } from '../data/profiles.ts';
import { type Matrix, matrix } from '../numeric/matrix.ts';
import { normalize } from '../preprocess/normalize.ts';
import { STANDARDIZE } from './standardize.ts';

/** How a feature's reconstruction error becomes a value: signed (the method), or its size alone (ablations). */
export type ErrorVariant = 'signed' | 'abs' | 'squared';

const TRANSFORM: Record<ErrorVariant, (e: number) => number> = {
  signed: (e) => e,
  abs: (e) => Math.abs(e),
  squared: (e) => e * e,
};

/**
 * The anomaly representation (method §2.6): per feature, the autoencoder's reconstruction minus the input,
 * x̂ − x (or its absolute value or square), then z-scored against the test controls of all plates together.
 * What a treatment does to a feature that the controls' dependencies cannot explain.
 */
export function anomalyRepresentation(
  test: Profiles,
  reconstruction: Matrix,
  testControlRows: ArrayLike<number>,
  variant: ErrorVariant,
): Profiles {
  const { rows, cols, data } = test.values;
  if (reconstruction.rows !== rows || reconstruction.cols !== cols) {
    throw new Error(`reconstruction is ${reconstruction.rows}×${reconstruction.cols}, input ${rows}×${cols}`);
  }
  const f = TRANSFORM[variant];
  const error = new Float64Array(rows * cols);
  for (let i = 0; i < error.length; i++) error[i] = f(reconstruction.data[i] - data[i]);
  const residuals = { ...test, values: matrix(rows, cols, error) };
  return normalize(residuals, { ...STANDARDIZE, by_plate: false }, { plateColumn: '', fitRows: testControlRows });
}
