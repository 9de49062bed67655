/**
 * The element-wise float64 passes of an MLP training step (classify/mlp.ts) as WebAssembly SIMD functions over
 * the memory of its products (gemm_kernel.ts): in plain JS they took a third of the step, each a loop over the
 * ~70,000 weights or the batch's ~40,000 activations, two of them branching on random signs. Every address is
 * in bytes, every count in doubles (a multiple of 2). Each lane does the scalar loop's operations in its order,
 * and WebAssembly's f64 add, mul, div and sqrt are correctly rounded as JS's are, so the results are the bits
 * of the plain JS below, which stands in where the engine lacks SIMD.
 *
 * - relu(p, count): p = p > 0 ? p : 0 (NaN and −0 become +0).
 * - mask(d, h, count): d = h > 0 ? d : 0, δ through the ReLU read off its output.
 * - colsum(g, ldg, m, n, out): out[j] = Σ_{i<m} g[i][j] from +0, rows in order (a bias gradient).
 * - sumsq(p, count, acc): acc = acc + Σ p[t]² (the weights' squared norm), count a multiple of 4: four running
 *   sums, one per position mod 4, each in order, then acc + ((s₀ + s₂) + (s₁ + s₃)). One sum in order was bound
 *   by the latency of its additions; sklearn's own (NumPy's dot) is not in order either.
 * - addscaled(g, w, count, s): g = g + s·w, s the double at address s (the L2 term of the gradient).
 * - adam(w, g, m, v, count, consts): sklearn's Adam, consts the doubles [β1, 1−β1, β2, 1−β2, lr, ε] with lr
 *   the step's bias-corrected rate: m' = β1·m + (1−β1)·g; v' = β2·v + ((1−β2)·g)·g; w' = w − lr·m'/(√v' + ε).
 * - softmax(z, ldz, rows, n, out, ldo, stats): each of `rows` rows of n logits (n even; −∞ pads a row) to
 *   sklearn's softmax in the row of `out`: e = exp(z − max), p = e / Σe, with `stats` receiving [max, Σe] per row
 *   (for the row's log-partition, max + log Σe). Σe is summed in two interleaved sums (even and odd
 *   positions), added last; exp is `softmaxExp`'s, the same bits in both forms. It was the step's largest cost
 *   outside the products with tens of classes: JS's Math.exp for every logit.
 */
import {
  addTo, breakIf, compileOrNull, F64X2_ADD, f64x2Const, F64X2_DIV, F64X2_FLOOR, F64X2_GT, F64X2_MUL, F64X2_SQRT, F64X2_SUB, I32_ADD, I32_EQZ,
  I32_GE_U, I32_SHL, I32_SUB, i32Const, I64X2_ADD, I64X2_FROM_F64X2, I64X2_SHL, i64x2Const, kernelsModuleBytes, type KernelFunction, lanesLoop,
  localGet, localSet, simdShuffle, V128_BITSELECT, V128_ZERO, v128Load, v128Load64Splat, v128Store, v128Store64Lane, whileLoop,
} from '../numeric/wasm.ts';

export interface MlpKernels {
  relu(p: number, count: number): void;
  mask(d: number, h: number, count: number): void;
  colsum(g: number, ldg: number, m: number, n: number, out: number): void;
  sumsq(p: number, count: number, acc: number): void;
  addscaled(g: number, w: number, count: number, s: number): void;
  adam(w: number, g: number, m: number, v: number, count: number, consts: number): void;
  softmax(z: number, ldz: number, rows: number, n: number, out: number, ldo: number, stats: number): void;
}

/*
 * exp(x) for the softmax's x = z − max ≤ 0, to about an ulp, in operations WebAssembly and JS round alike:
 * x = k·ln 2 + r with k = ⌊x·log₂e + ½⌋ and |r| ≤ ½ln 2 (ln 2 in two parts, the first exact times any such
 * k), exp(r) by its Taylor series to r¹³ (the rest is below 5e-18), times 2ᵏ built from k's bits. Below −708
 * (where 2ᵏ would be subnormal) it is 0: such a class's probability is under 1e-307 beside the row's maximum.
 */
