import type { RowNumbers } from './io.ts';

/**
 * Where each well of a loaded table came from: its file and its number there (a CSV line, a Parquet row),
 * kept through concatenation and dropped wells so an error points at the file's own rows, not at an index
 * into a table the user never sees.
 */
export interface Origins {
  readonly files: readonly { readonly path: string; readonly unit: RowNumbers['unit'] }[];
  /** Index into `files`, per well. */
  readonly file: Int32Array;
  /** The well's line or row in its file, per well. */
  readonly number: Int32Array;
}

export function originsOf(path: string, rows: RowNumbers): Origins {
  return { files: [{ path, unit: rows.unit }], file: new Int32Array(rows.of.length), number: rows.of };
}

export function concatOrigins(parts: readonly Origins[]): Origins {
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((s, p) => s + p.file.length, 0);
  const file = new Int32Array(n);
  const number = new Int32Array(n);
  let at = 0;
  let offset = 0;
  for (const p of parts) {
    for (let i = 0; i < p.file.length; i++) file[at + i] = p.file[i] + offset;
    number.set(p.number, at);
    at += p.file.length;
    offset += p.files.length;
  }
  return { files: parts.flatMap((p) => p.files), file, number };
}

export function selectOrigins(o: Origins, keep: ArrayLike<number>): Origins {
  return { files: o.files, file: Int32Array.from(keep, (i) => o.file[i]), number: Int32Array.from(keep, (i) => o.number[i]) };
}

/**
 * Some wells as the user finds them: `a.csv lines 4, 9; b.csv line 2 and 7 more`, at most `max` shown.
 * Without origins (a simulated screen) they are 1-based table rows.
 */
export function whereWells(o: Origins | null, wells: readonly number[], max = 5): string {
  const shown = wells.slice(0, max);
  const rest = wells.length > max ? ` and ${wells.length - max} more` : '';
  if (!o) return `row${wells.length === 1 ? '' : 's'} ${shown.map((i) => i + 1).join(', ')}${rest} of the table`;
  const byFile = new Map<number, number[]>();
  for (const i of shown) byFile.set(o.file[i], [...(byFile.get(o.file[i]) ?? []), o.number[i]]);
  const parts = [...byFile].map(([f, numbers]) => {
    const { path, unit } = o.files[f];
    return `${path} ${unit}${numbers.length === 1 ? '' : 's'} ${numbers.join(', ')}`;
  });
  return `${parts.join('; ')}${rest}`;
}
