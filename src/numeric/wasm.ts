/**
 * A minimal WebAssembly assembler for the project's hand-written SIMD kernels (numeric/gram_kernel.ts,
 * classify/gemm_kernel.ts, classify/mlp_kernel.ts, training/fused_kernel.ts): just the opcodes they use
 * (binary format, core spec §5), and a module of one or more functions around their bodies. They need no
 * build step and run wherever Node does; the optional native kernels (numeric/native.ts) stand in for the
 * products where they are built, with the same bits.
 */

export const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
export const I32 = 0x7f;
export const V128 = 0x7b;
export const localGet = (i: number) => [0x20, ...uleb(i)];
export const localSet = (i: number) => [0x21, ...uleb(i)];
/** Signed LEB128 (i32.const's immediate): bytes of 7 bits until the rest is all sign, whose bit 6 then carries it. */
export const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (n |= 0; ; n >>= 7) {
    const b = n & 0x7f;
    const done = (n >> 7 === 0 && (b & 0x40) === 0) || (n >> 7 === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
};
export const i32Const = (v: number) => [0x41, ...sleb(v)];
export const [I32_ADD, I32_SUB, I32_MUL, I32_SHL, I32_GT_U, I32_GE_U, I32_EQZ, SELECT] = [0x6a, 0x6b, 0x6c, 0x74, 0x4b, 0x4f, 0x45, 0x1b];
export const simd = (op: number, ...immediates: number[]) => [0xfd, ...uleb(op), ...immediates];
/** memarg: alignment hint (log2 bytes) and offset. */
export const v128Load = (offset: number) => simd(0x00, 3, ...uleb(offset));
export const v128Store = (offset: number) => simd(0x0b, 3, ...uleb(offset));
/** Loads one double and puts it in both lanes. */
export const v128Load64Splat = (offset: number) => simd(0x0a, 3, ...uleb(offset));
export const V128_ZERO = simd(0x0c, ...new Array(16).fill(0));
export const F64X2_ADD = simd(0xf0);
export const F64X2_MUL = simd(0xf2);
export const [F64X2_SQRT, F64X2_SUB, F64X2_DIV] = [0xef, 0xf1, 0xf3].map((op) => simd(op));
export const F64X2_GT = simd(0x4a);
export const F64X2_FLOOR = simd(0x75);
/** i32x4.trunc_sat_f64x2_s_zero, then i64x2.extend_low_i32x4_s: float64 lanes holding integers as int64 lanes. */
export const I64X2_FROM_F64X2 = [...simd(0xfc), ...simd(0xc7)];
export const [I64X2_ADD, I64X2_SHL] = [simd(0xce), simd(0xcb)];
/** v128.const of two float64 lanes. */
export const f64x2Const = (lo: number, hi = lo) => simd(0x0c, ...new Uint8Array(Float64Array.of(lo, hi).buffer));
/** v128.const of two int64 lanes. */
export const i64x2Const = (v: bigint) => simd(0x0c, ...new Uint8Array(BigInt64Array.of(v, v).buffer));
/** Stores lane `lane` (0 or 1) of a f64x2 as one double. */
export const v128Store64Lane = (offset: number, lane: number) => simd(0x5b, 3, ...uleb(offset), lane);
/** float32 lanes (four per v128): splat loads, arithmetic, compares and lane selection. */
export const v128Load32Splat = (offset: number) => simd(0x09, 2, ...uleb(offset));
export const I32X4_SPLAT = simd(0x11);
export const F32X4_GT = simd(0x44);
export const V128_BITSELECT = simd(0x52);
export const [F32X4_SQRT, F32X4_ADD, F32X4_SUB, F32X4_MUL, F32X4_DIV] = [0xe3, 0xe4, 0xe5, 0xe6, 0xe7].map((op) => simd(op));
/** The two low float32 lanes as float64s. */
export const F64X2_PROMOTE_LOW = simd(0x5f);
/** i8x16.shuffle: byte q of the result is byte lanes[q] of the two operands (0–15 the first, 16–31 the second). */
export const simdShuffle = (lanes: readonly number[]) => simd(0x0d, ...lanes);
/**
 * Local `v`'s two float64 lanes added across, the sum in both lanes (lane 0 + lane 1, the same either way round):
 * how a kernel ends two interleaved sums.
 */
export const f64x2AddLanes = (v: number[]) => [...v, ...v, ...v, ...simdShuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]), ...F64X2_ADD];
/** `block { loop { ...body } }`: inside body, br_if 1 leaves the loop and br 0 repeats it. */
export const whileLoop = (...body: number[][]) => [0x02, 0x40, 0x03, 0x40, ...body.flat(), 0x0c, 0, 0x0b, 0x0b];
export const breakIf = [0x0d, 1];
export const addTo = (local: number, value: number[]) => [...localGet(local), ...value, I32_ADD, ...localSet(local)];
/** `while (p < end) { body; p += 16 (and every other pointer) }`: one v128 of lanes per pointer a pass. */
export const lanesLoop = (p: number, end: number, pointers: number[], ...body: number[][]) =>
  whileLoop([...localGet(p), ...localGet(end), I32_GE_U, ...breakIf], ...body, ...pointers.map((q) => addTo(q, i32Const(16))));

