/**
 * Dense row-major matrices over Float64Array: the one numeric currency of the pipeline.
 * Rows are wells, columns are features. Functions here never mutate their inputs.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Σ a[i]·b[i] over the first n entries (all of a by default), summed in index order. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (data && data.length !== rows * cols) {
    throw new Error(`matrix data has ${data.length} values, expected ${rows}×${cols}`);
  }
  return { rows, cols, data: data ?? new Float64Array(rows * cols) };
}

/** A view (no copy) of row i. */
export function row(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

export function column(m: Matrix, j: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j];
  return out;
}

/**
 * Some rows and columns of a matrix, in the given orders, read in place: what `selectCols(selectRows(m, rows),
 * cols)` would copy. The feature filters judge a 50,000 × 1,700 table through views so it is never copied;
 * a loop over a view visits rows in order, so sums come out as they would over the copy.
 */
export interface MatrixView {
  readonly source: Matrix;
  /** Row indices into source. */
  readonly rows: Int32Array;
  /** Column indices into source. */
  readonly cols: Int32Array;
}

/** A matrix as the view of all its rows and columns; a view as it is. */
export function viewOf(x: Matrix | MatrixView): MatrixView {
  if ('source' in x) return x;
  return { source: x, rows: range(x.rows), cols: range(x.cols) };
}

/** 0, 1, …, n − 1. */
export function range(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

export function selectRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  const out = new Float64Array(idx.length * m.cols);
  for (let k = 0; k < idx.length; k++) {
    out.set(m.data.subarray(idx[k] * m.cols, (idx[k] + 1) * m.cols), k * m.cols);
  }
  return matrix(idx.length, m.cols, out);
}

export function selectCols(m: Matrix, idx: ArrayLike<number>): Matrix {
  const out = new Float64Array(m.rows * idx.length);
  for (let i = 0; i < m.rows; i++) {
    const base = i * m.cols;
    for (let k = 0; k < idx.length; k++) out[i * idx.length + k] = m.data[base + idx[k]];
  }
  return matrix(m.rows, idx.length, out);
}

/** Place side by side matrices with the same row count. */
export function hstack(parts: readonly Matrix[]): Matrix {
  if (parts.length === 0) return matrix(0, 0);
  const rows = parts[0].rows;
  const cols = parts.reduce((n, p) => n + p.cols, 0);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let offset = i * cols;
    for (const p of parts) {
      if (p.rows !== rows) throw new Error(`hstack: ${p.rows} rows, expected ${rows}`);
      out.set(p.data.subarray(i * p.cols, (i + 1) * p.cols), offset);
      offset += p.cols;
    }
  }
  return matrix(rows, cols, out);
}
