import { crossProduct, productABt, symmetricEigen } from '../../numeric/linalg.ts';
import { type Matrix, matrix } from '../../numeric/matrix.ts';
import { columnMoments } from '../columns.ts';
import { type Affine, applyAffine } from './affine.ts';
import { fitStandardize } from './standardize.ts';

export type SpherizeMethod = 'PCA' | 'ZCA' | 'PCA-cor' | 'ZCA-cor';

export interface SpherizeSettings {
  readonly method: SpherizeMethod;
  /** Added to every singular value before inverting it (pycytominer's fudge factor). */
  readonly epsilon: number;
  readonly center: boolean;
}

/** A fitted whitening: output = ((x − center) / scale) · componentsᵀ. */
export interface Sphering {
  readonly affine: Affine;
  /** One row per output feature (PC1.. for PCA, the input features for ZCA), one column per input feature. */
  readonly components: Matrix;
}

/**
 * pycytominer's `Spherize` (operations/transform.py, current version), fitted on the rows of `fit`:
 * - PCA/ZCA center (if asked) with the fit rows' means; PCA-cor/ZCA-cor standardize them first (and refuse
 *   a feature with zero variance, as pycytominer does);
 * - with Xc = UΣVᵀ (n fit rows), W = V·diag(√(n−1)/(σ+ε)): PCA projects on W, ZCA rotates back (W·Vᵀ);
 * - the fit matrix must have full rank; when n ≤ d only `rank` directions carry variance and the missing
 *   singular values are set to the smallest real one, as pycytominer pads Σ. The PCA components beyond the
 *   rank are then an arbitrary basis of the null space (in pycytominer too); ZCA stays unique.
 * V and σ come from the eigendecomposition of XcᵀXc (σ = √λ) rather than an SVD of Xc: same result, and d×d
 * work instead of n×d. Its one cost: singular values below √(max(n,d)·ε_machine)·σ_max cannot be resolved, so
 * the rank test counts σ above that (numpy: above max(n,d)·ε·σ_max) and refuses such ill-conditioned inputs,
 * which whitening would have amplified by over 10⁶ anyway.
 */
export function fitSpherize(fit: Matrix, settings: SpherizeSettings, features?: readonly string[]): Sphering {
  const { method, epsilon, center } = settings;
  const correlation = method === 'PCA-cor' || method === 'ZCA-cor';
  if (correlation && !center) throw new Error(`spherize ${method} requires center: true`);
  if (fit.data.some(Number.isNaN)) {
    throw new Error('spherize: the fit rows have missing values; drop those features or wells first');
  }
  const affine = correlation ? correlationScaler(fit, features) : centering(fit, center);
  const xc = applyAffine(fit, affine);
  const n = xc.rows;
  const d = xc.cols;
  const { values, vectors } = symmetricEigen(crossProduct(xc).data, d);
  const sigma = values.map((v) => Math.sqrt(Math.max(v, 0)));
  const tolerance = values[0] * Math.max(n, d) * 2 ** -52;
  const rank = values.reduce((r, v) => (v > tolerance ? r + 1 : r), 0);
  if (rank === 0) throw new Error(`spherize: the ${n} fit rows carry no variance`);
  // Full rank: d, or all the rows allow (n − 1 once centred, n otherwise).
  if (rank !== d && rank !== (center ? n - 1 : n)) {
    throw new Error(
      `spherize: the ${n}×${d} fit matrix has rank ${rank}, not full rank; ` +
        'remove linearly dependent features (e.g. with correlation_threshold)',
    );
  }
  if (n <= d) sigma.fill(sigma[rank - 1], rank);
  const factor = sigma.map((s) => Math.sqrt(n - 1) / (s + epsilon));
  // PCA component k = eigenvector k scaled by its factor (the k-th column of pycytominer's W).
  const scaled = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    for (let j = 0; j < d; j++) scaled[k * d + j] = vectors[k * d + j] * factor[k];
  }
  if (method === 'PCA' || method === 'PCA-cor') return { affine, components: matrix(d, d, scaled) };
  // ZCA rotates back: weights W·Vᵀ, whose column j (output feature j) is Σ_k v_k[j]·factor_k·v_k.
  const eigenColumns = matrix(d, d, transposeSquare(vectors, d));
  return { affine, components: productABt(eigenColumns, matrix(d, d, transposeSquare(scaled, d))) };
}

export function applySpherize(x: Matrix, s: Sphering): Matrix {
  return productABt(applyAffine(x, s.affine), s.components);
}

/** Output feature names: pycytominer renames PCA outputs PC1..PCd and keeps the input names for ZCA. */
export function spherizedFeatures(method: SpherizeMethod, input: readonly string[]): string[] {
  return method === 'PCA' || method === 'PCA-cor' ? input.map((_, k) => `PC${k + 1}`) : [...input];
}

/** `features`, the fit's column names, name a feature the scaling refuses (its index otherwise). */
function correlationScaler(fit: Matrix, features?: readonly string[]): Affine {
  const { variance } = columnMoments(fit);
  const zero = variance.findIndex((v) => v === 0);
  if (zero >= 0) {
    const name = features?.[zero] !== undefined ? `'${features[zero]}'` : `#${zero}`;
    throw new Error(`spherize: feature ${name} has zero variance on the fit rows (${fit.rows} rows); remove low-variance features first`);
  }
  return fitStandardize(fit);
}

function centering(fit: Matrix, center: boolean): Affine {
  const mean = center ? columnMoments(fit).mean : new Float64Array(fit.cols);
  return { center: mean, scale: new Float64Array(fit.cols).fill(1) };
}

function transposeSquare(a: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) out[j * d + i] = a[i * d + j];
  }
  return out;
}
