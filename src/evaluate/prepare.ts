import { DataError } from '../errors.ts';
import { matrix, range } from '../numeric/matrix.ts';
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
 * matters because interpolated fills borrow from the neighbouring rows. The wells kept are chosen from the
 * metadata first and only they are z-scored (with their whole plate's statistics: `stats`, computed here
 * unless given), so the screen's matrix is read once and never copied whole.
 */
export function prepareForEvaluation(p: Profiles, roles: EvaluationRoles, opts: EvaluationPrepOptions, stats?: PlateStatistics): Profiles {
  const isControl = resolveControls(p, roles.control);
  const treated = whereRows(isControl.length, (i) => !isControl[i]);
  const n = opts.replicates_per_dose ?? null;
  const kept = !opts.highest_dose_only ? treated : n === null ? highestDoseRows(p, roles, treated) : replicatesAtHighestDoseRows(p, roles, n, treated);
  if (!opts.per_plate_zscore) return fillUndefined(selectWells(p, kept), opts.fill_undefined);
  const scaled = zscoreRows(p, stats ?? plateStatistics(p, roles.plate), kept, opts.fill_undefined === 'zero');
  return opts.fill_undefined === 'zero' ? scaled : fillUndefined(scaled, opts.fill_undefined);
}

/**
 * The control wells as mAP ranks treated wells against them: z-scored per plate and filled as the whole
 * table would be (an interpolated fill borrows from the neighbouring wells, whatever their role), or, without
 * per_plate_zscore, as they are.
 */
export function evaluationControls(p: Profiles, roles: Pick<EvaluationRoles, 'plate' | 'control'>, opts: EvaluationPrepOptions, stats?: PlateStatistics): Profiles {
  const isControl = resolveControls(p, roles.control);
  const controls = whereRows(isControl.length, (i) => isControl[i]);
  if (!opts.per_plate_zscore) return selectWells(p, controls);
  const plateStats = stats ?? plateStatistics(p, roles.plate);
  if (opts.fill_undefined === 'zero') return zscoreRows(p, plateStats, controls, true);
  // A fill changes only undefined values: controls without one are as the filled table has them, and the
  // table (as large as the screen) is then not z-scored whole for them.
  const own = zscoreRows(p, plateStats, controls, false);
  if (own.values.data.every(Number.isFinite)) return own;
  return selectWells(fillUndefined(zscoreRows(p, plateStats, range(p.values.rows), false), opts.fill_undefined), controls);
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

/** Per plate (in order of first appearance) and feature: the mean and sample SD `zscorePerPlate` uses. */
export interface PlateStatistics {
  /** Plate index of every well. */
  readonly plateOf: Int32Array;
  /** plates × features, row-major. */
  readonly mean: Float64Array;
  readonly sd: Float64Array;
}

/**
 * Each feature's mean and sample SD on each plate, all wells of the plate included, missing values skipped.
 * Sample SD (ddof 1) because the reference's evaluation step uses pandas' `std()`: Pearson and cosine
 * similarities do not see the difference (it scales each well by one factor per plate), but interpolated
 * fills do, and only ddof 1 reproduces the reference's replicate correlations to 1e-9 on bbbc021.
 * Two passes over the rows in table order (means, then squared deviations), as numpy/pandas sum, for the same
 * rounding.
 */
export function plateStatistics(p: Profiles, plate: string): PlateStatistics {
  const { rows, cols, data } = p.values;
  const plates = groupRows(metaColumn(p, plate));
  const plateOf = new Int32Array(rows);
  [...plates.values()].forEach((wells, g) => wells.forEach((i) => (plateOf[i] = g)));
  const mean = new Float64Array(plates.size * cols);
  const count = new Float64Array(plates.size * cols);
  const sd = new Float64Array(plates.size * cols);
  for (let i = 0; i < rows; i++) {
    const [src, at] = [i * cols, plateOf[i] * cols];
    for (let j = 0; j < cols; j++) {
      const v = data[src + j];
      if (Number.isFinite(v)) {
        mean[at + j] += v;
        count[at + j]++;
      }
    }
  }
  for (let t = 0; t < mean.length; t++) mean[t] /= count[t];
  for (let i = 0; i < rows; i++) {
    const [src, at] = [i * cols, plateOf[i] * cols];
    for (let j = 0; j < cols; j++) {
      const v = data[src + j];
      if (Number.isFinite(v)) sd[at + j] += (v - mean[at + j]) ** 2;
    }
  }
  for (let t = 0; t < sd.length; t++) sd[t] = Math.sqrt(sd[t] / (count[t] - 1));
  return { plateOf, mean, sd };
}

/**
 * Rows `idx` of p (in that order), each feature minus its plate mean over its plate's SD (`stats`). A missing
 * value stays missing, and a feature constant on a plate (or a plate of one well) has an undefined z-score
 * there: NaN, or with `zeroUndefined` 0 (what fillUndefined's `zero` makes of it, in the same pass).
 */
export function zscoreRows(p: Profiles, stats: PlateStatistics, idx: ArrayLike<number>, zeroUndefined: boolean): Profiles {
  const { cols, data } = p.values;
  const { plateOf, mean, sd } = stats;
  const undefinedAs = zeroUndefined ? 0 : NaN;
  const out = new Float64Array(idx.length * cols);
  for (let r = 0; r < idx.length; r++) {
    const src = idx[r] * cols;
    const dst = r * cols;
    const at = plateOf[idx[r]] * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[src + j];
      const s = sd[at + j];
      const z = (v - mean[at + j]) / s;
      out[dst + j] = !(s > 0 && Number.isFinite(v)) || (zeroUndefined && !Number.isFinite(z)) ? undefinedAs : z;
    }
  }
  const metadata: Record<string, MetaValue[]> = {};
  for (const [name, col] of Object.entries(p.metadata)) metadata[name] = Array.from({ length: idx.length }, (_, r) => col[idx[r]]);
  return { metadata, features: p.features, values: matrix(idx.length, cols, out) };
}

