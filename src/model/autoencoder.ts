import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tf } from '../runtime/tfjs.ts';
import { matrix, type Matrix } from '../numeric/matrix.ts';
import { stream } from '../random/streams.ts';
import type { ResolvedSpec } from '../spec/types.ts';
import type { Activation, DenseStack } from '../training/fused_step.ts';

/**
 * The MLP autoencoder of method §2.5, held in a tfjs-layers Sequential so it saves in the standard
 * tfjs layers format (loadable by tf.loadLayersModel and tensorflowjs_converter). Training code drives it
 * through forward(); it knows nothing about losses, optimizers or callbacks.
 */

/** The architecture settings of the spec (`model`): the schema states them and their defaults. */
export type AutoencoderConfig = ResolvedSpec['model'];

/** Inference (no dropout, batch-norm moving statistics) or training (fresh dropout masks from `seed`). */
export type ForwardMode = { training: false } | { training: true; seed: () => number };

const PRESETS = { default: [256, 128], shallow: [128, 64], deep: [256, 128, 64] } as const;
/** PyTorch's LeakyReLU slope and BatchNorm1d constants: the reference implementation is PyTorch. */
const LEAKY_SLOPE = 0.01;
const BN_MOMENTUM = 0.9;
const BN_EPSILON = 1e-5;
/** Rows per forward pass when encoding or reconstructing a whole matrix: bounds tensor memory. */
const INFERENCE_ROWS = 4096;
const METADATA_KEY = 'anomaly_autoencoder';

type Layer = tf.LayersModel['layers'][number];
/** Dropout is applied by forward() itself: the layer's fixed seed would repeat one mask every step. */
type Step = { dropout: number } | { layer: Layer; batchNorm: boolean };

export class Autoencoder {
  /** Widths from input to output, e.g. [in, 256, 128, latent, in]. */
  readonly layerSizes: number[];
  private readonly encoderSteps: Step[];
  private readonly decoderSteps: Step[];
  /** Float32 rows handed to tfjs, reused by every inference (see `inferBlocks`). */
  private input = new Float32Array(0);

  constructor(
    private readonly model: tf.LayersModel,
    readonly config: AutoencoderConfig,
    readonly inputDim: number,
  ) {
    const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
    const latentAt = layers.findIndex((l) => l.name === 'latent');
    if (latentAt < 0) throw new Error('autoencoder model has no layer named "latent"');
    const steps = layers.map(toStep);
    this.encoderSteps = steps.slice(0, latentAt + 1);
    this.decoderSteps = steps.slice(latentAt + 1);
    this.layerSizes = [inputDim, ...layers.filter((l) => l.getClassName() === 'Dense').map(denseUnits)];
  }

  forward(x: tf.Tensor2D, mode: ForwardMode): { z: tf.Tensor2D; xhat: tf.Tensor2D } {
    const z = run(this.encoderSteps, x, mode);
    return { z, xhat: run(this.decoderSteps, z, mode) };
  }

  encode(x: Matrix): Matrix {
    return this.inferRows(x, this.config.latent, (t) => this.forward(t, { training: false }).z);
  }

  /** The reconstruction of x (into `out`, x.rows × features values, when it is given). */
  reconstruct(x: Matrix, out?: Float64Array): Matrix {
    return this.inferRows(x, this.inputDim, (t) => this.forward(t, { training: false }).xhat, out);
  }

  /**
   * The reconstruction of x a block of rows at a time, each handed to `use` with its first row, row-major in
   * float32 as the model computes it (`reconstruct` widens the same values): for a caller that reduces it as it
   * goes, so the whole is never in memory. The block is `use`'s only while it runs.
   */
  reconstructByBlock(x: Matrix, use: (firstRow: number, rows: number, values: Float32Array) => void): void {
    this.inferBlocks(x, (t) => this.forward(t, { training: false }).xhat, use);
  }

