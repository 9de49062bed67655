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
 */
import {
  addTo, breakIf, compileOrNull, F64X2_ADD, F64X2_DIV, F64X2_GT, F64X2_MUL, F64X2_SQRT, F64X2_SUB, I32_ADD, I32_EQZ, I32_GE_U, I32_SHL, I32_SUB,
  i32Const, kernelsModuleBytes, type KernelFunction, lanesLoop, localGet, localSet, f64x2AddLanes, V128_BITSELECT, V128_ZERO, v128Load,
  v128Load64Splat, v128Store, v128Store64Lane, whileLoop,
} from '../numeric/wasm.ts';
import { kernelMemory, type NativeKernels, nativeKernels } from '../numeric/native.ts';

export interface MlpKernels {
  relu(p: number, count: number): void;
  mask(d: number, h: number, count: number): void;
  colsum(g: number, ldg: number, m: number, n: number, out: number): void;
  sumsq(p: number, count: number, acc: number): void;
  addscaled(g: number, w: number, count: number, s: number): void;
  adam(w: number, g: number, m: number, v: number, count: number, consts: number): void;
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
    [...f64x2AddLanes(localGet(A)), ...localSet(A)],
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


let compiled: WebAssembly.Module | null | undefined;

/**
 * The kernels over `memory`: WebAssembly SIMD where the engine has it, else the plain JS below; the Adam update
 * in the native kernels where they are built (numeric/native.ts: the same bits at the CPU's full width).
 */
export function mlpKernels(memory: WebAssembly.Memory, native: NativeKernels | null = nativeKernels()): MlpKernels {
  if (compiled === undefined) {
    compiled = compileOrNull(kernelsModuleBytes([reluFunction(), maskFunction(), colsumFunction(), sumsqFunction(), addscaledFunction(), adamFunction()]));
  }
  const k = compiled ? (new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as MlpKernels) : mlpKernelsJs(new Float64Array(memory.buffer));
  if (!native) return k;
  const mem = kernelMemory(memory);
  return { ...k, adam: (w, g, m, v, count, consts) => native.adam64(mem(), w, g, m, v, count, consts) };
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
  };
}
