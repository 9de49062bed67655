import { type Matrix, matrix, row, selectRows } from '../numeric/matrix.ts';
import { type RandomStream, stream } from '../random/streams.ts';
import { type BatchModel, type Explainer, kernelExplainer, shapValues } from './kernel_shap.ts';

/**
 * Explaining an autoencoder's anomalies with SHAP (Antwarg et al., "Explaining anomalies detected by
 * autoencoders using SHAP"; method §2.9). A record is anomalous where x̂ = f(x) misses x; the features
 * that carry most of the squared error are explained one by one: the SHAP values of the output x̂_j over
 * the input features say which inputs pulled x̂_j away from x_j (they *contribute* to the anomaly: the
 * dependency the model learned from controls predicts a value the record does not have) and which
 * pulled it towards x_j (they *offset* it).
 */

/**
 * How x̂_j is explained. `default`: the model's own x̂_j, Kernel SHAP without feature selection (exact
 * up to exact_max_features). `reference`: as the reference implementation does it (its
 * ExplainAnomaliesUsingSHAP), x̂_j of the model with feature j's input weights zeroed, and shap's
 * KernelExplainer defaults of its era: coalitions enumerated only when the budget covers them all, and
 * AIC feature selection when it covers less than 20% of them.
 */
export type ExplainMode = 'default' | 'reference';

/** Every knob comes from the spec; nothing here has a default. */
export interface AnomalyShapOptions {
  mode: ExplainMode;
  /** Control rows the SHAP background is drawn from (reference 200). */
  background_size: number;
  /** Explain the largest-error features until they hold this share of the record's squared error (0.8). */
  error_fraction: number;
  /** …but never more than this many features per record (10). */
  max_features: number;
  /** Kernel SHAP coalitions on the sampled path (shap: 2·d + 2048). */
  nsamples: number;
  /** Enumerate all coalitions (exact Shapley values) up to this many features. */
  exact_max_features: number;
  /** Dependencies kept per group by aggregateDependencies. */
  top_pairs: number;
}

export interface Attribution {
  readonly feature: number;
  readonly phi: number;
}

export interface ExplainedFeature {
  /** Index j of the explained (badly reconstructed) feature. */
  readonly feature: number;
  readonly input: number;
  readonly reconstruction: number;
  readonly squaredError: number;
  /**
   * The explained model output at the record: x̂_j itself in `default` mode; in `reference` mode x̂_j of
   * the model with input j zeroed.
   */
  readonly output: number;
  /** The explained output averaged over the background: where the SHAP values start from. */
  readonly expected: number;
  /** SHAP value of every input feature on the explained output (length d); they sum to output − expected. */
  readonly shap: Float64Array;
  /**
   * Inputs other than j whose φ has the sign of x̂_j − x_j, largest |φ| first. Feature j itself is left
   * out of both lists (its φ stays in `shap`): how a feature echoes into its own reconstruction is not an
   * inter-feature dependency, which is what the explanation is after.
   */
  readonly contributing: readonly Attribution[];
  /** Inputs other than j pushing x̂_j towards x_j, largest |φ| first. */
  readonly offsetting: readonly Attribution[];
}

export interface RecordExplanation {
  readonly key: string;
  readonly totalSquaredError: number;
  readonly explained: readonly ExplainedFeature[];
  /** Whether the SHAP values are exact (all coalitions enumerated) or sampled estimates. */
  readonly exact: boolean;
}

/** `size` distinct control rows drawn from `rng` (all of them, shuffled, when there are fewer). */
export function drawBackground(controls: Matrix, size: number, rng: RandomStream): Matrix {
  const n = controls.rows;
  const k = Math.min(size, n);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let t = 0; t < k; t++) {
    const j = t + rng.int(n - t);
    const tmp = idx[t];
    idx[t] = idx[j];
    idx[j] = tmp;
  }
  return selectRows(controls, idx.subarray(0, k));
}

/**
 * Features ranked by squared reconstruction error, the top ones kept until their errors reach
 * errorFraction of the total (the feature crossing the line included), at most maxFeatures.
 */
export function selectExplainedFeatures(x: ArrayLike<number>, xhat: ArrayLike<number>, errorFraction: number, maxFeatures: number): number[] {
  const err = Float64Array.from({ length: x.length }, (_, i) => (x[i] - xhat[i]) ** 2);
  const total = err.reduce((s, e) => s + e, 0);
  if (!(total > 0)) return [];
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => err[b] - err[a] || a - b);
  const kept: number[] = [];
  let covered = 0;
  for (const j of order) {
    if (kept.length >= maxFeatures || covered >= errorFraction * total) break;
    kept.push(j);
    covered += err[j];
  }
  return kept;
}

