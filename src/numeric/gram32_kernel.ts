/**
 * XᵀX's inner loop in float32 (four lanes a 128-bit register, twice gram_kernel.ts's float64 throughput),
 * summed in float32 over short runs of rows and added to a float64 total after each run: a screen whose
 * error has a known bound, for the correlation filter, which needs exact values only near its decisions
 * (see feature_select/correlation_threshold.ts).
 *
 * The bound. Values arrive rounded to float32 (relative error u = 2⁻²⁴ each, so 2u on a product), each product
 * is rounded (u), and a run of at most FLUSH products is summed in float32 from 0 (at most FLUSH − 1 more
 * roundings, each within u of the partial sum); the run's sum is then added exactly to a float64 total, whose
 * own rounding over n / FLUSH runs is below 2⁻⁴⁰ of the total here. So every entry is within
 * GRAM32_BOUND · Σ|x_a·x_b| of the exact XᵀX of the float64 values, and by Cauchy–Schwarz within
 * GRAM32_BOUND · √(X_aa·X_bb). Values far below the column's scale may become float32 subnormals: callers scale
 * each column by a power of two first (exact, and no correlation changes) and treat a column whose sum of
 * squares is tiny on that scale exactly (see `TINY`).
 *
 * Why the numbers do not depend on the thread count: as in gram_kernel.ts, each block of the output is
 * computed for a chunk of rows by one call, in row order, and chunks are added in order.
 *
 * Layout the kernel expects (byte offsets passed in): panels of 8 columns, float32, panel g at
 * `panels + g·len·32`, row k of the panel at +k·32 (its 8 values side by side); out: a row-major float64
 * (8·groups)² matrix with `ldo` bytes per row, to which each 8×8 block is added.
 *
 * gram(panels, gj0, gj1, len, out, ldo): for every panel pair gi ≤ gj with gj in [gj0, gj1), adds the 64 dot
 * products of panel gi's columns with panel gj's (over `len` rows) to out's 8×8 block (gi, gj), as two 4×8
 * halves of eight f32x4 accumulators each.
 */

import type { Gram } from './gram_kernel.ts';
import {
  addTo, breakIf, compileOrNull, F32X4_ADD, F32X4_MUL, F64X2_ADD, F64X2_PROMOTE_LOW, gramTriangle, I32_ADD, I32_EQZ, I32_GT_U, I32_MUL, I32_SHL, I32_SUB,
  i32Const, kernelModuleBytes, localGet, localSet, SELECT, simdShuffle, v128Load, v128Load32Splat, V128_ZERO, v128Store, whileLoop,
} from './wasm.ts';

/** Rows summed in float32 before they go to the float64 total: longer runs err more, shorter flush more often. */
export const FLUSH = 64;
/** |computed − exact| ≤ GRAM32_BOUND · Σ|x_a·x_b| for every entry (see above; 2⁻⁴⁰ covers the float64 total). */
export const GRAM32_BOUND = (FLUSH + 3) * 2 ** -24 + 2 ** -40;
/** A sum of squares below this (on a column scaled to a largest |value| in [1, 2)) may hold float32 subnormals. */
export const TINY = 2 ** -80;

// Parameters, then locals: i32 counters and addresses, v128 accumulators and operands.
const [PANELS, GJ0, GJ1, LEN, OUT, LDO] = [0, 1, 2, 3, 4, 5];
const [GI, GJ, A, B, O, PANEL_BYTES, REST, SEG] = [6, 7, 8, 9, 10, 11, 12, 13];
const ACC = 14; // ACC + 2r + c: column r (0..3) of the half of panel gi, columns 4c..4c+3 of panel gj
const [Y0, Y1, X] = [22, 23, 24];

/** The two high float32 lanes moved to the low ones. */
const HIGH_LANES = simdShuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);

