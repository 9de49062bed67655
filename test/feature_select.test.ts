import { describe, expect, it } from 'vitest';
import type { Profiles } from '../src/data/profiles.ts';
import { type Matrix, matrix } from '../src/numeric/matrix.ts';
import { type FeatureSelectSettings, keepFeatures, selectFeatures } from '../src/preprocess/feature_select.ts';
import { blocklist } from '../src/preprocess/feature_select/blocklist.ts';
import { correlationThreshold, pearsonMatrix } from '../src/preprocess/feature_select/correlation_threshold.ts';
import { dropNaColumns } from '../src/preprocess/feature_select/drop_na_columns.ts';
import { dropOutliers } from '../src/preprocess/feature_select/drop_outliers.ts';
import { frequencyThreshold, valueCounts } from '../src/preprocess/feature_select/frequency_threshold.ts';
import { nativeValueCounts } from '../src/numeric/native.ts';
import { varianceThreshold } from '../src/preprocess/feature_select/variance_threshold.ts';
import type { StageContext } from '../src/run/stage.ts';
import { selectProfileFeatures, selectStage } from '../src/stages/select.ts';

/** A matrix from columns. */
function fromColumns(cols: number[][]): Matrix {
  const rows = cols[0].length;
  const out = matrix(rows, cols.length);
  cols.forEach((c, j) => c.forEach((v, i) => (out.data[i * cols.length + j] = v)));
  return out;
}

const names = (e: { feature: string }[]) => e.map((x) => x.feature);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('dropNaColumns', () => {
  it('drops a feature with more missing values than the cutoff (not equal to it)', () => {
    const x = fromColumns([range(10), [NaN, ...range(9)], [NaN, NaN, ...range(8)]]);
    const out = dropNaColumns(x, ['full', 'tenth', 'fifth'], 0.1);
    expect(out).toEqual([{ feature: 'fifth', detail: '2/10 values missing (0.2 > na_cutoff 0.1)' }]);
  });

  it('counts missing values at any place of a wide row, and none in a column or row outside the view', () => {
    // 21 columns: the row is read eight values at a time plus a tail of five.
    const columns = Array.from({ length: 21 }, () => [0.5, -0.5, 1, -1, 0]);
    columns[2][0] = columns[2][3] = NaN; // in the first eight, two of the view's four rows
    columns[13][4] = NaN; // in the second eight
    columns[19][1] = columns[19][2] = columns[19][4] = NaN; // in the tail
    columns[7][0] = NaN; // a column outside the view
    columns[5][3] = columns[10][3] = NaN; // row 3, outside the view
    const source = fromColumns(columns);
    const cols = Int32Array.from({ length: 21 }, (_, j) => j).filter((j) => j !== 7);
    const view = { source, rows: Int32Array.from([4, 2, 0, 1]), cols };
    const features = Array.from(cols, (j) => `f${j}`);
    // Row 3 is outside the view: f2 keeps one missing value (row 0), f5 and f10 none.
    expect(dropNaColumns(view, features, 0.2)).toEqual([
      { feature: 'f2', detail: '1/4 values missing (0.25 > na_cutoff 0.2)' },
      { feature: 'f13', detail: '1/4 values missing (0.25 > na_cutoff 0.2)' },
      { feature: 'f19', detail: '3/4 values missing (0.75 > na_cutoff 0.2)' },
    ]);
  });

  it('counts infinities as values, as pandas isna does, in rows whose sum is NaN without any NaN', () => {
    // Row 0: +∞ and −∞ (sum NaN, nothing missing); row 1: a sum that overflows; row 2: one NaN.
    const x = fromColumns([
      [Infinity, 1.7e308, 1],
      [-Infinity, 1.7e308, NaN],
      [0, -1.7e308, 2],
      [1, -1.7e308, 3],
    ]);
    expect(dropNaColumns(x, ['a', 'b', 'c', 'd'], 0)).toEqual([{ feature: 'b', detail: '1/3 values missing (0.3333 > na_cutoff 0)' }]);
  });
});