const EXP_FLOOR = -708;
const LOG2E = 1.4426950408889634;
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
/** 1/i!, i = 0 … 13. */
const TAYLOR = Array.from({ length: 14 }, (_, i) => 1 / Array.from({ length: i }, (_, j) => j + 1).reduce((a, b) => a * b, 1));
const POW2 = new Float64Array(1);
const POW2_BITS = new BigInt64Array(POW2.buffer);

/** The kernels' exp, in plain JS (the same operations as the SIMD form, so the same bits). */
export function softmaxExp(x: number): number {
  const xc = x > EXP_FLOOR ? x : EXP_FLOOR;
  const k = Math.floor(xc * LOG2E + 0.5);
  const r = xc - k * LN2_HI - k * LN2_LO;
  let p = TAYLOR[13];
  for (let i = 12; i >= 0; i--) p = p * r + TAYLOR[i];
  POW2_BITS[0] = BigInt(k + 1023) << 52n;
  return x > EXP_FLOOR ? p * POW2[0] : 0;
}

/** END = first + count doubles, in bytes. */
const endOf = (first: number, count: number, end: number) => [...localGet(first), ...localGet(count), ...i32Const(3), I32_SHL, I32_ADD, ...localSet(end)];
/** v > 0 ? x : +0, with x and v on the stack as given. */
const whereAbove0 = (x: number[], v: number[]) => [...x, ...V128_ZERO, ...v, ...V128_ZERO, ...F64X2_GT, ...V128_BITSELECT];

function reluFunction(): KernelFunction {
  const [P, COUNT, END, V] = [0, 1, 2, 3];
  const body = [
    endOf(P, COUNT, END),
    lanesLoop(P, END, [P], [...localGet(P), ...localGet(P), ...v128Load(0), ...localSet(V), ...whereAbove0(localGet(V), localGet(V)), ...v128Store(0)]),
    [0x0b],
  ].flat();
  return { name: 'relu', params: 2, i32Locals: 1, v128Locals: 1, body };
}

function maskFunction(): KernelFunction {
  const [D, H, COUNT, END] = [0, 1, 2, 3];
  const body = [
    endOf(D, COUNT, END),
    lanesLoop(D, END, [D, H], [...localGet(D), ...whereAbove0([...localGet(D), ...v128Load(0)], [...localGet(H), ...v128Load(0)]), ...v128Store(0)]),
    [0x0b],
  ].flat();
  return { name: 'mask', params: 3, i32Locals: 1, v128Locals: 0, body };
}

function colsumFunction(): KernelFunction {
  const [G, LDG, M, N, OUT] = [0, 1, 2, 3, 4];
  const [END, P, I, ACC] = [5, 6, 7, 8];
  const body = [
    endOf(G, N, END),
    lanesLoop(G, END, [G, OUT],
      [...V128_ZERO, ...localSet(ACC), ...localGet(G), ...localSet(P), ...localGet(M), ...localSet(I)],
      whileLoop(
        [...localGet(I), I32_EQZ, ...breakIf],
        [...localGet(ACC), ...localGet(P), ...v128Load(0), ...F64X2_ADD, ...localSet(ACC)],
        addTo(P, localGet(LDG)),
        [...localGet(I), ...i32Const(1), I32_SUB, ...localSet(I)],
      ),
      [...localGet(OUT), ...localGet(ACC), ...v128Store(0)],
    ),
    [0x0b],
  ].flat();
  return { name: 'colsum', params: 5, i32Locals: 3, v128Locals: 1, body };
}

