import { existsSync } from 'node:fs';
import pl from 'nodejs-polars';
import { SET_COLUMN } from '../data/roles.ts';
import { TABLES } from '../run/store.ts';
import type { CompletedRun } from './collect.ts';
import type { MapGroupSizes } from './map_chance.ts';

/** The per-run tables the figures draw from, as plain columns; any of them may be missing in a run. */
export interface RunTables {
  /** `tables/history.parquet`: one row per epoch (absent when no autoencoder was trained). */
  history: { epoch: Float64Array; loss: Float64Array; val_loss: Float64Array } | null;
  /** `tables/replicate_correlation/<rep>.parquet`: one replicate correlation per perturbation. */
  replicateCorrelation: Record<string, Float64Array>;
  /** `tables/null_correlation/<rep>.parquet`: a sample of the null's correlations. */
  nullCorrelation: Record<string, Float64Array>;
  /**
   * `tables/map/<rep>_<kind>.parquet` by `<rep>_<kind>`: each group's mAP and list sizes (runs made before the
   * sizes were recorded have none).
   */
  map: Record<string, MapGroupSizes>;
  /** What the run's tables say about its wells after each stage; null where a table is missing. */
  wells: RunWells | null;
}

/** Wells and plates after the split (`tables/normalized.parquet`) and in evaluated replicate groups (`tables/replicate_correlation`). */
export interface RunWells {
  plates: number;
  /** Wells per split set: train, val, test_ctrl, test_treat. */
  perSet: Record<string, number>;
  /** Replicate groups (perturbations, or perturbation and dose) evaluated, and the wells they hold. */
  evaluatedGroups: number | null;
  evaluatedWells: number | null;
}

export function readRunTables(run: CompletedRun, representations: readonly string[]): RunTables {
  const dir = run.dir;
  const history = readColumns(dir.tablePath(TABLES.history), ['epoch', 'loss', 'val_loss']);
  const replicateCorrelation: Record<string, Float64Array> = {};
  const nullCorrelation: Record<string, Float64Array> = {};
  const map: Record<string, MapGroupSizes> = {};
  for (const rep of representations) {
    const r = readColumns(dir.tablePath(TABLES.replicateCorrelation(rep)), ['replicate_correlation']);
    if (r) replicateCorrelation[rep] = r.replicate_correlation;
    const n = readColumns(dir.tablePath(TABLES.nullCorrelation(rep)), ['null_correlation']);
    if (n) nullCorrelation[rep] = n.null_correlation;
    for (const kind of ['activity', 'consistency']) {
      const m = readColumns(dir.tablePath(TABLES.map(`${rep}_${kind}`)), ['mean_average_precision', 'n_pos', 'n_total']);
      if (m) map[`${rep}_${kind}`] = m;
    }
  }
  return {
    history: history && { epoch: history.epoch, loss: history.loss, val_loss: history.val_loss },
    replicateCorrelation,
    nullCorrelation,
    map,
    wells: readWells(run, representations),
  };
}

function readWells(run: CompletedRun, representations: readonly string[]): RunWells | null {
  const path = run.dir.tablePath(TABLES.normalized);
  const plate = ((run.settings.dataset as { columns?: { plate?: unknown } } | undefined)?.columns?.plate ?? null) as string | null;
  if (!existsSync(path) || !plate) return null;
  const df = pl.readParquet(path, { columns: [plate, SET_COLUMN] });
  const perSet: Record<string, number> = {};
  for (const s of df.getColumn(SET_COLUMN).toArray() as string[]) perSet[s] = (perSet[s] ?? 0) + 1;
  const first = representations.find((rep) => run.dir.hasTable(TABLES.replicateCorrelation(rep)));
  const groups = first ? readColumns(run.dir.tablePath(TABLES.replicateCorrelation(first)), ['n_replicates']) : null;
  return {
    plates: new Set(df.getColumn(plate).toArray()).size,
    perSet,
    evaluatedGroups: groups ? groups.n_replicates.length : null,
    evaluatedWells: groups ? groups.n_replicates.reduce((a, b) => a + b, 0) : null,
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