  trainableVariables(): tf.Variable[] {
    return this.model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  /**
   * The model as a plain stack of dense layers, read off its tfjs layers (so a loaded model answers too), or
   * the first layer that keeps it from being one (dropout, batch norm).
   */
  denseStack(): DenseStack | string {
    const stack: DenseStack = { sizes: [this.inputDim], activations: [], leakySlope: LEAKY_SLOPE, latent: -1, kernels: [], biases: [] };
    for (const layer of this.model.layers) {
      const className = layer.getClassName();
      const config = layer.getConfig() as { units?: number; activation?: string; alpha?: number };
      const last = stack.activations.length - 1;
      if (className === 'InputLayer') continue;
      if (className === 'Dense') {
        if (layer.name === 'latent') stack.latent = stack.activations.length;
        stack.sizes.push(config.units!);
        stack.activations.push(config.activation as Activation);
        const [kernel, bias] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
        if (!bias) return `a dense layer without bias (${layer.name})`;
        stack.kernels.push(kernel);
        stack.biases.push(bias);
      } else if (className === 'LeakyReLU' && last >= 0 && stack.activations[last] === 'linear') {
        stack.activations[last] = 'leaky_relu';
        stack.leakySlope = config.alpha!;
      } else if (className === 'Activation' && last >= 0 && stack.activations[last] === 'linear') {
        stack.activations[last] = config.activation as Activation;
      } else {
        return className === 'Dropout' ? 'dropout' : className === 'BatchNormalization' ? 'batch norm' : `a ${className} layer`;
      }
    }
    const known: readonly string[] = ['relu', 'leaky_relu', 'elu', 'tanh', 'linear'];
    const odd = stack.activations.find((a) => !known.includes(a));
    return odd ? `the activation ${odd}` : stack;
  }

  /** Every weight, batch-norm moving statistics included, in a fixed order (live tensors: clone to keep). */
  getWeights(): tf.Tensor[] {
    return this.model.getWeights();
  }

  setWeights(weights: tf.Tensor[]): void {
    this.model.setWeights(weights);
  }

  /** Copies of every weight by its layer-scoped name (e.g. "enc_1/kernel"), for histograms. */
  namedWeights(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    // slice(): the cpu backend's dataSync hands out its own storage.
    for (const w of this.model.weights) out[w.originalName] = (w.read().dataSync() as Float32Array).slice();
    return out;
  }

  /** Writes `dir/model.json` and `dir/weights.bin`, the layout tfjs-node's file:// handler uses. */
  async save(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    this.model.setUserDefinedMetadata({ [METADATA_KEY]: { config: this.config, input_dim: this.inputDim } });
    await this.model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const weights = artifacts.weightData ?? new ArrayBuffer(0);
        const modelJson: tf.io.ModelJSON = {
          modelTopology: artifacts.modelTopology as object,
          format: artifacts.format,
          generatedBy: artifacts.generatedBy,
          convertedBy: artifacts.convertedBy,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
          userDefinedMetadata: artifacts.userDefinedMetadata,
        };
        writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
        writeFileSync(join(dir, 'weights.bin'), new Uint8Array(tf.io.CompositeArrayBuffer.join(weights)));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
  }

  dispose(): void {
    this.model.dispose();
  }

  private inferRows(x: Matrix, cols: number, f: (t: tf.Tensor2D) => tf.Tensor2D, into?: Float64Array): Matrix {
    const out = into ?? new Float64Array(x.rows * cols);
    this.inferBlocks(x, f, (r0, _rows, values) => out.set(values, r0 * cols));
    return matrix(x.rows, cols, out);
  }

  private inferBlocks(x: Matrix, f: (t: tf.Tensor2D) => tf.Tensor2D, use: (firstRow: number, rows: number, values: Float32Array) => void): void {
    if (x.cols !== this.inputDim) throw new Error(`autoencoder expects ${this.inputDim} features, got ${x.cols}`);
    // One input buffer for every block, kept for the next call (SHAP calls this for every coalition batch):
    // at CDRP size, a fresh one per block is gigabytes of garbage.
    const size = Math.min(x.rows, INFERENCE_ROWS) * x.cols;
    if (this.input.length < size) this.input = new Float32Array(size);
    const chunk = this.input;
    for (let r0 = 0; r0 < x.rows; r0 += INFERENCE_ROWS) {
      const r1 = Math.min(x.rows, r0 + INFERENCE_ROWS);
      const input = chunk.subarray(0, (r1 - r0) * x.cols);
      input.set(x.data.subarray(r0 * x.cols, r1 * x.cols));
      const t = tf.tidy(() => f(tf.tensor2d(input, [r1 - r0, x.cols])));
      try {
        use(r0, r1 - r0, t.dataSync() as Float32Array);
      } finally {
        t.dispose();
      }
    }
  }
}

/** Hidden widths of the encoder; the decoder mirrors them when config.decoder is 'mirror'. */
function encoderSizes(config: AutoencoderConfig): number[] {
  return typeof config.encoder === 'string' ? [...PRESETS[config.encoder]] : [...config.encoder];
}

/** A freshly initialized autoencoder; weights come from the run seed's 'model/init' stream. */
export function buildAutoencoder(config: AutoencoderConfig, inputDim: number, seed: number): Autoencoder {
  const rs = stream(seed, 'model/init');
  const hidden = encoderSizes(config);
  const layers: Layer[] = [];
  let fanIn = inputDim;
  const dense = (name: string, units: number, activation: 'linear' | 'relu' | 'elu' | 'tanh') => {
    // PyTorch's nn.Linear initialization, U(±1/√fan_in) for kernel and bias, as in the reference.
    const bound = 1 / Math.sqrt(fanIn);
    layers.push(
      tf.layers.dense({
        name,
        units,
        activation,
        ...(layers.length === 0 ? { inputShape: [inputDim] } : {}),
        kernelInitializer: tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: rs.seed() }),
        biasInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: rs.seed() }),
      }),
    );
    fanIn = units;
  };
  const block = (name: string, units: number) => {
    // Without batch norm the activation is the dense layer's own (relu fuses into its matmul kernel);
    // with it, the activation must follow the norm. tfjs-layers' Dense knows no leaky ReLU.
    const fused = !config.batch_norm && config.activation !== 'leaky_relu';
    dense(name, units, fused ? (config.activation as 'linear' | 'relu' | 'elu' | 'tanh') : 'linear');
    if (config.batch_norm) {
      layers.push(tf.layers.batchNormalization({ name: `${name}_bn`, momentum: BN_MOMENTUM, epsilon: BN_EPSILON }));
    }
    const act = config.activation;
    if (act === 'leaky_relu') layers.push(tf.layers.leakyReLU({ name: `${name}_act`, alpha: LEAKY_SLOPE }));
    else if (!fused && act !== 'linear') layers.push(tf.layers.activation({ name: `${name}_act`, activation: act }));
    if (config.dropout > 0) layers.push(tf.layers.dropout({ name: `${name}_dropout`, rate: config.dropout }));
  };
  hidden.forEach((units, i) => block(`enc_${i + 1}`, units));
  dense('latent', config.latent, 'linear');
  if (config.decoder === 'mirror') [...hidden].reverse().forEach((units, i) => block(`dec_${i + 1}`, units));
  dense('output', inputDim, 'linear');
  return new Autoencoder(tf.sequential({ name: 'autoencoder', layers }), config, inputDim);
}

