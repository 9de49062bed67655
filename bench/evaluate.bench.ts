/**
 * Speed of the replicate evaluations at the size of a large screen: 25,000 treated wells × 1,000 features
 * in 5,000 perturbations of 5 wells (1,000 MoAs of 5 perturbations), plus 1,250 control wells (5%), simulated
 * from a seeded stream.
 * Prints one JSON line per evaluation, with the 1-minute load average at its start (the similarity products run
 * on every core, up to 4). Run: npx tsx bench/evaluate.bench.ts
 */
import { availableParallelism, loadavg } from 'node:os';
import { matrix } from '../src/numeric/matrix.ts';
import type { MetaValue, Profiles } from '../src/data/profiles.ts';
import { stream } from '../src/random/streams.ts';
import { percentReplicating } from '../src/evaluate/percent_replicating.ts';
import { moaConsistency, phenotypicActivity } from '../src/evaluate/map.ts';

const GROUPS = 5000;
const REPLICATES = 5;
const CONTROLS = 1250;
const FEATURES = 1000;
const TREATED = GROUPS * REPLICATES;

function simulate(seed: number): Profiles {
  const rng = stream(seed, 'bench/evaluate/simulate');
  const rows = TREATED + CONTROLS;
  const data = new Float64Array(rows * FEATURES);
  const pert: MetaValue[] = [];
  const moa: MetaValue[] = [];
  const role: MetaValue[] = [];
  const effect = new Float64Array(FEATURES);
  for (let g = 0; g < GROUPS; g++) {
    // A third of the perturbations have a phenotype, of varying strength; the rest are noise.
    const strength = rng.next() < 1 / 3 ? 0.2 + 0.6 * rng.next() : 0;
    for (let j = 0; j < FEATURES; j++) effect[j] = strength * rng.normal();
    for (let r = 0; r < REPLICATES; r++) {
      const i = g * REPLICATES + r;
      for (let j = 0; j < FEATURES; j++) data[i * FEATURES + j] = effect[j] + rng.normal();
      pert.push(`P${g}`);
      moa.push(`M${g % 1000}`);
      role.push('treated');
    }
  }
  for (let i = TREATED; i < rows; i++) {
    for (let j = 0; j < FEATURES; j++) data[i * FEATURES + j] = rng.normal();
    pert.push('DMSO');
    moa.push(null);
    role.push('control');
  }
  const features = Array.from({ length: FEATURES }, (_, j) => `Cells_f${j}`);
  return { metadata: { Metadata_pert: pert, Metadata_moa: moa, Metadata_role: role }, features, values: matrix(rows, FEATURES, data) };
}

function treatedOnly(p: Profiles): Profiles {
  const metadata = Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, v.slice(0, TREATED)]));
  return { metadata, features: p.features, values: matrix(TREATED, FEATURES, p.values.data.slice(0, TREATED * FEATURES)) };
}

const all = simulate(1);
const treated = treatedOnly(all);

const load = () => +loadavg()[0].toFixed(2);
const cores = availableParallelism();

let load0 = load();
let t = performance.now();
const pr = percentReplicating(treated, ['Metadata_pert'], {
  null_draws: 5, percentile: 90, aggregate: 'mean', null_sampling: 'independent', seed: 1, denominator: 'replicate_groups',
});
let seconds = (performance.now() - t) / 1000;
console.log(JSON.stringify({
  bench: 'percent_replicating', rows: TREATED, features: FEATURES, groups: GROUPS, seconds: +seconds.toFixed(2),
  percent: +pr.summary.percent.toFixed(2), null_values: pr.null.length, cores, load_average: load0,
}));

load0 = load();
t = performance.now();
const map = phenotypicActivity(all, { replicate_by: ['Metadata_pert'], control: (row) => row.Metadata_role === 'control' }, {
  null_size: 10000, threshold: 0.05, seed: 1,
});
seconds = (performance.now() - t) / 1000;
console.log(JSON.stringify({
  bench: 'map', rows: TREATED, features: FEATURES, groups: GROUPS, seconds: +seconds.toFixed(2),
  controls: CONTROLS, fraction_significant: +map.summary.fraction_significant.toFixed(3), cores, load_average: load0,
}));

load0 = load();
t = performance.now();
const consistency = moaConsistency(treated, { replicate_by: ['Metadata_pert'], moa: 'Metadata_moa' }, {
  null_size: 10000, threshold: 0.05, seed: 1,
});
seconds = (performance.now() - t) / 1000;
console.log(JSON.stringify({
  bench: 'map_consistency', rows: TREATED, features: FEATURES, perturbations: GROUPS, moas: consistency.summary.n,
  seconds: +seconds.toFixed(2), fraction_significant: +consistency.summary.fraction_significant.toFixed(3), cores, load_average: load0,
}));
