import { profilesToFrame, writeParquet, writeProfilesCsv } from '../../data/io.ts';
import { simulateExpression } from '../../data/expression.ts';
import type { Profiles } from '../../data/profiles.ts';
import { simulateScreen } from '../../data/synthetic.ts';
import { loadSpec } from '../../spec/load.ts';
import { COMMON_OPTIONS, type CommandDefinition, commonValues, UserError } from '../command.ts';
import { writableFile } from '../paths.ts';

async function writeTable(table: Profiles, out: string, seed: number): Promise<void> {
  if (out.endsWith('.parquet')) writeParquet(profilesToFrame(table), out);
  // Streamed a block of rows at a time: a CDRP-size screen's text is larger than one Buffer.
  else await writeProfilesCsv(table, out);
  console.log(`${out}: ${table.values.rows} wells × ${Object.keys(table.metadata).length + table.features.length} columns (seed ${seed})`);
}

export const simulateCommand: CommandDefinition = {
  name: 'simulate',
  usage: 'simulate <spec.yaml> --out FILE.parquet|FILE.csv|FILE.csv.gz [--set path=value]… [--seed N]  (a simulated modality <name> goes to FILE.<name>.<ext>)',
  options: {
    out: { type: 'string', value: 'FILE', description: 'Output table: .parquet, .csv or .csv.gz' },
    seed: { type: 'string', value: 'N', description: "Seed of the simulation (default: the spec's seed)" },
    set: COMMON_OPTIONS.set,
  },
  async run(positionals, options) {
    if (positionals.length !== 1) throw new UserError('ads simulate: give exactly one spec file (see ads simulate --help)', 2);
    const out = options.out;
    if (typeof out !== 'string' || !/\.(parquet|csv|csv\.gz)$/.test(out)) {
      throw new UserError('ads simulate: --out must name a .parquet, .csv or .csv.gz file', 2);
    }
    const { spec } = loadSpec(positionals[0], commonValues(options).overrides);
    // Its dataset.synthetic would be the defaults, not a screen the spec describes: say so rather than write it.
    if (spec.dataset.source !== 'synthetic') {
      throw new UserError(`ads simulate: ${positionals[0]} reads its data from files (dataset.source: ${spec.dataset.source}); give a spec with dataset.source: synthetic`, 2);
    }
    // Digits only: Number('') is 0 and Number('1e3') 1000, seeds the user did not write; past 2^53 two seeds are one.
    const seed = typeof options.seed === 'string' ? (/^\d+$/.test(options.seed) ? Number(options.seed) : NaN) : spec.seed;
    if (!Number.isSafeInteger(seed)) throw new UserError(`ads simulate: --seed ${JSON.stringify(options.seed)} is not a non-negative integer (at most 2^53 − 1)`, 2);
    // A simulated modality goes beside it, `<name>` before the extension: the pair a spec can read from files.
    const modalities = Object.entries(spec.modalities).flatMap(([name, m]) => (m.source === 'synthetic' ? [{ name, m, out: out.replace(/(\.parquet|\.csv|\.csv\.gz)$/, `.${name}$1`) }] : []));
    for (const file of [out, ...modalities.map((x) => x.out)]) writableFile(file, 'ads simulate: --out');
    await writeTable(simulateScreen(spec.dataset.synthetic, seed), out, seed);
    for (const { name, m, out: file } of modalities) await writeTable(simulateExpression(spec.dataset.synthetic, m.synthetic, seed, name), file, seed);
    return 0;
  },
};