/** Load what Autoencoder.save wrote (any tfjs layers model.json whose weight shards sit beside it). */
export async function loadAutoencoder(dir: string): Promise<Autoencoder> {
  const jsonPath = join(dir, 'model.json');
  const modelJson = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
  const meta = (modelJson.userDefinedMetadata as Record<string, unknown> | undefined)?.[METADATA_KEY] as
    | { config: AutoencoderConfig; input_dim: number }
    | undefined;
  if (!meta) throw new Error(`${jsonPath} is not an autoencoder saved by this project (no ${METADATA_KEY} metadata)`);
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const buffers = manifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dirname(jsonPath), p))));
    const bytes = Buffer.concat(buffers);
    return [manifest.flatMap((group) => group.weights), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)];
  });
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return new Autoencoder(model, meta.config, meta.input_dim);
}

function toStep(layer: Layer): Step {
  const className = layer.getClassName();
  if (className === 'Dropout') return { dropout: (layer.getConfig() as { rate: number }).rate };
  return { layer, batchNorm: className === 'BatchNormalization' };
}

function denseUnits(layer: Layer): number {
  return (layer.getConfig() as { units: number }).units;
}

function run(steps: readonly Step[], x: tf.Tensor2D, mode: ForwardMode): tf.Tensor2D {
  let h: tf.Tensor = x;
  for (const step of steps) {
    if ('dropout' in step) {
      if (mode.training) h = tf.dropout(h, step.dropout, undefined, mode.seed());
    } else {
      h = step.layer.call(h, step.batchNorm ? { training: mode.training } : {}) as tf.Tensor;
    }
  }
  return h as tf.Tensor2D;
}