/** One record's explanation; `explainer` wraps the autoencoder's reconstruct and the background. */
export function explainAnomaly(explainer: Explainer, x: Float64Array, key: string, options: AnomalyShapOptions, rng: RandomStream): RecordExplanation {
  const d = x.length;
  const xhat = explainer.f(matrix(1, d, Float64Array.from(x))).data;
  if (xhat.length !== d) throw new Error(`anomaly SHAP: model maps ${d} features to ${xhat.length} outputs, not a reconstruction`);
  let totalSquaredError = 0;
  for (let i = 0; i < d; i++) totalSquaredError += (x[i] - xhat[i]) ** 2;
  const features = selectExplainedFeatures(x, xhat, options.error_fraction, options.max_features);
  // A perfectly reconstructed record has nothing to explain: skip the coalition evaluations.
  if (features.length === 0) return { key, totalSquaredError, explained: [], exact: true };
  const shaps = options.mode === 'reference' ? referenceShap(explainer, x, features, options, rng) : [defaultShap(explainer, x, features, options, rng)];
  const explained = features.map((j, k): ExplainedFeature => {
    const { shap, at } = options.mode === 'reference' ? { shap: shaps[k], at: 0 } : { shap: shaps[0], at: k };
    const phi = shap.values.data.slice(at * d, (at + 1) * d);
    const away = Math.sign(xhat[j] - x[j]);
    const contributing: Attribution[] = [];
    const offsetting: Attribution[] = [];
    for (let i = 0; i < d; i++) {
      if (i === j || phi[i] === 0) continue;
      (Math.sign(phi[i]) === away ? contributing : offsetting).push({ feature: i, phi: phi[i] });
    }
    const byMagnitude = (a: Attribution, b: Attribution) => Math.abs(b.phi) - Math.abs(a.phi) || a.feature - b.feature;
    return {
      feature: j,
      input: x[j],
      reconstruction: xhat[j],
      squaredError: (x[j] - xhat[j]) ** 2,
      output: shap.fx[j],
      expected: shap.expected[j],
      shap: phi,
      contributing: contributing.sort(byMagnitude),
      offsetting: offsetting.sort(byMagnitude),
    };
  });
  return { key, totalSquaredError, explained, exact: shaps.every((s) => s.exact) };
}

/** One Kernel SHAP pass for all the explained outputs: they share every coalition's model calls. */
function defaultShap(explainer: Explainer, x: Float64Array, features: number[], options: AnomalyShapOptions, rng: RandomStream) {
  return shapValues(explainer, x, { nsamples: options.nsamples, exact_max_features: options.exact_max_features, l1_reg: false }, rng, features);
}

/**
 * One Kernel SHAP pass per explained feature j, each on its own model (input j zeroed), with shap's
 * defaults: no enumeration short of the full budget (exact_max_features does not apply), l1_reg 'auto'.
 */
function referenceShap(explainer: Explainer, x: Float64Array, features: number[], options: AnomalyShapOptions, rng: RandomStream) {
  const kernel = { nsamples: options.nsamples, exact_max_features: 0, l1_reg: 'auto' as const };
  return features.map((j) => shapValues(kernelExplainer(withoutInput(explainer.f, j), explainer.background, explainer), x, kernel, rng, [j]));
}

/**
 * The model with feature j's input weights zeroed, as the reference does (column j of the first layer's
 * weight matrix set to 0, its bias kept). For a model whose first layer is linear — every autoencoder
 * here starts with a dense layer — that is the same function as the model fed x with x_j = 0: the weights
 * of input j only ever multiply x_j. Zeroing the input instead of copying the model keeps one model.
 */
export function withoutInput(f: BatchModel, j: number): BatchModel {
  return (x, out) => {
    const masked = matrix(x.rows, x.cols, Float64Array.from(x.data));
    for (let r = 0; r < x.rows; r++) masked.data[r * x.cols + j] = 0;
    return f(masked, out);
  };
}

/**
 * Explains every row of `records`. Row r samples its coalitions from the stream named after keys[r]
 * (e.g. plate/well), so a record's explanation does not change when others are added, dropped or sharded.
 */
export function explainAnomalies(explainer: Explainer, records: Matrix, keys: readonly string[], options: AnomalyShapOptions, seed: number): RecordExplanation[] {
  if (keys.length !== records.rows) throw new Error(`explainAnomalies: ${keys.length} keys for ${records.rows} records`);
  if (new Set(keys).size !== keys.length) throw new Error('explainAnomalies: record keys must be unique (they name the random streams)');
  return keys.map((key, r) => explainAnomaly(explainer, Float64Array.from(row(records, r)), key, options, stream(seed, `explain/kernel_shap/${key}`)));
}

export interface Dependency {
  /** The badly reconstructed feature j. */
  readonly explained: number;
  /** The input feature i that pushed x̂_j away from x_j. */
  readonly contributor: number;
  /** Records of the group in which i contributed to j's error. */
  readonly count: number;
  /** Σ|φ_i| over those records. */
  readonly sum: number;
  /** sum / records of the group (a record without the pair counts as 0), comparable across groups. */
  readonly mean: number;
}

export interface GroupDependencies {
  readonly group: string;
  readonly records: number;
  /** The topPairs strongest (explained ← contributor) pairs, largest summed contribution first. */
  readonly pairs: readonly Dependency[];
}

/**
 * The inter-feature dependencies a treatment broke: over the records of each group (MoA, compound), the
 * (explained feature ← contributing feature) pairs with the largest summed contribution. groupOf returns
 * null for records that belong to no group (e.g. compounds without an annotated MoA).
 */
export function aggregateDependencies(
  explanations: readonly RecordExplanation[],
  groupOf: (explanation: RecordExplanation) => string | null,
  topPairs: number,
): GroupDependencies[] {
  const groups = new Map<string, { records: number; pairs: Map<string, { explained: number; contributor: number; count: number; sum: number }> }>();
  for (const e of explanations) {
    const name = groupOf(e);
    if (name === null) continue;
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { records: 0, pairs: new Map() }));
    g.records++;
    for (const f of e.explained) {
      for (const c of f.contributing) {
        const key = `${f.feature}<${c.feature}`;
        let p = g.pairs.get(key);
        if (!p) g.pairs.set(key, (p = { explained: f.feature, contributor: c.feature, count: 0, sum: 0 }));
        p.count++;
        p.sum += Math.abs(c.phi);
      }
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, g]) => ({
      group,
      records: g.records,
      pairs: [...g.pairs.values()]
        .sort((a, b) => b.sum - a.sum || a.explained - b.explained || a.contributor - b.contributor)
        .slice(0, topPairs)
        .map((p) => ({ ...p, mean: p.sum / g.records })),
    }));
}
