import { type Matrix, matrix } from '../numeric/matrix.ts';
import type { RandomStream } from '../random/streams.ts';
import { binomial, sampleCoalitions } from './coalitions.ts';
import { AUTO_L1_FRACTION, selectedKernelRegression } from './l1_selection.ts';
import { constrainedKernelRegression } from './wls.ts';

/**
 * Kernel SHAP (Lundberg & Lee 2017) for a vectorized model f: R^d → R^m. The value of a coalition S is the
 * interventional expectation v(S) = E_bg[f(x_S, bg_¬S)] over the background rows, so v(∅) = E_bg[f] and
 * v(all) = f(x). Every coalition is evaluated once for all m outputs: explaining one output or all of them
 * costs the same model calls.
 */

/**
 * Maps n×d inputs to n×m outputs, row by row (the autoencoder's `reconstruct`, or any batched model); into
 * `out` (n·m values) when it is given.
 */
export type BatchModel = (x: Matrix, out?: Float64Array) => Matrix;

/**
 * The coalitions' values without their rows being formed, from a model that can (the fused forward pass,
 * FusedTrainer.coalitions): v(S_k) of the picked outputs (count × picked.length) for the `count` coalitions of
 * `masks` (count × M: S_k holds varying[t] where masks[k·M + t] is 1), each the mean over the background rows
 * in order, as coalitionValues forms it from f; equal to it to float32 rounding.
 */
export type CoalitionModel = (x: Float64Array, varying: Int32Array, masks: Uint8Array, count: number, picked: Int32Array) => Float64Array;

export interface KernelShapOptions {
  /** Coalitions evaluated on the sampled path (shap's default is 2·d + 2048). */
  nsamples: number;
  /** Up to this many varying features, all 2^M coalitions are enumerated and φ is exact. */
  exact_max_features: number;
  /**
   * The sampled path's regression: false fits every feature (a consistent estimator of the Shapley
   * values); 'auto' is shap's default up to 0.46, which first selects features by AIC when fewer than
   * 20% of the coalitions were evaluated (l1_selection.ts).
   */
  l1_reg: false | 'auto';
}

export interface Explainer {
  readonly f: BatchModel;
  readonly background: Matrix;
  /** E_bg[f], length m: the base value every explanation starts from. */
  readonly expected: Float64Array;
  /**
   * The coalition batches' input and output, reused by every explanation: two fresh buffers of up to 32 MB
   * per model call cost more than the model on a machine where first touching memory is slow (page faults:
   * ~4 ms per MB on this project's 2-core VMs), and glibc hands such sizes back to the system when freed.
   */
  readonly buffers: { input: Float64Array; output: Float64Array };
  /**
   * Rows of masked input per model call (whole coalitions, at least one). A model that pays per call (tfjs:
   * a kernel dispatch per op) wants large batches; one that pays per row wants batches small enough to stay
   * in cache, as the coalitions' inputs and outputs are otherwise written to memory and read back.
   */
  readonly rowsPerCall: number;
  /** The coalitions' values on this background from the model directly, when it offers them (rows never formed). */
  readonly coalitions?: CoalitionModel;
}

export interface ShapResult {
  /** The explained outputs (all m unless shapValues was asked for fewer). */
  readonly outputs: Int32Array;
  /** outputs.length×d: row k holds the SHAP values of output outputs[k] over the d input features. */
  readonly values: Matrix;
  /** f(x) and E_bg[f], length m (every output); Σ_i values[k][i] = fx[o] − expected[o] for o = outputs[k]. */
  readonly fx: Float64Array;
  readonly expected: Float64Array;
  /** Whether φ came from full enumeration (exact Shapley values) rather than sampled coalitions. */
  readonly exact: boolean;
  /** Coalitions whose value was estimated, each over every background row. */
  readonly coalitions: number;
}

/** Values of masked input built per model call unless the model asks for other batches: ~32 MB of float64. */
const VALUES_PER_CALL = 1 << 22;

/**
 * An explainer of f against the background; `buffers` another explainer's, to share them (see Explainer);
 * `coalitionsFor` f's coalition model for a background, where it has one (null: it has none for this one).
 */