describe('frequencyThreshold', () => {
  const rare = [...Array(38).fill(0), 1, 2]; // counts 38, 1, 1: 1/38 < 0.05
  const borderline = [...Array(20).fill(0), ...range(20).map((i) => i + 1)]; // 1/20 = 0.05, not below
  const constant = Array(40).fill(3);
  const twoValues = [...Array(20).fill(0), ...Array(20).fill(1)]; // 2 distinct / 40 rows = 0.05
  const x = fromColumns([range(40), rare, borderline, constant, twoValues]);
  const features = ['distinct', 'rare', 'borderline', 'constant', 'twoValues'];

  it('drops rare second values and single-valued features', () => {
    const out = frequencyThreshold(x, features, 0.05, 0.01);
    expect(names(out)).toEqual(['rare', 'constant']);
    expect(out[0].detail).toBe('second/most common value count 1/38 = 0.02632 < freq_cut 0.05');
  });

  it('drops features with few distinct values relative to the rows', () => {
    expect(names(frequencyThreshold(x, features, 0.05, 0.1))).toEqual(['rare', 'constant', 'twoValues']);
  });

  it('ignores missing values when counting but counts their rows', () => {
    const withNa = fromColumns([[1, 2, NaN, NaN]]);
    expect(frequencyThreshold(withNa, ['f'], 0.05, 0.5)).toEqual([]);
    expect(frequencyThreshold(withNa, ['f'], 0.05, 0.6)).toEqual([
      { feature: 'f', detail: '2 distinct values / 4 rows = 0.5 < unique_cut 0.6' },
    ]);
  });
});

describe('frequencyThreshold counting', () => {
  /** Distinct values and the two largest counts by sorting (the plain way), NaN left out. */
  function sortedCounts(values: number[]): { distinct: number; first: number; second: number } {
    const sorted = Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort();
    const counts: number[] = [];
    for (let i = 0; i < sorted.length; ) {
      let k = i + 1;
      while (k < sorted.length && sorted[k] === sorted[i]) k++;
      counts.push(k - i);
      i = k;
    }
    counts.sort((p, q) => q - p);
    return { distinct: counts.length, first: counts[0] ?? 0, second: counts[1] ?? 0 };
  }

  it('counts as sorting would, with repeats, −0 = 0, missing values, integers and huge or tiny values', () => {
    let seed = 7;
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const pools = [
      () => Math.floor(next() * 5), // few integers
      () => (next() < 0.5 ? 0 : -0),
      () => (next() < 0.2 ? NaN : next()),
      () => [1e300, -1e-300, 5e-324, 2 ** 52, 0.1 + 0.2, 0.3][Math.floor(next() * 6)],
      () => next() - 0.5, // all distinct
      () => (next() < 0.9 ? 1 : next()), // one dominant value
    ];
    const columns = Array.from({ length: 24 }, (_, j) => Array.from({ length: 300 }, pools[j % pools.length]));
    const features = columns.map((_, j) => `f${j}`);
    // Cut-offs above every possible ratio: each feature is dropped, and its detail shows the counts.
    const out = frequencyThreshold(fromColumns(columns), features, 1.5, 1.5);
    expect(out).toHaveLength(columns.length);
    columns.forEach((col, j) => {
      const { distinct, first, second } = sortedCounts(col);
      expect(out[j].detail).toContain(distinct < 2 ? `${distinct} distinct value` : `value count ${second}/${first} =`);
      expect(out[j].detail).toContain(`${distinct} distinct values / 300 rows`);
    });
  });

  /** `valueCounts` by `counter` (null: the JavaScript) against sorting, over a view of some rows and columns. */
  function countsAsSorting(counter: ReturnType<typeof nativeValueCounts>) {
    let seed = 11;
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const pools = [() => Math.floor(next() * 7), () => (next() < 0.5 ? 0 : -0), () => (next() < 0.3 ? NaN : Math.floor(next() * 3)), () => next()];
    // 300 columns: the native gather takes 128 at a time.
    const columns = Array.from({ length: 300 }, (_, j) => Array.from({ length: 500 }, pools[j % pools.length]));
    const x = fromColumns(columns);
    const rows = Int32Array.from({ length: 250 }, (_, i) => 2 * i + (i % 2));
    const cols = Int32Array.from({ length: 290 }, (_, k) => (k * 7) % 300);
    const counts = valueCounts({ source: x, rows, cols }, counter);
    cols.forEach((c, k) => {
      const { distinct, first, second } = sortedCounts(Array.from(rows, (r) => columns[c][r]));
      expect([k, ...counts.subarray(3 * k, 3 * k + 3)]).toEqual([k, distinct, first, second]);
    });
  }
  it('counts in JavaScript as sorting would, over a view of some rows and columns', () => countsAsSorting(null));
  const native = nativeValueCounts();
  it.skipIf(!native)(`counts natively as sorting would, past a block of columns${native ? '' : ' [skipped: the native addon is not loaded (not built, or ADS_NATIVE=0)]'}`, () => countsAsSorting(native));
});

