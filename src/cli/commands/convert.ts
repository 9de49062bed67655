import { realpathSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type pl from 'nodejs-polars';
import { isMissingText } from '../../data/missing_words.ts';
import { readHeader } from '../../data/header.ts';
import { frameFacts, readTable, writeParquet } from '../../data/io.ts';
import { polars } from '../../data/polars.ts';
import { schemaAt } from '../../spec/schema.ts';
import { type CommandDefinition, UserError } from '../command.ts';
import { writableFile } from '../paths.ts';

/**
 * `ads convert`: a per-well table as Parquet, once, so that every later run reads it by blocks of columns
 * (a fraction of a CSV's time and memory) instead of inflating and parsing text. The input is read as a run
 * reads it, strictly (see `readTable`): a ragged row, a broken gzip stream or a repeated column name is a
 * `DataError` naming the file and line, and nothing is written. Each column keeps the type all its values fit,
 * except that a feature column's NA, NaN and inf are numbers (see `missingAsNumbers`).
 */
export const convertCommand: CommandDefinition = {
  name: 'convert',
  usage: 'convert <in.csv|in.csv.gz|in.parquet> <out.parquet>',
  options: {},
  async run(positionals) {
    if (positionals.length !== 2) throw new UserError('ads convert: give the input table and the output .parquet file (see ads convert --help)', 2);
    const [input, out] = positionals;
    if (!out.endsWith('.parquet')) throw new UserError(`ads convert: the output ${out} must end in .parquet`, 2);
    if (samePath(input, out)) throw new UserError(`ads convert: the input and the output are the same file (${out})`, 2);
    // Before the table is read: a path that cannot be written, and the header's problems, in a moment.
    writableFile(out, 'ads convert: the output');
    readHeader(input);
    // No spec says which columns are features: those of the default feature prefixes are, the others hold ids.
    const prefixes = schemaAt('/$defs/dataset/properties/features/properties/prefixes').default as string[];
    const isFeature = (name: string) => prefixes.some((p) => name.startsWith(p));
    const df = missingAsNumbers(readTable(input, { ids: (name) => !isFeature(name) }).df, isFeature);
    // Written beside the target and renamed into place: an interrupted conversion leaves no half file.
    const partial = `${out}.partial-${process.pid}`;
    try {
      writeParquet(df, partial);
      renameSync(partial, out);
    } catch (err) {
      rmSync(partial, { force: true });
      throw err;
    }
    console.log(`${out}: ${df.height} rows × ${df.width} columns from ${input}`);
    return 0;
  },
};

/**
 * Feature columns that hold text only where a value is missing (NA, as R writes it, or ±inf: see
 * `isMissingText`) as the float64 columns a run reads them as (NA null, inf ±∞, NaN NaN), as pandas' reader
 * also types them, instead of text columns that every reader must cast again. A feature column with other
 * text stays text, for the run that reads it to name its values and rows.
 */
function missingAsNumbers(df: pl.DataFrame, isFeature: (name: string) => boolean): pl.DataFrame {
  const { columns, dtypes } = frameFacts(df);
  const P = polars();
  const numbers = columns.flatMap((name, k) => {
    if (!isFeature(name) || !dtypes[k].equals(P.String)) return [];
    const raw = df.getColumn(name);
    const cast = raw.cast(P.Float64, false);
    const text = raw.toArray() as (string | null)[];
    const values = cast.toArray() as (number | null)[];
    return values.every((v, i) => v !== null || text[i] === null || isMissingText(text[i]!)) ? [cast] : [];
  });
  return numbers.length ? df.withColumns(...numbers) : df;
}

/** Whether two paths name one file (`x.parquet` and `./x.parquet`, or a link to it). */
function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}
