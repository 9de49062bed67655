/**
 * C += A·B in float64 as a small WebAssembly module using 128-bit SIMD (two float64 lanes): the two large
 * products of every MLP training step (hidden = X·W1 and ∂W1 = Xᵀ·δ1). Plain JS reaches ~2.5 G multiply-adds/s
 * here and tfjs-wasm pays a kernel dispatch for each of the ~30 small ops of a step; a 4×4 block held in
 * eight f64x2 accumulators runs several times faster (the approach of src/numeric/gram_kernel.ts, whose
 * comment explains the numbers). WebAssembly never fuses a multiply and an add, so every entry is the
 * scalar loop's sum in the same order: products in increasing k, added to C once per call.
 *
 * gemm(a, lda, b, ldb, c, ldc, m, n, k): A is m × k, B is k × n, C is m × n, all row-major doubles at byte
 * addresses a, b, c with row strides lda, ldb, ldc in bytes; m and n must be multiples of 4 (callers pad
 * with zeros). For each 4-row strip of A and each 4-column strip of B, the k products are summed in
 * registers and then added to C's 4×4 block.
 */

type Gemm = (a: number, lda: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number) => void;

import {
  addTo, breakIf, compileOrNull, F64X2_ADD, F64X2_MUL, I32_ADD, I32_EQZ, I32_GE_U, I32_MUL, I32_SUB, i32Const, kernelModuleBytes,
  localGet, localSet, V128_ZERO, v128Load, v128Load64Splat, v128Store, whileLoop,
} from '../numeric/wasm.ts';

// Parameters, then locals: i32 counters and addresses, v128 accumulators and operands.
const [A, LDA, B, LDB, C, LDC, M, N, K] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const [I, J, KK, PB, O] = [9, 10, 11, 12, 13];
const ROW = 14; // ROW + r: address of A[i + r][kk], r = 0..3
const ACC = 18; // ACC + 2r + h: row r of the block, columns 2h, 2h + 1
const [Y0, Y1, X] = [26, 27, 28];

const gemmBody: number[] = [
  ...i32Const(0), ...localSet(I),
  whileLoop(
    [...localGet(I), ...localGet(M), I32_GE_U, ...breakIf],
    [...i32Const(0), ...localSet(J)],
    whileLoop(
      [...localGet(J), ...localGet(N), I32_GE_U, ...breakIf],
      Array.from({ length: 8 }, (_, q) => [...V128_ZERO, ...localSet(ACC + q)]).flat(),
      [...localGet(A), ...localGet(I), ...localGet(LDA), I32_MUL, I32_ADD, ...localSet(ROW)],
      [1, 2, 3].flatMap((r) => [...localGet(ROW + r - 1), ...localGet(LDA), I32_ADD, ...localSet(ROW + r)]),
      // PB = b + j·8
      [...localGet(B), ...localGet(J), ...i32Const(8), I32_MUL, I32_ADD, ...localSet(PB)],
      [...localGet(K), ...localSet(KK)],
      whileLoop(
        [...localGet(KK), I32_EQZ, ...breakIf],
        [...localGet(PB), ...v128Load(0), ...localSet(Y0), ...localGet(PB), ...v128Load(16), ...localSet(Y1)],
        [0, 1, 2, 3].flatMap((r) => [
          ...localGet(ROW + r), ...v128Load64Splat(0), ...localSet(X),
          ...localGet(ACC + 2 * r), ...localGet(X), ...localGet(Y0), ...F64X2_MUL, ...F64X2_ADD, ...localSet(ACC + 2 * r),
          ...localGet(ACC + 2 * r + 1), ...localGet(X), ...localGet(Y1), ...F64X2_MUL, ...F64X2_ADD, ...localSet(ACC + 2 * r + 1),
          ...addTo(ROW + r, i32Const(8)),
        ]),
        addTo(PB, localGet(LDB)),
        [...localGet(KK), ...i32Const(1), I32_SUB, ...localSet(KK)],
      ),
      // O = c + i·ldc + j·8; add the accumulators to C row by row
      [...localGet(C), ...localGet(I), ...localGet(LDC), I32_MUL, I32_ADD, ...localGet(J), ...i32Const(8), I32_MUL, I32_ADD, ...localSet(O)],
      [0, 1, 2, 3].flatMap((r) => [
        ...localGet(O), ...localGet(O), ...v128Load(0), ...localGet(ACC + 2 * r), ...F64X2_ADD, ...v128Store(0),
        ...localGet(O), ...localGet(O), ...v128Load(16), ...localGet(ACC + 2 * r + 1), ...F64X2_ADD, ...v128Store(16),
        ...addTo(O, localGet(LDC)),
      ]),
      addTo(J, i32Const(4)),
    ),
    addTo(I, i32Const(4)),
  ),
  0x0b,
].flat();

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return kernelModuleBytes({ name: 'gemm', params: 9, i32Locals: ACC - I, v128Locals: X + 1 - ACC, body: gemmBody });
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable (the caller then uses plain JS). */
function gemmModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileOrNull(moduleBytes());
  return compiled;
}

/** Plain JS with the kernel's contract and summation order, where WebAssembly SIMD is missing. */
function gemmJs(heap: Float64Array): Gemm {
  return (a, lda, b, ldb, c, ldc, m, n, k) => {
    const [a8, lda8, b8, ldb8, c8, ldc8] = [a / 8, lda / 8, b / 8, ldb / 8, c / 8, ldc / 8];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += heap[a8 + i * lda8 + t] * heap[b8 + t * ldb8 + j];
        heap[c8 + i * ldc8 + j] += s;
      }
    }
  };
}

/** A kernel over its own memory of at least `bytes` bytes, and that memory as doubles. */
export function gemmKernel(bytes: number): { gemm: Gemm; heap: Float64Array } {
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const heap = new Float64Array(memory.buffer);
  const module = gemmModule();
  if (!module) return { gemm: gemmJs(heap), heap };
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return { gemm: instance.exports.gemm as Gemm, heap };
}