describe('varianceThreshold', () => {
  it('drops features with population variance below the minimum', () => {
    const x = fromColumns([[1, 1.0001, 1, 1.0001], [0, 1, 0, 1], [NaN, NaN, NaN, NaN]]);
    const out = varianceThreshold(x, ['tiny', 'unit', 'empty'], 1e-6);
    expect(names(out)).toEqual(['tiny']); // variance 2.5e-9
  });
});

describe('dropOutliers', () => {
  it('drops a feature whose largest absolute value exceeds the cutoff', () => {
    const x = fromColumns([[-600, 1], [499, -499], [NaN, 501]]);
    expect(dropOutliers(x, ['low', 'inside', 'high'], 500)).toEqual([
      { feature: 'low', detail: 'max |value| 600 > outlier_cutoff 500' },
      { feature: 'high', detail: 'max |value| 501 > outlier_cutoff 500' },
    ]);
  });

  it('finds an outlier at any place of a wide row, and not in a column or row outside the view', () => {
    // 21 columns: the row is read eight values at a time plus a tail of five.
    const columns = Array.from({ length: 21 }, () => [0.5, -0.5, 1, -1, 0]);
    columns[3][2] = 700; // in the first eight
    columns[10][4] = -501; // in the second eight
    columns[20][0] = 600; // in the tail
    columns[7][1] = 1e6; // a column outside the view
    columns[12][3] = 900; // a row outside the view
    columns[15] = [NaN, NaN, NaN, NaN, NaN];
    const source = fromColumns(columns);
    const cols = Int32Array.from({ length: 21 }, (_, j) => j).filter((j) => j !== 7);
    const view = { source, rows: Int32Array.from([4, 2, 0, 1]), cols };
    const features = Array.from(cols, (j) => `f${j}`);
    expect(dropOutliers(view, features, 500)).toEqual([
      { feature: 'f3', detail: 'max |value| 700 > outlier_cutoff 500' },
      { feature: 'f10', detail: 'max |value| 501 > outlier_cutoff 500' },
      { feature: 'f20', detail: 'max |value| 600 > outlier_cutoff 500' },
    ]);
  });
});

