import { expect } from 'vitest';
import { frameToProfiles, readFrame } from '../../src/data/io.ts';
import type { Profiles } from '../../src/data/profiles.ts';
import { sharedPath } from './shared.ts';

/** Helpers shared by the preprocessing parity tests (they read ../shared, see shared.ts). */

export const isFeature = (column: string): boolean => /^(Cells|Cytoplasm|Nuclei)_/.test(column);

export function readProfiles(...parts: string[]): Profiles {
  const df = readFrame(sharedPath(...parts));
  return frameToProfiles(df, df.columns.filter((c) => !c.startsWith('Metadata_')));
}

/**
 * data/bbbc021 prepared as parity/bbbc021/cases.json says: positional features (*_Location_*, *_Center_*)
 * dropped, metadata renamed Metadata_<name> (Image_Metadata_X → Metadata_X), rows sorted by plate, well.
 */
export function preparedBbbc021(): Profiles {
  const raw = readFrame(sharedPath('data/bbbc021/profiles.csv.gz'));
  const features = raw.columns.filter((c) => isFeature(c) && !/_Location_|_Center_/.test(c));
  const rename: Record<string, string> = {};
  for (const c of raw.columns) {
    if (!isFeature(c)) rename[c] = c.startsWith('Image_Metadata_') ? c.slice('Image_'.length) : `Metadata_${c}`;
  }
  const df = raw.rename(rename).sort(['Metadata_Plate', 'Metadata_Well']);
  return frameToProfiles(df, features);
}

/**
 * Each feature mapped to the first feature with a bit-identical column. pycytominer's correlation filter
 * keeps an arbitrary member of such a group (numpy's unstable argsort breaks the exact tie), so kept sets
 * are compared group by group.
 */
export function identicalColumnGroups(p: Profiles): Map<string, string> {
  const { rows, cols, data } = p.values;
  const byContent = new Map<string, string>();
  const groupOf = new Map<string, string>();
  p.features.forEach((f, j) => {
    const bytes = new Float64Array(rows);
    for (let i = 0; i < rows; i++) bytes[i] = data[i * cols + j];
    const key = Buffer.from(bytes.buffer).toString('base64');
    if (!byContent.has(key)) byContent.set(key, f);
    groupOf.set(f, byContent.get(key)!);
  });
  return groupOf;
}

/** The same features, except possibly which member of a group of identical columns represents it. */
export function expectSameUpToIdenticalColumns(kept: readonly string[], expected: readonly string[], groups: Map<string, string>): void {
  const asGroups = (fs: readonly string[]) => fs.map((f) => groups.get(f) ?? `unknown feature ${f}`).sort();
  expect(kept.length).toBe(expected.length);
  expect(asGroups(kept)).toEqual(asGroups(expected));
}

/** Names kept but not expected, and expected but not kept. */
export function nameDifferences(kept: readonly string[], expected: readonly string[]) {
  return {
    extra: kept.filter((f) => !expected.includes(f)).sort(),
    missing: expected.filter((f) => !kept.includes(f)).sort(),
  };
}

export interface Agreement {
  readonly maxAbs: number;
  /** |ours − reference| / max(|reference|, 1): relative, but absolute for values below unit scale. */
  readonly maxRel: number;
}

/** Element-wise agreement of two equally shaped tables; with `signFree`, each column may be negated. */
export function agreement(ours: Profiles, ref: Profiles, signFree = false): Agreement {
  expect(ours.features).toEqual(ref.features);
  expect(ours.values.rows).toBe(ref.values.rows);
  const { rows, cols } = ref.values;
  let maxAbs = 0;
  let maxRel = 0;
  for (let j = 0; j < cols; j++) {
    let dot = 0;
    for (let i = 0; i < rows; i++) dot += ours.values.data[i * cols + j] * ref.values.data[i * cols + j];
    const sign = signFree && dot < 0 ? -1 : 1;
    for (let i = 0; i < rows; i++) {
      const a = sign * ours.values.data[i * cols + j];
      const b = ref.values.data[i * cols + j];
      if (Number.isNaN(a) || Number.isNaN(b)) {
        expect([i, j, Number.isNaN(a)]).toEqual([i, j, Number.isNaN(b)]);
        continue;
      }
      const diff = Math.abs(a - b);
      maxAbs = Math.max(maxAbs, diff);
      maxRel = Math.max(maxRel, diff / Math.max(Math.abs(b), 1));
    }
  }
  return { maxAbs, maxRel };
}

/**
 * The largest difference in units of the 5th significant digit, for a reference written with 5 significant
 * digits: ≤ 0.5 means every value rounds to what the reference wrote.
 */
export function fifthDigitError(ours: Profiles, ref: Profiles): number {
  const { rows, cols } = ref.values;
  expect([ours.values.rows, ours.values.cols]).toEqual([rows, cols]);
  let worst = 0;
  for (let k = 0; k < rows * cols; k++) {
    const a = ours.values.data[k];
    const b = ref.values.data[k];
    if (Number.isNaN(a) || Number.isNaN(b)) {
      expect([k, Number.isNaN(a)]).toEqual([k, Number.isNaN(b)]);
      continue;
    }
    const magnitude = Math.max(Math.abs(a), Math.abs(b));
    const unit = magnitude === 0 ? 1 : 10 ** (Math.floor(Math.log10(magnitude)) - 4);
    worst = Math.max(worst, Math.abs(a - b) / unit);
  }
  return worst;
}
