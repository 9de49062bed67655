import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { GRAM32_BOUND } from '../src/numeric/gram32_kernel.ts';
import { crossProductParallel, crossProductScreen } from '../src/numeric/gram_parallel.ts';
import { crossProduct } from '../src/numeric/linalg.ts';
import { type Matrix, matrix } from '../src/numeric/matrix.ts';
import { compileOrNull, F64X2_ADD, i32Const, kernelModuleBytes, V128_ZERO } from '../src/numeric/wasm.ts';

function randomMatrix(rows: number, cols: number, seed: string): Matrix {
  const rng = seedrandom(seed);
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng() - 0.5));
}

/** XᵀX of the selected, centred entries, summed in the promised order: row order within chunks of 256 rows, then chunk by chunk. */
function chunkedAtA(x: Matrix, rows: ArrayLike<number>, cols: ArrayLike<number>, center: Float64Array): Float64Array {
  const d = cols.length;
  const at = (r: number, k: number) => x.data[rows[r] * x.cols + cols[k]] - center[k];
  const out = new Float64Array(d * d);
  for (let r0 = 0; r0 < rows.length; r0 += 256) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let r = r0; r < Math.min(rows.length, r0 + 256); r++) s += at(r, i) * at(r, j);
        out[i * d + j] += s;
      }
    }
  }
  return out;
}

describe('crossProductParallel', () => {
  it('gives the bits of the one-thread order on 2 and 3 threads, over chosen rows and centred columns', () => {
    for (const [n, d, threads] of [[1300, 37, 2], [257, 5, 2], [2000, 130, 3], [40, 1, 2]] as const) {
      const x = randomMatrix(n + 11, d + 3, `par${n}x${d}`);
      const rows = Int32Array.from({ length: n }, (_, k) => (k * 7919) % (n + 11));
      const cols = Int32Array.from({ length: d }, (_, k) => (k * 5 + 2) % (d + 3));
      const center = Float64Array.from(cols, (j) => j / 10 - 0.3);
      const got = crossProductParallel(x, { rows, cols, center }, threads);
      expect(got).not.toBeNull();
      expect([got!.rows, got!.cols]).toEqual([d, d]);
      expect(Array.from(got!.data)).toEqual(Array.from(chunkedAtA(x, rows, cols, center)));
    }
  });

  it('leaves small products to one thread unless told otherwise', () => {
    expect(crossProductParallel(randomMatrix(300, 20, 'small'), {})).toBeNull();
    expect(crossProductParallel(randomMatrix(300, 20, 'small'), {}, 1)).toBeNull();
  });
});

describe('crossProductScreen', () => {
  it('is within its bound of XᵀX summed in float64, with the same bits on 1, 2 and 3 threads', () => {
    // Column counts around the kernel's 8-column panels, row counts past chunks (256) and float32 runs (32).
    for (const [n, d] of [[1300, 37], [257, 8], [600, 130], [33, 1]] as const) {
      const x = randomMatrix(n + 11, d + 3, `screen${n}x${d}`);
      const rows = Int32Array.from({ length: n }, (_, k) => (k * 7919) % (n + 11));
      const cols = Int32Array.from({ length: d }, (_, k) => (k * 5 + 2) % (d + 3));
      const center = Float64Array.from(cols, (j) => j / 10 - 0.3);
      const scale = Float64Array.from(cols, (j) => 2 ** ((j % 5) - 2));
      const scaled = (r: number, k: number) => (x.data[rows[r] * x.cols + cols[k]] - center[k]) * scale[k];
      const runs = [1, 2, 3].map((threads) => crossProductScreen(x, { rows, cols, center, scale }, threads)!);
      const upper = (run: (typeof runs)[0]) => Array.from({ length: d * d }, (_, e) => (e % d >= Math.floor(e / d) ? run.data[run.offset + Math.floor(e / d) * run.ld + (e % d)] : 0));
      expect(upper(runs[1])).toEqual(upper(runs[0]));
      expect(upper(runs[2])).toEqual(upper(runs[0]));
      let worst = 0;
      let moved = 0;
      for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) {
          let exact = 0;
          let absolute = 0;
          for (let r = 0; r < n; r++) {
            exact += scaled(r, i) * scaled(r, j);
            absolute += Math.abs(scaled(r, i) * scaled(r, j));
          }
          const got = runs[0].data[runs[0].offset + i * runs[0].ld + j];
          worst = Math.max(worst, Math.abs(got - exact) / absolute);
          if (got !== exact) moved++;
        }
      }
      expect(worst).toBeLessThanOrEqual(GRAM32_BOUND);
      // Float32 it is: most entries differ from float64 ones (a screen that ran in float64 would fail here).
      expect(moved).toBeGreaterThan((d * (d + 1)) / 4);
    }
  });

  it('sums float32 runs of at most 64 rows, the bound\'s premise: 2²⁴ then 255 ones gives 2²⁴ + 192', () => {
    // By hand: the first run's 63 ones each fall below half an ulp of 2²⁴ (ulp 2) and are lost; the three later
    // runs sum 64 ones exactly. One float32 sum over the 256-row chunk would lose all 255 and break the bound.
    const x = matrix(256, 1, Float64Array.from({ length: 256 }, (_, r) => (r === 0 ? 4096 : 1)));
    const got = crossProductScreen(x, { scale: Float64Array.of(1) }, 1)!;
    const entry = got.data[got.offset];
    expect(entry).toBe(2 ** 24 + 192);
    expect(Math.abs(entry - (2 ** 24 + 255))).toBeLessThanOrEqual(GRAM32_BOUND * (2 ** 24 + 255));
  });
});