describe('column reductions on a view', () => {
  it('read chosen rows and columns (out of order, 7 rows: not a multiple of four) as the copied table gives', () => {
    // Column 0 has a missing value in the view's last row, column 2 an outlier there and in no other row.
    const source = fromColumns([
      [1, 2, NaN, 4, 8, 16, 32, NaN, 64, 128],
      [5, 5, 5, 5, 5, 5, 5, 5, 5, 5.5],
      [0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -900, 0.9, -1],
    ]);
    const rows = Int32Array.from([9, 0, 3, 5, 1, 4, 2]);
    const cols = Int32Array.from([2, 0, 1]);
    const view = { source, rows, cols };
    const copy = matrix(rows.length, cols.length);
    rows.forEach((r, i) => cols.forEach((c, k) => (copy.data[i * 3 + k] = source.data[r * 3 + c])));
    const features = ['c', 'a', 'b'];
    for (const [viewed, copied] of [
      [dropNaColumns(view, features, 0.1), dropNaColumns(copy, features, 0.1)],
      [dropOutliers(view, features, 0.95), dropOutliers(copy, features, 0.95)],
      [varianceThreshold(view, features, 0.0307), varianceThreshold(copy, features, 0.0307)],
    ]) expect(viewed).toEqual(copied);
    // By hand: a's view values are 128, 1, 4, 16, 2, 8, NaN (one of 7 missing); c's largest |value| is 1, in
    // row 9 (its -900 is in row 7, outside the view); b's are 5.5 once and 5 six times.
    expect(dropNaColumns(view, features, 0.1)).toEqual([{ feature: 'a', detail: '1/7 values missing (0.1429 > na_cutoff 0.1)' }]);
    expect(dropOutliers(view, features, 0.95)).toEqual([
      { feature: 'c', detail: 'max |value| 1 > outlier_cutoff 0.95' },
      { feature: 'a', detail: 'max |value| 128 > outlier_cutoff 0.95' },
      { feature: 'b', detail: 'max |value| 5.5 > outlier_cutoff 0.95' },
    ]);
    // b's population variance on the view: 0.25·6/49 = 0.030612…
    expect(names(varianceThreshold(view, features, 0.0306))).toEqual([]);
    expect(names(varianceThreshold(view, features, 0.0307))).toEqual(['b']);
  });
});

describe('blocklist', () => {
  it('matches whole names, literally or as regular expressions', () => {
    const out = blocklist(['Cells_A', 'Cells_AB', 'Nuclei_Location_X'], ['Cells_A', '.*_Location_.*']);
    expect(out).toEqual([
      { feature: 'Cells_A', detail: 'in blocklist' },
      { feature: 'Nuclei_Location_X', detail: "matches blocklist pattern '.*_Location_.*'" },
    ]);
  });
});

