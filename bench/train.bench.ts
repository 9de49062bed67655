/**
 * Training throughput of the autoencoder loop, one JSON line per shape and training kernel (tfjs ops on the
 * selected backend — tfjs-node's native TensorFlow where it is installed, else tfjs-wasm — and the fused
 * WebAssembly SIMD step where WebAssembly SIMD compiles):
 *   npx tsx bench/train.bench.ts [--backend auto|tensorflow-gpu|tensorflow|wasm|cpu] [--threads 1] [--rows 4000] [--epochs 3] [--shape i] [--kernel k]
 * (--shape: only the i-th of bench/train_shapes.ts; --kernel: only tfjs or fused-wasm-simd; --threads: the
 * backend's threads and the fused step's, runtime.threads in a run).
 * Same workload as ../shared/bench/torch_ae.py (plain MSE, Adam, shuffled batches, random data), so the
 * two can be compared as a ratio on the same machine. The first epoch is a warm-up and is not counted.
 */
import { parseArgs } from 'node:util';
import { buildAutoencoder, type AutoencoderConfig } from '../src/model/autoencoder.ts';
import { matrix } from '../src/numeric/matrix.ts';
import { kernelsInUse } from '../src/numeric/native.ts';
import { stream } from '../src/random/streams.ts';
import { activeThreads, selectBackend, type BackendRequest } from '../src/runtime/backend.ts';
import { fit } from '../src/training/fit.ts';
import { chooseTrainingKernel, type TrainingKernel } from '../src/training/fused_step.ts';
import { TRAIN_SHAPES } from './train_shapes.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'auto' },
    threads: { type: 'string', default: '1' },
    rows: { type: 'string', default: '4000' },
    epochs: { type: 'string', default: '3' },
    shape: { type: 'string' },
    kernel: { type: 'string' },
  },
});
const rows = Number(values.rows);
const epochs = Number(values.epochs);
const backend = await selectBackend({ backend: values.backend as BackendRequest, threads: Number(values.threads) });

const shapes = values.shape === undefined ? TRAIN_SHAPES : [TRAIN_SHAPES[Number(values.shape)]];

for (const shape of shapes) {
  const config: AutoencoderConfig = { encoder: 'default', latent: 16, decoder: 'linear', activation: 'relu', dropout: 0, batch_norm: false, ...shape.model };
  const rs = stream(0, 'bench/data');
  const random = (n: number) => matrix(n, shape.features, Float64Array.from({ length: n * shape.features }, () => rs.normal()));
  const data = { train: random(rows), val: random(64) };
  const kernels: TrainingKernel[] = values.kernel === undefined ? ['tfjs', 'fused-wasm-simd'] : [values.kernel as TrainingKernel];
  for (const kernel of kernels) {
    const model = buildAutoencoder(config, shape.features, 0);
    const choice = chooseTrainingKernel(kernel, backend, model.denseStack());
    if ('error' in choice) {
      console.log(JSON.stringify({ bench: 'note', message: choice.error }));
      model.dispose();
      continue;
    }
    const threads = Number(values.threads);
    const options = { lr: 1e-3, beta1: 0.9, beta2: 0.999, weight_decay: 0, batch_size: shape.batch, max_epochs: epochs + 1, output_l2: 0, latent_l1: 0, kernel, threads };
    const { history } = await fit(model, data, options, 0);
    model.dispose();
    const seconds = history.slice(1).reduce((s, h) => s + h.seconds, 0);
    const line = {
      bench: 'train',
      kernel,
      dims: model.layerSizes,
      batch: shape.batch,
      backend,
      threads: kernel === 'tfjs' ? activeThreads() : threads,
      rows,
      epochs,
      samples_per_second: Math.round((rows * epochs) / seconds),
      // The fused step's products: native (numeric/native.ts) or WebAssembly; the same bits either way.
      ...(kernel === 'fused-wasm-simd' && { products: kernelsInUse() }),
    };
    console.log(JSON.stringify(line));
  }
}
