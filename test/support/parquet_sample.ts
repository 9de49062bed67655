import type { Columns } from '../../src/data/io.ts';

/** One column of each kind the run tables hold: names (with a gap), an integer count, a score (NaN), a flag, a numeric metadata column (with a gap). */
export const PARQUET_SAMPLE: Columns = {
  representation: ['anomaly', 'cellprofiler', null],
  epoch: Int32Array.from([0, 1, 2]),
  macro_f1: Float64Array.from([0.5, NaN, 1]),
  replicating: [true, false, true],
  Metadata_dose: [0.1, null, 10],
};
