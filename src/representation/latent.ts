import type { Profiles } from '../data/profiles.ts';
import type { Matrix } from '../numeric/matrix.ts';
import { normalize } from '../preprocess/normalize.ts';
import { STANDARDIZE } from './standardize.ts';

/**
 * The latent representation: the encoder's code z of each test well, z-scored against the test controls
 * like the anomaly representation, so the two differ only in what of the autoencoder they keep.
 */
export function latentRepresentation(test: Profiles, codes: Matrix, testControlRows: ArrayLike<number>): Profiles {
  if (codes.rows !== test.values.rows) throw new Error(`${codes.rows} codes for ${test.values.rows} wells`);
  const features = Array.from({ length: codes.cols }, (_, j) => `Latent_${String(j + 1).padStart(3, '0')}`);
  return normalize({ metadata: test.metadata, features, values: codes }, { ...STANDARDIZE, by_plate: false }, {
    plateColumn: '',
    fitRows: testControlRows,
  });
}
