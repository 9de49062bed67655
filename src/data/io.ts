import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import pl from 'nodejs-polars';
import { matrix } from '../numeric/matrix.ts';
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
  const data = new Float64Array(rows * cols);
  const numeric = df.select(...features.map((f) => pl.col(f).cast(pl.Float64).fillNull(pl.lit(NaN))));
  features.forEach((f, j) => {
    const col = numeric.getColumn(f).toTypedArray() as Float64Array;
    for (let i = 0; i < rows; i++) data[i * cols + j] = col[i];
  });
  return { metadata, features, values: matrix(rows, cols, data) };
}

export function profilesToFrame(p: Profiles): pl.DataFrame {
  const { rows, cols, data } = p.values;
  const series: pl.Series[] = Object.entries(p.metadata).map(([name, col]) => metaSeries(name, col));
  p.features.forEach((f, j) => {
    const col = new Float64Array(rows);
    for (let i = 0; i < rows; i++) col[i] = data[i * cols + j];
    series.push(pl.Series(f, col));
  });
  return pl.DataFrame(series);
}

export function writeParquet(df: pl.DataFrame, path: string): void {
  df.writeParquet(path, { compression: 'zstd' });
}

export function writeProfilesParquet(p: Profiles, path: string): void {
  writeParquet(profilesToFrame(p), path);
}

/** Reads a Parquet file written by `writeProfilesParquet`; `isFeature` says which columns are features. */
export function readProfilesParquet(path: string, isFeature: (column: string) => boolean): Profiles {
  const df = pl.readParquet(path);
  return frameToProfiles(df, df.columns.filter(isFeature));
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
