import { createRequire } from 'node:module';
import type * as TfjsCore from '@tensorflow/tfjs-core';
import type * as TfjsLayers from '@tensorflow/tfjs-layers';
import type * as TfjsWasm from '@tensorflow/tfjs-backend-wasm';

/*
 * tfjs and its WebAssembly backend, required as the CommonJS packages they are. Imported as ES modules, Node
 * first reads their bundles, and every bundle they re-export, for the names they export (cjs-module-lexer):
 * ~0.2 s at the start of every process that trains or explains, 0.3–0.4 s beside a second one loading
 * (`ads run --jobs 2`). Required, they load as they would for a CommonJS program: the same modules, the same
 * instances (an ES import of them elsewhere finds them in the same cache). The tests take `tf` from here too.
 *
 * Only the parts the project calls: tfjs-core (tensors, kernels, optimizers, model IO), tfjs-layers (the
 * autoencoder) and the CPU backend (runtime.backend: cpu, and the backend of tensors made before one is
 * chosen). The `@tensorflow/tfjs` bundle would add its own 1.3 MB and load the converter, tfjs-data and the
 * WebGL backend: 0.12–0.15 s to load and select the WebAssembly backend, against 0.08–0.10 s (the same machine,
 * four processes each). Without that bundle tensors have no chained methods (x.mul(y)): the project and its
 * tests call the functions (tf.mul(x, y)), and the type check holds them to that (the types that declare
 * chained methods come with the bundle, which is no dependency).
 */
const require = createRequire(import.meta.url);

export const tf = { ...require('@tensorflow/tfjs-core'), ...require('@tensorflow/tfjs-layers') } as typeof TfjsCore & typeof TfjsLayers;
require('@tensorflow/tfjs-backend-cpu');
/**
 * The WebAssembly backend's package, loaded by the first call (backend.ts): loading it registers the backend,
 * which then outranks tfjs' CPU backend for a process that has not chosen one.
 */
export const tfjsWasm = (): typeof TfjsWasm => require('@tensorflow/tfjs-backend-wasm') as typeof TfjsWasm;

/** The tfjs types the project names, as `tf.<Type>` beside the value `tf` (a namespace of types merges with it). */
export declare namespace tf {
  export type Tensor = TfjsCore.Tensor;
  export type Tensor2D = TfjsCore.Tensor2D;
  export type Scalar = TfjsCore.Scalar;
  export type TensorInfo = TfjsCore.TensorInfo;
  export type Variable = TfjsCore.Variable;
  export type AdamOptimizer = TfjsCore.AdamOptimizer;
  export type KernelBackend = TfjsCore.KernelBackend;
  export type LayersModel = TfjsLayers.LayersModel;
  export namespace io {
    export type ModelJSON = TfjsCore.io.ModelJSON;
  }
}
