import { GRAM32_BOUND, TINY } from '../../numeric/gram32_kernel.ts';
import { crossProductParallel, crossProductScreen, type UpperTriangle } from '../../numeric/gram_parallel.ts';
import { crossProduct } from '../../numeric/linalg.ts';
import { type Matrix, type MatrixView, viewOf } from '../../numeric/matrix.ts';
import { type NativeColumns, nativeColumnExtents } from '../../numeric/native.ts';
import { forEachColumn, rowQuads } from '../columns.ts';
import { type Exclusion, stat } from './exclusion.ts';

/**
 * pycytominer `correlation_threshold` (Pearson): for every pair of features whose signed correlation exceeds
 * `threshold`, drop the one whose sum of |correlation| with all features (itself included) is larger. All
 * pairs are judged on the same correlation matrix, so a feature can go even if its partner goes too.
 *
 * Ties in that sum (identical columns have exactly equal sums) are broken by column order: the earlier
 * column is kept. pycytominer sorts the sums with numpy's default, unstable quicksort, so which twin it
 * keeps is an accident of the sort; any choice between identical columns gives the same data.
 *
 * On a large table the correlations are screened in float32 (`pearsonScreen`, twice the float64 speed) and
 * every decision the screen's error bound leaves open is taken on float64 values: a pair within the bound of
 * the threshold is correlated again exactly, and two features whose sums of |r| are within their bounds of
 * each other get exact sums. So the features dropped are those of the float64 correlation matrix; a
 * reason's numbers are the screen's (within 1e-5), and of partners equally correlated with a dropped feature
 * (twins) it may name another. `screen` forces the screen on (a test's small table) or off; by default it is
 * on where it pays (n·d²/2 ≥ SCREEN_WORK).
 */
export function correlationThreshold(
  x: Matrix | MatrixView,
  features: readonly string[],
  threshold: number,
  options: { screen?: boolean } = {},
): Exclusion[] {
  const view = viewOf(x);
  const d = view.cols.length;
  const { r, margin, screened, columns } = pearsonScreen(view, options.screen);
  const { data, offset, ld } = r;
  const at = (i: number, j: number) => (i <= j ? offset + i * ld + j : offset + j * ld + i);
  const exact = new ExactCorrelations(view, columns);
  // Entries the screen gave, within `margin` of their float64 values (the others are float64 already).
  const approximate = (i: number, j: number) => margin > 0 && screened[i] === 1 && screened[j] === 1;
  // Pairs (i > j) over the threshold, a pair the screen cannot place correlated again exactly; in the order
  // i, then j (which partner a dropped feature's reason names, of equally correlated ones).
  const over: [number, number][] = [];
  for (let j = 0; j < d; j++) {
    for (let i = j + 1; i < d; i++) {
      const k = offset + j * ld + i;
      if (approximate(i, j) && Math.abs(data[k] - threshold) <= margin) data[k] = exact.pair(i, j);
      if (data[k] > threshold) over.push([i, j]);
    }
  }
  over.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  // Sums of |r|, each over its column in order (the upper triangle's column above the diagonal, then its row),
  // and how far each may be from its float64 value: margin for each screened entry it adds.
  const sums = new Float64Array(d);
  const slack = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const row = offset + i * ld;
    for (let j = i; j < d; j++) {
      const v = data[row + j];
      if (Number.isNaN(v)) continue;
      const a = Math.abs(v);
      sums[i] += a;
      if (j !== i) sums[j] += a;
      if (approximate(i, j)) {
        slack[i] += margin;
        if (j !== i) slack[j] += margin;
      }
    }
  }
  // Pairs whose order by sum the screen cannot tell: both features get exact sums.
  const unsure = new Set<number>();
  for (const [i, j] of over) if (Math.abs(sums[i] - sums[j]) <= slack[i] + slack[j]) unsure.add(i).add(j);
  for (const [j, sum] of exact.sums([...unsure], (i, k) => data[at(i, k)], screened)) sums[j] = sum;
  // The larger sum goes; of equal sums, the later column (a total order, as a stable sort by sum gives).
  const drops = (i: number, j: number) => sums[i] > sums[j] || (sums[i] === sums[j] && i > j);
  // For each dropped feature, its most correlated partner among the pairs that dropped it.
  const partner = new Int32Array(d).fill(-1);
  for (const [i, j] of over) {
    const [drop, keep] = drops(i, j) ? [i, j] : [j, i];
    if (partner[drop] < 0 || data[at(i, j)] > data[at(drop, partner[drop])]) partner[drop] = keep;
  }
  const out: Exclusion[] = [];
  features.forEach((feature, j) => {
    const p = partner[j];
    if (p < 0) return;
    out.push({
      feature,
      detail:
        `pearson ${stat(data[at(j, p)])} > ${threshold} with ${features[p]}; ` +
        `sum |r| ${stat(sums[j])} vs ${stat(sums[p])}`,
    });
  });
  return out;
}

