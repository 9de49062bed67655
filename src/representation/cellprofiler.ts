import type { Profiles } from '../data/profiles.ts';
import { normalize } from '../preprocess/normalize.ts';
import { STANDARDIZE } from './standardize.ts';

/**
 * The classical representation (method §2.6): the test wells' (normalized, selected) CellProfiler features
 * z-scored per plate against that plate's test controls; `inPlace`, over the test table's own matrix.
 */
export function cellprofilerRepresentation(test: Profiles, testControlRows: ArrayLike<number>, plateColumn: string, inPlace = false): Profiles {
  return normalize(test, { ...STANDARDIZE, by_plate: true }, { plateColumn, fitRows: testControlRows }, inPlace);
}
