/**
 * The float32 WebAssembly SIMD kernels of the fused training step (training/fused_step.ts): one module, seven
 * functions over one memory, hand-assembled with numeric/wasm.ts. Every address and stride is in bytes;
 * matrices are row-major float32 whose computed widths the caller pads to multiples of 8 (rows to multiples
 * of 4) with zeros, so no kernel has an edge case.
 *
 * - gemm_nn(a, lda, b, ldb, c, ldc, m, n, k, bias, slope) and gemm_tn(…): C = φ(A·B + bias), A m × k stored
 *   row-major (nn) or transposed (tn: A(i, kk) at a + i·4 + kk·lda), B k × n with row stride ldb, bias a row
 *   of n, and φ(v) = v > 0 ? v : slope·v, slope given as its float32 bits (1: identity, 0: ReLU, 0.01: leaky
 *   ReLU). m % 4 = 0, n % 8 = 0. Each 4 × 8 block of C is summed in eight f32x4 registers over increasing
 *   kk, then the bias is added once, as tfjs' fused MatMul does. Columns outer, rows inner: the k × 8 panel
 *   of B stays in cache while the rows of A stream past it.
 * - lossgrad(xhat, x, g, count, consts, sums): the objective's gradient with respect to x̂, and its sums.
 * - colsum(g, ldg, m, n, out): out[j] = Σ_i g[i][j] (the bias gradient), rows in order; n % 4 = 0.
 * - actgrad(d, h, count, slope): d = h > 0 ? d : slope·d over `count` floats (count % 4 = 0): the gradient
 *   through ReLU / leaky ReLU, read off the layer's output h (which is > 0 exactly where its input is).
 * - adam(w, g, m, v, count, consts): decoupled weight decay then tfjs' Adam update, op for op in float32
 *   (tfjs-core AdamOptimizer.applyGradients): w·keep; m' = m·β1 + g·(1−β1); v' = v·β2 + g²·(1−β2);
 *   w' = (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε) · (−lr) + w. consts: nine float32 [keep, β1, 1−β1, β2, 1−β2,
 *   1−β1ᵗ, 1−β2ᵗ, ε, −lr]. WebAssembly's f32 add, mul, div and sqrt are correctly rounded, as tfjs-wasm's
 *   are, so given the same gradient the update is the same bits.
 * - transpose(s, lds, d, ldd, rows, cols): D = Sᵀ (Wᵀ, the B operand of the input gradient G·Wᵀ).
 *
 * WebAssembly has no fused multiply-add in its SIMD set (relaxed SIMD is not in Node 20 without a flag):
 * products are rounded, then added, like the scalar loop.
 */
import {
  addTo, breakIf, compileOrNull, F32X4_ADD, F32X4_DIV, F32X4_GT, F32X4_MUL, F32X4_SQRT, F32X4_SUB, F64X2_ADD, F64X2_MUL, F64X2_PROMOTE_LOW,
  I32_ADD, I32_EQZ, I32_GE_U, I32_MUL, I32_SHL, I32_SUB, I32X4_SPLAT, i32Const, kernelsModuleBytes, type KernelFunction, lanesLoop, localGet, localSet,
  simdShuffle, V128_BITSELECT, V128_ZERO, v128Load, v128Load32Splat, v128Store, whileLoop,
} from '../numeric/wasm.ts';
import { kernelMemory, type KernelMemory, type NativeKernels, nativeKernels } from '../numeric/native.ts';

const decrement = (local: number, by: number) => [...localGet(local), ...i32Const(by), I32_SUB, ...localSet(local)];
/** φ(v) of the local v on the stack: v > 0 ? v : v·slope (slope a v128 local). */
const leaky = (v: number, slope: number) => [...localGet(v), ...localGet(v), ...localGet(slope), ...F32X4_MUL, ...localGet(v), ...V128_ZERO, ...F32X4_GT, ...V128_BITSELECT];