/** Below this many multiply-adds (n·d²/2) the float64 product is quick enough that screening buys nothing. */
const SCREEN_WORK = 2e8;
/** Exact sums are computed feature by feature up to this many; past it, the whole float64 matrix at once. */
const EXACT_ROWS = 16;

/**
 * Pearson correlations between columns as `pearsonMatrix` gives them, as an upper triangle (entry (i, j ≥ i)),
 * each entry between two `screened` columns within `margin` of it (margin 0: all exact). The screen covers
 * the complete columns (no missing value) that vary, each centred and scaled by a power of two to a largest
 * |value| in [1, 2) before it is rounded to float32 (so no product overflows, and the correlations do not
 * change); a column whose sum of squares is tiny on that scale (float32 subnormals) is correlated exactly.
 */
export function pearsonScreen(
  x: Matrix | MatrixView,
  screen?: boolean,
): { r: UpperTriangle; margin: number; screened: Uint8Array; columns: ColumnSummary } {
  const view = viewOf(x);
  const n = view.rows.length;
  const d = view.cols.length;
  const columns = columnSummary(view);
  const { means } = columns;
  const complete = columns.complete.filter((j) => columns.varies[j]);
  const worth = screen ?? (n * complete.length * complete.length) / 2 >= SCREEN_WORK;
  const gram = worth
    ? crossProductScreen(view.source, {
        rows: view.rows,
        cols: Int32Array.from(complete, (j) => view.cols[j]),
        center: Float64Array.from(complete, (j) => means[j]),
        scale: Float64Array.from(complete, (j) => powerOfTwoScale(columns.largest[j])),
      })
    : null;
  if (!gram) return { r: { data: pearsonFrom(view, columns), offset: 0, ld: d }, margin: 0, screened: new Uint8Array(d), columns };
  const c = complete.length;
  const diagonal = Float64Array.from(complete, (_, a) => gram.data[gram.offset + a * gram.ld + a]);
  const screened = new Uint8Array(d);
  complete.forEach((j, a) => (screened[j] = diagonal[a] >= TINY ? 1 : 0));
  // Every column screened (the usual table): the correlations overwrite the Gram matrix where it lies.
  // Else a d×d matrix, NaN where a constant column is, the others correlated pair by pair over complete rows.
  const inPlace = c === d && screened.every((v) => v === 1);
  const r: UpperTriangle = inPlace ? gram : { data: new Float64Array(d * d).fill(NaN), offset: 0, ld: d };
  for (let a = 0; a < c; a++) {
    const i = complete[a];
    if (!screened[i]) continue;
    const from = gram.offset + a * gram.ld;
    const to = r.offset + i * r.ld;
    for (let b = a; b < c; b++) {
      const j = complete[b];
      if (screened[j]) r.data[to + j] = clip(gram.data[from + b] / Math.sqrt(diagonal[a] * diagonal[b]));
    }
  }
  const rest = Array.from({ length: d }, (_, j) => j).filter((j) => !screened[j] && (columns.hasMissing[j] || columns.varies[j]));
  correlatePairwise(view, rest, (i, j, v) => (r.data[i <= j ? i * d + j : j * d + i] = v));
  // |r̃ − r| for r̃ = G̃_ab / √(G̃_aa·G̃_bb) where each G̃ is within e·√(G_aa·G_bb) of G (e = GRAM32_BOUND):
  // at most (|r|·e + e) / (1 − e), plus the float64 divisions' few ulps.
  return { r, margin: (2 * GRAM32_BOUND) / (1 - GRAM32_BOUND) + 1e-14, screened, columns };
}

/** 2^−e with 2^e ≤ largest < 2^(e+1): the column's largest |value| scaled into [1, 2) (1 for an all-zero column). */
function powerOfTwoScale(largest: number): number {
  if (!(largest > 0) || !Number.isFinite(largest)) return 1;
  return 2 ** -Math.floor(Math.log2(largest));
}

