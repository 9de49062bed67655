import { crossProduct } from '../numeric/linalg.ts';
import { dot, matrix } from '../numeric/matrix.ts';

/**
 * The lasso path by least-angle regression (Efron, Hastie, Johnstone & Tibshirani 2004), step for step as
 * scikit-learn's `lars_path(method='lasso')` walks it from a precomputed Gram matrix, and the AIC choice of
 * a point on it that `LassoLarsIC` makes. Kernel SHAP uses it the way the shap library's `l1_reg='auto'`
 * does (see l1_selection.ts): to decide which features get a non-zero SHAP value. Only that decision leaves
 * this module, so the path is reproduced with scikit-learn's own tie-breaks, tolerances and stopping rules
 * (the order of the inactive features, the 15-decimal rounding of the equiangular correlations, the float32
 * tolerances), where a different but equally valid path would select different features.
 */

const EPS = 2.220446049250313e-16; // np.finfo(float).eps: lars_path's eps and the degrees-of-freedom cut
const TINY32 = 1.1754943508222875e-38; // np.finfo(np.float32).tiny, added to every divisor
const EQUALITY_TOLERANCE = 1.1920928955078125e-7; // np.finfo(np.float32).eps
const DBL_MAX = Number.MAX_VALUE;

export interface LassoPath {
  /** The regularization at each point: max |Xᵀ(y − X·coef)| / n. */
  readonly alphas: Float64Array;
  /** One coefficient vector (length p) per point, the first all zeros. */
  readonly coefs: Float64Array[];
}

/**
 * The lasso path of y on X given G = XᵀX and Xy = Xᵀy (p features, nSamples rows, X and y centred by the
 * caller), for at most maxIter steps.
 */
