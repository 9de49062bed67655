import type { Coalitions } from './coalitions.ts';
import { aicSelectedFeatures } from './lars.ts';
import { constrainedKernelRegression } from './wls.ts';

/**
 * Kernel SHAP with the shap library's `l1_reg='auto'`, its KernelExplainer default up to shap 0.46 (the
 * versions current when the reference explained its anomalies; 0.47 changed the default to
 * 'num_features(10)'). When fewer than 20% of the 2^M − 2 proper coalitions were evaluated, shap first
 * chooses which features get a non-zero value: AIC on a lasso path (lars.ts) over an augmented form of
 * the Kernel SHAP regression in which the efficiency constraint appears as extra rows. The constrained
 * regression is then fitted on the chosen features alone and every other feature gets exactly 0, so the
 * chosen ones absorb the effect of those left out.
 */

/** Below this share of the proper coalitions evaluated, shap's 'auto' selects features first. */
export const AUTO_L1_FRACTION = 0.2;

/**
 * φ (m×M row-major) of every output: for each, the AIC-selected features from the coalitions' masks,
 * kernel weights and values (count×m), then the constrained kernel regression on them.
 */
export function selectedKernelRegression(
  c: Coalitions,
  M: number,
  values: Float64Array,
  expected: Float64Array,
  fx: Float64Array,
): Float64Array {
  const m = expected.length;
  const n = c.count;
  const size = new Float64Array(n);
  for (let k = 0; k < n; k++) for (let i = 0; i < M; i++) size[k] += c.masks[k * M + i];
  // shap's augmented design: each coalition z_k appears as √(w_k(M − |z_k|))·z_k and as
  // √(w_k|z_k|)·(z_k − 1), the second copy's target shifted by f(x) − E[f].
  const top = Float64Array.from(size, (s, k) => Math.sqrt(c.weights[k] * (M - s)));
  const bottom = Float64Array.from(size, (s, k) => Math.sqrt(c.weights[k] * s));
  const x = new Float64Array(2 * n * M);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < M; i++) {
      const z = c.masks[k * M + i];
      x[k * M + i] = top[k] * z;
      x[(n + k) * M + i] = bottom[k] * (z - 1);
    }
  }
  const phi = new Float64Array(m * M);
  const y = new Float64Array(2 * n);
  for (let o = 0; o < m; o++) {
    const delta = fx[o] - expected[o];
    for (let k = 0; k < n; k++) {
      const adj = values[k * m + o] - expected[o];
      y[k] = top[k] * adj;
      y[n + k] = bottom[k] * (adj - delta);
    }
    const chosen = aicSelectedFeatures(x, y, 2 * n, M);
    if (chosen.length === 1) phi[o * M + chosen[0]] = delta;
    if (chosen.length < 2) continue;
    const sub = chosenCoalitions(c, M, chosen);
    const v = Float64Array.from({ length: n }, (_, k) => values[k * m + o]);
    const fit = constrainedKernelRegression(sub, chosen.length, v, Float64Array.of(expected[o]), Float64Array.of(fx[o]));
    chosen.forEach((i, t) => (phi[o * M + i] = fit[t]));
  }
  return phi;
}

/** The coalitions restricted to the chosen features (their masks' columns, the same weights). */
function chosenCoalitions(c: Coalitions, M: number, chosen: Int32Array): Coalitions {
  const k = chosen.length;
  const masks = new Uint8Array(c.count * k);
  for (let r = 0; r < c.count; r++) for (let t = 0; t < k; t++) masks[r * k + t] = c.masks[r * M + chosen[t]];
  return { masks, weights: c.weights, count: c.count };
}
