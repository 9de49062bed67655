import { metaColumn, type Profiles } from '../data/profiles.ts';
import { standardizeAgainst } from './standardize_against.ts';

/**
 * The classical representation (DESIGN §2.6): the test wells' CellProfiler features z-scored per plate
 * against that plate's test controls.
 */
export function cellprofilerRepresentation(test: Profiles, isTestControl: readonly boolean[], plate: string): Profiles {
  return { ...test, values: standardizeAgainst(test.values, isTestControl, metaColumn(test, plate)) };
}