export function lassoLarsPath(gram: Float64Array, xy: Float64Array, p: number, nSamples: number, maxIter: number): LassoPath {
  const G = (a: number, b: number) => gram[a * p + b];
  const maxFeatures = Math.min(maxIter, p);
  // Cholesky factor of G over the active set, in the order features became active.
  const L = new Float64Array(maxFeatures * maxFeatures);
  const alphas: number[] = [];
  const coefs: Float64Array[] = [new Float64Array(p)];
  // The inactive features and their correlations with the residual, in scikit-learn's order: the order
  // decides which of two equal correlations enters first.
  const inactive = Array.from({ length: p }, (_, i) => i);
  const cov = Array.from(xy);
  const active: number[] = [];
  const sign: number[] = [];
  let nIter = 0;
  let drop = false;
  for (;;) {
    let cIdx = 0;
    let C = 0;
    let cSigned = 0;
    if (cov.length) {
      for (let k = 1; k < cov.length; k++) if (Math.abs(cov[k]) > Math.abs(cov[cIdx])) cIdx = k;
      cSigned = cov[cIdx];
      C = Math.abs(cSigned);
    }
    const alpha = C / nSamples;
    alphas[nIter] = alpha;
    // alpha_min = 0: the path ends where the correlations vanish (the least-squares fit).
    if (alpha <= EQUALITY_TOLERANCE) break;
    if (nIter >= maxIter || active.length >= p) break;
    if (!drop) {
      const n = active.length;
      sign[n] = Math.sign(cSigned);
      swap(cov, cIdx, 0);
      swap(inactive, cIdx, 0);
      const chosen = inactive[0];
      // New row of the Cholesky factor: L·l = G[active, chosen], diagonal √(G[chosen, chosen] − l·l).
      let v = 0;
      for (let t = 0; t < n; t++) {
        let s = G(chosen, active[t]);
        for (let u = 0; u < t; u++) s -= L[t * maxFeatures + u] * L[n * maxFeatures + u];
        const lt = s / L[t * maxFeatures + t];
        L[n * maxFeatures + t] = lt;
        v += lt * lt;
      }
      const diag = Math.max(Math.sqrt(Math.abs(G(chosen, chosen) - v)), EPS);
      L[n * maxFeatures + n] = diag;
      if (diag < 1e-7) {
        // A regressor degenerate with the active set is not added: scikit-learn zeroes the correlation at
        // the front and swaps the correlations back but not the features (its bookkeeping, kept as is).
        cov[0] = 0;
        swap(cov, cIdx, 0);
        continue;
      }
      cov.shift();
      inactive.shift();
      active.push(chosen);
    }
    const n = active.length;
    // The lasso leaves the path when alpha grows again: the residual is then too small to steer it.
    if (nIter > 0 && alphas[nIter - 1] < alpha) break;

    // Equiangular direction: w = (G_AA)⁻¹ s scaled so that every active correlation decreases at rate 1.
    let w = choleskySolve(L, maxFeatures, n, sign);
    let AA: number;
    if (n === 1 && w[0] === 0) {
      w[0] = 1;
      AA = 1;
    } else {
      AA = 1 / Math.sqrt(dot(w, sign, n));
      if (!Number.isFinite(AA)) {
        // Ill-conditioned active set: scikit-learn regularizes the factor's diagonal until it works.
        const Lr = L.slice();
        for (let i = 0; !Number.isFinite(AA); i++) {
          for (let t = 0; t < n; t++) Lr[t * maxFeatures + t] += 2 ** i * EPS;
          w = choleskySolve(Lr, maxFeatures, n, sign);
          AA = 1 / Math.sqrt(Math.max(dot(w, sign, n), EPS));
        }
      }
      for (let t = 0; t < n; t++) w[t] *= AA;
    }
    // Correlations of the inactive features with the direction, G[active, inactive]ᵀ·w (row by row of G).
    const corr = new Float64Array(inactive.length);
    for (let t = 0; t < n; t++) {
      const row = active[t] * p;
      const wt = w[t];
      for (let k = 0; k < inactive.length; k++) corr[k] += gram[row + inactive[k]] * wt;
    }
    for (let k = 0; k < corr.length; k++) corr[k] = roundHalfEven15(corr[k]);
    let gamma = C / AA;
    for (let k = 0; k < cov.length; k++) {
      const g1 = (C - cov[k]) / (AA - corr[k] + TINY32);
      const g2 = (C + cov[k]) / (AA + corr[k] + TINY32);
      if (g1 > 0 && g1 < gamma) gamma = g1;
      if (g2 > 0 && g2 < gamma) gamma = g2;
    }
    // The lasso drops a coefficient that would cross zero before the next feature enters.
    const prev = coefs[nIter];
    const z = Array.from({ length: n }, (_, t) => -prev[active[t]] / (w[t] + TINY32));
    const zPos = minPositive(z);
    drop = zPos < gamma;
    const dropped: number[] = [];
    if (drop) {
      for (let t = n - 1; t >= 0; t--) if (z[t] === zPos) dropped.push(t);
      gamma = zPos;
    }
    nIter++;
    const coef = new Float64Array(p);
    for (let t = 0; t < n; t++) coef[active[t]] = prev[active[t]] + gamma * w[t];
    coefs[nIter] = coef;
    for (let k = 0; k < cov.length; k++) cov[k] -= gamma * corr[k];
    if (drop) {
      // Positions in decreasing order, so each removal leaves the next position valid.
      const leaving = dropped.map((t) => {
        sign.splice(t, 1);
        return active.splice(t, 1)[0];
      });
      refactor(L, maxFeatures, active, G);
      inactive.unshift(...leaving);
      cov.unshift(
        ...leaving.map((j) => {
          let s = xy[j];
          for (let i = 0; i < p; i++) s -= G(j, i) * coef[i];
          return s;
        }),
      );
    }
  }
  return { alphas: Float64Array.from(alphas.slice(0, nIter + 1)), coefs: coefs.slice(0, nIter + 1) };
}

/**
 * Indices of the features LassoLarsIC(criterion='aic') keeps — with scikit-learn's defaults
 * (fit_intercept=True, max_iter=500) behind StandardScaler(with_mean=False), the pipeline shap builds:
 * columns scaled to unit standard deviation, X and y centred, the lasso path, and on it the point
 * minimizing n·log(2πσ²) + RSS/σ² + 2·df, σ² being the residual variance of the least-squares fit.
 * x is n×p row-major; the result is increasing.
 */
