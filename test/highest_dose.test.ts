import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MetaValue, Profiles } from '../src/data/profiles.ts';
import { fillUndefined, keepHighestDose, keepReplicatesAtHighestDose, prepareForEvaluation, zscorePerPlate } from '../src/evaluate/prepare.ts';
import { matrix } from '../src/numeric/matrix.ts';

/**
 * evaluation.replicates_per_dose: the reference's highest-dose rule (filter_data_by_highest_dose) against
 * pandas running the reference's own function bodies (test/oracles/highest_dose.py →
 * test/fixtures/highest_dose_reference.json), and against the rows worked out by hand.
 */

interface Case { n: number; rows: number[]; compound: string[]; dose: number[]; values: (number | null)[][]; undefined_before_fill: number }
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'highest_dose_reference.json'), 'utf8')) as {
  features: string[];
  input: Record<string, (string | number)[]>;
  cases: Case[];
};

function inputProfiles(): Profiles {
  const { input, features } = fixture;
  const n = input.Metadata_row.length;
  const metadata: Record<string, MetaValue[]> = {};
  for (const c of Object.keys(input)) if (!features.includes(c)) metadata[c] = input[c];
  const data = new Float64Array(n * features.length);
  for (let i = 0; i < n; i++) features.forEach((f, j) => (data[i * features.length + j] = input[f][i] as number));
  return { metadata, features, values: matrix(n, features.length, data) };
}

const roles = {
  plate: 'Metadata_Plate',
  perturbation: 'Metadata_cpd',
  dose: 'Metadata_dose',
  control: (r: Record<string, MetaValue>) => r.Metadata_role === 'mock',
  replicate_by: ['Metadata_cpd'],
};

const prepare = (n: number | null) =>
  prepareForEvaluation(inputProfiles(), roles, { per_plate_zscore: true, highest_dose_only: true, replicates_per_dose: n, fill_undefined: 'interpolate' });

const triples = (p: Profiles) => p.metadata.Metadata_cpd.map((c, i) => [c, p.metadata.Metadata_dose[i], p.metadata.Metadata_row[i]]);

describe("the reference's highest-dose rule (replicates_per_dose: n)", () => {
  it('n = 3, worked out by hand from the table', () => {
    // Groups of treated wells (compound @ dose: table rows):
    //   A @ 10: 2, 11, 41          A @ 3.3333: 0, 6, 20, 23, 32
    //   B2 @ 10: 1, 29 (too few)   B2 @ 3.3333: 4, 16, 36, 37   B2 @ 1.1111: 5, 27, 28
    //   B10 @ 0.37037: 14, 17, 26, 31, 33                       B10 @ 0.12346: 10, 38
    //   C @ 10: 21 (too few)       C @ 1.1111: 9, 22 (too few: C drops out)
    //   a @ 5: 3, 13, 15, 34, 35, 40
    // Compounds in descending character-code order (a > C > B2 > B10 > A, not natural order), each at its highest
    // dose with 3 wells, the first 3 of that dose in table order (B2's 37 and a's 34, 35, 40 are left out).
    expect(triples(prepare(3))).toEqual([
      ['a', 5, 3], ['a', 5, 13], ['a', 5, 15],
      ['B2', 3.3333, 4], ['B2', 3.3333, 16], ['B2', 3.3333, 36],
      ['B10', 0.37037, 14], ['B10', 0.37037, 17], ['B10', 0.37037, 26],
      ['A', 10, 2], ['A', 10, 11], ['A', 10, 41],
    ]);
  });

  for (const c of fixture.cases) {
    it(`n = ${c.n}: the same wells, in the same order, with the same interpolated values as pandas`, () => {
      const p = prepare(c.n);
      expect(p.metadata.Metadata_row).toEqual(c.rows);
      expect(p.metadata.Metadata_cpd).toEqual(c.compound);
      expect(p.metadata.Metadata_dose).toEqual(c.dose);
      // The fixture's table has undefined z-scores among the kept rows (feature 2 is constant on plate P2), and
      // none at the top of a column, where pandas would leave a gap this project fills.
      expect(c.undefined_before_fill).toBeGreaterThan(0);
      let maxDiff = 0;
      c.values.forEach((row, i) =>
        row.forEach((v, j) => {
          expect(v).not.toBeNull();
          maxDiff = Math.max(maxDiff, Math.abs(p.values.data[i * p.values.cols + j] - v!));
        }),
      );
      expect(maxDiff).toBeLessThan(1e-12);
    });
  }

  it('the row order matters: interpolating in table order would give other values', () => {
    const c = fixture.cases.find((k) => k.n === 3)!;
    const z = zscorePerPlate(inputProfiles(), roles.plate);
    const treated = z.metadata.Metadata_role.flatMap((r, i) => (r === 'mock' ? [] : [i]));
    const kept = new Set(c.rows);
    const inTableOrder = treated.filter((i) => kept.has(i));
    const p = fillUndefined({ ...z, metadata: { ...z.metadata }, values: matrix(inTableOrder.length, 3, Float64Array.from(inTableOrder.flatMap((i) => Array.from(z.values.data.subarray(i * 3, i * 3 + 3))))) }, 'interpolate');
    const byRow = new Map(inTableOrder.map((r, k) => [r, Array.from(p.values.data.subarray(k * 3, k * 3 + 3))]));
    const differs = c.rows.some((r, i) => byRow.get(r)!.some((v, j) => Math.abs(v - c.values[i][j]!) > 1e-6));
    expect(differs).toBe(true);
  });

  it('every kept compound has exactly n wells; with n = 1 it is each compound\'s first well at its top dose', () => {
    const p = keepReplicatesAtHighestDose(zscorePerPlate(inputProfiles(), roles.plate), roles, 1);
    const controls = new Set(['DMSO']);
    const rows = triples(p).filter(([c]) => !controls.has(c as string));
    expect(rows).toEqual([['a', 5, 3], ['C', 10, 21], ['B2', 10, 1], ['B10', 0.37037, 14], ['A', 10, 2]]);
  });
});

describe('replicates_per_dose: null (every well at the top dose)', () => {
  it('keeps all top-dose wells in table order, however few', () => {
    const p = prepare(null);
    // Top doses: A 10 (2, 11, 41), B2 10 (1, 29), B10 0.37037 (14, 17, 26, 31, 33), C 10 (21), a 5 (3, 13, 15, 34, 35, 40).
    expect(p.metadata.Metadata_row).toEqual([1, 2, 3, 11, 13, 14, 15, 17, 21, 26, 29, 31, 33, 34, 35, 40, 41]);
    expect(keepHighestDose(inputProfiles(), roles).values.rows).toBe(17 + 9); // and the 9 controls, all at DMSO's one dose
  });

  it('stops with a data error naming the column on a non-numeric dose', () => {
    const p = inputProfiles();
    const dose = p.metadata.Metadata_dose.slice();
    dose[4] = 'high';
    const bad = { ...p, metadata: { ...p.metadata, Metadata_dose: dose } };
    expect(() => keepReplicatesAtHighestDose(bad, roles, 3)).toThrow(/dose column 'Metadata_dose' has a non-numeric value 'high' for a treated well of perturbation 'B2'/);
  });
});
