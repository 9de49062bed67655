import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The optional native addon (native/, built by `npm run build` where a C compiler is found): product kernels
 * with the same bits as the WebAssembly kernels they stand in for, at the CPU's full vector width; the CSV
 * parser of data/float_fields.ts with the same values; the column counts of the frequency filter, the column
 * moments of the scalers and the variance filter, the correlation filter's column summary and the packing of
 * the Gram products' panels. Where it is missing, stale or turned off (ADS_NATIVE=0), every caller
 * uses its WebAssembly kernel or its JavaScript and gets the same results, only slower; `kernelsInUse()`
 * says which products ran, for manifests and benchmarks.
 */

/** The addon's contract version (ADS_KERNELS_VERSION in the C source); any other build is ignored. */
const VERSION = 5;

/** Both paths, from src/numeric (tsx) and from dist/numeric (the build), lead to the package's build/. */
export const NATIVE_ADDON = fileURLToPath(new URL('../../build/ads_kernels.node', import.meta.url));

/** A memory the kernels read and write: an ArrayBuffer, or a Uint8Array over a SharedArrayBuffer. */
export type KernelMemory = ArrayBuffer | Uint8Array;

export interface NativeKernels {
  /** gemm_kernel.ts's `gemm` (carry 0) and its carrying kernel (carry 1); `step` is A's step along k in bytes. */
  gemm64(memory: KernelMemory, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number, step: number, carry: number): void;
  /** fused_kernel.ts's gemm_nn (transposed false) and gemm_tn (true). */
  gemm32(memory: KernelMemory, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number, bias: number, slopeBits: number, transposed: boolean): void;
  /** gram_kernel.ts's `gram` (float64, panels of 4) and gram32_kernel.ts's (float32 runs, panels of 8). */
  gram64(memory: KernelMemory, panels: number, gj0: number, gj1: number, len: number, out: number, ldo: number): void;
  gram32(memory: KernelMemory, panels: number, gj0: number, gj1: number, len: number, out: number, ldo: number): void;
  /** product_kernel.ts's `product` (A·Bᵀ over panels of 4 doubles). */
  product64(memory: KernelMemory, a: number, na: number, b: number, nb: number, len: number, out: number, ldo: number): void;
  /** fused_kernel.ts's `adam` (float32 Adam(W) over `count` floats). */
  adam32(memory: KernelMemory, w: number, g: number, m: number, v: number, count: number, consts: number): void;
  /** mlp_kernel.ts's `adam` (float64, sklearn's Adam over `count` doubles). */
  adam64(memory: KernelMemory, w: number, g: number, m: number, v: number, count: number, consts: number): void;
  /** Row rows[r] of `src` (row-major, `cols` wide) to byte at + r·ld of the memory, for every r: fused_step.ts's batch. */
  gatherRows(memory: KernelMemory, at: number, ld: number, src: Float32Array, cols: number, rows: Int32Array): void;
  /** The vector instructions the kernels run with on this CPU. */
  isa: string;
}

/** float_fields.ts's `readFloatFields`, or FLOAT_FIELDS_HARD where a value needs JavaScript's own parser. */
export type NativeFloatFields = (text: Uint8Array, from: number, to: number, width: number, slot: Int32Array, k: number, out: Float64Array, rest: Uint8Array) => number;

/** `NativeFloatFields`' answer where the part must be read in JavaScript (FLOAT_FIELDS_HARD in native/float_fields.h). */
export const FLOAT_FIELDS_HARD = -2;

/**
 * frequency_threshold.ts's counts of columns `cols` of a row-major matrix (row stride `stride`) over rows
 * `rows`: out[3j] distinct values, out[3j + 1] and out[3j + 2] the two largest counts.
 */
export type NativeValueCounts = (data: Float64Array, stride: number, rows: Int32Array, cols: Int32Array, out: Float64Array) => void;

/**
 * columns.ts's columnMoments (count, mean, variance) or correlation_threshold.ts's columnSummary pass (sum,
 * low, high) of columns `cols` over rows `rows` of a row-major matrix, into the three outputs.
 */
export type NativeColumns = (data: Float64Array, stride: number, rows: Int32Array, cols: Int32Array, out0: Float64Array, out1: Float64Array, out2: Float64Array) => void;

/** columns.ts's missingCounts: each of columns `cols`' count of NaN over rows `rows`, into `missing`. */
export type NativeMissingCounts = (data: Float64Array, stride: number, rows: Int32Array, cols: Int32Array, missing: Float64Array) => void;

/** drop_outliers.ts's count, per column, of the values whose magnitude exceeds `cutoff` (NaN never does), into `beyond`. */
export type NativeBeyondCounts = (data: Float64Array, stride: number, rows: Int32Array, cols: Int32Array, cutoff: number, beyond: Float64Array) => void;

/**
 * gram_parallel.ts's packing of a chunk of rows into panels of `width` columns (4: float64, 8: float32) at
 * byte `at` of the memory; `scale` empty for none.
 */
