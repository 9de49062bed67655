/**
 * A minimal WebAssembly assembler for the project's hand-written SIMD kernels (numeric/gram_kernel.ts,
 * classify/gemm_kernel.ts): just the opcodes they use (binary format, core spec §5), and a one-function
 * module around a body. No native addon and no build step.
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
/** Small non-negative constants only (their sleb is their uleb below 64). */
export const i32Const = (v: number) => [0x41, ...uleb(v)];
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
/** `block { loop { ...body } }`: inside body, br_if 1 leaves the loop and br 0 repeats it. */
export const whileLoop = (...body: number[][]) => [0x02, 0x40, 0x03, 0x40, ...body.flat(), 0x0c, 0, 0x0b, 0x0b];
export const breakIf = [0x0d, 1];
export const addTo = (local: number, value: number[]) => [...localGet(local), ...value, I32_ADD, ...localSet(local)];

/** wasm32 memories hold at most 65,536 pages of 64 KiB. */
const MAX_PAGES = 65536;

/**
 * A module of one exported function `name` taking `params` i32s and returning nothing, with `i32Locals` then
 * `v128Locals` locals after its parameters, over an imported `env.memory` (with `sharedMemory`, a shared
 * memory of up to 4 GiB that threads share).
 */
export function kernelModuleBytes(k: { name: string; params: number; i32Locals: number; v128Locals: number; body: number[]; sharedMemory?: boolean }): Uint8Array<ArrayBuffer> {
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const code = [...uleb(2), ...uleb(k.i32Locals), I32, ...uleb(k.v128Locals), V128, ...k.body];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version 1
    ...section(1, [1, 0x60, k.params, ...new Array(k.params).fill(I32), 0]), // type: (i32 × params) → ()
    // import env.memory: min 0 pages; or shared, min 0, max 65,536 pages (limits flag 3: shared, with a maximum)
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...(k.sharedMemory ? [0x03, 0x00, ...uleb(MAX_PAGES)] : [0x00, 0x00])]),
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(7, [1, ...name(k.name), 0x00, 0]), // exported by its name
    ...section(10, [1, ...uleb(code.length), ...code]),
  ]);
}

/** The compiled module, or null where the engine lacks what it uses (SIMD, shared memory): callers fall back. */
export function compileOrNull(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module | null {
  try {
    return new WebAssembly.Module(bytes);
  } catch {
    return null;
  }
}