describe('products large enough that the worker threads take part', () => {
  // The cases above are done by the calling thread before a worker has started (~30 ms): counting the ranges
  // each thread took showed the calling thread taking all of them. Here the products last long enough for the
  // workers to take a share (counted by hand here: on two threads the worker took 53 % of the float32 ranges
  // and 56 % of the float64 ones; on three, the two workers 30 %).
  const x = randomMatrix(40_000, 400, 'large');
  const center = Float64Array.from({ length: 400 }, (_, j) => j / 1000);

  it('float64: the bits of one thread on two', () => {
    const got = crossProductParallel(x, { center }, 2)!;
    expect(Buffer.from(got.data.buffer).equals(Buffer.from(crossProduct(x, { center }).data.buffer))).toBe(true);
  });

  it('float32 screen: the same bits on one, two and three threads', () => {
    const scale = new Float64Array(400).fill(1);
    const [one, two, three] = [1, 2, 3].map((threads) => crossProductScreen(x, { center, scale }, threads)!);
    const triangle = (run: typeof one) => Float64Array.from({ length: 400 * 401 / 2 }, (_, e) => {
      const i = Math.floor((Math.sqrt(8 * e + 1) - 1) / 2);
      const j = e - (i * (i + 1)) / 2;
      return run.data[run.offset + j * run.ld + i];
    });
    const expected = Buffer.from(triangle(one).buffer);
    expect(Buffer.from(triangle(two).buffer).equals(expected)).toBe(true);
    expect(Buffer.from(triangle(three).buffer).equals(expected)).toBe(true);
  });
});

describe('the WebAssembly assembler', () => {
  it('encodes i32.const immediates as signed LEB128 (the format\'s examples)', () => {
    // 64 needs two bytes: one byte with bit 6 set reads as −64 (the bug that made FLUSH = 64 a no-op).
    const cases: [number, number[]][] = [[0, [0x00]], [63, [0x3f]], [64, [0xc0, 0x00]], [127, [0xff, 0x00]], [128, [0x80, 0x01]], [-1, [0x7f]], [-64, [0x40]], [-65, [0xbf, 0x7f]], [-123456, [0xc0, 0xbb, 0x78]], [624485, [0xe5, 0x8e, 0x26]]];
    for (const [value, bytes] of cases) expect(i32Const(value), String(value)).toEqual([0x41, ...bytes]);
  });

  it('compiles a valid kernel, and throws for a broken one on an engine that has SIMD rather than falling back unseen', () => {
    // f64x2.add with two operands, then with one: the second is what a slip in a kernel's stack looks like.
    const module = (operands: number) => kernelModuleBytes({ name: 'k', params: 0, i32Locals: 0, v128Locals: 1, body: [...Array(operands).fill(V128_ZERO).flat(), ...F64X2_ADD, 0x1a, 0x0b] });
    expect(compileOrNull(module(2))).toBeInstanceOf(WebAssembly.Module);
    expect(() => compileOrNull(module(1))).toThrow(/internal: a WebAssembly kernel module does not compile: .*f64x2\.add/);
  });
});
