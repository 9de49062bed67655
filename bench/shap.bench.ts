/**
 * Speed of the anomaly explanations (method §2.9) at the reference's settings: records of a 100-feature
 * autoencoder (default 256→128→16 encoder, linear decoder, random weights), a 200-row background, 10
 * explained features per record, shap's default budget of 2·d + 2048 coalitions. The same records are
 * explained twice in this run, with the model calls the explain stage makes (`shapModel`: the fused forward
 * pass where training is fused) and with tfjs' reconstruct as the anchor. Prints one JSON line.
 *   npx tsx bench/shap.bench.ts [--records 20] [--features 100] [--background 200] [--backend auto] [--threads 1]
 */
import { parseArgs } from 'node:util';
import { explainAnomalies, type AnomalyShapOptions } from '../src/explain/anomaly_shap.ts';
import { type BatchModel, kernelExplainer } from '../src/explain/kernel_shap.ts';
import { buildAutoencoder } from '../src/model/autoencoder.ts';
import { matrix } from '../src/numeric/matrix.ts';
import { stream } from '../src/random/streams.ts';
import { activeThreads, selectBackend, type BackendRequest } from '../src/runtime/backend.ts';
import { shapModel } from '../src/stages/explain.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '20' },
    features: { type: 'string', default: '100' },
    background: { type: 'string', default: '200' },
    backend: { type: 'string', default: 'auto' },
    threads: { type: 'string', default: '1' },
  },
});
const records = Number(values.records);
const features = Number(values.features);
const backgroundRows = Number(values.background);
const backend = await selectBackend({ backend: values.backend as BackendRequest, threads: Number(values.threads) });

const model = buildAutoencoder(
  { encoder: 'default', latent: 16, decoder: 'linear', activation: 'relu', dropout: 0, batch_norm: false },
  features,
  0,
);
const rs = stream(0, 'bench/shap/data');
const random = (n: number) => matrix(n, features, Float64Array.from({ length: n * features }, () => rs.normal()));
const background = random(backgroundRows);
const wells = random(records);
// error_fraction 1 makes every record explain exactly max_features outputs, the costliest case.
const options: AnomalyShapOptions = {
  mode: 'default', background_size: backgroundRows, error_fraction: 1, max_features: 10, nsamples: 2 * features + 2048, exact_max_features: 12, top_pairs: 10,
};

/** Seconds to explain every record with the model calls `f` (and what else the model offers, see kernelExplainer). */
function explainAll(f: BatchModel, offers: Omit<Parameters<typeof kernelExplainer>[2], 'buffers'> = {}): { seconds: number; explained: number } {
  const t = performance.now();
  const explainer = kernelExplainer(f, background, offers);
  const explanations = explainAnomalies(explainer, wells, Array.from({ length: records }, (_, r) => `r${r}`), options, 0);
  return { seconds: (performance.now() - t) / 1000, explained: explanations.reduce((s, e) => s + e.explained.length, 0) };
}

const threads = Number(values.threads);
const stage = shapModel(model, { training_kernel: 'auto', threads });
const ours = explainAll(stage.f, stage);
stage.close();
const anchor = explainAll((x, out) => model.reconstruct(x, out));
model.dispose();

console.log(JSON.stringify({
  bench: 'shap',
  features,
  background: backgroundRows,
  records,
  explained_per_record: ours.explained / records,
  nsamples: options.nsamples,
  backend,
  model_calls: stage.kernel,
  threads,
  backend_threads: activeThreads(),
  seconds: +ours.seconds.toFixed(2),
  seconds_per_record: +(ours.seconds / records).toFixed(3),
  tfjs_seconds: +anchor.seconds.toFixed(2),
  ratio_vs_tfjs: +(anchor.seconds / ours.seconds).toFixed(2),
}));
