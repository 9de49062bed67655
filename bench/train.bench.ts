/**
 * Training throughput of the autoencoder loop, one JSON line per shape:
 *   npx tsx bench/train.bench.ts [--backend auto|tensorflow-gpu|tensorflow|wasm|cpu] [--threads 1] [--rows 4000] [--epochs 3]
 * Same workload as ../shared/bench/torch_ae.py (plain MSE, Adam, shuffled batches, random data), so the
 * two can be compared as a ratio on the same machine. The first epoch is a warm-up and is not counted.
 */
import { parseArgs } from 'node:util';
import { buildAutoencoder, type AutoencoderConfig } from '../src/model/autoencoder.ts';
import { matrix } from '../src/numeric/matrix.ts';
import { stream } from '../src/random/streams.ts';
import { activeThreads, selectBackend, type BackendRequest } from '../src/runtime/backend.ts';
import { fit } from '../src/training/fit.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'auto' },
    threads: { type: 'string', default: '1' },
    rows: { type: 'string', default: '4000' },
    epochs: { type: 'string', default: '3' },
  },
});
const rows = Number(values.rows);
const epochs = Number(values.epochs);
const backend = await selectBackend({ backend: values.backend as BackendRequest, threads: Number(values.threads) });

const shapes: Array<{ features: number; model: Partial<AutoencoderConfig>; batch: number }> = [
  { features: 600, model: { encoder: [256, 128, 64], latent: 32 }, batch: 32 },
  { features: 600, model: { encoder: [256, 128, 64], latent: 32 }, batch: 256 },
  { features: 1700, model: { encoder: 'default', latent: 16 }, batch: 32 },
];

for (const shape of shapes) {
  const config: AutoencoderConfig = { encoder: 'default', latent: 16, decoder: 'linear', activation: 'relu', dropout: 0, batch_norm: false, ...shape.model };
  const rs = stream(0, 'bench/data');
  const random = (n: number) => matrix(n, shape.features, Float64Array.from({ length: n * shape.features }, () => rs.normal()));
  const model = buildAutoencoder(config, shape.features, 0);
  const options = { lr: 1e-3, beta1: 0.9, beta2: 0.999, weight_decay: 0, batch_size: shape.batch, max_epochs: epochs + 1, output_l2: 0, latent_l1: 0 };
  const { history } = await fit(model, { train: random(rows), val: random(64) }, options, 0);
  model.dispose();
  const seconds = history.slice(1).reduce((s, h) => s + h.seconds, 0);
  const line = {
    bench: 'train',
    dims: model.layerSizes,
    batch: shape.batch,
    backend,
    threads: activeThreads(),
    rows,
    epochs,
    samples_per_second: Math.round((rows * epochs) / seconds),
  };
  console.log(JSON.stringify(line));
}
