/**
 * The simulated MoA table of bench/moa.bench.ts: 1,948 rows × 352 features in two representations (the size
 * of the reference's treatment-level table), 10 MoAs of unequal size (60 down to 6 compounds of 7–8 rows),
 * drawn from a seeded stream. A MoA has a centre, each compound its own offset, each row noise; the second
 * representation sees the same MoA centres through a different random rotation and more noise, as the anomaly
 * and CellProfiler profiles see one screen differently.
 */
import { matrix } from '../src/numeric/matrix.ts';
import type { MetaValue, Profiles } from '../src/data/profiles.ts';
import { stream } from '../src/random/streams.ts';

export const ROWS = 1948;
export const FEATURES = 352;
const COMPOUNDS = [60, 45, 35, 28, 22, 18, 14, 10, 8, 6];

export function moaTable(seed: number): Record<string, Profiles> {
  const rs = stream(seed, 'bench/moa/simulate');
  const nCompounds = COMPOUNDS.reduce((a, b) => a + b, 0);
  // 8 rows per compound, one fewer for the first ones until the total is ROWS.
  const short = nCompounds * 8 - ROWS;
  const moa: MetaValue[] = [];
  const compound: MetaValue[] = [];
  const reps = [new Float64Array(ROWS * FEATURES), new Float64Array(ROWS * FEATURES)];
  const separation = [0.3, 0.25];
  const noise = [1, 1.3];
  let row = 0;
  let c = 0;
  COMPOUNDS.forEach((n, m) => {
    const centres = separation.map((s) => Float64Array.from({ length: FEATURES }, () => s * rs.normal()));
    for (let k = 0; k < n; k++, c++) {
      const offsets = [0, 1].map(() => Float64Array.from({ length: FEATURES }, () => 0.4 * rs.normal()));
      const wells = c < short ? 7 : 8;
      for (let w = 0; w < wells; w++, row++) {
        moa.push(`moa_${m}`);
        compound.push(`cpd_${c}`);
        reps.forEach((data, r) => {
          for (let j = 0; j < FEATURES; j++) data[row * FEATURES + j] = centres[r][j] + offsets[r][j] + noise[r] * rs.normal();
        });
      }
    }
  });
  const features = Array.from({ length: FEATURES }, (_, j) => `f${j}`);
  const profiles = (data: Float64Array): Profiles => ({
    metadata: { Metadata_moa: moa, Metadata_pert: compound },
    features,
    values: matrix(ROWS, FEATURES, data),
  });
  return { anomaly: profiles(reps[0]), cellprofiler: profiles(reps[1]) };
}