/**
 * Float64 correlations of screened (complete, varying) columns on demand: one pair, or every correlation of a
 * few features for their sums of |r|. Values are centred on the screen's means and multiplied and added in
 * row order, the same way for a pair and for a feature's row, so identical columns get identical results
 * (the tie-break between twins relies on it).
 */
class ExactCorrelations {
  private readonly squares = new Map<number, number>();

  private readonly means: Float64Array;

  constructor(
    private readonly view: MatrixView,
    private readonly columns: ColumnSummary,
  ) {
    this.means = columns.means;
  }

  pair(i: number, j: number): number {
    const { source, rows, cols } = this.view;
    const { data, cols: stride } = source;
    let s = 0;
    for (let r = 0; r < rows.length; r++) {
      const base = rows[r] * stride;
      s += (data[base + cols[i]] - this.means[i]) * (data[base + cols[j]] - this.means[j]);
    }
    return clip(s / Math.sqrt(this.square(i) * this.square(j)));
  }

  private square(j: number): number {
    let s = this.squares.get(j);
    if (s === undefined) {
      const { source, rows, cols } = this.view;
      s = 0;
      for (let r = 0; r < rows.length; r++) {
        const v = source.data[rows[r] * source.cols + cols[j]] - this.means[j];
        s += v * v;
      }
      this.squares.set(j, s);
    }
    return s;
  }

  /**
   * Float64 sums of |r| of features `which`, as [feature, sum]: their entries with the other screened columns
   * computed again (in one pass over the rows), the others (already float64 in `r`) as they are.
   */
  sums(which: number[], r: (i: number, j: number) => number, screened: Uint8Array): [number, number][] {
    if (which.length === 0) return [];
    const d = screened.length;
    const sumOf = (row: (k: number) => number) => {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const v = row(k);
        if (!Number.isNaN(v)) s += Math.abs(v);
      }
      return s;
    };
    if (which.length > EXACT_ROWS) {
      // Many close calls (a table of many near-duplicates): the float64 matrix once beats them one by one.
      const exact = pearsonFrom(this.view, this.columns);
      return which.map((j) => [j, sumOf((k) => exact[j * d + k])]);
    }
    // A feature the screen left out has float64 entries only.
    const own = which.filter((j) => !screened[j]).map((j): [number, number] => [j, sumOf((k) => r(j, k))]);
    which = which.filter((j) => screened[j]);
    const { source, rows, cols } = this.view;
    const { data, cols: stride } = source;
    const products = which.map(() => new Float64Array(d));
    const centred = new Float64Array(d);
    for (let r = 0; r < rows.length; r++) {
      const base = rows[r] * stride;
      for (let k = 0; k < d; k++) centred[k] = screened[k] ? data[base + cols[k]] - this.means[k] : 0;
      which.forEach((j, u) => {
        const a = centred[j];
        const out = products[u];
        for (let k = 0; k < d; k++) out[k] += a * centred[k];
      });
    }
    return [...own, ...which.map((j, u): [number, number] => [j, sumOf((k) => (screened[k] ? clip(products[u][k] / Math.sqrt(this.square(j) * this.square(k))) : r(j, k)))])];
  }
}

/**
 * Pearson correlations between columns, as pandas `DataFrame.corr()` defines them: each pair over the rows
 * where both are present, and NaN for a column that is constant there. Complete columns go through one
 * Gram matrix of centred values (the O(d²n) part: ~5 s at 1,700 features × 50,000 wells on one core),
 * centred on the fly rather than copied; only the few columns with missing values are correlated pair by pair.
 */
export function pearsonMatrix(x: Matrix | MatrixView): Float64Array {
  const view = viewOf(x);
  return pearsonFrom(view, columnSummary(view));
}

/** `pearsonMatrix` of a view whose column summary is known. */
function pearsonFrom(view: MatrixView, { complete, means, varies, hasMissing }: ColumnSummary): Float64Array {
  const { source, rows, cols } = view;
  const d = cols.length;
  const r = new Float64Array(d * d).fill(NaN);

  const c = complete.length;
  const product = { rows, cols: Int32Array.from(complete, (j) => cols[j]), center: Float64Array.from(complete, (j) => means[j]) };
  // On every core where the product is large enough to be worth it; the same bits either way.
  const gram = (crossProductParallel(source, product) ?? crossProduct(source, product)).data;
  for (let a = 0; a < c; a++) {
    if (!varies[complete[a]]) continue;
    for (let b = 0; b < c; b++) {
      if (!varies[complete[b]]) continue;
      r[complete[a] * d + complete[b]] = clip(gram[a * c + b] / Math.sqrt(gram[a * c + a] * gram[b * c + b]));
    }
  }

  // The rare case: the columns with missing values, pair by pair.
  const missing = Array.from({ length: d }, (_, j) => j).filter((j) => hasMissing[j]);
  correlatePairwise(view, missing, (i, j, v) => {
    r[i * d + j] = v;
    r[j * d + i] = v;
  });
  return r;
}