export function kernelExplainer(
  f: BatchModel,
  background: Matrix,
  reuse: Partial<Pick<Explainer, 'buffers' | 'rowsPerCall'>> & { coalitionsFor?: (background: Matrix) => CoalitionModel | null } = {},
): Explainer {
  if (background.rows === 0) throw new Error('Kernel SHAP needs at least one background row');
  const out = f(background);
  const expected = new Float64Array(out.cols);
  for (let r = 0; r < out.rows; r++) {
    for (let o = 0; o < out.cols; o++) expected[o] += out.data[r * out.cols + o];
  }
  for (let o = 0; o < out.cols; o++) expected[o] /= out.rows;
  return {
    f,
    background,
    expected,
    buffers: reuse.buffers ?? { input: new Float64Array(0), output: new Float64Array(0) },
    rowsPerCall: reuse.rowsPerCall ?? Math.floor(VALUES_PER_CALL / Math.max(background.cols, out.cols)),
    coalitions: reuse.coalitionsFor?.(background) ?? undefined,
  };
}

/**
 * SHAP values at x of the given outputs (all of them when omitted). The model calls are the same either
 * way; naming the few outputs wanted saves the averaging and the regression for the others, which matters
 * when m is in the thousands. rng is used only on the sampled path: give each explained row its own named
 * stream so its result does not depend on which other rows are explained.
 */
export function shapValues(
  explainer: Explainer,
  x: Float64Array,
  options: KernelShapOptions,
  rng: RandomStream,
  outputs: ArrayLike<number> = Int32Array.from(explainer.expected.keys()),
): ShapResult {
  const { f, background } = explainer;
  const d = background.cols;
  if (x.length !== d) throw new Error(`shapValues: row has ${x.length} features, background ${d}`);
  const picked = Int32Array.from(outputs);
  for (const o of picked) {
    if (!(o >= 0 && o < explainer.expected.length)) throw new Error(`shapValues: no output ${o} (model has ${explainer.expected.length})`);
  }
  // Coalitions are bit sets of a 32-bit integer on the exact path (and 2^30 of them is already absurd).
  if (options.exact_max_features > 30) throw new Error(`exact_max_features ${options.exact_max_features} > 30`);
  const fxAll = Float64Array.from(f(matrix(1, d, Float64Array.from(x))).data);
  const m = picked.length;
  const fx = Float64Array.from(picked, (o) => fxAll[o]);
  const expected = Float64Array.from(picked, (o) => explainer.expected[o]);
  // A feature equal to x in every background row cannot change any coalition's value: its φ is exactly 0,
  // and leaving it out shrinks the game (shap's "varying features").
  const varying = varyingFeatures(background, x);
  const M = varying.length;
  const phi = new Float64Array(m * M);
  let exact = true;
  let coalitions = 0;
  if (M === 1) {
    // A one-player game: efficiency alone fixes φ.
    for (let o = 0; o < m; o++) phi[o] = fx[o] - expected[o];
  } else if (M >= 2 && M <= options.exact_max_features) {
    const masks = allProperCoalitions(M);
    coalitions = 2 ** M - 2;
    phi.set(exactShapley(M, coalitionValues(explainer, x, varying, picked, masks, coalitions), expected, fx));
  } else if (M >= 2) {
    const sampled = sampleCoalitions(M, options.nsamples, rng);
    coalitions = sampled.count;
    exact = sampled.count === 2 ** M - 2;
    const v = coalitionValues(explainer, x, varying, picked, sampled.masks, sampled.count);
    // shap's share of the space evaluated: the requested budget over 2^M − 2 (2^30 past 30 features).
    const space = M <= 30 ? 2 ** M - 2 : 2 ** 30;
    const sparse = options.l1_reg === 'auto' && Math.min(options.nsamples, space) / space < AUTO_L1_FRACTION;
    phi.set((sparse ? selectedKernelRegression : constrainedKernelRegression)(sampled, M, v, expected, fx));
  }
  const values = matrix(m, d);
  for (let o = 0; o < m; o++) {
    for (let t = 0; t < M; t++) values.data[o * d + varying[t]] = phi[o * M + t];
  }
  return { outputs: picked, values, fx: fxAll, expected: explainer.expected, exact, coalitions };
}

function varyingFeatures(background: Matrix, x: Float64Array): Int32Array {
  const d = background.cols;
  const out: number[] = [];
  for (let i = 0; i < d; i++) {
    for (let r = 0; r < background.rows; r++) {
      if (background.data[r * d + i] !== x[i]) {
        out.push(i);
        break;
      }
    }
  }
  return Int32Array.from(out);
}