/** One row of the run (at byte `at` past A and B): B's 8 values times each of the half's 4, into the accumulators. */
function rowStep(at: number): number[][] {
  return [
    [...localGet(B), ...v128Load(at), ...localSet(Y0), ...localGet(B), ...v128Load(at + 16), ...localSet(Y1)],
    [0, 1, 2, 3].flatMap((r) => [
      ...localGet(A), ...v128Load32Splat(at + 4 * r), ...localSet(X),
      ...localGet(ACC + 2 * r), ...localGet(X), ...localGet(Y0), ...F32X4_MUL, ...F32X4_ADD, ...localSet(ACC + 2 * r),
      ...localGet(ACC + 2 * r + 1), ...localGet(X), ...localGet(Y1), ...F32X4_MUL, ...F32X4_ADD, ...localSet(ACC + 2 * r + 1),
    ]),
  ];
}

/** Half h of block (gi, gj): panel gi's columns 4h..4h+3 against panel gj's 8, run by run. */
function halfBlock(h: number): number[][] {
  return [
    [...localGet(PANELS), ...localGet(GI), ...localGet(PANEL_BYTES), I32_MUL, I32_ADD, ...i32Const(16 * h), I32_ADD, ...localSet(A)],
    [...localGet(PANELS), ...localGet(GJ), ...localGet(PANEL_BYTES), I32_MUL, I32_ADD, ...localSet(B)],
    [...localGet(LEN), ...localSet(REST)],
    whileLoop(
      [...localGet(REST), I32_EQZ, ...breakIf],
      // SEG = min(REST, FLUSH); REST -= SEG
      [...i32Const(FLUSH), ...localGet(REST), ...localGet(REST), ...i32Const(FLUSH), I32_GT_U, SELECT, ...localSet(SEG)],
      [...localGet(REST), ...localGet(SEG), I32_SUB, ...localSet(REST)],
      Array.from({ length: 8 }, (_, q) => [...V128_ZERO, ...localSet(ACC + q)]).flat(),
      whileLoop(
        [...localGet(SEG), I32_EQZ, ...breakIf],
        ...rowStep(0),
        addTo(A, i32Const(32)),
        addTo(B, i32Const(32)),
        [...localGet(SEG), ...i32Const(1), I32_SUB, ...localSet(SEG)],
      ),
      // O = out + (8·gi + 4h)·ldo + gj·64: row r of the half at O + r·ldo, columns 4c.. at +32c.
      [...localGet(OUT), ...localGet(GI), ...i32Const(3), I32_SHL, ...i32Const(4 * h), I32_ADD, ...localGet(LDO), I32_MUL, I32_ADD],
      [...localGet(GJ), ...i32Const(6), I32_SHL, I32_ADD, ...localSet(O)],
      [0, 1, 2, 3].flatMap((r) => [
        ...[0, 1].flatMap((c) => [
          ...localGet(O), ...localGet(O), ...v128Load(32 * c), ...localGet(ACC + 2 * r + c), ...F64X2_PROMOTE_LOW, ...F64X2_ADD, ...v128Store(32 * c),
          ...localGet(O), ...localGet(O), ...v128Load(32 * c + 16), ...localGet(ACC + 2 * r + c), ...localGet(ACC + 2 * r + c), ...HIGH_LANES, ...F64X2_PROMOTE_LOW, ...F64X2_ADD, ...v128Store(32 * c + 16),
        ]),
        ...addTo(O, localGet(LDO)),
      ]),
    ),
  ];
}

const gramBody = gramTriangle({ len: LEN, gj0: GJ0, gj1: GJ1, gi: GI, gj: GJ, panelBytes: PANEL_BYTES }, [...halfBlock(0), ...halfBlock(1)]);

const compiled = new Map<boolean, WebAssembly.Module | null>();

/** The compiled module (with `shared`, over a shared memory), or null where WebAssembly SIMD (or sharing) is unavailable. */
export function gram32Module(shared: boolean): WebAssembly.Module | null {
  if (!compiled.has(shared)) {
    const fn = { name: 'gram', params: 6, i32Locals: ACC - GI, v128Locals: X + 1 - ACC, body: gramBody, sharedMemory: shared };
    compiled.set(shared, compileOrNull(kernelModuleBytes(fn)));
  }
  return compiled.get(shared)!;
}

export type { Gram };