/**
 * gemm_nn (A row-major: A(i, kk) at a + i·lda + kk·4) or gemm_tn (A stored transposed: A(i, kk) at
 * a + i·4 + kk·lda, the four rows' operands at constant offsets from one pointer). One kk per iteration:
 * unrolling it makes V8's TurboFan hoist the loads of later iterations and spill the accumulators to the
 * stack (measured on a 2-core AMD EPYC: about 30 GFLOP/s unrolled by 2 or 4, 45–50 not unrolled — near the
 * 16 float32 operations per cycle that 128-bit multiplies and adds allow).
 */
function gemmFunction(transposedA: boolean): KernelFunction {
  const [A, LDA, B, LDB, C, LDC, M, N, K, BIAS, SLOPE] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [I, J, KK, PB, O] = [11, 12, 13, 14, 15];
  const ROW = 16; // nn: ROW + r is the address of A(i + r, kk); tn: ROW is the address of A(i, kk)
  const ACC = 20; // ACC + 2r + h: row r of the block, columns 4h … 4h + 3
  const [Y0, Y1, X, SL, BV0, BV1, V] = [28, 29, 30, 31, 32, 33, 34];
  // One kk: the row of B, then each row's A(i + r, kk) times it into the accumulators.
  const step = [
    ...localGet(PB), ...v128Load(0), ...localSet(Y0), ...localGet(PB), ...v128Load(16), ...localSet(Y1),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...(transposedA ? [...localGet(ROW), ...v128Load32Splat(4 * r)] : [...localGet(ROW + r), ...v128Load32Splat(0)]), ...localSet(X),
      ...localGet(ACC + 2 * r), ...localGet(X), ...localGet(Y0), ...F32X4_MUL, ...F32X4_ADD, ...localSet(ACC + 2 * r),
      ...localGet(ACC + 2 * r + 1), ...localGet(X), ...localGet(Y1), ...F32X4_MUL, ...F32X4_ADD, ...localSet(ACC + 2 * r + 1),
    ]),
    ...addTo(PB, localGet(LDB)),
    ...(transposedA ? addTo(ROW, localGet(LDA)) : []),
  ];
  const rowStart = transposedA
    ? [...localGet(A), ...localGet(I), ...i32Const(2), I32_SHL, I32_ADD, ...localSet(ROW)]
    : [
        ...localGet(A), ...localGet(I), ...localGet(LDA), I32_MUL, I32_ADD, ...localSet(ROW),
        ...[1, 2, 3].flatMap((r) => [...localGet(ROW + r - 1), ...localGet(LDA), I32_ADD, ...localSet(ROW + r)]),
      ];
  const body = [
    [...localGet(SLOPE), ...I32X4_SPLAT, ...localSet(SL)],
    [...i32Const(0), ...localSet(J)],
    whileLoop(
      [...localGet(J), ...localGet(N), I32_GE_U, ...breakIf],
      [...i32Const(0), ...localSet(I)],
      whileLoop(
        [...localGet(I), ...localGet(M), I32_GE_U, ...breakIf],
        Array.from({ length: 8 }, (_, q) => [...V128_ZERO, ...localSet(ACC + q)]).flat(),
        rowStart,
        [...localGet(B), ...localGet(J), ...i32Const(2), I32_SHL, I32_ADD, ...localSet(PB)],
        [...localGet(K), ...localSet(KK)],
        whileLoop(
          [...localGet(KK), I32_EQZ, ...breakIf],
          step,
          transposedA ? [] : [0, 1, 2, 3].flatMap((r) => addTo(ROW + r, i32Const(4))),
          decrement(KK, 1),
        ),
        [...localGet(BIAS), ...localGet(J), ...i32Const(2), I32_SHL, I32_ADD, ...localSet(O)],
        [...localGet(O), ...v128Load(0), ...localSet(BV0), ...localGet(O), ...v128Load(16), ...localSet(BV1)],
        // O = c + i·ldc + j·4; each row of the block: φ(sum + bias)
        [...localGet(C), ...localGet(I), ...localGet(LDC), I32_MUL, I32_ADD, ...localGet(J), ...i32Const(2), I32_SHL, I32_ADD, ...localSet(O)],
        [0, 1, 2, 3].flatMap((r) => [
          ...localGet(ACC + 2 * r), ...localGet(BV0), ...F32X4_ADD, ...localSet(V),
          ...localGet(O), ...leaky(V, SL), ...v128Store(0),
          ...localGet(ACC + 2 * r + 1), ...localGet(BV1), ...F32X4_ADD, ...localSet(V),
          ...localGet(O), ...leaky(V, SL), ...v128Store(16),
          ...addTo(O, localGet(LDC)),
        ]),
        addTo(I, i32Const(4)),
      ),
      addTo(J, i32Const(8)),
    ),
    [0x0b],
  ].flat();
  return { name: transposedA ? 'gemm_tn' : 'gemm_nn', params: 11, i32Locals: ACC - I, v128Locals: V + 1 - ACC, body };
}

