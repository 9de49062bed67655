import pl from 'nodejs-polars';
import { DataError } from '../errors.ts';
import { matrix } from '../numeric/matrix.ts';
import { concatParts, copyColumnsAsFloat64, type FloatColumns, frameFacts, NUMERIC_TYPES } from './io.ts';
import { isMissingText } from './missing_words.ts';
import type { MetaValue, Profiles } from './profiles.ts';

/** Fixed-point numbers (Parquet's DECIMAL, from databases and Spark): measurements, cast to float64 like the others. */
const DECIMAL = 'Decimal';

/**
 * Column types whose values are not measurements (polars would cast true/false to 1/0 and a date to its
 * milliseconds): a feature column of one is an error, named by the file's end.
 */
const NOT_MEASUREMENTS: Record<string, string> = {
  Bool: 'true/false values',
  Date: 'dates',
  Datetime: 'dates and times',
  Time: 'times of day',
  Duration: 'durations',
  List: 'lists of values',
  Array: 'lists of values',
  Struct: 'records of several fields',
  Categorical: 'categories (labels)',
  Enum: 'categories (labels)',
};

/** Values and rows of a feature column that are not numbers, as an error shows them. */
interface NotNumeric {
  values: unknown[];
  numbers: number[];
  count: number;
}

/**
 * Per-well profiles assembled as their files are read, a part of a table at a time: each part's feature
 * values go straight into the one matrix of the whole table and the part is let go, so a 160,000 × 1,800
 * screen is held once (2.3 GB as Float64) instead of once by polars and again as the matrix.
 *
 * The matrix is sized from an estimate of the rows to come (`room`) and grown, with a copy, only if the
 * estimate falls short; room never written costs address space, not memory (the operating system commits
 * a page when it is first written), so the estimate is generous. Metadata columns are kept as polars frames
 * until a file ends, then become one column per name with the type all its parts fit (`concatParts`).
 * Features that are not numbers in some rows are reported when their file ends, after the file's own
 * structure was checked, as reading the whole file first would.
 */
export class ProfilesAssembler {
  private data = new Float64Array(0);
  private rows = 0;
  private readonly cols: number;
  private readonly featureAt: Map<string, number>;
  private readonly files: Record<string, MetaValue[]>[] = [];
  private readonly fileRows: number[] = [];
  /** The current file's metadata, a frame per part, and its features' values that are not numbers. */
  private metaParts: pl.DataFrame[] = [];
  private notNumeric = new Map<number, NotNumeric>();
  /** The current file's feature columns of a type that holds no measurements, and what they hold. */
  private notMeasured = new Map<number, string>();

  constructor(readonly features: readonly string[]) {
    this.cols = features.length;
    this.featureAt = new Map(features.map((f, j) => [f, j] as const));
  }

  /** Rows written so far (the table's row index of the next file's first row). */
  get rowCount(): number {
    return this.rows;
  }

  /** Room for `rows` rows in all: exactly, or for an `estimate` of how many there will be (≥ rows). */
  room(rows: number, estimate?: number): void {
    const capacity = this.data.length / Math.max(1, this.cols);
    if (rows <= capacity) return;
    // A quarter more than an estimate (untouched, it costs nothing), and at least half as much again as
    // now, so that a poor estimate does not copy the matrix at every part.
    const grown = Math.max(rows, Math.ceil((estimate ?? 0) * 1.25), Math.ceil(capacity * 1.5));
    const data = new Float64Array(grown * this.cols);
    data.set(this.data.subarray(0, this.rows * this.cols));
    this.data = data;
  }

  /**
   * Rows `first`, … of the table, from a frame with every column of its file (a CSV part), or some
   * columns of all its rows (a block of a Parquet file's columns): its feature columns into the matrix,
   * its other columns kept as metadata. `numbers` are the rows' numbers in their file, for errors. A CSV
   * part's features that were parsed as it was read (`floats`, not in the frame) go in row by row.
   */
  add(df: pl.DataFrame, first: number, numbers: (i: number) => number, floats: FloatColumns | null = null): void {
    const { height, width, columns, dtypes: types } = frameFacts(df);
    this.room(first + height);
    const { featureAt } = this;
    if (floats) this.copyFloats(floats, first, height);
    const numeric: string[] = [];
    const at: number[] = [];
    const other: string[] = [];
    const meta: string[] = [];
    columns.forEach((name, k) => {
      const j = featureAt.get(name);
      if (j === undefined) meta.push(name);
      else if (NUMERIC_TYPES.has(types[k].variant) || types[k].variant === DECIMAL) {
        numeric.push(name);
        at.push(j);
      } else if (types[k].variant in NOT_MEASUREMENTS) this.notMeasured.set(j, NOT_MEASUREMENTS[types[k].variant]);
      else other.push(name);
    });
    const out = matrix(this.data.length / this.cols, this.cols, this.data);
    // Numeric columns go in bulk, cast by polars (±Inf is as unusable as a missing value, method §2.1: both
    // become NaN and meet the missing-value policy). Others (text, booleans) are checked value by value.
    copyColumnsAsFloat64(df, numeric, out, at, { finite: true, firstRow: first });
    for (const name of other) this.copyNonNumeric(df.getColumn(name), featureAt.get(name)!, first, numbers);
    if (meta.length) this.metaParts.push(meta.length === width ? df : df.select(...meta));
    this.rows = Math.max(this.rows, first + height);
  }