function sumsqFunction(): KernelFunction {
  const [P, COUNT, ACC, END, A, B, X] = [0, 1, 2, 3, 4, 5, 6];
  const squareInto = (sum: number, offset: number) => [...localGet(P), ...v128Load(offset), ...localSet(X), ...localGet(sum), ...localGet(X), ...localGet(X), ...F64X2_MUL, ...F64X2_ADD, ...localSet(sum)];
  // A holds s₀ and s₁, B s₂ and s₃; A + B is then [s₀ + s₂, s₁ + s₃], added across its lanes, then to acc.
  const body = [
    endOf(P, COUNT, END),
    [...V128_ZERO, ...localSet(A), ...V128_ZERO, ...localSet(B)],
    whileLoop([...localGet(P), ...localGet(END), I32_GE_U, ...breakIf], squareInto(A, 0), squareInto(B, 16), addTo(P, i32Const(32))),
    [...localGet(A), ...localGet(B), ...F64X2_ADD, ...localSet(A)],
    [...localGet(A), ...localGet(A), ...localGet(A), ...simdShuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]), ...F64X2_ADD, ...localSet(A)],
    [...localGet(ACC), ...localGet(ACC), ...v128Load64Splat(0), ...localGet(A), ...F64X2_ADD, ...v128Store64Lane(0, 0)],
    [0x0b],
  ].flat();
  return { name: 'sumsq', params: 3, i32Locals: 1, v128Locals: 3, body };
}

function addscaledFunction(): KernelFunction {
  const [G, W, COUNT, SCALE, END, S] = [0, 1, 2, 3, 4, 5];
  const body = [
    endOf(G, COUNT, END),
    [...localGet(SCALE), ...v128Load64Splat(0), ...localSet(S)],
    lanesLoop(G, END, [G, W], [...localGet(G), ...localGet(G), ...v128Load(0), ...localGet(S), ...localGet(W), ...v128Load(0), ...F64X2_MUL, ...F64X2_ADD, ...v128Store(0)]),
    [0x0b],
  ].flat();
  return { name: 'addscaled', params: 4, i32Locals: 1, v128Locals: 1, body };
}

function adamFunction(): KernelFunction {
  const [W, G, M, V, COUNT, CONSTS] = [0, 1, 2, 3, 4, 5];
  const END = 6;
  const [B1, OB1, B2, OB2, LR, EPS] = [7, 8, 9, 10, 11, 12];
  const [GV, MV, VV] = [13, 14, 15];
  const body = [
    [B1, OB1, B2, OB2, LR, EPS].flatMap((local, q) => [...localGet(CONSTS), ...v128Load64Splat(8 * q), ...localSet(local)]),
    endOf(W, COUNT, END),
    lanesLoop(W, END, [W, G, M, V],
      [...localGet(G), ...v128Load(0), ...localSet(GV)],
      [...localGet(B1), ...localGet(M), ...v128Load(0), ...F64X2_MUL, ...localGet(OB1), ...localGet(GV), ...F64X2_MUL, ...F64X2_ADD, ...localSet(MV)],
      [...localGet(M), ...localGet(MV), ...v128Store(0)],
      [...localGet(B2), ...localGet(V), ...v128Load(0), ...F64X2_MUL, ...localGet(OB2), ...localGet(GV), ...F64X2_MUL, ...localGet(GV), ...F64X2_MUL, ...F64X2_ADD, ...localSet(VV)],
      [...localGet(V), ...localGet(VV), ...v128Store(0)],
      [
        ...localGet(W),
        ...localGet(W), ...v128Load(0),
        ...localGet(LR), ...localGet(MV), ...F64X2_MUL, ...localGet(VV), ...F64X2_SQRT, ...localGet(EPS), ...F64X2_ADD, ...F64X2_DIV,
        ...F64X2_SUB, ...v128Store(0),
      ],
    ),
    [0x0b],
  ].flat();
  return { name: 'adam', params: 6, i32Locals: 1, v128Locals: 9, body };
}

