import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { gemmKernel } from '../src/classify/gemm_kernel.ts';

describe('gemmBlocked', () => {
  it('sums every entry of Xᵀ·R in increasing row order from zero, bit for bit, reading Xᵀ in place from X', () => {
    const rng = seedrandom('gemm');
    // More rows than one block (256) and not a multiple of it; widths padded to 4 as callers pad them.
    for (const [rows, d, k] of [[600, 12, 8], [257, 4, 4], [3, 8, 4]] as const) {
      const X = 0;
      const R = rows * d;
      const G = R + rows * k;
      const { gemmBlocked, heap } = gemmKernel((G + d * k) * 8);
      for (let t = 0; t < G; t++) heap[t] = rng() - 0.5;
      gemmBlocked(X * 8, 8, R * 8, k * 8, G * 8, k * 8, d, k, rows, d * 8);
      for (let j = 0; j < d; j++) {
        for (let c = 0; c < k; c++) {
          let s = 0;
          for (let i = 0; i < rows; i++) s += heap[X + i * d + j] * heap[R + i * k + c];
          expect(heap[G + j * k + c]).toBe(s);
        }
      }
    }
  });
});
