import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import type { CompletedRun } from './collect.ts';

/** The per-run tables the figures draw from, as plain columns; any of them may be missing in a run. */
export interface RunTables {
  /** `tables/history.parquet`: one row per epoch (absent when no autoencoder was trained). */
  history: { epoch: Float64Array; loss: Float64Array; val_loss: Float64Array } | null;
  /** `tables/replicate_correlation/<rep>.parquet`: one replicate correlation per perturbation. */
  replicateCorrelation: Record<string, Float64Array>;
  /** `tables/null_correlation/<rep>.parquet`: a sample of the null's correlations. */
  nullCorrelation: Record<string, Float64Array>;
}

export function readRunTables(run: CompletedRun, representations: readonly string[]): RunTables {
  const tables = join(run.dir, 'tables');
  const history = readColumns(join(tables, 'history.parquet'), ['epoch', 'loss', 'val_loss']);
  const replicateCorrelation: Record<string, Float64Array> = {};
  const nullCorrelation: Record<string, Float64Array> = {};
  for (const rep of representations) {
    const r = readColumns(join(tables, 'replicate_correlation', `${rep}.parquet`), ['replicate_correlation']);
    if (r) replicateCorrelation[rep] = r.replicate_correlation;
    const n = readColumns(join(tables, 'null_correlation', `${rep}.parquet`), ['null_correlation']);
    if (n) nullCorrelation[rep] = n.null_correlation;
  }
  return {
    history: history && { epoch: history.epoch, loss: history.loss, val_loss: history.val_loss },
    replicateCorrelation,
    nullCorrelation,
  };
}

/** Float64 columns of a Parquet table, or null when the file (or a column) is not there: older runs lack some tables. */
function readColumns<K extends string>(path: string, columns: readonly K[]): Record<K, Float64Array> | null {
  if (!existsSync(path)) return null;
  const df = pl.readParquet(path);
  if (!columns.every((c) => df.columns.includes(c))) return null;
  const out = {} as Record<K, Float64Array>;
  for (const c of columns) {
    out[c] = Float64Array.from(df.getColumn(c).cast(pl.Float64).toArray() as (number | null)[], (v) => (v === null ? NaN : v));
  }
  return out;
}