  /**
   * Parsed feature values of `rows` rows into rows `first`, … of the matrix: a row's at once where the
   * columns are the matrix's in its order (the usual CSV of features), else value by value. They are finite
   * or NaN already (see `readFloatFields`).
   */
  private copyFloats({ columns, values }: FloatColumns, first: number, rows: number): void {
    const { cols, data, featureAt } = this;
    const k = columns.length;
    const at = Int32Array.from(columns, (name) => featureAt.get(name)!);
    if (k === cols && at.every((j, c) => j === c)) {
      data.set(values.subarray(0, rows * k), first * cols);
      return;
    }
    for (let r = 0; r < rows; r++) {
      const from = r * k;
      const to = (first + r) * cols;
      for (let c = 0; c < k; c++) data[to + at[c]] = values[from + c];
    }
  }

  /** A feature column of another type: cast value by value; values that are not numbers are noted. */
  private copyNonNumeric(series: pl.Series, j: number, first: number, numbers: (i: number) => number): void {
    const { cols, data } = this;
    const raw = series.toArray() as unknown[];
    const values = series.cast(pl.Float64, false).toArray() as (number | null)[];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null && raw[i] !== null && !isMissingText(String(raw[i]))) {
        const seen = this.notNumeric.get(j) ?? { values: [], numbers: [], count: 0 };
        this.notNumeric.set(j, seen);
        if (seen.values.length < 3) seen.values.push(raw[i]);
        if (seen.numbers.length < 5) seen.numbers.push(numbers(i));
        seen.count++;
      }
      data[(first + i) * cols + j] = v === null || !Number.isFinite(v) ? NaN : v;
    }
  }

  /**
   * The end of a file whose rows were all added: its first feature column with values that are not
   * numbers is an error naming the file, the values and their rows (`unit`: line or row).
   */
  endFile(file: string, unit: string, rows: number): void {
    const typed = [...this.notMeasured].sort((a, b) => a[0] - b[0])[0];
    if (typed) {
      const more = this.notMeasured.size > 1 ? ` (and ${this.notMeasured.size - 1} more such column(s))` : '';
      throw new DataError(`${file}: column '${this.features[typed[0]]}' holds ${typed[1]}, not numbers${more}; a feature column holds measurements (leave it out with dataset.features.exclude)`);
    }
    const bad = [...this.notNumeric].sort((a, b) => a[0] - b[0])[0];
    if (bad) {
      const [j, { values, numbers, count }] = bad;
      const where = `${unit}${count > 1 ? 's' : ''} ${numbers.join(', ')}${count > numbers.length ? ` and ${count - numbers.length} more` : ''}`;
      throw new DataError(`${file}: column '${this.features[j]}' has non-numeric values (${values.map((v) => JSON.stringify(v)).join(', ')}) at ${where}`);
    }
    const meta = this.metaParts.length ? concatParts(this.metaParts) : null;
    this.metaParts = [];
    this.notNumeric = new Map();
    this.notMeasured = new Map();
    const columns: Record<string, MetaValue[]> = {};
    if (meta) for (const name of meta.columns) columns[name] = metadataValues(meta.getColumn(name));
    this.files.push(columns);
    this.fileRows.push(rows);
  }

  /** Every file's wells, in order; a metadata column absent from a file is null in its wells. */
  finish(): Profiles {
    const { rows, cols } = this;
    const names = [...new Set(this.files.flatMap((m) => Object.keys(m)))];
    const metadata: Record<string, MetaValue[]> =
      this.files.length === 1
        ? this.files[0]
        : Object.fromEntries(names.map((n) => [n, this.files.flatMap((m, f) => m[n] ?? Array<MetaValue>(this.fileRows[f]).fill(null))]));
    // A view of the rows written: the room past them was never written, so it holds no memory.
    const values = matrix(rows, cols, this.data.length === rows * cols ? this.data : this.data.subarray(0, rows * cols));
    return { metadata, features: [...this.features], values };
  }
}

/**
 * A metadata column's values. 64-bit integers past 2^53 (long numeric ids, barcodes) have no exact JavaScript
 * number: 9007199254740993 would become 9007199254740992, another id, and two compounds one. Such a column is
 * kept as its digits, as text.
 */
function metadataValues(series: pl.Series): MetaValue[] {
  // JavaScript has no decimal type (polars refuses to hand one over): as numbers, as the features get them.
  if (series.dtype.variant === DECIMAL) return series.cast(pl.Float64).toArray() as MetaValue[];
  if (series.dtype.variant === 'Int64' || series.dtype.variant === 'UInt64') {
    const [max, min] = [Number(series.max() ?? 0), Number(series.min() ?? 0)];
    if (max > Number.MAX_SAFE_INTEGER || min < -Number.MAX_SAFE_INTEGER) return series.cast(pl.Utf8).toArray() as MetaValue[];
  }
  return series.toArray() as MetaValue[];
}
