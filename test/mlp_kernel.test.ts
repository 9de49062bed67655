import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { type MlpKernels, mlpKernels, mlpKernelsJs } from '../src/classify/mlp_kernel.ts';

/** The WebAssembly kernels (without the native Adam) and the plain-JS stand-in, each over its own memory of `doubles` doubles. */
function both(doubles: number): { name: string; kernels: MlpKernels; heap: Float64Array }[] {
  const memory = () => new WebAssembly.Memory({ initial: Math.ceil((doubles * 8) / 65536) });
  const wasm = memory();
  const js = memory();
  return [
    { name: 'wasm', kernels: mlpKernels(wasm, null), heap: new Float64Array(wasm.buffer) },
    { name: 'js', kernels: mlpKernelsJs(new Float64Array(js.buffer)), heap: new Float64Array(js.buffer) },
  ];
}

describe('the MLP step kernels', () => {
  it('are WebAssembly functions here: the module compiles (a plain-JS stand-in would make the comparisons below trivial)', () => {
    const kernels = mlpKernels(new WebAssembly.Memory({ initial: 1 }), null);
    for (const name of ['relu', 'mask', 'colsum', 'sumsq', 'addscaled', 'adam'] as const) {
      expect(String(kernels[name]), name).toContain('[native code]');
    }
  });

  it('relu and mask zero what is not above zero, NaN and −0 included', () => {
    for (const { heap, kernels } of both(16)) {
      heap.set([-1, 2, NaN, -0, 0.5, -Infinity]);
      kernels.relu(0, 6);
      expect(Array.from(heap.subarray(0, 6))).toEqual([0, 2, 0, 0, 0.5, 0]);
      expect(Object.is(heap[3], 0)).toBe(true);
      // d = h > 0 ? d : 0
      heap.set([10, 20, 30, 40], 8);
      heap.set([0, 3, -0, 1e-300], 12);
      kernels.mask(8 * 8, 12 * 8, 4);
      expect(Array.from(heap.subarray(8, 12))).toEqual([0, 20, 0, 40]);
    }
  });

  it('colsum sums each column over the first m rows only, in row order', () => {
    for (const { heap, kernels } of both(32)) {
      // 4 × 4, row stride 4; the fourth row is left out. Column 0: (1e16 + 1) + 1 in row order is 1e16 (each 1
      // rounds away, a tie to even); summing the two 1s first would give 1e16 + 2.
      heap.set([1e16, 1, 2, 3, /**/ 1, 4, 5, -3, /**/ 1, 0, -0, 0, /**/ 99, 99, 99, 99]);
      kernels.colsum(0, 32, 3, 4, 16 * 8);
      expect(Array.from(heap.subarray(16, 20))).toEqual([1e16, 5, 7, 0]);
    }
  });

  it('sumsq: four running sums by position mod 4, combined as (s₀ + s₂) + (s₁ + s₃), then added to the value there', () => {
    for (const { heap, kernels } of both(16)) {
      heap[8] = 1;
      heap.set([1e8, 1, 1, 1, 0, 1, 0, 0]);
      kernels.sumsq(0, 8, 8 * 8);
      // s = [1e16, 2, 1, 1]; 1e16 + 1 rounds back to 1e16 (a tie, to even), + 3 gives 1e16 + 4 (a tie again), and
      // 1 + (1e16 + 4) rounds to 1e16 + 4. One running sum in order would lose every 1: 1e16.
      expect(heap[8]).toBe(1e16 + 4);
      expect(heap[8]).not.toBe(1e16);
    }
  });

  it("addscaled and adam: sklearn's update, worked by hand", () => {
    for (const { heap, kernels } of both(64)) {
      heap.set([1, -2], 0); // g
      heap.set([3, 4], 2); // w
      heap[4] = 0.5;
      kernels.addscaled(0, 2 * 8, 2, 4 * 8);
      expect(Array.from(heap.subarray(0, 2))).toEqual([2.5, 0]);
      // One step from m = 0.2, v = 0.04 with g = 2.5 and 0, w = 3 and 4, lr = 0.01, ε = 0:
      // m' = 0.5·0.2 + 0.5·g = 1.35 and 0.1; v' = 0.75·0.04 + (0.25·g)·g = 1.5925 and 0.03;
      // w' = w − 0.01·m'/√v'.
      heap.set([0.2, 0.2], 8); // m
      heap.set([0.04, 0.04], 10); // v
      heap.set([0.5, 0.5, 0.75, 0.25, 0.01, 0], 16);
      kernels.adam(2 * 8, 0, 8 * 8, 10 * 8, 2, 16 * 8);
      expect(heap[8]).toBeCloseTo(1.35, 15);
      expect(heap[9]).toBeCloseTo(0.1, 15);
      expect(heap[10]).toBeCloseTo(1.5925, 15);
      expect(heap[11]).toBeCloseTo(0.03, 15);
      expect(heap[2]).toBeCloseTo(3 - (0.01 * 1.35) / Math.sqrt(1.5925), 15);
      expect(heap[3]).toBeCloseTo(4 - (0.01 * 0.1) / Math.sqrt(0.03), 15);
    }
  });

  it('the WebAssembly kernels give the bits of the plain-JS ones on random data', () => {
    const rng = seedrandom('mlp-kernels');
    const n = 1000;
    const [wasm, js] = both(8 * n);
    const data = Float64Array.from({ length: 8 * n }, () => (rng() < 0.1 ? 0 : (rng() - 0.5) * 10 ** Math.floor(rng() * 8 - 4)));
    for (const { heap } of [wasm, js]) heap.set(data);
    const consts = 7 * n;
    for (const { heap } of [wasm, js]) heap.set([0.9, 1 - 0.9, 0.999, 1 - 0.999, 3e-4, 1e-8, 1e-4, 0], consts);
    // Moments must be ≥ 0 where Adam reads v.
    for (const { heap } of [wasm, js]) for (let t = 3 * n; t < 4 * n; t++) heap[t] = Math.abs(heap[t]);
    for (const { kernels } of [wasm, js]) {
      kernels.relu(0, n);
      kernels.mask(n * 8, 0, n);
      kernels.colsum(n * 8, 40 * 8, n / 40, 40, 5 * n * 8);
      kernels.addscaled(n * 8, 4 * n * 8, n, (consts + 6) * 8);
      kernels.sumsq(n * 8, n, (consts + 7) * 8);
      kernels.sumsq(n * 8 + 8 * 4, n - 8, (consts + 7) * 8);
      kernels.adam(4 * n * 8, n * 8, 2 * n * 8, 3 * n * 8, n, consts * 8);
    }
    expect(Buffer.from(wasm.heap.buffer, 0, 8 * n * 8).equals(Buffer.from(js.heap.buffer, 0, 8 * n * 8))).toBe(true);
  });
});
