import { DataError } from '../errors.ts';
import { matrix } from '../numeric/matrix.ts';
import { groupRows, type MetaValue, metaColumn, type Profiles, selectWells, whereRows } from '../data/profiles.ts';

/**
 * Evaluation-time preparation of a representation (method §2.6, last paragraph): z-score every feature
 * per plate using all wells of the plate, keep the treated wells, optionally keep only the highest dose
 * of each compound, and fill the z-scores that are undefined. The spec supplies every option; nothing
 * here has a default.
 */

/** One well's metadata, by column name: what a control predicate looks at. */
export type MetaRow = Readonly<Record<string, MetaValue>>;

/** Which wells are controls: a predicate over a well's metadata, or a mask aligned with the rows. */
export type ControlMarker = ((row: MetaRow) => boolean) | ArrayLike<boolean>;

export interface EvaluationRoles {
  plate: string;
  /** The compound column: highest-dose filtering keeps the top dose within each of its values. */
  perturbation: string;
  control: ControlMarker;
  dose?: string;
  /**
   * Columns whose joint value defines a replicate group (e.g. compound, or compound and dose). Preparation
   * does not use it; the metrics that take these roles group by it.
   */
  replicate_by: readonly string[];
}

/**
 * How to fill undefined values (a feature constant on a plate, a single-well plate, a missing input):
 * `interpolate` is the reference (pandas `DataFrame.interpolate()` down the final table, which borrows
 * values from the neighbouring rows, usually wells of another plate); `zero` puts the plate mean there.
 */
export type FillUndefined = 'interpolate' | 'zero';

export interface EvaluationPrepOptions {
  per_plate_zscore: boolean;
  highest_dose_only: boolean;
  /**
   * With highest_dose_only: null (or absent) keeps every well at each compound's top dose
   * (`keepHighestDose`); n applies the reference's rule (`keepReplicatesAtHighestDose`).
   */
  replicates_per_dose?: number | null;
  fill_undefined: FillUndefined;
}

/**
 * z-score per plate → treated wells only → optionally the highest dose of each compound → fill: the
 * reference's order (load_zscores z-scores and filters, replicateCorrs interpolates the filtered table), which
 * matters because interpolated fills borrow from the neighbouring rows.
 */
export function prepareForEvaluation(p: Profiles, roles: EvaluationRoles, opts: EvaluationPrepOptions): Profiles {
  const scaled = opts.per_plate_zscore ? zscorePerPlate(p, roles.plate) : p;
  const isControl = resolveControls(scaled, roles.control);
  const treated = selectWells(scaled, whereRows(isControl.length, (i) => !isControl[i]));
  const n = opts.replicates_per_dose ?? null;
  const kept = !opts.highest_dose_only ? treated : n === null ? keepHighestDose(treated, roles) : keepReplicatesAtHighestDose(treated, roles, n);
  return fillUndefined(kept, opts.fill_undefined);
}

/** Resolve a control marker to one boolean per well. */
export function resolveControls(p: Profiles, control: ControlMarker): boolean[] {
  const n = p.values.rows;
  if (typeof control !== 'function') {
    if (control.length !== n) throw new Error(`control mask has ${control.length} entries for ${n} wells`);
    return Array.from(control);
  }
  const columns = Object.entries(p.metadata);
  return Array.from({ length: n }, (_, i) => {
    const row: Record<string, MetaValue> = {};
    for (const [name, col] of columns) row[name] = col[i];
    return control(row);
  });
}

/**
 * Each feature minus its plate mean, over its plate's sample SD, all wells of the plate included.
 * Sample SD (ddof 1) because the reference's evaluation step uses pandas' `std()`: Pearson and cosine
 * similarities do not see the difference (it scales each well by one factor per plate), but interpolated
 * fills do, and only ddof 1 reproduces the reference's replicate correlations to 1e-9 on bbbc021.
 * Missing values are skipped in the statistics and stay missing; a feature constant on a plate (or a
 * plate of one well) has an undefined z-score there, NaN, left to `fillUndefined`.
 */
export function zscorePerPlate(p: Profiles, plate: string): Profiles {
  const { rows, cols, data } = p.values;
  const out = new Float64Array(rows * cols);
  const sum = new Float64Array(cols);
  const count = new Float64Array(cols);
  const ss = new Float64Array(cols);
  for (const wells of groupRows(metaColumn(p, plate)).values()) {
    sum.fill(0);
    count.fill(0);
    ss.fill(0);
    for (const i of wells) {
      for (let j = 0; j < cols; j++) {
        const v = data[i * cols + j];
        if (Number.isFinite(v)) {
          sum[j] += v;
          count[j]++;
        }
      }
    }
    for (let j = 0; j < cols; j++) sum[j] /= count[j]; // now the mean
    // Two passes (mean, then squared deviations) as numpy/pandas do, for the same rounding.
    for (const i of wells) {
      for (let j = 0; j < cols; j++) {
        const v = data[i * cols + j];
        if (Number.isFinite(v)) ss[j] += (v - sum[j]) ** 2;
      }
    }
    for (let j = 0; j < cols; j++) ss[j] = Math.sqrt(ss[j] / (count[j] - 1)); // now the SD
    for (const i of wells) {
      for (let j = 0; j < cols; j++) {
        const v = data[i * cols + j];
        out[i * cols + j] = Number.isFinite(v) && ss[j] > 0 ? (v - sum[j]) / ss[j] : NaN;
      }
    }
  }
  return { metadata: p.metadata, features: p.features, values: matrix(rows, cols, out) };
}

/**
 * Keep, for each compound, only its wells at that compound's highest dose (all of them: every
 * replicate at the top dose stays), in the table's row order. Meant for treated wells; the dose column
 * must be numeric.
 */
