import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { crossProduct, crossProductScalar, productABt, symmetricEigen } from '../src/numeric/linalg.ts';
import { type Matrix, matrix } from '../src/numeric/matrix.ts';

function randomMatrix(rows: number, cols: number, seed: string): Matrix {
  const rng = seedrandom(seed);
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng() - 0.5));
}

function randomSymmetric(n: number, seed: string): Float64Array {
  const rng = seedrandom(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng() - 0.5;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** max |A − VᵀΛV| and max |VVᵀ − I| for vectors stored as rows. */
function residuals(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array) {
  let reconstruction = 0;
  let orthogonality = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let o = 0;
      for (let k = 0; k < n; k++) {
        s += vectors[k * n + i] * values[k] * vectors[k * n + j];
        o += vectors[i * n + k] * vectors[j * n + k];
      }
      reconstruction = Math.max(reconstruction, Math.abs(s - a[i * n + j]));
      orthogonality = Math.max(orthogonality, Math.abs(o - (i === j ? 1 : 0)));
    }
  }
  return { reconstruction, orthogonality };
}

describe('symmetricEigen', () => {
  it('solves a 2×2 by hand: [[2,1],[1,2]] has 3 along (1,1)/√2 and 1 along (1,−1)/√2', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    const s = Math.SQRT1_2;
    expect(Math.abs(vectors[0])).toBeCloseTo(s, 14);
    expect(vectors[0] * vectors[1]).toBeCloseTo(0.5, 14);
    expect(vectors[2] * vectors[3]).toBeCloseTo(-0.5, 14);
  });

  it('returns a diagonal matrix largest first with unit vectors', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([1, 0, 0, 0, 5, 0, 0, 0, -2]), 3);
    expect(Array.from(values)).toEqual([5, 1, -2]);
    expect(Array.from(vectors).map(Math.abs)).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('reconstructs a random 80×80 matrix and keeps the vectors orthonormal', () => {
    const n = 80;
    const a = randomSymmetric(n, 'eig');
    const { values, vectors } = symmetricEigen(a, n);
    const r = residuals(a, n, values, vectors);
    expect(r.reconstruction).toBeLessThan(1e-13);
    expect(r.orthogonality).toBeLessThan(1e-13);
    for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
  });

  it('handles repeated eigenvalues and a rank-deficient Gram matrix', () => {
    // XᵀX of 3 rows in 6 dimensions: rank 3, eigenvalue 0 three times.
    const x = randomMatrix(3, 6, 'rank3');
    const g = crossProduct(x).data;
    const { values, vectors } = symmetricEigen(g, 6);
    const r = residuals(g, 6, values, vectors);
    expect(r.reconstruction).toBeLessThan(1e-14);
    expect(r.orthogonality).toBeLessThan(1e-14);
    expect(values[2]).toBeGreaterThan(1e-3);
    for (let k = 3; k < 6; k++) expect(Math.abs(values[k])).toBeLessThan(1e-15);
  });

  it('does not modify its input', () => {
    const a = randomSymmetric(5, 'pure');
    const copy = Float64Array.from(a);
    symmetricEigen(a, 5);
    expect(a).toEqual(copy);
  });
});

describe('crossProduct and productABt', () => {
  function naiveAtA(x: Matrix): Float64Array {
    const out = new Float64Array(x.cols * x.cols);
    for (let i = 0; i < x.cols; i++) {
      for (let j = 0; j < x.cols; j++) {
        let s = 0;
        for (let r = 0; r < x.rows; r++) s += x.data[r * x.cols + i] * x.data[r * x.cols + j];
        out[i * x.cols + j] = s;
      }
    }
    return out;
  }

  it('equals XᵀX across row chunks and column counts that are not multiples of 4', () => {
    for (const [rows, cols] of [[7, 6], [300, 9], [513, 4], [2, 1]] as const) {
      const x = randomMatrix(rows, cols, `gram${rows}`);
      const got = crossProduct(x).data;
      const want = naiveAtA(x);
      want.forEach((v, k) => expect(got[k]).toBeCloseTo(v, 11));
    }
  });

  it('gives identical columns bit-identical rows (the correlation tie-break depends on it)', () => {
    const base = randomMatrix(400, 11, 'twins');
    const x = matrix(400, 11, Float64Array.from(base.data));
    for (let r = 0; r < 400; r++) x.data[r * 11 + 9] = x.data[r * 11 + 2];
    const g = crossProduct(x).data;
    for (let k = 0; k < 11; k++) expect(g[2 * 11 + k]).toBe(g[9 * 11 + k]);
  });

  /** XᵀX summed as crossProduct promises: row order within chunks of 256 rows, then chunk by chunk. */
  function chunkedAtA(x: Matrix): Float64Array {
    const d = x.cols;
    const out = new Float64Array(d * d);
    for (let r0 = 0; r0 < x.rows; r0 += 256) {
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let r = r0; r < Math.min(x.rows, r0 + 256); r++) s += x.data[r * d + i] * x.data[r * d + j];
          out[i * d + j] += s;
        }
      }
    }
    return out;
  }

  it('sums in a fixed order, so the SIMD kernel and the plain-JS fallback give the same bits', () => {
    for (const [rows, cols] of [[777, 13], [256, 8], [3, 1], [600, 130]] as const) {
      const x = randomMatrix(rows, cols, `order${rows}`);
      expect(Array.from(crossProduct(x).data)).toEqual(Array.from(chunkedAtA(x)));
      expect(Array.from(crossProductScalar(x).data)).toEqual(Array.from(chunkedAtA(x)));
    }
  });

  it('reads chosen rows and columns and centres them in place, as the copied, centred matrix would give', () => {
    const x = randomMatrix(700, 23, 'subset');
    const rows = Int32Array.from({ length: 400 }, (_, k) => (k * 7919) % 700);
    const cols = Int32Array.from([22, 3, 3, 0, 17, 9, 11]);
    const center = Float64Array.from(cols, (j) => j / 10 - 0.3);
    const copy = matrix(rows.length, cols.length);
    rows.forEach((r, i) => cols.forEach((c, k) => (copy.data[i * cols.length + k] = x.data[r * 23 + c] - center[k])));
    const got = crossProduct(x, { rows, cols, center });
    expect([got.rows, got.cols]).toEqual([7, 7]);
    expect(Array.from(got.data)).toEqual(Array.from(crossProduct(copy).data));
    expect(Array.from(crossProductScalar(x, { rows, cols, center }).data)).toEqual(Array.from(got.data));
  });

  it('productABt equals A·Bᵀ', () => {
    const a = randomMatrix(9, 300, 'a');
    const b = randomMatrix(6, 300, 'b');
    const got = productABt(a, b);
    expect([got.rows, got.cols]).toEqual([9, 6]);
    for (let i = 0; i < 9; i++) {
      for (let j = 0; j < 6; j++) {
        let s = 0;
        for (let k = 0; k < 300; k++) s += a.data[i * 300 + k] * b.data[j * 300 + k];
        expect(got.data[i * 6 + j]).toBeCloseTo(s, 12);
      }
    }
  });
});
