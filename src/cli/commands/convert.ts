import { realpathSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { readHeader } from '../../data/header.ts';
import { readTable, writeParquet } from '../../data/io.ts';
import { schemaAt } from '../../spec/schema.ts';
import { type CommandDefinition, UserError } from '../command.ts';
import { writableFile } from '../paths.ts';

/**
 * `ads convert`: a per-well table as Parquet, once, so that every later run reads it by blocks of columns
 * (a fraction of a CSV's time and memory) instead of inflating and parsing text. The input is read as a run
 * reads it, strictly (see `readTable`): a ragged row, a broken gzip stream or a repeated column name is a
 * `DataError` naming the file and line, and nothing is written. Each column keeps the type all its values fit.
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
    const { df } = readTable(input, { ids: (name) => !prefixes.some((p) => name.startsWith(p)) });
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