function softmaxFunction(): KernelFunction {
  const [Z, LDZ, ROWS, N, OUT, LDO, STATS] = [0, 1, 2, 3, 4, 5, 6];
  const [P, Q, END] = [7, 8, 9];
  const [M, V, S, X, XC, KF, R, PV, ABOVE] = [10, 11, 12, 13, 14, 15, 16, 17, 18];
  const f64x2 = (op: number[], a: number[], b: number[]) => [...a, ...b, ...op];
  const exp = [
    // ABOVE = x > floor; XC = ABOVE ? x : floor
    [...localGet(X), ...f64x2Const(EXP_FLOOR), ...F64X2_GT, ...localSet(ABOVE)],
    [...localGet(X), ...f64x2Const(EXP_FLOOR), ...localGet(ABOVE), ...V128_BITSELECT, ...localSet(XC)],
    [...f64x2(F64X2_ADD, f64x2(F64X2_MUL, localGet(XC), f64x2Const(LOG2E)), f64x2Const(0.5)), ...F64X2_FLOOR, ...localSet(KF)],
    [...f64x2(F64X2_SUB, f64x2(F64X2_SUB, localGet(XC), f64x2(F64X2_MUL, localGet(KF), f64x2Const(LN2_HI))), f64x2(F64X2_MUL, localGet(KF), f64x2Const(LN2_LO))), ...localSet(R)],
    [...f64x2Const(TAYLOR[13]), ...localSet(PV)],
    ...Array.from({ length: 13 }, (_, q) => [...f64x2(F64X2_ADD, f64x2(F64X2_MUL, localGet(PV), localGet(R)), f64x2Const(TAYLOR[12 - q])), ...localSet(PV)]),
    // V = ABOVE ? p·2ᵏ : 0, 2ᵏ's bits being (k + 1023) << 52
    [...localGet(PV), ...localGet(KF), ...I64X2_FROM_F64X2, ...i64x2Const(1023n), ...I64X2_ADD, ...i32Const(52), ...I64X2_SHL, ...F64X2_MUL],
    [...V128_ZERO, ...localGet(ABOVE), ...V128_BITSELECT, ...localSet(V)],
  ].flat();
  const body = [
    whileLoop(
      [...localGet(ROWS), I32_EQZ, ...breakIf],
      // The row's maximum, one logit at a time in both lanes (z > max ? z : max, as the plain loop).
      [...localGet(Z), ...localGet(N), ...i32Const(3), I32_SHL, I32_ADD, ...localSet(END)],
      [...f64x2Const(-Infinity), ...localSet(M), ...localGet(Z), ...localSet(P)],
      whileLoop(
        [...localGet(P), ...localGet(END), I32_GE_U, ...breakIf],
        [...localGet(P), ...v128Load64Splat(0), ...localSet(V)],
        [...localGet(V), ...localGet(M), ...localGet(V), ...localGet(M), ...F64X2_GT, ...V128_BITSELECT, ...localSet(M)],
        addTo(P, i32Const(8)),
      ),
      // e = exp(z − max) into out, summed two lanes apart.
      [...V128_ZERO, ...localSet(S), ...localGet(Z), ...localSet(P), ...localGet(OUT), ...localSet(Q)],
      lanesLoop(P, END, [P, Q],
        [...localGet(P), ...v128Load(0), ...localGet(M), ...F64X2_SUB, ...localSet(X)],
        exp,
        [...localGet(Q), ...localGet(V), ...v128Store(0)],
        [...localGet(S), ...localGet(V), ...F64X2_ADD, ...localSet(S)],
      ),
      // Σe = even sum + odd sum, in both lanes; [max, Σe] to stats; p = e / Σe.
      [...localGet(S), ...localGet(S), ...localGet(S), ...simdShuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]), ...F64X2_ADD, ...localSet(S)],
      [...localGet(STATS), ...localGet(M), ...v128Store64Lane(0, 0), ...localGet(STATS), ...localGet(S), ...v128Store64Lane(8, 0)],
      [...localGet(OUT), ...localGet(N), ...i32Const(3), I32_SHL, I32_ADD, ...localSet(END), ...localGet(OUT), ...localSet(Q)],
      lanesLoop(Q, END, [Q], [...localGet(Q), ...localGet(Q), ...v128Load(0), ...localGet(S), ...F64X2_DIV, ...v128Store(0)]),
      addTo(Z, localGet(LDZ)),
      addTo(OUT, localGet(LDO)),
      addTo(STATS, i32Const(16)),
      [...localGet(ROWS), ...i32Const(1), I32_SUB, ...localSet(ROWS)],
    ),
    [0x0b],
  ].flat();
  return { name: 'softmax', params: 7, i32Locals: 3, v128Locals: 9, body };
}

