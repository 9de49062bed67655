import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { cosineNorms, pearsonNorms, SimilarityKernel, upperTriangleInto, upperTriangleSize } from '../src/evaluate/gram.ts';
import { averagePrecision, averagePrecisionOf } from '../src/evaluate/map.ts';
import { type Matrix, matrix } from '../src/numeric/matrix.ts';

function randomMatrix(rows: number, cols: number, seed: string): Matrix {
  const rng = seedrandom(seed);
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng() - 0.5));
}

/** Row r of m as promised: centred (mean over its features) or not, then scaled to unit norm. */
function normalised(m: Matrix, r: number, centre: boolean): number[] {
  const row = m.data.subarray(r * m.cols, (r + 1) * m.cols);
  let mu = 0;
  if (centre) {
    for (const v of row) mu += v;
    mu /= m.cols;
  }
  let ss = 0;
  for (const v of row) ss += (v - mu) ** 2;
  return Array.from(row, (v) => (v - mu) * (1 / Math.sqrt(ss)));
}

/** The promised dot product of two normalised rows: in feature order within chunks of 256 features, chunk sums added in order. */
function chunkedDot(a: number[], b: number[]): number {
  let total = 0;
  for (let t0 = 0; t0 < a.length; t0 += 256) {
    let s = 0;
    for (let t = t0; t < Math.min(a.length, t0 + 256); t++) s += a[t] * b[t];
    total += s;
  }
  return total;
}

describe('similarity products', () => {
  it('give the written-out chunked sums, bit for bit, on 1, 2 and 3 threads', () => {
    for (const [nq, nn, k] of [[8, 12, 300], [64, 1030, 700], [4, 4, 1]] as const) {
      const q = randomMatrix(nq, k, `q${nq}`);
      const negatives = randomMatrix(nn, k, `n${nn}`);
      const ldo = Math.ceil(nn / 4) * 4;
      const qs = Array.from({ length: nq }, (_, i) => normalised(q, i, false));
      const ns = Array.from({ length: nn }, (_, j) => normalised(negatives, j, false));
      const expected = Array.from({ length: nq * nn }, (_, t) => chunkedDot(qs[Math.floor(t / nn)], ns[t % nn]));
      for (const threads of [1, 2, 3]) {
        const negAt = 0;
        const qAt = Math.ceil(nn / 4) * 4 * k;
        const outAt = qAt + Math.ceil(nq / 4) * 4 * k;
        const kernel = new SimilarityKernel(outAt + Math.ceil(nq / 4) * 4 * ldo, threads);
        try {
          const pn = kernel.pack(negAt, negatives, cosineNorms(negatives), Array.from({ length: nn }, (_, j) => j));
          const pq = kernel.pack(qAt, q, cosineNorms(q), Array.from({ length: nq }, (_, i) => i));
          kernel.product(pq, 0, pq.padded, pn, 0, pn.padded, outAt, ldo);
          const got = Array.from({ length: nq * nn }, (_, t) => kernel.heap[outAt + Math.floor(t / nn) * ldo + (t % nn)]);
          expect(got).toEqual(expected);
        } finally {
          kernel.close();
        }
      }
    }
  });

  it('give the same bits on 2 and 3 threads as on one where the product lasts long enough for the workers to take part', () => {
    // The cases above are done by the calling thread before a worker has started (~30 ms): counting the ranges
    // each thread took showed the calling thread taking all 16 of every product. This one lasts ~0.1 s, and the
    // workers took part (counted by hand: the calling thread took 8 of the 16 ranges on two threads, 5 on three).
    const [nq, nn, k] = [512, 4096, 1000];
    const q = randomMatrix(nq, k, 'large-q');
    const negatives = randomMatrix(nn, k, 'large-n');
    const [qAt, outAt] = [nn * k, nn * k + nq * k];
    const productOn = (threads: number) => {
      const kernel = new SimilarityKernel(outAt + nq * nn, threads);
      try {
        const pn = kernel.pack(0, negatives, cosineNorms(negatives), Array.from({ length: nn }, (_, j) => j));
        const pq = kernel.pack(qAt, q, cosineNorms(q), Array.from({ length: nq }, (_, i) => i));
        kernel.product(pq, 0, pq.padded, pn, 0, pn.padded, outAt, nn);
        return kernel.heap.slice(outAt, outAt + nq * nn);
      } finally {
        kernel.close();
      }
    };
    const one = Buffer.from(productOn(1).buffer);
    expect(Buffer.from(productOn(2).buffer).equals(one)).toBe(true);
    expect(Buffer.from(productOn(3).buffer).equals(one)).toBe(true);
  });

  it("give percent replicating's upper triangle of Pearson correlations in numpy's triu order, on any thread count", () => {
    const m = randomMatrix(150, 520, 'tri');
    const idx = Array.from({ length: 137 }, (_, r) => (r * 37) % 150);
    const expected: number[] = [];
    for (let a = 0; a < idx.length; a++) for (let b = a + 1; b < idx.length; b++) expected.push(chunkedDot(normalised(m, idx[a], true), normalised(m, idx[b], true)));
    for (const threads of [1, 2]) {
      const kernel = new SimilarityKernel(upperTriangleSize(idx.length, m.cols), threads);
      try {
        const out = new Float64Array(expected.length + 3);
        expect(upperTriangleInto(kernel, m, pearsonNorms(m), idx, out, 3)).toBe(expected.length + 3);
        expect(Array.from(out.subarray(3))).toEqual(expected);
      } finally {
        kernel.close();
      }
    }
  });
});

describe('averagePrecisionOf', () => {
  it('equals AP of the explicitly ranked list (float32 keys, ties positives first, undefined last) on random queries', () => {
    const rng = seedrandom('ap');
    for (let trial = 0; trial < 300; trial++) {
      const nPos = 1 + Math.floor(rng() * 12);
      const nNeg = Math.floor(rng() * 60);
      // Coarse values make ties between and among positives and negatives common; a few are undefined.
      const value = () => (rng() < 0.05 ? NaN : Math.round(rng() * 8) / 8 + (rng() < 0.3 ? 1e-12 : 0));
      const pos = Float64Array.from({ length: nPos }, value);
      const neg = Float64Array.from({ length: nNeg }, value);
      const key = (s: number) => (Number.isNaN(s) ? Infinity : Math.fround(1 - Math.fround(s)));
      const ranked = [...Array.from(pos, (s) => ({ k: key(s), rel: 1 })), ...Array.from(neg, (s) => ({ k: key(s), rel: 0 }))]
        .sort((a, b) => a.k - b.k || b.rel - a.rel);
      const expected = averagePrecision(ranked.map((x) => x.rel));
      expect(averagePrecisionOf(pos.slice(), nPos, neg.slice(), nNeg)).toBeCloseTo(expected, 14);
    }
  });
});