/**
 * v(S) of the picked outputs for every coalition (count×picked): each coalition's masked copies of the
 * background go through f in large batches, and their outputs are averaged at once so only these numbers
 * are kept; or the model's coalition values, where it offers them.
 */
function coalitionValues(
  explainer: Explainer,
  x: Float64Array,
  varying: Int32Array,
  picked: Int32Array,
  masks: Uint8Array,
  count: number,
): Float64Array {
  if (explainer.coalitions) return explainer.coalitions(x, varying, masks, count, picked);
  const { f, background } = explainer;
  const n = background.rows;
  const d = background.cols;
  const mAll = explainer.expected.length;
  const m = picked.length;
  const M = varying.length;
  const perCall = Math.max(1, Math.floor(explainer.rowsPerCall / n));
  const values = new Float64Array(count * m);
  const { buffers } = explainer;
  const largest = Math.min(count, perCall) * n;
  if (buffers.input.length < largest * d) buffers.input = new Float64Array(largest * d);
  if (buffers.output.length < largest * mAll) buffers.output = new Float64Array(largest * mAll);
  for (let k0 = 0; k0 < count; k0 += perCall) {
    const k1 = Math.min(count, k0 + perCall);
    // Every value of the batch is written below (the background, then x's coalition members).
    const batch = buffers.input.subarray(0, (k1 - k0) * n * d);
    for (let k = k0; k < k1; k++) {
      const block = (k - k0) * n * d;
      batch.set(background.data, block);
      const mask = masks.subarray(k * M, (k + 1) * M);
      for (let t = 0; t < M; t++) {
        if (!mask[t]) continue;
        const i = varying[t];
        const xi = x[i];
        for (let r = 0; r < n; r++) batch[block + r * d + i] = xi;
      }
    }
    const out = f(matrix((k1 - k0) * n, d, batch), buffers.output.subarray(0, (k1 - k0) * n * mAll));
    if (out.rows !== (k1 - k0) * n || out.cols !== mAll) {
      throw new Error(`Kernel SHAP: model returned ${out.rows}×${out.cols}, expected ${(k1 - k0) * n}×${mAll}`);
    }
    for (let k = k0; k < k1; k++) {
      const v = values.subarray(k * m, (k + 1) * m);
      const base = (k - k0) * n * mAll;
      for (let r = 0; r < n; r++) {
        const at = base + r * mAll;
        for (let o = 0; o < m; o++) v[o] += out.data[at + picked[o]];
      }
      for (let o = 0; o < m; o++) v[o] /= n;
    }
  }
  return values;
}

/** Masks (count×M) of every coalition except ∅ and the full set, coalition k being the bits of k + 1. */
function allProperCoalitions(M: number): Uint8Array {
  const count = 2 ** M - 2;
  const masks = new Uint8Array(count * M);
  for (let k = 0; k < count; k++) {
    const bits = k + 1;
    for (let t = 0; t < M; t++) masks[k * M + t] = (bits >> t) & 1;
  }
  return masks;
}

/**
 * The Shapley formula over all subsets: φ_i = Σ_{S∌i} |S|!(M−|S|−1)!/M! · (v(S∪i) − v(S)), with v(∅) and
 * v(all) pinned to E_bg[f] and f(x) so that Σφ = f(x) − E_bg[f] holds up to rounding.
 */
function exactShapley(M: number, proper: Float64Array, expected: Float64Array, fx: Float64Array): Float64Array {
  const m = expected.length;
  const full = 2 ** M - 1;
  const v = new Float64Array((full + 1) * m);
  v.set(expected, 0);
  v.set(proper, m);
  v.set(fx, full * m);
  const weight = Float64Array.from({ length: M }, (_, s) => 1 / (M * binomial(M - 1, s)));
  const phi = new Float64Array(m * M);
  for (let S = 0; S < full; S++) {
    const w = weight[popcount(S)];
    for (let t = 0; t < M; t++) {
      const bit = 1 << t;
      if (S & bit) continue;
      const with_ = (S | bit) * m;
      const without = S * m;
      for (let o = 0; o < m; o++) phi[o * M + t] += w * (v[with_ + o] - v[without + o]);
    }
  }
  return phi;
}

function popcount(x: number): number {
  let c = 0;
  for (let y = x; y; y &= y - 1) c++;
  return c;
}
