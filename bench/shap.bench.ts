/**
 * Speed of the anomaly explanations (method §2.9) at the reference's settings: records of a 100-feature
 * autoencoder (default 256→128→16 encoder, linear decoder, random weights), a 200-row background, 10
 * explained features per record, shap's default budget of 2·d + 2048 coalitions. Prints one JSON line.
 *   npx tsx bench/shap.bench.ts [--records 50] [--features 100] [--background 200] [--backend auto] [--threads 1]
 */
import { parseArgs } from 'node:util';
import { explainAnomalies, type AnomalyShapOptions } from '../src/explain/anomaly_shap.ts';
import { kernelExplainer } from '../src/explain/kernel_shap.ts';
import { buildAutoencoder } from '../src/model/autoencoder.ts';
import { matrix } from '../src/numeric/matrix.ts';
import { stream } from '../src/random/streams.ts';
import { activeThreads, selectBackend, type BackendRequest } from '../src/runtime/backend.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '50' },
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

const t = performance.now();
const explainer = kernelExplainer((x) => model.reconstruct(x), background);
const explanations = explainAnomalies(explainer, wells, Array.from({ length: records }, (_, r) => `r${r}`), options, 0);
const seconds = (performance.now() - t) / 1000;
model.dispose();

console.log(JSON.stringify({
  bench: 'shap',
  features,
  background: backgroundRows,
  records,
  explained_per_record: explanations.reduce((s, e) => s + e.explained.length, 0) / records,
  nsamples: options.nsamples,
  backend,
  threads: activeThreads(),
  seconds: +seconds.toFixed(2),
  seconds_per_record: +(seconds / records).toFixed(3),
}));
