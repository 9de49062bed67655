import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import pl from 'nodejs-polars';
import { type Matrix, matrix } from '../numeric/matrix.ts';
import type { MetaValue, Profiles } from './profiles.ts';

/**
 * Reading and writing per-well tables with nodejs-polars. CSV, gzipped CSV and Parquet in; Parquet out,
 * so anyone can reload a run's tables in pandas or polars and check a number.
 */

export function readFrame(path: string): pl.DataFrame {
  if (path.endsWith('.parquet')) return pl.readParquet(path);
  // Polars' reader does not inflate gzip itself; a CSV table of this size fits in memory twice over.
  const bytes = path.endsWith('.gz') ? gunzipSync(readFileSync(path)) : readFileSync(path);
  return pl.readCSV(bytes, { inferSchemaLength: 10_000 });
}

/** Split a frame into metadata columns (by name) and a Float64 feature matrix (missing → NaN). */
export function frameToProfiles(df: pl.DataFrame, features: readonly string[]): Profiles {
  const featureSet = new Set(features);
  const metadata: Record<string, MetaValue[]> = {};
  for (const name of df.columns) {
    if (!featureSet.has(name)) metadata[name] = df.getColumn(name).toArray() as MetaValue[];
  }
  const rows = df.height;
  const cols = features.length;
  const values = matrix(rows, cols);
  copyColumnsAsFloat64(df, features, values, features.map((_, j) => j), { finite: false });
  return { metadata, features, values };
}

/** Columns cast per polars `select` (64 × 50,000 values ≈ 25 MB at a time, if a cast must copy them). */
const SELECT_BLOCK = 64;
/** Rows per tile of the copy into the matrix. */
const TILE_ROWS = 64;

/**
 * Copies columns `names` of a frame, cast to Float64 by polars (non-strict: what cannot be cast is null)
 * with null → NaN, into a row-major matrix: names[k] into column at[k]. With `finite`, ±Inf become NaN too.
 * `out` has the frame's rows.
 *
 * Why this way, at 50,000 × 1,700: one `cast` expression per block of columns instead of one per column
 * (polars plans 1,700 expressions slowly); `toTypedArray()` instead of `toArray()` (no array of 50,000
 * boxed numbers per column); and the copy goes by tiles of TILE_ROWS rows × SELECT_BLOCK columns: a row of
 * the matrix is 13.6 KB, so writing one column straight down costs a cache and TLB miss per value, while a
 * tile's rows stay in cache until their 512-byte runs are filled.
 */
export function copyColumnsAsFloat64(
  df: pl.DataFrame,
  names: readonly string[],
  out: Matrix,
  at: readonly number[],
  options: { finite: boolean },
): void {
  const { rows, cols: stride, data } = out;
  for (let s0 = 0; s0 < names.length; s0 += SELECT_BLOCK) {
    const block = names.slice(s0, s0 + SELECT_BLOCK);
    const values = df
      .select(pl.cols(block).cast(pl.Float64).fillNull(pl.lit(NaN)))
      .getColumns()
      .map((c) => c.toTypedArray() as Float64Array);
    for (let r0 = 0; r0 < rows; r0 += TILE_ROWS) {
      const r1 = Math.min(rows, r0 + TILE_ROWS);
      for (let b = 0; b < values.length; b++) {
        const col = values[b];
        const target = at[s0 + b];
        for (let i = r0; i < r1; i++) {
          const v = col[i];
          // v − v is 0 for a finite v and NaN for ±Inf or NaN.
          data[i * stride + target] = options.finite && v - v !== 0 ? NaN : v;
        }
      }
    }
  }
}

export function profilesToFrame(p: Profiles): pl.DataFrame {
  const { rows, cols, data } = p.values;
  const series: pl.Series[] = Object.entries(p.metadata).map(([name, col]) => metaSeries(name, col));
  // Columns copied out SELECT_BLOCK at a time, by tiles of rows (see copyColumnsAsFloat64).
  for (let j0 = 0; j0 < cols; j0 += SELECT_BLOCK) {
    const block = Array.from({ length: Math.min(SELECT_BLOCK, cols - j0) }, () => new Float64Array(rows));
    for (let r0 = 0; r0 < rows; r0 += TILE_ROWS) {
      const r1 = Math.min(rows, r0 + TILE_ROWS);
      block.forEach((col, b) => {
        for (let i = r0; i < r1; i++) col[i] = data[i * cols + j0 + b];
      });
    }
    block.forEach((col, b) => series.push(pl.Series(p.features[j0 + b], col)));
  }
  return pl.DataFrame(series);
}

export function writeParquet(df: pl.DataFrame, path: string): void {
  df.writeParquet(path, { compression: 'zstd' });
}

export function writeProfilesParquet(p: Profiles, path: string): void {
  writeParquet(profilesToFrame(p), path);
}

/** A metadata column keeps its type: all numbers → Float64, otherwise strings (null stays null). */
function metaSeries(name: string, col: readonly MetaValue[]): pl.Series {
  const numeric = col.every((v) => v === null || typeof v === 'number');
  if (numeric) return pl.Series(name, col as (number | null)[], pl.Float64);
  return pl.Series(name, col.map((v) => (v === null ? null : String(v))), pl.Utf8);
}

/** A plain table (a per-perturbation result, a training history) given as named columns of equal length. */
export type Columns = Record<string, readonly MetaValue[] | readonly boolean[] | Float64Array>;

export function writeColumnsParquet(columns: Columns, path: string): void {
  const series = Object.entries(columns).map(([name, col]) => {
    if (col instanceof Float64Array) return pl.Series(name, col);
    if (col.every((v) => typeof v === 'boolean')) return pl.Series(name, col as boolean[], pl.Bool);
    return metaSeries(name, col as MetaValue[]);
  });
  writeParquet(pl.DataFrame(series), path);
}
