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
import { kernelMemory, type NativeKernels, nativeKernels } from '../numeric/native.ts';

// Parameters, then locals: i32 counters and addresses, v128 accumulators and operands.
// STEP: bytes from A[i][kk] to A[i][kk + 1] (8 for a row-major A; the carrying kernel takes it as a tenth
// parameter, so Xᵀ can be read from X without a transposed copy).
const [A, LDA, B, LDB, C, LDC, M, N, K, STEP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [I, J, KK, PB, O] = [10, 11, 12, 13, 14];
const ROW = 15; // ROW + r: address of A[i + r][kk], r = 0..3
const ACC = 19; // ACC + 2r + h: row r of the block, columns 2h, 2h + 1
const [Y0, Y1, X] = [27, 28, 29];

/**
 * The kernel's body. `carry`: each 4×4 block of C is the accumulators' starting value and receives their
 * final value (C holds running sums between calls), instead of starting from zero and being added to C.
 */
function gemmBody(carry: boolean): number[] {
  const accumulatorsFromC = [0, 1, 2, 3].flatMap((r) => [
    ...localGet(O), ...v128Load(0), ...localSet(ACC + 2 * r), ...localGet(O), ...v128Load(16), ...localSet(ACC + 2 * r + 1), ...addTo(O, localGet(LDC)),
  ]);
  const blockAddress = [...localGet(C), ...localGet(I), ...localGet(LDC), I32_MUL, I32_ADD, ...localGet(J), ...i32Const(8), I32_MUL, I32_ADD, ...localSet(O)];
  return [
    ...i32Const(0), ...localSet(I),
    whileLoop(
      [...localGet(I), ...localGet(M), I32_GE_U, ...breakIf],
      [...i32Const(0), ...localSet(J)],
      whileLoop(
        [...localGet(J), ...localGet(N), I32_GE_U, ...breakIf],
        carry ? [...blockAddress, ...accumulatorsFromC] : Array.from({ length: 8 }, (_, q) => [...V128_ZERO, ...localSet(ACC + q)]).flat(),
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
            ...addTo(ROW + r, carry ? localGet(STEP) : i32Const(8)),
          ]),
          addTo(PB, localGet(LDB)),
          [...localGet(KK), ...i32Const(1), I32_SUB, ...localSet(KK)],
        ),
        // O = c + i·ldc + j·8; add the accumulators to C (carry: store them) row by row
        blockAddress,
        [0, 1, 2, 3].flatMap((r) => carry
          ? [...localGet(O), ...localGet(ACC + 2 * r), ...v128Store(0), ...localGet(O), ...localGet(ACC + 2 * r + 1), ...v128Store(16), ...addTo(O, localGet(LDC))]
          : [
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
}

function moduleBytes(carry: boolean): Uint8Array<ArrayBuffer> {
  // Without a STEP parameter its index is an unused local, so every other index is the same in both.
  const params = carry ? 10 : 9;
  return kernelModuleBytes({ name: 'gemm', params, i32Locals: ACC - params, v128Locals: X + 1 - ACC, body: gemmBody(carry) });
}

const compiled = new Map<boolean, WebAssembly.Module | null>();

/** The compiled module, or null where WebAssembly SIMD is unavailable (the caller then uses plain JS). */
function gemmModule(carry: boolean): WebAssembly.Module | null {
  if (!compiled.has(carry)) compiled.set(carry, compileOrNull(moduleBytes(carry)));
  return compiled.get(carry)!;
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

/** Inner positions per block of `gemmBlocked`: A's 4 × 256 block (8 KB) stays in L1, B's 256 rows in L2. */
const KB = 256;

/** `gemm`'s arguments, then the bytes from A[i][kk] to A[i][kk + 1] (8 for a row-major A). */
export type GemmStrided = (a: number, lda: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number, step: number) => void;

/**
 * A kernel over its own memory of at least `bytes` bytes, that memory, and it as doubles; the native kernels
 * where they are built, with the same bits (`native` null: the WebAssembly ones). `gemm` is the contract
 * above; `gemmBlocked` sets C = A·B for a C that holds zeros, with every entry summed as `gemm` sums it from a
 * zero C (products in increasing k from +0, so the same bits), but k is cut into blocks of KB and each block
 * runs over all of C before the next, C carrying the running sums: A's and B's blocks stay in cache, where
 * `gemm` streams a 4-row strip of A and all of B once per 4 × 4 block of C (at 38,400 × 1,700 × 100, tens of
 * GB from memory per product). Its last argument is A's step along k, so A can be a transposed view (lda 8,
 * step the row stride of the matrix it transposes).
 */
export function gemmKernel(bytes: number, native: NativeKernels | null = nativeKernels()): { gemm: Gemm; gemmBlocked: GemmStrided; heap: Float64Array; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const heap = new Float64Array(memory.buffer);
  if (native) {
    // The same two contracts at the CPU's full vector width, with the same bits (numeric/native.ts).
    const mem = kernelMemory(memory);
    const gemm: Gemm = (a, lda, b, ldb, c, ldc, m, n, k) => native.gemm64(mem(), a, lda, b, ldb, c, ldc, m, n, k, 8, 0);
    // Blocks of k outside the native kernel's own row and panel blocks: each block of A (rows × KB) then stays
    // in L2 while the panels pass (one call over all of k made logistic regression's Xᵀ·R 1.4× slower).
    const gemmBlocked: GemmStrided = (a, lda, b, ldb, c, ldc, m, n, k, step) => {
      for (let k0 = 0; k0 < k; k0 += KB) native.gemm64(mem(), a + k0 * step, lda, b + k0 * ldb, ldb, c, ldc, m, n, Math.min(KB, k - k0), step, 1);
    };
    return { gemm, gemmBlocked, heap, memory };
  }
  const [plain, carry] = [gemmModule(false), gemmModule(true)];
  if (!plain || !carry) return { gemm: gemmJs(heap), gemmBlocked: gemmStridedJs(heap), heap, memory };
  const instance = (module: WebAssembly.Module) => new WebAssembly.Instance(module, { env: { memory } }).exports.gemm;
  const carrying = instance(carry) as GemmStrided;
  const gemmBlocked: GemmStrided = (a, lda, b, ldb, c, ldc, m, n, k, step) => {
    for (let k0 = 0; k0 < k; k0 += KB) carrying(a + k0 * step, lda, b + k0 * ldb, ldb, c, ldc, m, n, Math.min(KB, k - k0), step);
  };
  return { gemm: instance(plain) as Gemm, gemmBlocked, heap, memory };
}

/** `gemmBlocked` in plain JS, where WebAssembly SIMD is missing: each entry summed from C in increasing k. */
function gemmStridedJs(heap: Float64Array): GemmStrided {
  return (a, lda, b, ldb, c, ldc, m, n, k, step) => {
    const [a8, lda8, b8, ldb8, c8, ldc8, step8] = [a / 8, lda / 8, b / 8, ldb / 8, c / 8, ldc / 8, step / 8];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = heap[c8 + i * ldc8 + j];
        for (let t = 0; t < k; t++) s += heap[a8 + i * lda8 + t * step8] * heap[b8 + t * ldb8 + j];
        heap[c8 + i * ldc8 + j] = s;
      }
    }
  };
}
