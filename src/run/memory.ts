import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { expandPaths } from '../data/files.ts';
import { parquetRowsAndColumns } from '../data/parquet_footer.ts';
import type { ResolvedSpec } from '../spec/types.ts';

/**
 * How much memory one run of a spec may take at its peak, told from the size of its data before any of it is
 * read: what `--jobs` can run at once without the machine running out (a worker killed for memory fails its
 * run). A run holds its screen as float64 matrices several times over (as loaded, normalized, its
 * representations, the evaluations' tables), so its peak grows with rows × columns; measured peaks:
 *
 *   LINCS-size simulated screen, 51,216 × 1,700 (0.65 GiB as float64): 4.2 GiB (PR, mAP, logistic MoA)
 *   CDRP-size CSV.gz, 160,272 × 1,808 columns (2.16 GiB as float64): 11.0 GiB (the same)
 *
 * BASE + PER_DATA_BYTE × rows × columns × 8 is above both, by a fifth and two fifths (5.0 and 15.6 GiB), room
 * for what those runs did not do (the MLP, SHAP).
 */
const BASE = 0.5 * 2 ** 30;
const PER_DATA_BYTE = 7;
/**
 * The least a run is given however small its data: the quickstart's runs peak at 0.35–0.4 GB (Node, tfjs,
 * polars, SHAP's batches), with room for the unmeasured.
 */
export const MIN_RUN_BYTES = 1.5 * 2 ** 30;
/** Bytes of a file read to tell its rows: its first 4 MB (compressed, for a .gz) stand for the rest. */
const SAMPLE_BYTES = 4 * 2 ** 20;

export interface RunMemory {
  /** The estimated peak resident memory of one run, in bytes (at least MIN_RUN_BYTES). */
  bytes: number;
  /** The data it is told from: rows and columns summed over the tables the run reads (estimates for CSV). */
  rows: number;
  columns: number;
}

/** What of a spec says which data a run reads. */
type DataSettings = Pick<ResolvedSpec, 'dataset' | 'modalities'>;

export function runMemory(spec: DataSettings): RunMemory {
  const tables = dataTables(spec);
  const values = tables.reduce((sum, t) => sum + t.rows * t.columns, 0);
  return {
    bytes: Math.max(MIN_RUN_BYTES, BASE + PER_DATA_BYTE * values * 8),
    rows: tables.reduce((sum, t) => sum + t.rows, 0),
    columns: Math.max(0, ...tables.map((t) => t.columns)),
  };
}

/** The largest `runMemory` of a sweep's runs (a sweep may vary the data itself), each distinct data told once. */
export function sweepMemory(specs: readonly DataSettings[]): RunMemory {
  const byData = new Map<string, RunMemory>();
  for (const spec of specs) {
    const data = JSON.stringify([spec.dataset, spec.modalities]);
    if (!byData.has(data)) byData.set(data, runMemory(spec));
  }
  return [...byData.values()].reduce((a, b) => (b.bytes > a.bytes ? b : a));
}

/** The shape of each table a run reads: the simulated screen's from its settings, files' from their first bytes. */
function dataTables(spec: DataSettings): { rows: number; columns: number }[] {
  const { dataset } = spec;
  if (dataset.source === 'synthetic') {
    const s = dataset.synthetic;
    return [{ rows: s.plates * s.controls_per_plate + s.moas * s.compounds_per_moa * s.doses * s.replicates, columns: s.features }];
  }
  const patterns = (p: string | string[] | undefined) => (typeof p === 'string' ? [p] : (p ?? []));
  const files = [
    ...patterns(dataset.path),
    ...Object.values(spec.modalities ?? {}).flatMap((m) => (m.source === 'file' ? patterns(m.path) : [])),
  ];
  // A file that cannot be read counts for nothing here: loading it says why.
  return expandPaths(files).flatMap((file) => tableShape(file) ?? []);
}

/**
 * A table file's rows and columns: a Parquet file's from its footer; a CSV's (gzipped or not) columns from its
 * header and rows from the lines in its first SAMPLE_BYTES, scaled to the file's size. Null when unreadable.
 */
export function tableShape(file: string): { rows: number; columns: number } | null {
  try {
    if (/\.parquet$/i.test(file)) return parquetRowsAndColumns(file);
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    const head = Buffer.alloc(Math.min(size, SAMPLE_BYTES));
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    const gzipped = head[0] === 0x1f && head[1] === 0x8b;
    // A prefix of a gzip stream inflates as far as it goes with a sync flush instead of failing at its end.
    const text = gzipped ? gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }) : head;
    const firstLine = text.indexOf(0x0a);
    if (firstLine < 0) return null;
    const columns = text.subarray(0, firstLine).toString('utf8').split(',').length;
    let lines = 0;
    for (let i = firstLine; i >= 0; i = text.indexOf(0x0a, i + 1)) lines++;
    const whole = head.length === size;
    // A whole file's last line may lack its newline; a sample's last line is cut short and not counted.
    const rows = whole ? lines - 1 + (text[text.length - 1] === 0x0a ? 0 : 1) : Math.round(((lines - 1) * size) / head.length);
    return { rows: Math.max(0, rows), columns };
  } catch {
    return null;
  }
}

/**
 * `--jobs`' default: a run per `threadsPerRun` cores (runtime.threads: its training and MoA folds keep that
 * many busy), as many as `available` memory holds at `perRun` bytes each, and at least one.
 */
export function jobsFor(cores: number, threadsPerRun: number, perRun: number, available: number): { jobs: number; byMemory: boolean } {
  const byCores = Math.max(1, Math.floor(cores / threadsPerRun));
  const byMemory = Math.max(1, Math.floor(available / perRun));
  return { jobs: Math.min(byCores, byMemory), byMemory: byMemory < byCores };
}