/**
 * lossgrad(xhat, x, g, count, consts, sums) over `count` floats (count % 4 = 0): the gradient of the objective
 * with respect to x̂ as tfjs' autodiff forms it, g = (1/n)·(2·(x̂ − x)) + (output_l2/n)·(2·x̂) with consts
 * [1/n, output_l2/n] (0 for no penalty: adding +0 leaves every nonzero gradient's bits alone), and into sums
 * (four doubles, byte-aligned to 16) Σ(x̂ − x)² over lanes 0–1, Σx̂² over lanes 2–3, in float64.
 */
function lossgradFunction(): KernelFunction {
  const [XH, XX, G, COUNT, CONSTS, SUMS] = [0, 1, 2, 3, 4, 5];
  const END = 6;
  const [INV, L2, AV, DV, S1, S2, P] = [7, 8, 9, 10, 11, 12, 13];
  const HIGH = simdShuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]);
  // acc += (promoted low lanes of v)² + (promoted high lanes of v)²
  const squares = (v: number, acc: number) => [
    ...localGet(v), ...F64X2_PROMOTE_LOW, ...localSet(P), ...localGet(acc), ...localGet(P), ...localGet(P), ...F64X2_MUL, ...F64X2_ADD, ...localSet(acc),
    ...localGet(v), ...localGet(v), ...HIGH, ...F64X2_PROMOTE_LOW, ...localSet(P), ...localGet(acc), ...localGet(P), ...localGet(P), ...F64X2_MUL, ...F64X2_ADD, ...localSet(acc),
  ];
  const body = [
    [...localGet(CONSTS), ...v128Load32Splat(0), ...localSet(INV), ...localGet(CONSTS), ...v128Load32Splat(4), ...localSet(L2)],
    [...V128_ZERO, ...localSet(S1), ...V128_ZERO, ...localSet(S2)],
    [...localGet(XH), ...localGet(COUNT), ...i32Const(2), I32_SHL, I32_ADD, ...localSet(END)],
    whileLoop(
      [...localGet(XH), ...localGet(END), I32_GE_U, ...breakIf],
      [...localGet(XH), ...v128Load(0), ...localSet(AV), ...localGet(AV), ...localGet(XX), ...v128Load(0), ...F32X4_SUB, ...localSet(DV)],
      [
        ...localGet(G),
        ...localGet(INV), ...localGet(DV), ...localGet(DV), ...F32X4_ADD, ...F32X4_MUL,
        ...localGet(L2), ...localGet(AV), ...localGet(AV), ...F32X4_ADD, ...F32X4_MUL,
        ...F32X4_ADD, ...v128Store(0),
      ],
      squares(DV, S1),
      squares(AV, S2),
      ...[XH, XX, G].map((p) => addTo(p, i32Const(16))),
    ),
    [...localGet(SUMS), ...localGet(S1), ...v128Store(0), ...localGet(SUMS), ...localGet(S2), ...v128Store(16)],
    [0x0b],
  ].flat();
  return { name: 'lossgrad', params: 6, i32Locals: 1, v128Locals: 7, body };
}

