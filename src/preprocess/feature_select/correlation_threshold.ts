import { crossProductParallel } from '../../numeric/gram_parallel.ts';
import { crossProduct } from '../../numeric/linalg.ts';
import { type Matrix, type MatrixView, viewOf } from '../../numeric/matrix.ts';
import { forEachColumn } from '../columns.ts';
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
export function correlationThreshold(x: Matrix | MatrixView, features: readonly string[], threshold: number): Exclusion[] {
  const d = viewOf(x).cols.length;
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
 * Gram matrix of centred values (the O(d²n) part: ~5 s at 1,700 features × 50,000 wells on one core),
 * centred on the fly rather than copied; only the few columns with missing values are correlated pair by pair.
 */
export function pearsonMatrix(x: Matrix | MatrixView): Float64Array {
  const view = viewOf(x);
  const { source, rows, cols } = view;
  const { data, cols: stride } = source;
  const n = rows.length;
  const d = cols.length;
  // One pass over the rows: which columns miss a value, their sums (in row order, for the means) and
  // whether each takes a single value. Tested on the values themselves: a computed mean of identical values
  // can miss them by an ulp, and would then fake a tiny variance.
  const hasMissing = new Uint8Array(d);
  const sum = new Float64Array(d);
  const firstValue = new Float64Array(d);
  const varies = new Uint8Array(d);
  for (let r = 0; r < n; r++) {
    const base = rows[r] * stride;
    for (let k = 0; k < d; k++) {
      const v = data[base + cols[k]];
      if (Number.isNaN(v)) hasMissing[k] = 1;
      sum[k] += v;
      if (r === 0) firstValue[k] = v;
      else if (v !== firstValue[k]) varies[k] = 1;
    }
  }
  const complete: number[] = [];
  for (let j = 0; j < d; j++) if (!hasMissing[j]) complete.push(j);
  const r = new Float64Array(d * d).fill(NaN);

  const c = complete.length;
  const product = { rows, cols: Int32Array.from(complete, (j) => cols[j]), center: Float64Array.from(complete, (j) => sum[j] / n) };
  // On every core where the product is large enough to be worth it; the same bits either way.
  const gram = (crossProductParallel(source, product) ?? crossProduct(source, product)).data;
  for (let a = 0; a < c; a++) {
    if (!varies[complete[a]]) continue;
    for (let b = 0; b < c; b++) {
      if (!varies[complete[b]]) continue;
      r[complete[a] * d + complete[b]] = clip(gram[a * c + b] / Math.sqrt(gram[a * c + a] * gram[b * c + b]));
    }
  }

  if (c < d) {
    // The rare case: pair by pair over contiguous copies of the columns (one column-major copy of the view).
    const column: Float64Array[] = [];
    forEachColumn(view, (_, values) => column.push(Float64Array.from(values)));
    for (let i = 0; i < d; i++) {
      if (!hasMissing[i]) continue;
      for (let j = 0; j < d; j++) {
        const v = pairwiseComplete(column[i], column[j]);
        r[i * d + j] = v;
        r[j * d + i] = v;
      }
    }
  }
  return r;
}

/** Correlation of columns a and b over the rows where both are present (pandas' `nancorr`). */
function pairwiseComplete(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const both = (row: number) => !Number.isNaN(a[row]) && !Number.isNaN(b[row]);
  if (isConstant(a, both) || isConstant(b, both)) return NaN;
  let count = 0;
  let ma = 0;
  let mb = 0;
  for (let row = 0; row < n; row++) {
    if (!both(row)) continue;
    count++;
    ma += a[row];
    mb += b[row];
  }
  ma /= count;
  mb /= count;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let row = 0; row < n; row++) {
    if (!both(row)) continue;
    const u = a[row] - ma;
    const w = b[row] - mb;
    sab += u * w;
    saa += u * u;
    sbb += w * w;
  }
  return clip(sab / Math.sqrt(saa * sbb));
}

/** Whether a column takes a single value (or none) on the selected rows. */
function isConstant(values: Float64Array, selected: (row: number) => boolean): boolean {
  let first = NaN;
  for (let row = 0; row < values.length; row++) {
    if (!selected(row)) continue;
    const v = values[row];
    if (Number.isNaN(first)) first = v;
    else if (v !== first) return false;
  }
  return true;
}

function clip(v: number): number {
  return v > 1 ? 1 : v < -1 ? -1 : v;
}