let compiled: WebAssembly.Module | null | undefined;

/** The kernels over `memory`: WebAssembly SIMD where the engine has it, else the plain JS below. */
export function mlpKernels(memory: WebAssembly.Memory): MlpKernels {
  if (compiled === undefined) {
    compiled = compileOrNull(kernelsModuleBytes([reluFunction(), maskFunction(), colsumFunction(), sumsqFunction(), addscaledFunction(), adamFunction(), softmaxFunction()]));
  }
  if (compiled) return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as MlpKernels;
  return mlpKernelsJs(new Float64Array(memory.buffer));
}

/** The same contracts in plain JS (addresses in bytes: a double at address a is heap[a / 8]). */
export function mlpKernelsJs(heap: Float64Array): MlpKernels {
  return {
    relu(p, count) {
      for (let t = p / 8; t < p / 8 + count; t++) heap[t] = heap[t] > 0 ? heap[t] : 0;
    },
    mask(d, h, count) {
      for (let t = 0; t < count; t++) if (!(heap[h / 8 + t] > 0)) heap[d / 8 + t] = 0;
    },
    colsum(g, ldg, m, n, out) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = 0; i < m; i++) s += heap[(g + i * ldg) / 8 + j];
        heap[out / 8 + j] = s;
      }
    },
    sumsq(p, count, acc) {
      const s = [0, 0, 0, 0];
      for (let t = 0; t < count; t++) s[t % 4] += heap[p / 8 + t] * heap[p / 8 + t];
      heap[acc / 8] = heap[acc / 8] + (s[0] + s[2] + (s[1] + s[3]));
    },
    addscaled(g, w, count, s) {
      const scale = heap[s / 8];
      for (let t = 0; t < count; t++) heap[g / 8 + t] += scale * heap[w / 8 + t];
    },
    adam(w, g, m, v, count, consts) {
      const [b1, ob1, b2, ob2, lr, eps] = heap.subarray(consts / 8, consts / 8 + 6);
      for (let t = 0; t < count; t++) {
        const gt = heap[g / 8 + t];
        const mt = b1 * heap[m / 8 + t] + ob1 * gt;
        const vt = b2 * heap[v / 8 + t] + ob2 * gt * gt;
        heap[m / 8 + t] = mt;
        heap[v / 8 + t] = vt;
        heap[w / 8 + t] -= (lr * mt) / (Math.sqrt(vt) + eps);
      }
    },
    softmax(z, ldz, rows, n, out, ldo, stats) {
      for (let row = 0; row < rows; row++) {
        const [zr, or, sr] = [(z + row * ldz) / 8, (out + row * ldo) / 8, stats / 8 + 2 * row];
        let max = -Infinity;
        for (let k = 0; k < n; k++) max = heap[zr + k] > max ? heap[zr + k] : max;
        let [even, odd] = [0, 0];
        for (let k = 0; k < n; k += 2) {
          even += heap[or + k] = softmaxExp(heap[zr + k] - max);
          odd += heap[or + k + 1] = softmaxExp(heap[zr + k + 1] - max);
        }
        const sum = even + odd;
        heap[sr] = max;
        heap[sr + 1] = sum;
        for (let k = 0; k < n; k++) heap[or + k] /= sum;
      }
    },
  };
}
