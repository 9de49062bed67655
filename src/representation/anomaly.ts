import type { Profiles } from '../data/profiles.ts';
import { matrix } from '../numeric/matrix.ts';
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
 * The reconstruction of the test wells, handed over a block of rows at a time (Autoencoder.reconstructByBlock):
 * at CDRP size the whole of it is as large as the test table.
 */
export type Reconstruction = (use: (firstRow: number, rows: number, values: Float32Array) => void) => void;

/**
 * The anomaly representation (method §2.6): per feature, the autoencoder's reconstruction minus the input,
 * x̂ − x (or its absolute value or square), then z-scored against the test controls of all plates together.
 * What a treatment does to a feature that the controls' dependencies cannot explain.
 */
export function anomalyRepresentation(
  test: Profiles,
  reconstruction: Reconstruction,
  testControlRows: ArrayLike<number>,
  variant: ErrorVariant,
): Profiles {
  const { rows, cols, data } = test.values;
  const f = TRANSFORM[variant];
  const error = new Float64Array(rows * cols);
  let filled = 0;
  reconstruction((first, blockRows, xhat) => {
    if (xhat.length !== blockRows * cols || first !== filled) throw new Error(`internal: a reconstruction block of ${xhat.length} values at row ${first} does not follow row ${filled} of ${rows}×${cols}`);
    const at = first * cols;
    for (let i = 0; i < xhat.length; i++) error[at + i] = f(xhat[i] - data[at + i]);
    filled += blockRows;
  });
  if (filled !== rows) throw new Error(`internal: the reconstruction has ${filled} rows, the test wells ${rows}`);
  // The errors are this function's own: standardized where they are.
  const residuals = { ...test, values: matrix(rows, cols, error) };
  return normalize(residuals, { ...STANDARDIZE, by_plate: false }, { plateColumn: '', fitRows: testControlRows }, true);
}