/** Every feature z-scored per plate (`plateStatistics`, `zscoreRows`); undefined z-scores are NaN, left to `fillUndefined`. */
export function zscorePerPlate(p: Profiles, plate: string): Profiles {
  return zscoreRows(p, plateStatistics(p, plate), range(p.values.rows), false);
}

/**
 * Keep, for each compound, only its wells at that compound's highest dose (all of them: every
 * replicate at the top dose stays), in the table's row order. Meant for treated wells; the dose column
 * must be numeric.
 */
export function keepHighestDose(p: Profiles, roles: Pick<EvaluationRoles, 'perturbation' | 'dose'>): Profiles {
  return selectWells(p, highestDoseRows(p, roles, range(p.values.rows)));
}

/** `keepHighestDose` among rows `rows` (ascending) of p: the rows kept, in table order. */
function highestDoseRows(p: Profiles, roles: Pick<EvaluationRoles, 'perturbation' | 'dose'>, rows: Int32Array): Int32Array {
  const dose = numericDoses(p, roles, rows);
  const perturbation = metaColumn(p, roles.perturbation);
  const byPerturbation = new Map<MetaValue, number[]>();
  for (const i of rows) {
    const wells = byPerturbation.get(perturbation[i]);
    if (wells) wells.push(i);
    else byPerturbation.set(perturbation[i], [i]);
  }
  const keep: number[] = [];
  for (const wells of byPerturbation.values()) {
    const top = wells.reduce((m, i) => Math.max(m, dose.get(i)!), -Infinity);
    for (const i of wells) if (dose.get(i) === top) keep.push(i);
  }
  return Int32Array.from(keep).sort(); // the table's row order
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
  return selectWells(p, replicatesAtHighestDoseRows(p, roles, n, range(p.values.rows)));
}

/** `keepReplicatesAtHighestDose` among rows `rows` (ascending) of p: the rows kept, in its order. */
function replicatesAtHighestDoseRows(p: Profiles, roles: Pick<EvaluationRoles, 'perturbation' | 'dose'>, n: number, rows: Int32Array): number[] {
  const doses = numericDoses(p, roles, rows);
  const dose = (i: number) => doses.get(i)!;
  const compound = metaColumn(p, roles.perturbation);
  const size = new Map<string, number>();
  const key = (i: number) => `${typeof compound[i]}:${String(compound[i])}\u0000${dose(i)}`;
  for (const i of rows) if (compound[i] !== null) size.set(key(i), (size.get(key(i)) ?? 0) + 1);
  const eligible = Array.from(rows).filter((i) => compound[i] !== null && size.get(key(i))! >= n);
  const sorted = eligible.sort((a, b) => compareMeta(compound[b], compound[a]) || dose(b) - dose(a) || a - b);
  const taken = new Map<MetaValue, number>();
  const keep = sorted.filter((i) => {
    const t = taken.get(compound[i]) ?? 0;
    taken.set(compound[i], t + 1);
    return t < n;
  });
  return keep;
}

/** pandas' order of two non-missing values of one column: numbers numerically, otherwise as text. */
function compareMeta(a: MetaValue, b: MetaValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The dose of each of the wells `rows` as a number, by row; a missing or non-numeric dose is a data error. */
function numericDoses(p: Profiles, roles: Pick<EvaluationRoles, 'perturbation' | 'dose'>, rows: Int32Array): Map<number, number> {
  if (!roles.dose) throw new Error('highest_dose_only needs a dose column role');
  const column = roles.dose;
  const perturbation = metaColumn(p, roles.perturbation);
  const values = metaColumn(p, column);
  return new Map(Array.from(rows, (i) => {
    const v = values[i];
    const d = typeof v === 'number' ? v : Number(v);
    if (v === null || v === '' || !Number.isFinite(d)) {
      throw new DataError(
        `dose column '${column}' has a non-numeric value '${String(v)}' for a treated well of perturbation '${String(perturbation[i])}'; ` +
          'keeping each compound\'s highest dose needs a number there (or set evaluation.highest_dose_only: false)',
      );
    }
    return [i, d];
  }));
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