describe('correlationThreshold on the float32 screen', () => {
  // Rows 1.. of the Sylvester–Hadamard matrix of order n: zero-mean, mutually orthogonal ±1 columns, so the
  // correlations of their combinations are known in closed form; the screen errs by ~1e-8 on these.
  const hadamard = (n: number, k: number) => range(n).map((i) => (popcount(i & k) % 2 ? -1 : 1));
  const popcount = (v: number) => v.toString(2).split('').filter((b) => b === '1').length;
  const combine = (terms: [number, number[]][]) => terms[0][1].map((_, i) => terms.reduce((s, [w, h]) => s + w * h[i], 0));

  it('takes a pair within 1e-9 of the threshold on its float64 correlation', () => {
    // Pair k: x = h₁, y = 0.9·h₁ + β·h₂ with r(x, y) = 0.9/√(0.81 + β²) = 0.9 + 1e-9 (k even: y goes) or
    // 0.9 − 1e-9 (k odd: both stay); z = h₂ gives y the larger sum (r(y, z) ≈ 0.436, r(x, z) = 0).
    const columns: number[][] = [];
    const features: string[] = [];
    for (let k = 0; k < 20; k++) {
      const r = 0.9 + (k % 2 ? -1e-9 : 1e-9);
      const beta = Math.sqrt(0.81 / (r * r) - 0.81);
      const [h1, h2] = [hadamard(64, 2 * k + 1), hadamard(64, 2 * k + 2)];
      columns.push(h1, combine([[0.9, h1], [beta, h2]]), h2);
      features.push(`x${k}`, `y${k}`, `z${k}`);
    }
    const expected = range(10).map((k) => `y${2 * k}`);
    expect(names(correlationThreshold(fromColumns(columns), features, 0.9, { screen: false }))).toEqual(expected);
    expect(names(correlationThreshold(fromColumns(columns), features, 0.9, { screen: true }))).toEqual(expected);
  });

  it('orders two sums 1e-9 apart on their float64 values', () => {
    // p = e₁, q = 0.95·e₁ + sinθ·e₂, u = cosφ·e₃ + 0.5·e₁, v = cosψ·e₄ + sinψ·e₂ (eᵢ orthogonal, equal norms):
    // sum |r| of p is 1 + 0.95 + 0.5 = 2.45, of q 0.95 + 1 + 0.475 + sinθ·sinψ, set to 2.45 ± 1e-9; (p, q) is
    // the one pair over 0.9, so q goes when its sum is the larger, else p.
    const columns: number[][] = [];
    const features: string[] = [];
    const sinTheta = Math.sqrt(1 - 0.95 ** 2);
    for (const [k, sign] of [[0, 1], [1, -1]] as const) {
      const e = [1, 2, 3, 4].map((m) => hadamard(16, 4 * k + m));
      const sinPsi = (0.025 + sign * 1e-9) / sinTheta;
      columns.push(
        e[0],
        combine([[0.95, e[0]], [sinTheta, e[1]]]),
        combine([[Math.sqrt(0.75), e[2]], [0.5, e[0]]]),
        combine([[Math.sqrt(1 - sinPsi ** 2), e[3]], [sinPsi, e[1]]]),
      );
      features.push(`p${k}`, `q${k}`, `u${k}`, `v${k}`);
    }
    for (const screen of [false, true]) {
      expect(names(correlationThreshold(fromColumns(columns), features, 0.9, { screen }))).toEqual(['q0', 'p1']);
    }
  });

  it('keeps the earlier of two identical columns, and drops what the float64 path drops', () => {
    const a = range(40).map((i) => Math.sin(i) + i / 40);
    const b = range(40).map((i) => Math.cos(i / 3));
    const c = a.map((v, i) => v + b[i] / 3);
    const table = fromColumns([c, a, b, a]);
    const features = ['c', 'a', 'b', 'a2'];
    expect(names(correlationThreshold(table, features, 0.9, { screen: true }))).toEqual(names(correlationThreshold(table, features, 0.9, { screen: false })));
    expect(names(correlationThreshold(table, features, 0.99, { screen: true }))).toEqual(['a2']);
  });

  it('settles many tied sums at once (nine pairs of twins: eighteen exact sums, past the one-by-one limit)', () => {
    const bases = range(9).map((k) => range(50).map((i) => Math.sin(i * (k + 1.5)) + Math.cos(i / (k + 2))));
    const table = fromColumns(bases.flatMap((v) => [v, [...v]]));
    const features = range(9).flatMap((k) => [`t${k}`, `t${k}_twin`]);
    const expected = correlationThreshold(table, features, 0.9, { screen: false });
    expect(names(expected)).toEqual(expect.arrayContaining(range(9).map((k) => `t${k}_twin`)));
    expect(names(correlationThreshold(table, features, 0.9, { screen: true }))).toEqual(names(expected));
  });
});

