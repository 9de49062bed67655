import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { profilesToFrame, writeProfilesCsv } from '../../data/io.ts';
import { simulateExpression } from '../../data/expression.ts';
import type { Profiles } from '../../data/profiles.ts';
import { simulateScreen } from '../../data/synthetic.ts';
import { loadSpec } from '../../spec/load.ts';
import { COMMON_OPTIONS, type CommandDefinition, commonValues, UserError } from '../command.ts';

async function writeTable(table: Profiles, out: string, seed: number): Promise<void> {
  if (out.endsWith('.parquet')) profilesToFrame(table).writeParquet(out, { compression: 'zstd' });
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
    const seed = typeof options.seed === 'string' ? Number(options.seed) : spec.seed;
    if (!Number.isInteger(seed) || seed < 0) throw new UserError(`ads simulate: --seed ${String(options.seed)} is not a non-negative integer`, 2);
    mkdirSync(dirname(out), { recursive: true });
    await writeTable(simulateScreen(spec.dataset.synthetic, seed), out, seed);
    // A simulated modality goes beside it, `<name>` before the extension: the pair a spec can read from files.
    for (const [name, m] of Object.entries(spec.modalities)) {
      if (m.source === 'synthetic') await writeTable(simulateExpression(spec.dataset.synthetic, m.synthetic, seed, name), out.replace(/(\.parquet|\.csv|\.csv\.gz)$/, `.${name}$1`), seed);
    }
    return 0;
  },
};