function colsumFunction(): KernelFunction {
  const [G, LDG, M, N, OUT] = [0, 1, 2, 3, 4];
  const [J, P, I] = [5, 6, 7];
  const ACC = 8;
  const body = [
    [...i32Const(0), ...localSet(J)],
    whileLoop(
      [...localGet(J), ...localGet(N), I32_GE_U, ...breakIf],
      [...V128_ZERO, ...localSet(ACC)],
      [...localGet(G), ...localGet(J), ...i32Const(2), I32_SHL, I32_ADD, ...localSet(P)],
      [...localGet(M), ...localSet(I)],
      whileLoop(
        [...localGet(I), I32_EQZ, ...breakIf],
        [...localGet(ACC), ...localGet(P), ...v128Load(0), ...F32X4_ADD, ...localSet(ACC)],
        addTo(P, localGet(LDG)),
        decrement(I, 1),
      ),
      [...localGet(OUT), ...localGet(J), ...i32Const(2), I32_SHL, I32_ADD, ...localGet(ACC), ...v128Store(0)],
      addTo(J, i32Const(4)),
    ),
    [0x0b],
  ].flat();
  return { name: 'colsum', params: 5, i32Locals: 3, v128Locals: 1, body };
}

/**
 * `name`(d, s, count, slope) over `count` floats (count % 4 = 0) of d and s, four at a time: `load` puts d's
 * lanes (and s's) into local V, `value` leaves the new lanes of d on the stack (SL: the slope, splatted).
 */
function slopedLanes(name: string, load: (l: LaneLocals) => number[], value: (l: LaneLocals) => number[]): KernelFunction {
  const l: LaneLocals = { D: 0, S: 1, SL: 5, V: 6 };
  const [COUNT, SLOPE, END] = [2, 3, 4];
  const body = [
    [...localGet(SLOPE), ...I32X4_SPLAT, ...localSet(l.SL)],
    [...localGet(l.D), ...localGet(COUNT), ...i32Const(2), I32_SHL, I32_ADD, ...localSet(END)],
    lanesLoop(l.D, END, [l.D, l.S], load(l), [...localGet(l.D), ...value(l), ...v128Store(0)]),
    [0x0b],
  ].flat();
  return { name, params: 4, i32Locals: 1, v128Locals: 2, body };
}

interface LaneLocals {
  D: number;
  S: number;
  SL: number;
  V: number;
}

/** actgrad(d, h, count, slope): d = h > 0 ? d : d·slope, δ through a leaky ReLU read off its output h. */
const actgradFunction = () =>
  slopedLanes(
    'actgrad',
    ({ D, V }) => [...localGet(D), ...v128Load(0), ...localSet(V)],
    ({ S, SL, V }) => [...localGet(V), ...localGet(V), ...localGet(SL), ...F32X4_MUL, ...localGet(S), ...v128Load(0), ...V128_ZERO, ...F32X4_GT, ...V128_BITSELECT],
  );

/**
 * addact(d, s, count, slope): d = φ(d + s), φ(v) = v > 0 ? v : v·slope, as the products apply bias and
 * activation (the explain stage's coalitions add a first layer's per-row part so).
 */
const addactFunction = () =>
  slopedLanes(
    'addact',
    ({ D, S, V }) => [...localGet(D), ...v128Load(0), ...localGet(S), ...v128Load(0), ...F32X4_ADD, ...localSet(V)],
    ({ SL, V }) => leaky(V, SL),
  );