describe('correlationThreshold', () => {
  // a = 1..8; c is orthogonal to a; b = a + c/2: r(a,b) = √(5.25/5.5) ≈ 0.977, r(b,c) = 0.5/√5.5 ≈ 0.213,
  // r(a,c) = 0. Sums of |r|: a 1.977, b 2.190, c 1.213, so b goes.
  const a = range(8).map((i) => i + 1);
  const c = [1, -1, -1, 1, 1, -1, -1, 1];
  const b = a.map((v, i) => v + c[i] / 2);

  it('drops the feature of a correlated pair with the larger sum of |r|, whatever the column order', () => {
    expect(correlationThreshold(fromColumns([a, b, c]), ['a', 'b', 'c'], 0.9)).toEqual([
      { feature: 'b', detail: 'pearson 0.977 > 0.9 with a; sum |r| 2.19 vs 1.977' },
    ]);
    expect(names(correlationThreshold(fromColumns([b, a, c]), ['b', 'a', 'c'], 0.9))).toEqual(['b']);
  });

  it('compares signed correlations, so anti-correlated features stay', () => {
    expect(correlationThreshold(fromColumns([a, a.map((v) => -v)]), ['a', 'minus'], 0.9)).toEqual([]);
  });

  it('keeps the earlier of two identical columns', () => {
    expect(names(correlationThreshold(fromColumns([c, a, b, a]), ['c', 'a', 'b', 'a2'], 0.99))).toEqual(['a2']);
  });

  it('correlates columns with missing values over their complete rows and gives constants NaN', () => {
    const withNa = [1, 2, NaN, 4, 5, 6, 7, 9];
    const r = pearsonMatrix(fromColumns([a, withNa, Array(8).fill(2)]));
    const rows = [0, 1, 3, 4, 5, 6, 7];
    const x = rows.map((i) => a[i]);
    const y = rows.map((i) => withNa[i]);
    const mx = x.reduce((s, v) => s + v, 0) / 7;
    const my = y.reduce((s, v) => s + v, 0) / 7;
    const sxy = x.reduce((s, v, k) => s + (v - mx) * (y[k] - my), 0);
    const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
    const syy = y.reduce((s, v) => s + (v - my) ** 2, 0);
    expect(r[1]).toBeCloseTo(sxy / Math.sqrt(sxx * syy), 14);
    expect(r[3]).toBe(r[1]);
    expect(r[0]).toBe(1);
    expect(r.slice(6, 9).every(Number.isNaN)).toBe(true);
  });
});

