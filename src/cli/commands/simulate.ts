import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { profilesToFrame } from '../../data/io.ts';
import { simulateScreen } from '../../data/synthetic.ts';
import { loadSpec } from '../../spec/load.ts';
import { COMMON_OPTIONS, type CommandDefinition, commonValues, UserError } from '../command.ts';

export const simulateCommand: CommandDefinition = {
  name: 'simulate',
  usage: 'simulate <spec.yaml> --out FILE.parquet|FILE.csv|FILE.csv.gz [--set path=value]… [--seed N]',
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
    const frame = profilesToFrame(simulateScreen(spec.dataset.synthetic, seed));
    mkdirSync(dirname(out), { recursive: true });
    if (out.endsWith('.parquet')) frame.writeParquet(out, { compression: 'zstd' });
    else {
      const text = frame.writeCSV();
      writeFileSync(out, out.endsWith('.gz') ? gzipSync(text) : text);
    }
    console.log(`${out}: ${frame.height} wells × ${frame.width} columns (seed ${seed})`);
    return 0;
  },
};
