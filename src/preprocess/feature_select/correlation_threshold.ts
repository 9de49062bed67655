import { crossProduct } from '../../numeric/linalg.ts';
import { type Matrix, matrix } from '../../numeric/matrix.ts';
import { type Exclusion, stat } from './exclusion.ts';

/**
 * pycytominer `correlation_threshold` (Pearson): for every pair of features whose signed correlation exceeds
 * `threshold`, drop the one whose sum of |correlation| with all features (itself included) is larger. All
 * pairs are judged on the same correlation matrix, so a feature can go even if its partner goes too.
 *
 * Ties in that sum (identical columns have exactly equal sums) are broken by column order: the earlier
 * column is kept. pycytominer sorts the sums with numpy's default, unstable quicksort, so which twin it
 * keeps is an accident of the sort; any choice between identical columns gives the same data.
 */
export function correlationThreshold(x: Matrix, features: readonly string[], threshold: number): Exclusion[] {
  const d = x.cols;
  const r = pearsonMatrix(x);
  const sums = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const v = r[i * d + j];
      if (!Number.isNaN(v)) sums[j] += Math.abs(v);
    }
  }
  const order = Array.from({ length: d }, (_, j) => j).sort((a, b) => sums[a] - sums[b] || a - b);
  const rank = new Int32Array(d);
  order.forEach((j, k) => (rank[j] = k));
  // For each dropped feature, its most correlated partner among the pairs that dropped it.
  const partner = new Int32Array(d).fill(-1);
  for (let i = 1; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const v = r[i * d + j];
      if (!(v > threshold)) continue;
      const [drop, keep] = rank[i] > rank[j] ? [i, j] : [j, i];
      if (partner[drop] < 0 || v > r[drop * d + partner[drop]]) partner[drop] = keep;
    }
  }
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    const p = partner[j];
    if (p < 0) return;
    out.push({
      feature,
      detail:
        `pearson ${stat(r[j * d + p])} > ${threshold} with ${features[p]}; ` +
        `sum |r| ${stat(sums[j])} vs ${stat(sums[p])}`,
    });
  });
  return out;
}

/**
 * Pearson correlations between columns, as pandas `DataFrame.corr()` defines them: each pair over the rows
 * where both are present, and NaN for a column that is constant there. Complete columns go through one
 * Gram matrix of centred values (the O(d²n) part, fast at 1,700 features × 50,000 wells); only the few
 * columns with missing values are correlated pair by pair.
 */
export function pearsonMatrix(x: Matrix): Float64Array {
  const { rows: n, cols: d, data } = x;
  const hasMissing = new Uint8Array(d);
  for (let k = 0; k < data.length; k++) if (Number.isNaN(data[k])) hasMissing[k % d] = 1;
  const complete: number[] = [];
  for (let j = 0; j < d; j++) if (!hasMissing[j]) complete.push(j);
  const r = new Float64Array(d * d).fill(NaN);

  const c = complete.length;
  const centred = new Float64Array(n * c);
  complete.forEach((j, k) => {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * d + j];
    mean /= n;
    for (let i = 0; i < n; i++) centred[i * c + k] = data[i * d + j] - mean;
  });
  const gram = crossProduct(matrix(n, c, centred)).data;
  const constant = complete.map((j) => isConstant(x, j, () => true));
  for (let a = 0; a < c; a++) {
    if (constant[a]) continue;
    for (let b = 0; b < c; b++) {
      if (constant[b]) continue;
      r[complete[a] * d + complete[b]] = clip(gram[a * c + b] / Math.sqrt(gram[a * c + a] * gram[b * c + b]));
    }
  }

  for (let i = 0; i < d; i++) {
    if (!hasMissing[i]) continue;
    for (let j = 0; j < d; j++) {
      const v = pairwiseComplete(x, i, j);
      r[i * d + j] = v;
      r[j * d + i] = v;
    }
  }
  return r;
}

/** Correlation of columns i and j over the rows where both are present (pandas' `nancorr`). */
function pairwiseComplete(x: Matrix, i: number, j: number): number {
  const { rows: n, cols: d, data } = x;
  const both = (row: number) => !Number.isNaN(data[row * d + i]) && !Number.isNaN(data[row * d + j]);
  if (isConstant(x, i, both) || isConstant(x, j, both)) return NaN;
  let count = 0;
  let mi = 0;
  let mj = 0;
  for (let row = 0; row < n; row++) {
    if (!both(row)) continue;
    count++;
    mi += data[row * d + i];
    mj += data[row * d + j];
  }
  mi /= count;
  mj /= count;
  let sij = 0;
  let sii = 0;
  let sjj = 0;
  for (let row = 0; row < n; row++) {
    if (!both(row)) continue;
    const a = data[row * d + i] - mi;
    const b = data[row * d + j] - mj;
    sij += a * b;
    sii += a * a;
    sjj += b * b;
  }
  return clip(sij / Math.sqrt(sii * sjj));
}

/**
 * Whether column j takes a single value (or none) on the selected rows. Tested on the values themselves:
 * a computed mean of identical values can miss them by an ulp, and would then fake a tiny variance.
 */
function isConstant(x: Matrix, j: number, selected: (row: number) => boolean): boolean {
  let first = NaN;
  for (let row = 0; row < x.rows; row++) {
    if (!selected(row)) continue;
    const v = x.data[row * x.cols + j];
    if (Number.isNaN(first)) first = v;
    else if (v !== first) return false;
  }
  return true;
}

function clip(v: number): number {
  return v > 1 ? 1 : v < -1 ? -1 : v;
}