export type NativePackPanels = (
  memory: KernelMemory, at: number, width: 4 | 8, data: Float64Array, stride: number, rows: Int32Array, r0: number, len: number, cols: Int32Array, center: Float64Array, scale: Float64Array,
) => void;

/**
 * The addon: the kernels at the CPU's widest instruction set (none on a CPU without AVX2) and at every set it
 * has, by name; and the scalar functions, there on every CPU.
 */
type Addon = Partial<NativeKernels> & { version: number; levels: Record<string, NativeKernels>; floatFields: NativeFloatFields; valueCounts: NativeValueCounts; columnMoments: NativeColumns; columnExtents: NativeColumns; missingCounts: NativeMissingCounts; beyondCounts: NativeBeyondCounts; gzipInflater: () => object | undefined; packPanels: NativePackPanels };

let loaded: { addon: Addon | null; why: string } | null = null;

function load(): { addon: Addon | null; why: string } {
  if (process.env.ADS_NATIVE === '0') return { addon: null, why: 'turned off by ADS_NATIVE=0' };
  if (!existsSync(NATIVE_ADDON)) return { addon: null, why: `not built (${NATIVE_ADDON} is missing; \`npm run build\` builds it where a C compiler is found)` };
  try {
    const addon = createRequire(import.meta.url)(NATIVE_ADDON) as Addon;
    if (addon.version !== VERSION) return { addon: null, why: `${NATIVE_ADDON} is version ${addon.version}, this code needs ${VERSION} (\`npm run build\` rebuilds it)` };
    // A CPU with neither AVX2 nor AVX-512 gets no kernels: its vectors are no wider than WebAssembly's.
    return { addon, why: addon.gemm64 ? '' : 'this CPU has neither AVX2 nor AVX-512, so the WebAssembly kernels are as fast' };
  } catch (err) {
    return { addon: null, why: `${NATIVE_ADDON} does not load: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** The addon, or null (then `loaded.why` says why). Loaded once per thread. */
function addon(): Addon | null {
  loaded ??= load();
  return loaded.addon;
}

/** The native kernels, or null (then `kernelsInUse` says why). */
export function nativeKernels(): NativeKernels | null {
  const kernels = addon();
  return kernels?.gemm64 ? (kernels as NativeKernels) : null;
}

/** The native CSV parser, or null where the addon is not loaded. */
export const nativeFloatFields = (): NativeFloatFields | null => addon()?.floatFields ?? null;
/** The native column counts, or null where the addon is not loaded. */
export const nativeValueCounts = (): NativeValueCounts | null => addon()?.valueCounts ?? null;
/** The native column moments, or null where the addon is not loaded. */
export const nativeColumnMoments = (): NativeColumns | null => addon()?.columnMoments ?? null;
/** The native pass of the correlation filter's column summary, or null where the addon is not loaded. */
export const nativeColumnExtents = (): NativeColumns | null => addon()?.columnExtents ?? null;
/** The native count of missing values per column, or null where the addon is not loaded. */
export const nativeMissingCounts = (): NativeMissingCounts | null => addon()?.missingCounts ?? null;
/** The native count of values beyond the outlier cutoff per column, or null where the addon is not loaded. */
export const nativeBeyondCounts = (): NativeBeyondCounts | null => addon()?.beyondCounts ?? null;
/** Whether the addon inflates gzip (built with ISA-L's header, and libisal.so.2 loads): asked once. */
let inflates: boolean | undefined;
export function nativeGzipInflater(): boolean {
  inflates ??= addon()?.gzipInflater() !== undefined;
  return inflates;
}
/** The native packing of Gram panels, or null where the addon is not loaded. */
export const nativePackPanels = (): NativePackPanels | null => addon()?.packPanels ?? null;

/**
 * The kernels at every instruction set this CPU has, widest first (none where the addon is not loaded): a
 * build runs the first here, and on an older CPU a later one, so the tests hold each against WebAssembly.
 */
export function nativeKernelLevels(): NativeKernels[] {
  return nativeKernels() ? Object.values(addon()!.levels) : [];
}

/** Which product kernels this process runs: `native <isa>`, or `webassembly (<why not native>)`. */
export function kernelsInUse(): string {
  const kernels = nativeKernels();
  return kernels ? `native ${kernels.isa}` : `webassembly (${loaded!.why})`;
}

/**
 * The memory argument for the kernels over a WebAssembly memory: its ArrayBuffer, or a Uint8Array over it when
 * it is shared (Node-API reads a SharedArrayBuffer only through a view). Renewed when the memory grows.
 */
export function kernelMemory(memory: WebAssembly.Memory): () => KernelMemory {
  let buffer = memory.buffer;
  let view: KernelMemory = buffer instanceof ArrayBuffer ? buffer : new Uint8Array(buffer);
  return () => {
    if (memory.buffer !== buffer) {
      buffer = memory.buffer;
      view = buffer instanceof ArrayBuffer ? buffer : new Uint8Array(buffer);
    }
    return view;
  };
}
