import { UserError } from '../errors.ts';
import { matrix } from '../numeric/matrix.ts';
import { type RandomStream, permutation, stream } from '../random/streams.ts';
import type { ResolvedSpec } from '../spec/types.ts';
import type { MetaValue, Profiles } from './profiles.ts';
import { overfullPlate } from './synthetic_layout.ts';

export type SyntheticSettings = ResolvedSpec['dataset']['synthetic'];

/** Ground-truth kind of each well's MoA: the answer a representation is judged against. */
export type MoaKind = 'control' | 'mean_shift' | 'dependency' | 'silent';

const COMPARTMENTS = ['Cells', 'Cytoplasm', 'Nuclei'] as const;
const MEASUREMENTS = ['AreaShape', 'Intensity', 'Texture', 'Granularity', 'RadialDistribution', 'Correlation'] as const;

/**
 * A simulated Cell Painting screen with a known answer.
 *
 * Controls follow a factor model: x = W z + √noise·ε with z ~ N(0, I_k), rows of W scaled so every feature
 * has unit variance; features are therefore correlated through k shared factors, as CellProfiler features are.
 * - A `mean_shift` compound moves the latent state: x = W (z + δ_c). Feature means change and the
 *   correlation structure is kept, so the classical profile sees it and an autoencoder of the controls,
 *   which reconstructs on-structure points well, sees little.
 * - A `dependency` compound keeps each feature's variance as in the controls but moves part of it off the
 *   controls' structure: x = √(1−s)·W z + d_c + √noise·ε with d_c ~ N(0, s(1−noise)) per feature. Across
 *   the compounds of such MoAs every feature is still N(0, 1), as in the controls; only a model of the
 *   controls' joint distribution separates d_c (off the structure) from the large on-structure variation.
 * - A `silent` compound (the last `silent_share` of the MoAs) changes nothing in morphology: only another
 *   assay of the same compounds (a simulated modality, simulateExpression) can place it.
 * Compounds of one MoA share `moa_coherence` of their effect. Plates add per-feature offsets, and features
 * get arbitrary raw units, so normalization matters. Everything is drawn from the run's `simulation` stream.
 */
export function simulateScreen(settings: SyntheticSettings, seed: number): Profiles {
  const crowded = overfullPlate(settings);
  if (crowded) throw new UserError(`dataset.synthetic: ${crowded}`, 2);
  const rs = stream(seed, 'simulation');
  const s = settings;
  const f = s.features;
  const k = s.factors;
  const loadings = factorLoadings(rs, f, k, 1 - s.noise);
  const features = featureNames(f);
  const rawOffset = Float64Array.from({ length: f }, () => 50 + 450 * rs.next());
  const rawScale = Float64Array.from({ length: f }, () => 10 * Math.exp(rs.normal()));
  const batchOffsets = Array.from({ length: s.batches }, () => Float64Array.from({ length: f }, () => s.batch_effect * rs.normal()));
  const batchOf = (plate: number) => Math.floor((plate * s.batches) / s.plates);
  // A plate's offset includes its batch's: plates of one batch drift together.
  const plateOffsets = Array.from({ length: s.plates }, (_, p) =>
    Float64Array.from({ length: f }, (_, j) => batchOffsets[batchOf(p)][j] + s.plate_effect * rs.normal()),
  );

  const nDependency = Math.round(s.moas * s.dependency_share);
  const moaKinds: MoaKind[] = Array.from({ length: s.moas }, (_, m) => (m < nDependency ? 'dependency' : 'mean_shift'));
  // Silent MoAs draw their effects like the others (the stream stays the same whatever silent_share is) and apply none.
  const silentFrom = s.moas - Math.round(s.moas * s.silent_share);
  // A MoA's shared effect, and per compound its own: mixed by coherence so the variance stays fixed.
  const sharedEffect = moaKinds.map((kind) => effectDirection(rs, kind, f, k));
  const wells: Well[] = [];
  for (let p = 0; p < s.plates; p++) {
    for (let c = 0; c < s.controls_per_plate; c++) wells.push({ plate: p, pert: 'DMSO', moa: null, kind: 'control', effect: null, dose: 0, strength: 0 });
  }
  let compound = 0;
  moaKinds.forEach((kind, m) => {
    for (let c = 0; c < s.compounds_per_moa; c++, compound++) {
      const own = effectDirection(rs, kind, f, k);
      const effect = own.map((v, i) => Math.sqrt(s.moa_coherence) * sharedEffect[m][i] + Math.sqrt(1 - s.moa_coherence) * v);
      const pert = compoundName(compound);
      const silent = m >= silentFrom;
      for (let d = 0; d < s.doses; d++) {
        for (let r = 0; r < s.replicates; r++) {
          // Consecutive plates for consecutive replicates: replicates never share a plate while replicates ≤ plates.
          const plate = ((compound * s.doses + d) * s.replicates + r) % s.plates;
          const { dose, strength } = doseStep(d, s.doses);
          wells.push({ plate, pert, moa: moaName(m), kind: silent ? 'silent' : kind, effect: silent ? null : effect, dose, strength });
        }
      }
    }
  });

  const data = new Float64Array(wells.length * f);
  const z = new Float64Array(k);
  wells.forEach((w, i) => {
    for (let t = 0; t < k; t++) z[t] = rs.normal();
    const depStrength = s.dependency_strength * w.strength;
    const onStructure = w.kind === 'dependency' ? Math.sqrt(1 - depStrength) : 1;
    if (w.kind === 'mean_shift' && w.effect) for (let t = 0; t < k; t++) z[t] += s.mean_shift * w.strength * w.effect[t];
    for (let j = 0; j < f; j++) {
      let v = 0;
      for (let t = 0; t < k; t++) v += loadings[j * k + t] * z[t];
      v = onStructure * v + Math.sqrt(s.noise) * rs.normal();
      if (w.kind === 'dependency' && w.effect) v += Math.sqrt(depStrength * (1 - s.noise)) * w.effect[j];
      data[i * f + j] = rawOffset[j] + rawScale[j] * (v + plateOffsets[w.plate][j]);
    }
  });

  return { metadata: wellMetadata(rs, wells, s, batchOf), features, values: matrix(wells.length, f, data) };
}