export function aicSelectedFeatures(x: Float64Array, y: Float64Array, n: number, p: number): Int32Array {
  if (n <= p + 1) {
    throw new Error(`AIC feature selection needs more rows than features + 1 (${n} rows, ${p} features), as scikit-learn's LassoLarsIC does`);
  }
  // Scaled and centred, row-major for the Gram matrix and column-major for the residuals along the path.
  const mean = new Float64Array(p);
  for (let r = 0; r < n; r++) for (let i = 0; i < p; i++) mean[i] += x[r * p + i];
  for (let i = 0; i < p; i++) mean[i] /= n;
  const variance = new Float64Array(p);
  for (let r = 0; r < n; r++) for (let i = 0; i < p; i++) variance[i] += (x[r * p + i] - mean[i]) ** 2;
  // StandardScaler leaves a (numerically) constant column unscaled.
  const scale = Float64Array.from(variance, (v) => (Math.sqrt(v / n) < 10 * EPS ? 1 : Math.sqrt(v / n)));
  const xs = new Float64Array(n * p);
  for (let r = 0; r < n; r++) for (let i = 0; i < p; i++) xs[r * p + i] = x[r * p + i] / scale[i] - mean[i] / scale[i];
  const xc = new Float64Array(n * p);
  for (let i = 0; i < p; i++) for (let r = 0; r < n; r++) xc[i * n + r] = xs[r * p + i];
  let yMean = 0;
  for (let r = 0; r < n; r++) yMean += y[r];
  yMean /= n;
  const yc = Float64Array.from(y, (v) => v - yMean);
  const gram = crossProduct(matrix(n, p, xs)).data;
  const xy = Float64Array.from({ length: p }, (_, i) => dot(xc.subarray(i * n, (i + 1) * n), yc, n));
  const path = lassoLarsPath(gram, xy, p, n, 500);
  const sigma2 = residualSumOfSquares(xc, yc, n, leastSquares(gram, xy, p)) / (n - p - 1);
  let best = 0;
  let bestCriterion = Infinity;
  path.coefs.forEach((coef, k) => {
    let df = 0;
    for (const c of coef) if (Math.abs(c) > EPS) df++;
    const criterion = n * Math.log(2 * Math.PI * sigma2) + residualSumOfSquares(xc, yc, n, coef) / sigma2 + 2 * df;
    if (criterion < bestCriterion) {
      bestCriterion = criterion;
      best = k;
    }
  });
  const chosen = path.coefs[best];
  return Int32Array.from({ length: p }, (_, i) => i).filter((i) => chosen[i] !== 0);
}

/** ‖y − X·coef‖² over the columns with a non-zero coefficient (X column-major n×p). */
function residualSumOfSquares(xc: Float64Array, yc: Float64Array, n: number, coef: Float64Array): number {
  const r = Float64Array.from(yc);
  for (let i = 0; i < coef.length; i++) {
    const c = coef[i];
    if (c === 0) continue;
    const at = i * n;
    for (let k = 0; k < n; k++) r[k] -= c * xc[at + k];
  }
  return dot(r, r, n);
}

/** The least-squares coefficients from the normal equations G·β = Xᵀy. */
function leastSquares(gram: Float64Array, xy: Float64Array, p: number): Float64Array {
  const L = new Float64Array(p * p);
  const all = Array.from({ length: p }, (_, i) => i);
  refactor(L, p, all, (a, b) => gram[a * p + b]);
  return choleskySolve(L, p, p, xy);
}

/** Rebuilds the Cholesky factor of G over `active`, in that order (after a feature left the active set). */
function refactor(L: Float64Array, stride: number, active: readonly number[], G: (a: number, b: number) => number): void {
  const n = active.length;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = G(active[i], active[j]);
      for (let k = 0; k < j; k++) s -= L[i * stride + k] * L[j * stride + k];
      L[i * stride + j] = i === j ? Math.max(Math.sqrt(Math.abs(s)), EPS) : s / L[j * stride + j];
    }
  }
}

/** x with L·Lᵀ·x = b, L the leading n×n lower triangle of a row-major factor with the given stride. */
function choleskySolve(L: Float64Array, stride: number, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from({ length: n }, (_, i) => b[i]);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= L[i * stride + k] * x[k];
    x[i] = s / L[i * stride + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= L[k * stride + i] * x[k];
    x[i] = s / L[i * stride + i];
  }
  return x;
}

/** scikit-learn's min_pos: the smallest strictly positive entry, or the largest double when there is none. */
function minPositive(v: readonly number[]): number {
  let m = DBL_MAX;
  for (const x of v) if (x > 0 && x < m) m = x;
  return m;
}

/** np.around(x, 15): numpy rounds x·10¹⁵ half to even. */
function roundHalfEven15(x: number): number {
  const y = x * 1e15;
  let r = Math.round(y);
  if (Math.abs(y - Math.trunc(y)) === 0.5) r = 2 * Math.round(y / 2);
  return r / 1e15;
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