export function keepHighestDose(p: Profiles, roles: Pick<EvaluationRoles, 'perturbation' | 'dose'>): Profiles {
  const dose = numericDoses(p, roles);
  const keep: number[] = [];
  for (const wells of groupRows(metaColumn(p, roles.perturbation)).values()) {
    const top = wells.reduce((m, i) => Math.max(m, dose[i]), -Infinity);
    for (const i of wells) if (dose[i] === top) keep.push(i);
  }
  keep.sort((a, b) => a - b); // keep the table's row order
  return selectWells(p, keep);
}

/**
 * The reference's highest-dose rule (`filter_data_by_highest_dose`, src/data/data_utils.py of
 * zaritskylab/AnomalyDetectionScreening), with n = its `n_per_dose` (5 for LINCS):
 *
 *     df = df[df.groupby([cpd, dose]).transform('size') > (n - 1)]
 *     df = df.sort_values(by=[cpd, dose], ascending=False).groupby([cpd]).head(n)
 *     df = df[df.groupby([cpd])[cpd].transform('size') > (n - 1)]
 *
 * so each compound is evaluated with exactly n wells, taken from its highest dose that has at least n
 * (a compound whose top dose has fewer wells falls back to a lower dose; one with no such dose drops out).
 * The last line never drops anything: the first rows of a compound after the sort are its top qualifying
 * dose, which has at least n wells, so head(n) always gives n.
 *
 * The rows come out in the sorted order, which the interpolated fills that follow depend on: compound
 * descending, then dose descending, ties (wells of one compound and dose) in table order. Multi-column
 * sort_values sorts with a stable lexsort (pandas.core.sorting.lexsort_indexer: categorical codes per key,
 * reversed for a descending key, then np.lexsort); groupby().head keeps that order. Compound values order
 * as pandas orders them: numbers numerically, strings by character code (Python's str comparison for
 * identifiers without astral characters). Wells without a compound are left out, as groupby leaves out
 * missing keys.
 */
export function keepReplicatesAtHighestDose(p: Profiles, roles: Pick<EvaluationRoles, 'perturbation' | 'dose'>, n: number): Profiles {
  const dose = numericDoses(p, roles);
  const compound = metaColumn(p, roles.perturbation);
  const size = new Map<string, number>();
  const key = (i: number) => `${typeof compound[i]}:${String(compound[i])}\u0000${dose[i]}`;
  for (let i = 0; i < compound.length; i++) if (compound[i] !== null) size.set(key(i), (size.get(key(i)) ?? 0) + 1);
  const eligible = whereRows(compound.length, (i) => compound[i] !== null && size.get(key(i))! >= n);
  const sorted = Array.from(eligible).sort((a, b) => compareMeta(compound[b], compound[a]) || dose[b] - dose[a] || a - b);
  const taken = new Map<MetaValue, number>();
  const keep = sorted.filter((i) => {
    const t = taken.get(compound[i]) ?? 0;
    taken.set(compound[i], t + 1);
    return t < n;
  });
  return selectWells(p, keep);
}

/** pandas' order of two non-missing values of one column: numbers numerically, otherwise as text. */
function compareMeta(a: MetaValue, b: MetaValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The dose of every well as a number; a missing or non-numeric dose is a data error. */
function numericDoses(p: Profiles, roles: Pick<EvaluationRoles, 'perturbation' | 'dose'>): number[] {
  if (!roles.dose) throw new Error('highest_dose_only needs a dose column role');
  const column = roles.dose;
  const perturbation = metaColumn(p, roles.perturbation);
  return metaColumn(p, column).map((v, i) => {
    const d = typeof v === 'number' ? v : Number(v);
    if (v === null || v === '' || !Number.isFinite(d)) {
      throw new DataError(
        `dose column '${column}' has a non-numeric value '${String(v)}' for a treated well of perturbation '${String(perturbation[i])}'; ` +
          'keeping each compound\'s highest dose needs a number there (or set evaluation.highest_dose_only: false)',
      );
    }
    return d;
  });
}

/**
 * Replace undefined (non-finite) values column by column. `interpolate` follows pandas' linear interpolation:
 * equally spaced rows, gaps filled on the line between the nearest defined values above and below, and
 * a trailing gap takes the last defined value. Where pandas leaves a leading gap missing (and its
 * correlations then skip that feature pair by pair), it takes the first defined value here, so every
 * row stays usable; a column with no defined value becomes 0.
 */
export function fillUndefined(p: Profiles, how: FillUndefined): Profiles {
  const { rows, cols } = p.values;
  const data = p.values.data.slice();
  for (let j = 0; j < cols; j++) {
    let last = -1;
    for (let i = 0; i < rows; i++) {
      const v = data[i * cols + j];
      if (!Number.isFinite(v)) {
        data[i * cols + j] = how === 'zero' ? 0 : NaN;
        continue;
      }
      if (how === 'interpolate' && i - last > 1) {
        if (last < 0) {
          for (let t = 0; t < i; t++) data[t * cols + j] = v;
        } else {
          // numpy.interp's arithmetic (slope·(x − x₀) + y₀), which pandas calls, for identical rounding.
          const y0 = data[last * cols + j];
          const slope = (v - y0) / (i - last);
          for (let t = last + 1; t < i; t++) data[t * cols + j] = slope * (t - last) + y0;
        }
      }
      last = i;
    }
    if (how === 'interpolate') {
      const fill = last < 0 ? 0 : data[last * cols + j];
      for (let i = last + 1; i < rows; i++) data[i * cols + j] = fill;
    }
  }
  return { metadata: p.metadata, features: p.features, values: matrix(rows, cols, data) };
}
