import { describe, expect, it } from 'vitest';
import { matrix } from '../src/numeric/matrix.ts';
import { interpolateMissing } from '../src/preprocess/interpolate.ts';

describe('interpolateMissing (pandas DataFrame.interpolate defaults)', () => {
  it('fills gaps linearly in row order, carries the last value forward, leaves leading gaps', () => {
    const col = [NaN, 1, NaN, NaN, 4, NaN];
    const other = [1, 2, 3, 4, 5, 6];
    const values = matrix(6, 2, Float64Array.from(col.flatMap((v, i) => [v, other[i]])));
    const out = interpolateMissing({ metadata: {}, features: ['f', 'g'], values });
    const f = Array.from({ length: 6 }, (_, i) => out.values.data[i * 2]);
    expect(f).toEqual([NaN, 1, 2, 3, 4, 4]);
    expect(Array.from({ length: 6 }, (_, i) => out.values.data[i * 2 + 1])).toEqual(other);
    expect(Number.isNaN(values.data[4])).toBe(true); // input untouched
  });
});