/** Locals of `panelBlock`: the two panels' addresses, the position count and counter, the output row stride, block address and indices, and the v128 accumulators (8 from `acc`) and operands. */
export interface PanelBlockLocals {
  a: number;
  b: number;
  len: number;
  k: number;
  out: number;
  ldo: number;
  o: number;
  gi: number;
  gj: number;
  acc: number;
  y0: number;
  y1: number;
  x: number;
}

/**
 * The 4×4 block of dot products both float64 kernels share (gram_kernel.ts, product_kernel.ts): the 4 vectors
 * of panel `a` against the 4 of panel `b`, over `len` positions summed from the first, in eight f64x2
 * accumulators, then added to out's block (gi, gj) at out + gi·4·ldo + gj·32. `a` and `b` are advanced.
 */
export function panelBlock(l: PanelBlockLocals): number[][] {
  return [
    Array.from({ length: 8 }, (_, q) => [...V128_ZERO, ...localSet(l.acc + q)]).flat(),
    [...localGet(l.len), ...localSet(l.k)],
    // for (k = len; k > 0; k--): b's 4 values at this position times each of a's 4
    whileLoop(
      [...localGet(l.k), I32_EQZ, ...breakIf],
      [...localGet(l.b), ...v128Load(0), ...localSet(l.y0), ...localGet(l.b), ...v128Load(16), ...localSet(l.y1)],
      [0, 1, 2, 3].flatMap((r) => [
        ...localGet(l.a), ...v128Load64Splat(8 * r), ...localSet(l.x),
        ...localGet(l.acc + 2 * r), ...localGet(l.x), ...localGet(l.y0), ...F64X2_MUL, ...F64X2_ADD, ...localSet(l.acc + 2 * r),
        ...localGet(l.acc + 2 * r + 1), ...localGet(l.x), ...localGet(l.y1), ...F64X2_MUL, ...F64X2_ADD, ...localSet(l.acc + 2 * r + 1),
      ]),
      addTo(l.a, i32Const(32)),
      addTo(l.b, i32Const(32)),
      [...localGet(l.k), ...i32Const(1), I32_SUB, ...localSet(l.k)],
    ),
    [...localGet(l.out), ...localGet(l.gi), ...localGet(l.ldo), I32_MUL, ...i32Const(2), I32_SHL, I32_ADD],
    [...localGet(l.gj), ...i32Const(5), I32_SHL, I32_ADD, ...localSet(l.o)],
    [0, 1, 2, 3].flatMap((r) => [
      ...localGet(l.o), ...localGet(l.o), ...v128Load(0), ...localGet(l.acc + 2 * r), ...F64X2_ADD, ...v128Store(0),
      ...localGet(l.o), ...localGet(l.o), ...v128Load(16), ...localGet(l.acc + 2 * r + 1), ...F64X2_ADD, ...v128Store(16),
      ...addTo(l.o, localGet(l.ldo)),
    ]),
  ];
}

/** The locals of `gramTriangle`: its parameters and counters. */
export interface TriangleLocals {
  len: number;
  gj0: number;
  gj1: number;
  gi: number;
  gj: number;
  panelBytes: number;
}

