import { tf, tfjsWasm } from './tfjs.ts';
import type { ResolvedSpec } from '../spec/types.ts';

/**
 * Choosing where tensors live. The native TensorFlow bindings (tfjs-node, tfjs-node-gpu) are optional:
 * they download libtensorflow at install time, so they are loaded at run time only when present.
 */

export type BackendRequest = ResolvedSpec['runtime']['backend'];
export type BackendName = Exclude<BackendRequest, 'auto'>;

/** What selecting a backend reads: runtime.backend, and runtime.threads resolved (runThreads). */
export interface RuntimeOptions {
  backend: BackendRequest;
  threads: number;
}

/** A backend that cannot run here. Its message is meant for users: the CLI prints it without a stack. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
}

let active: { request: RuntimeOptions; name: BackendName } | null = null;
/** The wasm module reads its thread count once, when it is first initialized. */
let wasmThreads: number | null = null;

export async function selectBackend(options: RuntimeOptions): Promise<BackendName> {
  if (active && active.request.backend === options.backend && active.request.threads === options.threads) {
    return active.name;
  }
  const name = options.backend === 'auto' ? await autoSelect(options.threads) : await activate(options.backend, options.threads);
  active = { request: { ...options }, name };
  return name;
}

/**
 * Threads the active backend really uses, for the run manifest. Node's wasm build is single-threaded
 * (tfjs reports no multithread support under Node), so this can be lower than what was asked for.
 */
export function activeThreads(): number {
  if (!active) throw new Error('activeThreads: no backend selected yet');
  if (active.name === 'wasm') return tfjsWasm().getThreadsCount();
  if (active.name === 'cpu') return 1;
  return Number(process.env.TF_NUM_INTRAOP_THREADS);
}

async function autoSelect(threads: number): Promise<BackendName> {
  for (const candidate of ['tensorflow-gpu', 'tensorflow', 'wasm'] as const) {
    try {
      return await activate(candidate, threads);
    } catch (err) {
      if (!(err instanceof BackendUnavailableError)) throw err;
    }
  }
  return activate('cpu', threads);
}

async function activate(name: BackendName, threads: number): Promise<BackendName> {
  switch (name) {
    case 'tensorflow-gpu':
      await loadNative('@tensorflow/tfjs-node-gpu', threads);
      if (!usesGpu()) throw new BackendUnavailableError('@tensorflow/tfjs-node-gpu loaded but TensorFlow sees no GPU (check CUDA/cuDNN and CUDA_VISIBLE_DEVICES)');
      return name;
    case 'tensorflow':
      // Either native package registers the same 'tensorflow' backend; the GPU build without a GPU is the CPU one.
      if (!tf.findBackendFactory('tensorflow')) await loadNative('@tensorflow/tfjs-node', threads);
      await use('tensorflow');
      return name;
    case 'wasm': {
      const wasm = tfjsWasm();
      if (wasmThreads !== null && wasmThreads !== threads && wasm.getThreadsCount() > 1) {
        throw new BackendUnavailableError(`the wasm backend was already initialized with ${wasmThreads} thread(s); it cannot switch to ${threads} in the same process`);
      }
      // Must precede the module's initialization, which happens on the first setBackend('wasm'). A module
      // already running on one thread (Node's build always does) runs so whatever is asked of it now.
      if (wasmThreads === null) {
        wasm.setThreadsCount(threads);
        wasmThreads = threads;
      }
      await use('wasm');
      transposeBeforeWasmMatMul();
      return name;
    }
    case 'cpu':
      await use('cpu');
      return name;
  }
}

/** Import a native binding, which registers the 'tensorflow' backend, and make it active. */
async function loadNative(pkg: string, threads: number): Promise<void> {
  // TensorFlow reads these when its first context is created; a user's own settings win. Deterministic
  // kernels keep "same seed ⇒ same weights" true on GPUs (cuDNN/cuBLAS otherwise may reorder sums).
  process.env.TF_NUM_INTRAOP_THREADS ??= String(threads);
  process.env.TF_NUM_INTEROP_THREADS ??= '1';
  process.env.TF_DETERMINISTIC_OPS ??= '1';
  try {
    // A variable specifier keeps TypeScript from requiring the optional package's types.
    const specifier: string = pkg;
    await import(specifier);
  } catch (err) {
    throw new BackendUnavailableError(`${pkg} is not installed or failed to load: ${firstLine(err)}`);
  }
  if (!tf.findBackendFactory('tensorflow')) {
    throw new BackendUnavailableError(`${pkg} loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs (two copies of tfjs-core installed? align their versions)`);
  }
  await use('tensorflow');
}

async function use(name: string): Promise<void> {
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    throw new BackendUnavailableError(`backend '${name}' failed to initialize: ${firstLine(err)}`);
  }
  if (!ok) throw new BackendUnavailableError(`backend '${name}' failed to initialize`);
}

/**
 * tfjs-wasm's BatchMatMul is 5–10× slower when asked to transpose an operand than when given the operand
 * already transposed (the flags bypass XNNPACK), and every dense layer's backward pass asks for exactly
 * that. Wrapping the kernel to transpose first makes the backward pass about three times as fast. The products agree
 * with the flagged path up to float rounding (the summation order differs), and stay deterministic. Done
 * once per process; it touches only the wasm kernel registry.
 */
let matMulWrapped = false;
function transposeBeforeWasmMatMul(): void {
  if (matMulWrapped) return;
  matMulWrapped = true;
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...matMul,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return matMul.kernelFunc({ inputs, backend, attrs });
      const temporaries: tf.TensorInfo[] = [];
      const flip = (t: tf.TensorInfo): tf.TensorInfo => {
        const rank = t.shape.length;
        const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
        const out = transpose.kernelFunc({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
        temporaries.push(out);
        return out;
      };
      const a = transposeA ? flip(inputs.a as tf.TensorInfo) : inputs.a;
      const b = transposeB ? flip(inputs.b as tf.TensorInfo) : inputs.b;
      const out = matMul.kernelFunc({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      for (const t of temporaries) (backend as tf.KernelBackend).disposeData(t.dataId);
      return out;
    },
  });
}

function usesGpu(): boolean {
  // NodeJSKernelBackend exposes whether its TensorFlow context found a GPU device.
  return (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
