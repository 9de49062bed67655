import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { median, medianInPlace, percentile, percentileInPlace } from '../src/numeric/stats.ts';

/**
 * The one percentile and median against numpy 2's own (test/oracles/percentile.py writes the fixture):
 * equal to the last bit, on arrays with ties, n = 1 and 2, infinities, and at q where numpy's _lerp
 * interpolates from the upper neighbour.
 */

type Num = number | string;
const oracle = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'percentile_numpy.json'), 'utf8')) as {
  numpy: string;
  differs_from_plain_lerp: number;
  cases: { name: string; x: Num[]; q: number[]; percentile: Num[]; median: Num }[];
};

/** Python writes inf and nan as strings (JSON has no such numbers). */
const num = (v: Num): number => (typeof v === 'number' ? v : Number(v));
const same = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

describe(`percentile and median equal numpy ${oracle.numpy}'s`, () => {
  it('the fixture tells numpy’s interpolation from a + (b − a)·t', () => {
    // Without such cases a plain lerp would pass too.
    expect(oracle.differs_from_plain_lerp).toBeGreaterThanOrEqual(20);
    expect(oracle.cases.reduce((n, c) => n + c.q.length, 0)).toBeGreaterThan(700);
  });

  for (const c of oracle.cases) {
    it(`${c.name} (n=${c.x.length})`, () => {
      const x = Float64Array.from(c.x, num);
      const before = x.slice();
      // The same values in three orders: selection must not depend on where the order statistics sit.
      const orders = [x, x.slice().sort(), x.slice().sort().reverse()];
      const wrong: string[] = [];
      c.q.forEach((q, i) => {
        const want = num(c.percentile[i]);
        for (const xs of orders) {
          const got = percentile(xs, q);
          if (!same(got, want)) wrong.push(`q=${q}: ${got} ≠ numpy ${want}`);
        }
        const scratch = x.slice();
        const inPlace = percentileInPlace(scratch, q);
        if (!same(inPlace, want)) wrong.push(`in place, q=${q}: ${inPlace} ≠ numpy ${want}`);
      });
      for (const xs of orders) {
        const got = median(xs);
        if (!same(got, num(c.median))) wrong.push(`median: ${got} ≠ numpy ${num(c.median)}`);
      }
      if (!same(medianInPlace(x.slice()), num(c.median))) wrong.push('median in place differs');
      expect(wrong).toEqual([]);
      expect(x).toEqual(before); // percentile and median leave their input alone
    });
  }

  it('reads a plain number array as well as a typed one', () => {
    // Hand-computed: sorted [1, 2, 3, 4]; q = 50 → index 1.5 → 2.5; the median is (2 + 3) / 2.
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7, -1, 3])).toBe(3);
  });

  it('is NaN for an empty array or one holding a NaN, as numpy', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(median([])).toBeNaN();
    expect(percentile([1, Number.NaN, 3], 0)).toBeNaN();
    expect(median([1, Number.NaN, 3])).toBeNaN();
  });

  it('rejects q outside [0, 100]', () => {
    expect(() => percentile([1, 2], 101)).toThrow(RangeError);
    expect(() => percentile([1, 2], -1)).toThrow(RangeError);
    expect(() => percentile([1, 2], Number.NaN)).toThrow(RangeError);
  });
});