function adamFunction(): KernelFunction {
  const [W, G, M, V, COUNT, CONSTS] = [0, 1, 2, 3, 4, 5];
  const END = 6;
  // Splatted constants, then the lanes being updated.
  const [KEEP, B1, OB1, B2, OB2, C1, C2, EPS, NLR] = [7, 8, 9, 10, 11, 12, 13, 14, 15];
  const [GV, MV, VV] = [16, 17, 18];
  const body = [
    [KEEP, B1, OB1, B2, OB2, C1, C2, EPS, NLR].flatMap((local, q) => [...localGet(CONSTS), ...v128Load32Splat(4 * q), ...localSet(local)]),
    [...localGet(W), ...localGet(COUNT), ...i32Const(2), I32_SHL, I32_ADD, ...localSet(END)],
    whileLoop(
      [...localGet(W), ...localGet(END), I32_GE_U, ...breakIf],
      [...localGet(G), ...v128Load(0), ...localSet(GV)],
      // m' = m·β1 + g·(1−β1)
      [...localGet(M), ...v128Load(0), ...localGet(B1), ...F32X4_MUL, ...localGet(GV), ...localGet(OB1), ...F32X4_MUL, ...F32X4_ADD, ...localSet(MV)],
      [...localGet(M), ...localGet(MV), ...v128Store(0)],
      // v' = v·β2 + g²·(1−β2)
      [...localGet(V), ...v128Load(0), ...localGet(B2), ...F32X4_MUL, ...localGet(GV), ...localGet(GV), ...F32X4_MUL, ...localGet(OB2), ...F32X4_MUL, ...F32X4_ADD, ...localSet(VV)],
      [...localGet(V), ...localGet(VV), ...v128Store(0)],
      // w' = (m'/c1) / (√(v'/c2) + ε) · (−lr) + w·keep
      [
        ...localGet(W),
        ...localGet(MV), ...localGet(C1), ...F32X4_DIV,
        ...localGet(VV), ...localGet(C2), ...F32X4_DIV, ...F32X4_SQRT, ...localGet(EPS), ...F32X4_ADD,
        ...F32X4_DIV, ...localGet(NLR), ...F32X4_MUL,
        ...localGet(W), ...v128Load(0), ...localGet(KEEP), ...F32X4_MUL,
        ...F32X4_ADD, ...v128Store(0),
      ],
      ...[W, G, M, V].map((p) => addTo(p, i32Const(16))),
    ),
    [0x0b],
  ].flat();
  return { name: 'adam', params: 6, i32Locals: 1, v128Locals: 12, body };
}

/** D = Sᵀ for rows × cols floats (both multiples of 4), a 4 × 4 block at a time through lane shuffles. */
function transposeFunction(): KernelFunction {
  const [S, LDS, D, LDD, ROWS, COLS] = [0, 1, 2, 3, 4, 5];
  const [I, J, PS, PD] = [6, 7, 8, 9];
  const R = 10; // R + q: row q of the block, then the shuffled halves
  const T = 14;
  const lanes = (...l: number[]) => l.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3]);
  const [LO, HI, FIRST, SECOND] = [lanes(0, 4, 1, 5), lanes(2, 6, 3, 7), lanes(0, 1, 4, 5), lanes(2, 3, 6, 7)].map(simdShuffle);
  const body = [
    [...i32Const(0), ...localSet(I)],
    whileLoop(
      [...localGet(I), ...localGet(ROWS), I32_GE_U, ...breakIf],
      [...i32Const(0), ...localSet(J)],
      whileLoop(
        [...localGet(J), ...localGet(COLS), I32_GE_U, ...breakIf],
        // PS = s + i·lds + j·4; PD = d + j·ldd + i·4
        [...localGet(S), ...localGet(I), ...localGet(LDS), I32_MUL, I32_ADD, ...localGet(J), ...i32Const(2), I32_SHL, I32_ADD, ...localSet(PS)],
        [...localGet(D), ...localGet(J), ...localGet(LDD), I32_MUL, I32_ADD, ...localGet(I), ...i32Const(2), I32_SHL, I32_ADD, ...localSet(PD)],
        [0, 1, 2, 3].flatMap((q) => [...localGet(PS), ...v128Load(0), ...localSet(R + q), ...addTo(PS, localGet(LDS))]),
        [...localGet(R), ...localGet(R + 1), ...LO, ...localSet(T), ...localGet(R), ...localGet(R + 1), ...HI, ...localSet(T + 1)],
        [...localGet(R + 2), ...localGet(R + 3), ...LO, ...localSet(T + 2), ...localGet(R + 2), ...localGet(R + 3), ...HI, ...localSet(T + 3)],
        [
          [T, T + 2, FIRST], [T, T + 2, SECOND], [T + 1, T + 3, FIRST], [T + 1, T + 3, SECOND],
        ].flatMap(([a, b, shuffle]) => [...localGet(PD), ...localGet(a as number), ...localGet(b as number), ...(shuffle as number[]), ...v128Store(0), ...addTo(PD, localGet(LDD))]),
        addTo(J, i32Const(4)),
      ),
      addTo(I, i32Const(4)),
    ),
    [0x0b],
  ].flat();
  return { name: 'transpose', params: 6, i32Locals: 4, v128Locals: 8, body };
}

