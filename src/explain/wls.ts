import { crossProduct } from '../numeric/linalg.ts';
import { matrix } from '../numeric/matrix.ts';
import type { Coalitions } from './coalitions.ts';

/**
 * Kernel SHAP's regression: φ minimizing Σ_k w_k (v_k − E − z_kᵀφ)² subject to Σφ = f(x) − E, for every
 * output at once. As in the shap library the constraint is enforced exactly by eliminating the last
 * feature (φ_M = Δ − Σ_{i<M} φ_i), which leaves an unconstrained weighted least squares in M − 1
 * unknowns. Its normal matrix depends only on the coalitions, so it is factored once and every output is
 * one pair of triangular solves.
 *
 * values: count×m coalition values; expected, fx: length m. Returns m×M row-major (row o = φ of output o).
 */
export function constrainedKernelRegression(
  c: Coalitions,
  M: number,
  values: Float64Array,
  expected: Float64Array,
  fx: Float64Array,
): Float64Array {
  const m = expected.length;
  const P = M - 1;
  const last = P;
  // Rows of √W·X, X_k = z_k[0..P) − z_k[last]: the design after substituting the constraint.
  const xw = new Float64Array(c.count * P);
  const sw = new Float64Array(c.count);
  for (let k = 0; k < c.count; k++) {
    sw[k] = Math.sqrt(c.weights[k]);
    const zLast = c.masks[k * M + last];
    for (let j = 0; j < P; j++) xw[k * P + j] = sw[k] * (c.masks[k * M + j] - zLast);
  }
  const a = crossProduct(matrix(c.count, P, xw)).data;
  // Right-hand sides XᵀW·y for every output, y_k = v_k − E − z_k[last]·Δ.
  const b = new Float64Array(P * m);
  const y = new Float64Array(m);
  for (let k = 0; k < c.count; k++) {
    const zLast = c.masks[k * M + last];
    for (let o = 0; o < m; o++) y[o] = sw[k] * (values[k * m + o] - expected[o] - zLast * (fx[o] - expected[o]));
    for (let j = 0; j < P; j++) {
      const x = xw[k * P + j];
      if (x === 0) continue;
      const row = j * m;
      for (let o = 0; o < m; o++) b[row + o] += x * y[o];
    }
  }
  const l = cholesky(a, P);
  const phi = new Float64Array(m * M);
  const rhs = new Float64Array(P);
  for (let o = 0; o < m; o++) {
    for (let j = 0; j < P; j++) rhs[j] = b[j * m + o];
    solveCholesky(l, P, rhs);
    let sum = 0;
    for (let j = 0; j < P; j++) {
      phi[o * M + j] = rhs[j];
      sum += rhs[j];
    }
    phi[o * M + last] = fx[o] - expected[o] - sum;
  }
  return phi;
}

/** Lower-triangular L with A = LLᵀ (row-major, n×n). */
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, a[i * n + i]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        // Rank deficiency means some features were never separated by the sampled coalitions.
        if (!(s > scale * 1e-12)) {
          throw new Error('Kernel SHAP: the sampled coalitions do not identify every feature (raise nsamples)');
        }
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  return l;
}

/** Overwrites b with the solution of LLᵀx = b. */
function solveCholesky(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * b[k];
    b[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * b[k];
    b[i] = s / l[i * n + i];
  }
}
