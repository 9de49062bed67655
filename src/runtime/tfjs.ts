import { createRequire } from 'node:module';
import type * as Tfjs from '@tensorflow/tfjs';
import type * as TfjsWasm from '@tensorflow/tfjs-backend-wasm';

/*
 * tfjs and its WebAssembly backend, required as the CommonJS packages they are. Imported as ES modules, Node
 * first reads their bundles, and every bundle they re-export, for the names they export (cjs-module-lexer):
 * ~0.2 s at the start of every process that trains or explains, 0.3–0.4 s beside a second one loading
 * (`ads run --jobs 2`). Required, they load as they would for a CommonJS program: the same modules, the same
 * instances (an ES import of them elsewhere, as in the tests, finds them in the same cache).
 */
const require = createRequire(import.meta.url);

export const tf = require('@tensorflow/tfjs') as typeof Tfjs;
/**
 * The WebAssembly backend's package, loaded by the first call (backend.ts): loading it registers the backend,
 * which then outranks tfjs' CPU backend for a process that has not chosen one.
 */
export const tfjsWasm = (): typeof TfjsWasm => require('@tensorflow/tfjs-backend-wasm') as typeof TfjsWasm;

/** The tfjs types the project names, as `tf.<Type>` beside the value `tf` (a namespace of types merges with it). */
export declare namespace tf {
  export type Tensor = Tfjs.Tensor;
  export type Tensor2D = Tfjs.Tensor2D;
  export type Scalar = Tfjs.Scalar;
  export type TensorInfo = Tfjs.TensorInfo;
  export type Variable = Tfjs.Variable;
  export type AdamOptimizer = Tfjs.AdamOptimizer;
  export type KernelBackend = Tfjs.KernelBackend;
  export type LayersModel = Tfjs.LayersModel;
  export namespace io {
    export type ModelJSON = Tfjs.io.ModelJSON;
  }
}