export interface FusedKernels {
  gemm_nn(a: number, lda: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number, bias: number, slopeBits: number): void;
  gemm_tn(a: number, lda: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number, bias: number, slopeBits: number): void;
  lossgrad(xhat: number, x: number, g: number, count: number, consts: number, sums: number): void;
  colsum(g: number, ldg: number, m: number, n: number, out: number): void;
  actgrad(d: number, h: number, count: number, slopeBits: number): void;
  addact(d: number, s: number, count: number, slopeBits: number): void;
  adam(w: number, g: number, m: number, v: number, count: number, consts: number): void;
  transpose(s: number, lds: number, d: number, ldd: number, rows: number, cols: number): void;
}

const compiled = new Map<boolean, WebAssembly.Module | null>();

/** The compiled module (over a shared memory with `shared`, for threads), or null where the engine lacks WebAssembly SIMD. */
export function fusedModule(shared = false): WebAssembly.Module | null {
  if (!compiled.has(shared)) {
    compiled.set(
      shared,
      compileOrNull(kernelsModuleBytes([gemmFunction(false), gemmFunction(true), lossgradFunction(), colsumFunction(), actgradFunction(), adamFunction(), transposeFunction(), addactFunction()], shared)),
    );
  }
  return compiled.get(shared)!;
}

/**
 * The kernels of `module` over `memory`, the two products in the native kernels where they are built
 * (numeric/native.ts: the same bits at the CPU's full vector width).
 */
export function fusedKernels(module: WebAssembly.Module, memory: WebAssembly.Memory, native: NativeKernels | null = nativeKernels()): FusedKernels {
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as FusedKernels;
  return native ? withNativeKernels(k, native, kernelMemory(memory)) : k;
}

/**
 * `k` with gemm_nn, gemm_tn and adam run by the native kernels over the memory `mem` returns. Self-contained:
 * the team's worker threads (fused_team.ts) run it from its source.
 */
export function withNativeKernels(k: FusedKernels, native: NativeKernels, mem: () => KernelMemory): FusedKernels {
  return {
    ...k,
    gemm_nn: (a, lda, b, ldb, c, ldc, m, n, kk, bias, slope) => native.gemm32(mem(), a, lda, b, ldb, c, ldc, m, n, kk, bias, slope, false),
    gemm_tn: (a, lda, b, ldb, c, ldc, m, n, kk, bias, slope) => native.gemm32(mem(), a, lda, b, ldb, c, ldc, m, n, kk, bias, slope, true),
    adam: (w, g, m, v, count, consts) => native.adam32(mem(), w, g, m, v, count, consts),
  };
}

/** The bits of float32 `x` as an int32, how the kernels take a float parameter. */
export function float32Bits(x: number): number {
  const buf = new DataView(new ArrayBuffer(4));
  buf.setFloat32(0, x, true);
  return buf.getInt32(0, true);
}
