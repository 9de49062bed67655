/**
 * The inner loop of XᵀX as a small WebAssembly module using 128-bit SIMD (two float64 lanes).
 *
 * Why WebAssembly: plain JS tops out near 2.5 G multiply-adds/s here (every typed-array read is bounds
 * checked, and 16 scalar accumulators plus operands outnumber the 16 SSE registers); the same 4×4 block as
 * eight f64x2 accumulators runs at ~14 G/s, which turns the correlation filter's 1,700² × 50,000 product
 * from ~30 s into ~5 s. No build step: the ~700-byte module is assembled below from opcodes (the native
 * kernel of numeric/native.ts, where it is built, computes the same bits with wider vectors).
 *
 * Why the numbers do not change: WebAssembly never fuses a multiply and an add, and each lane of f64x2.mul /
 * f64x2.add is one IEEE double operation, so every entry is summed exactly as the scalar loop sums it
 * (see `crossProduct`): products in row order from 0 within a chunk of rows, then added to the total.
 *
 * Layout the kernel expects in its memory (byte offsets passed in; all doubles):
 * - panels: the chunk's columns in groups of 4 ("panel" g holds columns 4g..4g+3), panel g at
 *   `panels + g·len·32`, row k of the panel at +k·32 (the 4 values of that row side by side);
 * - out: a row-major (4·groups)² matrix with `ldo` bytes per row, to which each 4×4 block is added.
 *
 * gram(panels, gj0, gj1, len, out, ldo): for every panel pair gi ≤ gj with gj in [gj0, gj1), adds the 16 dot
 * products of panel gi's 4 columns with panel gj's 4 columns (over `len` rows) to out's 4×4 block (gi, gj).
 * Taking gj in ranges keeps the panels being reused in the L2 cache.
 */

export type Gram = (panels: number, gj0: number, gj1: number, len: number, out: number, ldo: number) => void;

import { kernelMemory, type NativeKernels, nativeKernels } from './native.ts';
import { compileOrNull, gramTriangle, I32_ADD, I32_MUL, kernelModuleBytes, localGet, localSet, panelBlock } from './wasm.ts';

// Parameters, then locals: i32 counters and addresses, v128 accumulators and operands.
const [PANELS, GJ0, GJ1, LEN, OUT, LDO] = [0, 1, 2, 3, 4, 5];
const [GI, GJ, K, A, B, O, PANEL_BYTES] = [6, 7, 8, 9, 10, 11, 12];
const ACC = 13; // acc[2·r + h]: row r (0..3) of panel gi, columns 2h, 2h+1 of panel gj
const [Y0, Y1, X] = [21, 22, 23];


const gramBody = gramTriangle({ len: LEN, gj0: GJ0, gj1: GJ1, gi: GI, gj: GJ, panelBytes: PANEL_BYTES }, [
  [...localGet(PANELS), ...localGet(GI), ...localGet(PANEL_BYTES), I32_MUL, I32_ADD, ...localSet(A)],
  [...localGet(PANELS), ...localGet(GJ), ...localGet(PANEL_BYTES), I32_MUL, I32_ADD, ...localSet(B)],
  ...panelBlock({ a: A, b: B, len: LEN, k: K, out: OUT, ldo: LDO, o: O, gi: GI, gj: GJ, acc: ACC, y0: Y0, y1: Y1, x: X }),
]);

/** The module's bytes; with `shared`, its memory import is a shared memory (of up to 4 GiB) that threads share. */
function moduleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  return kernelModuleBytes({ name: 'gram', params: 6, i32Locals: 7, v128Locals: 11, body: gramBody, sharedMemory: shared });
}

const compiled = new Map<boolean, WebAssembly.Module | null>();

/**
 * The compiled module, or null where WebAssembly SIMD (or, `shared`, shared memory) is unavailable: the caller
 * then uses plain JS (or one thread).
 */
export function gramModule(shared = false): WebAssembly.Module | null {
  if (!compiled.has(shared)) {
    compiled.set(shared, compileOrNull(moduleBytes(shared)));
  }
  return compiled.get(shared)!;
}

/** The largest memory we ask for: wasm32 addresses up to 4 GiB, and engines may refuse more than 2. */
export const MAX_BYTES = 2 ** 31 - 2 ** 16;

/**
 * A kernel instance over its own memory of at least `bytes` bytes (the native kernel where it is built), or
 * null when neither it nor WebAssembly SIMD is there, or the memory would be too large. The memory is freed with the instance (nothing is cached but the module).
 */
export function gramKernel(bytes: number, native: NativeKernels | null = nativeKernels()): { gram: Gram; memory: WebAssembly.Memory } | null {
  if (native && bytes <= MAX_BYTES) {
    // The same contract and bits at the CPU's full vector width (numeric/native.ts).
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    const mem = kernelMemory(memory);
    return { gram: (panels, gj0, gj1, len, out, ldo) => native.gram64(mem(), panels, gj0, gj1, len, out, ldo), memory };
  }
  const module = gramModule();
  if (!module || bytes > MAX_BYTES) return null;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { gram: instance.exports.gram as Gram, memory };
}