describe('selectFeatures', () => {
  const a = range(8).map((i) => i + 1);
  const c = [1, -1, -1, 1, 1, -1, -1, 1];
  const b = a.map((v, i) => v + c[i] / 2);
  // a scaled ×100 is an outlier (max 800) with the same correlations as a.
  const profiles: Profiles = {
    metadata: { Metadata_Well: range(8).map(String) },
    features: ['big_a', 'b', 'c'],
    values: fromColumns([a.map((v) => 100 * v), b, c]),
  };
  const settings = (operations: FeatureSelectSettings['operations']): FeatureSelectSettings => ({
    operations, na_cutoff: 0.05, freq_cut: 0.05, unique_cut: 0.01, min_variance: 1e-6,
    corr_threshold: 0.9, outlier_cutoff: 500, blocklist: [],
  });
  const all = range(8);

  it('runs the operations in order, each on what the previous kept, and records who dropped what', () => {
    const corrFirst = selectFeatures(profiles, settings(['correlation_threshold', 'drop_outliers']), all);
    expect(corrFirst.kept).toEqual(['c']);
    expect(corrFirst.dropped.map((d) => [d.feature, d.operation])).toEqual([['b', 'correlation_threshold'], ['big_a', 'drop_outliers']]);
    const outliersFirst = selectFeatures(profiles, settings(['drop_outliers', 'correlation_threshold']), all);
    expect(outliersFirst.kept).toEqual(['b', 'c']);
    expect(outliersFirst.dropped.map((d) => [d.feature, d.operation])).toEqual([['big_a', 'drop_outliers']]);
  });

  it('a selection that keeps no feature, or one, stops the run naming why (the evaluations correlate across features); two warn', async () => {
    const table: Profiles = { ...profiles, metadata: { ...profiles.metadata, Metadata_set: range(8).map(() => 'train') } };
    const roles = { plate: 'Metadata_Plate', well: 'Metadata_Well', perturbation: 'Metadata_pert', moa: null, dose: null, batch: null, control: { column: 'Metadata_role', values: ['control'] }, replicateBy: ['Metadata_pert'] };
    const run = (operations: FeatureSelectSettings['operations'], outlier_cutoff: number) =>
      selectProfileFeatures(table, roles, { ...settings(operations), operations: [...operations], blocklist: [], outlier_cutoff, fit_on: 'all_wells' });
    // c alone is left by the correlation filter and the outlier cutoff: one feature.
    expect(() => run(['correlation_threshold', 'drop_outliers'], 500)).toThrow(
      "feature selection kept 1 of the 3 features ('c'): percent replicating and mAP correlate wells across features, which one feature cannot give",
    );
    // Every feature beyond a cutoff of 0.1: none, with the count per operation and an example.
    expect(() => run(['drop_outliers'], 0.1)).toThrow(/^feature selection kept none of the 3 features \(3 by drop_outliers; e\.g\. 'big_a': max \|value\| 800 > outlier_cutoff 0\.1\)/);
    expect(run(['drop_outliers'], 500).profiles.features).toEqual(['b', 'c']);
    // Two: the run goes on, warned that every correlation across two features is ±1.
    const ctx = { roles, spec: { feature_select: { ...settings(['drop_outliers']), operations: ['drop_outliers'], blocklist: [], fit_on: 'all_wells' } } } as unknown as StageContext;
    expect((await selectStage.run({ normalized: table }, ctx)).warnings).toEqual([
      'feature selection kept 2 of the 3 features: correlations across two features are all ±1, so percent replicating and mAP tell little',
    ]);
  });

  it('decides on the fit rows only', () => {
    const fit = selectFeatures(profiles, settings(['drop_outliers']), [0, 1, 2, 3]); // big_a ≤ 400 there
    expect(fit.kept).toEqual(['big_a', 'b', 'c']);
  });

  it('judges the fit rows in place exactly as a copy of them', () => {
    // Columns of every kind the operations care about: missing values, constants, twins, outliers, repeats.
    let seed = 11;
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const n = 120;
    const base = range(n).map(() => next());
    const columns = [
      base,
      base.map((v) => 3 * v + 0.001 * next()),
      range(n).map(() => (next() < 0.1 ? NaN : next())),
      range(n).map(() => 7),
      base,
      range(n).map(() => Math.floor(next() * 3)),
      range(n).map((i) => (i === 5 ? 900 : next())),
      range(n).map(() => next() - 0.5),
    ];
    const table: Profiles = { metadata: { Metadata_Well: range(n).map(String) }, features: columns.map((_, j) => `f${j}`), values: fromColumns(columns) };
    const fitRows = range(n).filter((i) => i % 3 !== 1).reverse();
    const copy: Profiles = {
      metadata: { Metadata_Well: fitRows.map(String) },
      features: table.features,
      values: fromColumns(columns.map((col) => fitRows.map((i) => col[i]))),
    };
    const all = settings(['drop_na_columns', 'frequency_threshold', 'variance_threshold', 'correlation_threshold', 'drop_outliers']);
    for (const s of [all, ...all.operations.map((op) => settings([op]))]) {
      const inPlace = selectFeatures(table, { ...s, unique_cut: 0.1 }, fitRows);
      expect(inPlace).toEqual(selectFeatures(copy, { ...s, unique_cut: 0.1 }, range(fitRows.length)));
      expect(inPlace.dropped.length).toBeGreaterThan(0);
    }
  });

  it('keepFeatures shares the values when every feature stays, in order', () => {
    expect(keepFeatures(profiles, ['big_a', 'b', 'c']).values).toBe(profiles.values);
    expect(keepFeatures(profiles, ['b', 'big_a', 'c']).values).not.toBe(profiles.values);
  });

  it('keepFeatures restricts the table to the kept features in the given order', () => {
    const kept = keepFeatures(profiles, ['c', 'b']);
    expect(kept.features).toEqual(['c', 'b']);
    expect(Array.from(kept.values.data.subarray(0, 2))).toEqual([c[0], b[0]]);
    expect(() => keepFeatures(profiles, ['nope'])).toThrow(/nope/);
  });
});