/**
 * set(i, j, r_ij) for every i of `which` (in order) and every column j, each pair over the rows where both are
 * present (pandas' `nancorr`), on contiguous copies of the columns (one column-major copy of the view).
 */
function correlatePairwise(view: MatrixView, which: readonly number[], set: (i: number, j: number, v: number) => void): void {
  if (which.length === 0) return;
  const column: Float64Array[] = [];
  forEachColumn(view, (_, values) => column.push(Float64Array.from(values)));
  for (const i of which) {
    for (let j = 0; j < column.length; j++) set(i, j, pairwiseComplete(column[i], column[j]));
  }
}

/**
 * One pass over the rows: each column's sum (in row order, for the means), smallest and largest value.
 * A column misses a value where its sum is NaN (or holds both infinities, which correlate to NaN either way),
 * and varies where its largest value exceeds its smallest: tested on the values themselves, since a
 * computed mean of identical values can miss them by an ulp and would then fake a tiny variance. The pass
 * runs natively where the addon is built, else in `columnExtents`.
 */
export interface ColumnSummary {
  /** The columns without a missing value. */
  readonly complete: number[];
  /** Sums in row order over n (NaN where a value is missing). */
  readonly means: Float64Array;
  readonly largest: Float64Array;
  readonly varies: Uint8Array;
  readonly hasMissing: Uint8Array;
}

export function columnSummary(view: MatrixView, native: NativeColumns | null = nativeColumnExtents()): ColumnSummary {
  const { source, rows, cols } = view;
  const n = rows.length;
  const d = cols.length;
  const sum = new Float64Array(d);
  const low = new Float64Array(d).fill(Infinity);
  const high = new Float64Array(d).fill(-Infinity);
  if (native) native(source.data, source.cols, rows, cols, sum, low, high);
  else columnExtents(view, sum, low, high);
  const complete: number[] = [];
  const hasMissing = new Uint8Array(d);
  const varies = new Uint8Array(d);
  const largest = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    if (Number.isNaN(sum[k])) hasMissing[k] = 1;
    else complete.push(k);
    varies[k] = high[k] > low[k] ? 1 : 0;
    largest[k] = Math.max(high[k], -low[k]);
  }
  return { complete, means: sum.map((v) => v / n), largest, varies, hasMissing };
}

/**
 * `columnSummary`'s pass in JavaScript, the rule of its native twin (native/column_moments.c's columnExtents:
 * the same comparisons and sums in the same order): each column's sum, smallest and largest value, into the
 * arrays given (0, +∞ and −∞ to start).
 */
function columnExtents(view: MatrixView, sum: Float64Array, low: Float64Array, high: Float64Array): void {
  const { source, rows, cols } = view;
  const n = rows.length;
  const d = cols.length;
  const quads = rowQuads(view);
  const whole = Math.floor(n / 4);
  for (let q = 0; q < whole; q++) {
    const [r0, r1, r2, r3] = quads.quad(q);
    for (let k = 0; k < d; k++) {
      const v0 = r0[k];
      const v1 = r1[k];
      const v2 = r2[k];
      const v3 = r3[k];
      sum[k] = sum[k] + v0 + v1 + v2 + v3;
      // NaN compares false: skipped.
      let h = high[k];
      h = v0 > h ? v0 : h;
      h = v1 > h ? v1 : h;
      h = v2 > h ? v2 : h;
      h = v3 > h ? v3 : h;
      high[k] = h;
      let l = low[k];
      l = v0 < l ? v0 : l;
      l = v1 < l ? v1 : l;
      l = v2 < l ? v2 : l;
      l = v3 < l ? v3 : l;
      low[k] = l;
    }
  }
  for (let r = 4 * whole; r < n; r++) {
    const base = rows[r] * source.cols;
    for (let k = 0; k < d; k++) {
      const v = source.data[base + cols[k]];
      sum[k] += v;
      if (v > high[k]) high[k] = v;
      if (v < low[k]) low[k] = v;
    }
  }
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