/**
 * The body both Gram kernels share (gram_kernel.ts, gram32_kernel.ts): panelBytes = len·32, then `block` for
 * every panel pair gi ≤ gj with gj in [gj0, gj1), gi outside; ends the function.
 */
export function gramTriangle(l: TriangleLocals, block: number[][]): number[] {
  return [
    ...localGet(l.len), ...i32Const(5), I32_SHL, ...localSet(l.panelBytes),
    ...i32Const(0), ...localSet(l.gi),
    ...whileLoop(
      [...localGet(l.gi), ...localGet(l.gj1), I32_GE_U, ...breakIf],
      // gj = max(gi, gj0)
      [...localGet(l.gi), ...localGet(l.gj0), ...localGet(l.gi), ...localGet(l.gj0), I32_GT_U, SELECT, ...localSet(l.gj)],
      whileLoop([...localGet(l.gj), ...localGet(l.gj1), I32_GE_U, ...breakIf], ...block, addTo(l.gj, i32Const(1))),
      addTo(l.gi, i32Const(1)),
    ),
    0x0b,
  ];
}

/** wasm32 memories hold at most 65,536 pages of 64 KiB. */
const MAX_PAGES = 65536;

/** One exported function of a kernel module: `params` i32 parameters, no result, then its locals. */
export interface KernelFunction {
  name: string;
  params: number;
  i32Locals: number;
  v128Locals: number;
  body: number[];
}

/**
 * A module of one exported function `name` taking `params` i32s and returning nothing, with `i32Locals` then
 * `v128Locals` locals after its parameters, over an imported `env.memory` (with `sharedMemory`, a shared
 * memory of up to 4 GiB that threads share).
 */
export function kernelModuleBytes(k: KernelFunction & { sharedMemory?: boolean }): Uint8Array<ArrayBuffer> {
  return kernelsModuleBytes([k], k.sharedMemory);
}

/** A module exporting several such functions over one imported `env.memory`; function i has type i. */
export function kernelsModuleBytes(fns: readonly KernelFunction[], sharedMemory = false): Uint8Array<ArrayBuffer> {
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
  const code = (k: KernelFunction) => {
    const body = [...uleb(2), ...uleb(k.i32Locals), I32, ...uleb(k.v128Locals), V128, ...k.body];
    return [...uleb(body.length), ...body];
  };
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version 1
    ...section(1, vector(fns.map((k) => [0x60, ...uleb(k.params), ...new Array(k.params).fill(I32), 0]))), // types: (i32 × params) → ()
    // import env.memory: min 0 pages; or shared, min 0, max 65,536 pages (limits flag 3: shared, with a maximum)
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...(sharedMemory ? [0x03, 0x00, ...uleb(MAX_PAGES)] : [0x00, 0x00])]),
    ...section(3, vector(fns.map((_, i) => uleb(i)))), // function i has type i
    ...section(7, vector(fns.map((k, i) => [...name(k.name), 0x00, ...uleb(i)]))), // exported by their names
    ...section(10, vector(fns.map(code))),
  ]);
}

/** Whether this engine has what the kernels use: SIMD, and memories shared among threads. */
let engineHasAll: boolean | undefined;
function engineHasKernelFeatures(): boolean {
  // A function that sets a v128 local to zero, over a shared memory.
  const probe = { name: 'probe', params: 0, i32Locals: 0, v128Locals: 1, body: [...V128_ZERO, ...localSet(0), 0x0b] };
  return (engineHasAll ??= WebAssembly.validate(kernelsModuleBytes([probe], true)));
}

/**
 * The compiled module, or null where the engine lacks what it uses (SIMD, shared memory): callers fall back to
 * plain JS with the same bits. On an engine that has both, a module that does not compile is a defect in its
 * bytes, thrown: falling back there would hide it, runs slower, and the tests that hold a kernel against its
 * plain-JS twin would compare the twin with itself.
 */
export function compileOrNull(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module | null {
  try {
    return new WebAssembly.Module(bytes);
  } catch (err) {
    if (engineHasKernelFeatures()) throw new Error(`internal: a WebAssembly kernel module does not compile: ${(err as Error).message}`);
    return null;
  }
}
