import type { Profiles } from '../data/profiles.ts';
import { normalize, type SpherizeSettings } from '../preprocess/normalize.ts';
import { STANDARDIZE } from './standardize.ts';

/**
 * The second classical baseline (method §2.6): the CellProfiler representation whitened with PCA / ZCA
 * (or their correlation variants) fitted on the test controls, all plates together.
 */
export function spherizedRepresentation(cellprofiler: Profiles, testControlRows: ArrayLike<number>, spherize: SpherizeSettings): Profiles {
  return normalize(cellprofiler, { ...STANDARDIZE, method: 'spherize', by_plate: false, spherize }, { plateColumn: '', fitRows: testControlRows });
}
