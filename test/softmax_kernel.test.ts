import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { softmaxExp, softmaxKernel, type SoftmaxRows, softmaxRowsJs } from '../src/classify/softmax_kernel.ts';

/** The WebAssembly kernel and the plain-JS stand-in, each over its own memory of `doubles` doubles. */
function both(doubles: number): { name: string; softmax: SoftmaxRows; heap: Float64Array }[] {
  const memory = () => new WebAssembly.Memory({ initial: Math.ceil((doubles * 8) / 65536) });
  const [wasm, js] = [memory(), memory()];
  return [
    { name: 'wasm', softmax: softmaxKernel(wasm), heap: new Float64Array(wasm.buffer) },
    { name: 'js', softmax: softmaxRowsJs(new Float64Array(js.buffer)), heap: new Float64Array(js.buffer) },
  ];
}

/** Units in the last place between two positive doubles. */
function ulps(v: number, w: number): number {
  const bits = new BigInt64Array(Float64Array.of(v, w).buffer);
  return Math.abs(Number(bits[0] - bits[1]));
}

describe('the classifiers\' softmax kernel', () => {
  it('is a WebAssembly function here: the module compiles', () => {
    expect(String(softmaxKernel(new WebAssembly.Memory({ initial: 1 })))).toContain('[native code]');
  });

  it("softmax's exp is within 2 ulps of Math.exp down to −708, and 0 below (and for −∞)", () => {
    const rng = seedrandom('softmax-exp');
    let worst = 0;
    for (let t = 0; t < 200_000; t++) {
      // Spread over the whole range, densest near 0 where the probabilities that matter are.
      const x = -(rng() ** 3) * [1, 40, 708][t % 3];
      worst = Math.max(worst, ulps(softmaxExp(x), Math.exp(x)));
    }
    expect(worst).toBeLessThanOrEqual(2);
    expect(worst).toBeGreaterThan(0);
    expect(softmaxExp(0)).toBe(1);
    expect(softmaxExp(-Math.LN2)).toBe(0.5);
    expect(ulps(softmaxExp(-707.9), Math.exp(-707.9))).toBeLessThanOrEqual(2);
    expect([softmaxExp(-708.1), softmaxExp(-Infinity), softmaxExp(NaN)]).toEqual([0, 0, 0]);
  });

  it('softmax: each row to its probabilities and [max, Σexp], worked by hand; −∞ pads a row with probability 0', () => {
    for (const { heap, softmax } of both(64)) {
      // Two rows of 4, row stride 6: [ln 2, 0, −∞, −∞] gives e = [1, ½] (Σ = 3/2) and p = [2/3, 1/3];
      // [3, 3, 3, 3] gives e = 1 each (Σ = 4) and p = ¼ each. Out at 16, row stride 4; stats at 32.
      heap.set([Math.LN2, 0, -Infinity, -Infinity, 99, 99, 3, 3, 3, 3]);
      heap.set([7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7], 16);
      softmax(0, 6 * 8, 2, 4, 16 * 8, 4 * 8, 32 * 8);
      expect(heap[16]).toBeCloseTo(2 / 3, 15);
      expect(heap[17]).toBeCloseTo(1 / 3, 15);
      expect(Array.from(heap.subarray(18, 20))).toEqual([0, 0]);
      expect(Array.from(heap.subarray(20, 24))).toEqual([0.25, 0.25, 0.25, 0.25]);
      // The third row of out is left alone.
      expect(Array.from(heap.subarray(24, 28))).toEqual([7, 7, 7, 7]);
      expect(Array.from(heap.subarray(32, 36))).toEqual([Math.LN2, 1.5, 3, 4]);
    }
  });
  it('the WebAssembly kernel gives the bits of the plain-JS one on random logits', () => {
    const rng = seedrandom('softmax-rows');
    const [rows, n] = [250, 44];
    const [wasm, js] = both(3 * rows * n);
    // Logits of every scale, some rows far apart (their smallest entries below exp's floor), with −∞ padding.
    const logits = Float64Array.from({ length: rows * n }, (_, q) => (q % n >= 41 ? -Infinity : (rng() - 0.5) * 10 ** Math.floor(rng() * 6 - 2)));
    for (const { heap, softmax } of [wasm, js]) {
      heap.set(logits);
      softmax(0, n * 8, rows, n, rows * n * 8, n * 8, 2 * rows * n * 8);
    }
    expect(Buffer.from(wasm.heap.buffer, 0, 3 * rows * n * 8).equals(Buffer.from(js.heap.buffer, 0, 3 * rows * n * 8))).toBe(true);
    // And each row is a softmax computed with Math.exp.
    const out = wasm.heap.subarray(rows * n, 2 * rows * n);
    for (let r = 0; r < rows; r++) {
      const z = logits.subarray(r * n, r * n + 41);
      const max = Math.max(...z);
      const sum = z.reduce((s, v) => s + Math.exp(v - max), 0);
      for (let k = 0; k < 41; k++) {
        const p = Math.exp(z[k] - max) / sum;
        // exp's 2 ulps, Σ's and the division's roundings: within 1e-15 of p (a wrong ln 2 part errs by 1e-9).
        if (p > 1e-300) expect(Math.abs(out[r * n + k] - p) / p, `row ${r}, class ${k}`).toBeLessThan(1e-15);
        else expect(out[r * n + k]).toBeLessThan(1e-300);
      }
    }
  });
});