export function compoundName(index: number): string {
  return `C${String(index + 1).padStart(4, '0')}`;
}

export function moaName(index: number): string {
  return `MOA${String(index + 1).padStart(2, '0')}`;
}

/** Doses step by 3× up to 10 µM; the effect is proportional to the dose's rank (full at the top dose). */
export function doseStep(d: number, doses: number): { dose: number; strength: number } {
  return { dose: 10 / 3 ** (doses - 1 - d), strength: (d + 1) / doses };
}

interface Well {
  plate: number;
  pert: string;
  moa: string | null;
  kind: MoaKind;
  effect: Float64Array | null;
  /** µM; 0 for controls. */
  dose: number;
  /** Share of the full effect at this dose. */
  strength: number;
}

/** f×k loadings, each row scaled to the given signal variance. */
export function factorLoadings(rs: RandomStream, f: number, k: number, signalVariance: number): Float64Array {
  const w = Float64Array.from({ length: f * k }, () => rs.normal());
  for (let j = 0; j < f; j++) {
    let norm = 0;
    for (let t = 0; t < k; t++) norm += w[j * k + t] ** 2;
    const scale = Math.sqrt(signalVariance / norm);
    for (let t = 0; t < k; t++) w[j * k + t] *= scale;
  }
  return w;
}

/** A standard-normal effect: in latent space (k) for mean shifts, in feature space (f) for dependencies. */
function effectDirection(rs: RandomStream, kind: MoaKind, f: number, k: number): Float64Array {
  return Float64Array.from({ length: kind === 'mean_shift' ? k : f }, () => rs.normal());
}

function featureNames(f: number): string[] {
  return Array.from({ length: f }, (_, j) => {
    const compartment = COMPARTMENTS[j % COMPARTMENTS.length];
    const measurement = MEASUREMENTS[Math.floor(j / COMPARTMENTS.length) % MEASUREMENTS.length];
    return `${compartment}_${measurement}_F${String(j + 1).padStart(3, '0')}`;
  });
}

/** Well positions (row letters, column numbers) shuffled within each plate so controls are not all in one corner. */
function wellMetadata(rs: RandomStream, wells: Well[], s: SyntheticSettings, batchOf: (plate: number) => number): Record<string, MetaValue[]> {
  const columns = s.wells_per_plate === 1536 ? 48 : s.wells_per_plate === 384 ? 24 : Math.ceil(Math.sqrt(1.5 * s.wells_per_plate));
  const positions: string[] = new Array(wells.length);
  const byPlate: number[][] = Array.from({ length: s.plates }, () => []);
  wells.forEach((w, i) => byPlate[w.plate].push(i));
  byPlate.forEach((onPlate) => {
    const order = permutation(rs, s.wells_per_plate);
    onPlate.forEach((i, n) => {
      const slot = order[n];
      positions[i] = `${rowName(Math.floor(slot / columns))}${String((slot % columns) + 1).padStart(2, '0')}`;
    });
  });
  return {
    Metadata_Plate: wells.map((w) => plateName(w.plate)),
    Metadata_Well: positions,
    Metadata_Batch: wells.map((w) => `B${batchOf(w.plate) + 1}`),
    Metadata_pert: wells.map((w) => w.pert),
    Metadata_role: wells.map((w) => (w.kind === 'control' ? 'control' : 'treated')),
    Metadata_dose: wells.map((w) => w.dose),
    Metadata_moa: wells.map((w) => w.moa),
    Metadata_moa_kind: wells.map((w) => w.kind),
  };
}

export function plateName(p: number): string {
  return `P${String(p + 1).padStart(3, '0')}`;
}

/** A, B, …, Z, AA, AB, …: 1536-well plates have 32 rows. */
export function rowName(r: number): string {
  return r < 26 ? String.fromCharCode(65 + r) : `A${String.fromCharCode(65 + r - 26)}`;
}
