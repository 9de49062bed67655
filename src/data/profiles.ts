import { type Matrix, selectRows } from '../numeric/matrix.ts';

/** A metadata cell: CellProfiler tables mix strings (plate, well, compound) and numbers (dose). */
export type MetaValue = string | number | null;

/**
 * Per-well profiles: one row per well, metadata columns by name, and the numeric features as one matrix.
 * This is the table every stage takes and returns (pycytominer's "profiles" DataFrame).
 */
export interface Profiles {
  /** Metadata columns in table order; every column has `values.rows` entries. */
  readonly metadata: Readonly<Record<string, readonly MetaValue[]>>;
  readonly features: readonly string[];
  readonly values: Matrix;
}

export function metaColumn(p: Profiles, name: string): readonly MetaValue[] {
  const col = p.metadata[name];
  if (!col) throw new Error(`no metadata column '${name}' (have: ${Object.keys(p.metadata).join(', ')})`);
  return col;
}

/** The wells at the given row indices, metadata and values alike, in that order. */
export function selectWells(p: Profiles, idx: ArrayLike<number>): Profiles {
  const metadata: Record<string, MetaValue[]> = {};
  for (const [name, col] of Object.entries(p.metadata)) {
    metadata[name] = Array.from({ length: idx.length }, (_, k) => col[idx[k]]);
  }
  return { metadata, features: p.features, values: selectRows(p.values, idx) };
}

/** Row indices where `pred` holds. */
export function whereRows(n: number, pred: (i: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (pred(i)) out.push(i);
  return Int32Array.from(out);
}

/** Row indices grouped by the value of a metadata column, groups in order of first appearance. */
export function groupRows(col: readonly MetaValue[]): Map<MetaValue, number[]> {
  const groups = new Map<MetaValue, number[]>();
  col.forEach((v, i) => {
    const g = groups.get(v);
    if (g) g.push(i);
    else groups.set(v, [i]);
  });
  return groups;
}

/** Two tables with the same features, one on top of the other; metadata columns absent from one are null there. */
export function concatWells(a: Profiles, b: Profiles): Profiles {
  if (a.features.length !== b.features.length || a.features.some((f, j) => f !== b.features[j])) {
    throw new Error('concatWells: the tables have different features');
  }
  const names = [...new Set([...Object.keys(a.metadata), ...Object.keys(b.metadata)])];
  const metadata: Record<string, MetaValue[]> = {};
  for (const n of names) {
    metadata[n] = [...(a.metadata[n] ?? Array(a.values.rows).fill(null)), ...(b.metadata[n] ?? Array(b.values.rows).fill(null))];
  }
  const data = new Float64Array(a.values.data.length + b.values.data.length);
  data.set(a.values.data);
  data.set(b.values.data, a.values.data.length);
  return { metadata, features: a.features, values: { rows: a.values.rows + b.values.rows, cols: a.values.cols, data } };
}
