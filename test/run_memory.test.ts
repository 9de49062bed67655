import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeColumnsParquet } from '../src/data/io.ts';
import { polars } from '../src/data/polars.ts';
import { simulateScreen } from '../src/data/synthetic.ts';
import { parquetRowsAndColumns } from '../src/data/parquet_footer.ts';
import { stream } from '../src/random/streams.ts';
import { jobsFor, MIN_RUN_BYTES, runMemory, tableShape } from '../src/run/memory.ts';
import { loadSpec } from '../src/spec/load.ts';
import { ads } from './support/cli.ts';
import { scratchDir } from './support/files.ts';

/**
 * What `ads run` tells of a run's memory before reading its data: the shape of its tables, checked against
 * tables of known shape (written here, or read by pyarrow and polars), and what `--jobs` makes of it.
 */
const { dir, write } = scratchDir('ads-memory-');
const fixtures = join(import.meta.dirname, 'fixtures');

/** A CSV of `rows` rows: an id, a plate and 40 numbers of 3 to 17 significant digits, lines of uneven length. */
function csvText(rows: number): string {
  const rs = stream(7, 'test/csv');
  const lines = [['Metadata_id', 'Metadata_plate', ...Array.from({ length: 40 }, (_, j) => `f${j}`)].join(',')];
  for (let i = 0; i < rows; i++) {
    const values = Array.from({ length: 40 }, () => (rs.normal() * 10 ** rs.int(4)).toPrecision(3 + rs.int(15)));
    lines.push([`w${i}`, `P${i % 7}`, ...values].join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe("a table's shape, from its first bytes", () => {
  it('a CSV.gz and a CSV larger than the sample: columns from the header, rows within 1 % of the true count', () => {
    const rows = 40_000;
    const text = csvText(rows);
    const gz = write('big.csv.gz', gzipSync(text));
    const csv = write('big.csv', text);
    // Both files are larger than the 4 MB read, so the rows are told from a part of each.
    expect(readFileSync(gz).length).toBeGreaterThan(4 * 2 ** 20);
    for (const file of [gz, csv]) {
      const shape = tableShape(file)!;
      expect(shape.columns).toBe(42);
      expect(Math.abs(shape.rows - rows) / rows, file).toBeLessThan(0.01);
    }
  });

  it('a whole small file gives its exact rows, with or without a final newline', () => {
    expect(tableShape(write('small.csv', 'a,b,c\n1,2,3\n4,5,6\n'))).toEqual({ rows: 2, columns: 3 });
    expect(tableShape(write('open.csv', 'a,b,c\n1,2,3\n4,5,6'))).toEqual({ rows: 2, columns: 3 });
    expect(tableShape(write('small.csv.gz', gzipSync('a,b\n1,2\n')))).toEqual({ rows: 1, columns: 2 });
  });

  it("a Parquet file's rows and columns from its footer: pyarrow's reading of the fixture, polars' of a file of several row groups", () => {
    // test/oracles/parquet_types.py: pyarrow read 3 rows of 5 columns.
    const oracle = JSON.parse(readFileSync(join(fixtures, 'parquet_types.json'), 'utf8'));
    expect(parquetRowsAndColumns(join(fixtures, 'parquet_types.parquet'))).toEqual({ rows: oracle.rows.length, columns: Object.keys(oracle.schema).length });
    const rows = 300_000;
    const file = join(dir, 'groups.parquet');
    writeColumnsParquet({ id: Int32Array.from({ length: rows }, (_, i) => i), x: Float64Array.from({ length: rows }, (_, i) => i / 3), name: Array.from({ length: rows }, (_, i) => `r${i % 11}`) }, file);
    const frame = polars().readParquet(file);
    expect(parquetRowsAndColumns(file)).toEqual({ rows: frame.height, columns: frame.width });
    expect(tableShape(file)).toEqual({ rows, columns: 3 });
  });

  it('a file that is not a table counts for nothing (loading it says why)', () => {
    expect(tableShape(join(dir, 'missing.csv'))).toBeNull();
    expect(tableShape(write('broken.parquet', 'PAR1 not really'))).toBeNull();
  });
});

describe("a run's memory", () => {
  it("a simulated screen's rows are those the simulation makes; small data is given the least a run takes", () => {
    const spec = loadSpec(write('sim.yaml', 'experiment: sim\ndataset: { synthetic: { plates: 3, controls_per_plate: 8, moas: 2, compounds_per_moa: 3, doses: 2, replicates: 2, features: 30 } }\n')).spec;
    const screen = simulateScreen(spec.dataset.synthetic, 1);
    const memory = runMemory(spec);
    expect({ rows: memory.rows, columns: memory.columns }).toEqual({ rows: screen.values.rows, columns: screen.values.cols });
    expect(memory.bytes).toBe(MIN_RUN_BYTES);
  });

  it('grows with the data: above the peaks measured at LINCS and CDRP size', () => {
    const lincs = loadSpec(write('lincs.yaml', 'experiment: l\ndataset: { synthetic: { plates: 134, wells_per_plate: 384, controls_per_plate: 24, moas: 100, compounds_per_moa: 16, doses: 6, replicates: 5, features: 1700 } }\n')).spec;
    const cdrp = loadSpec(write('cdrp.yaml', 'experiment: c\ndataset: { synthetic: { plates: 428, wells_per_plate: 384, controls_per_plate: 24, moas: 100, compounds_per_moa: 50, doses: 6, replicates: 5, features: 1800 } }\n')).spec;
    // Peak resident memory of `ads run` (bench/pipeline.bench.ts, /usr/bin/time): 4,327 MB and 11,520 MB, in GiB.
    expect(runMemory(lincs).bytes / 2 ** 30).toBeGreaterThan(4327 / 1024);
    expect(runMemory(cdrp).bytes / 2 ** 30).toBeGreaterThan(11520 / 1024);
    // Not so far above that a LINCS-size sweep would lose a core on a 24 GB machine of 2 cores.
    expect(jobsFor(2, 1, runMemory(lincs).bytes, 22 * 2 ** 30)).toEqual({ jobs: 2, byMemory: false });
  });

  it('--jobs defaults to a run per core (per runtime.threads cores), fewer when memory holds fewer, at least one', () => {
    const GB = 2 ** 30;
    expect(jobsFor(8, 1, 1.5 * GB, 64 * GB)).toEqual({ jobs: 8, byMemory: false });
    expect(jobsFor(8, 2, 1.5 * GB, 64 * GB)).toEqual({ jobs: 4, byMemory: false });
    expect(jobsFor(8, 1, 14 * GB, 64 * GB)).toEqual({ jobs: 4, byMemory: true });
    expect(jobsFor(2, 1, 14 * GB, 22 * GB)).toEqual({ jobs: 1, byMemory: true });
    expect(jobsFor(2, 1, 40 * GB, 22 * GB)).toEqual({ jobs: 1, byMemory: true });
    expect(jobsFor(1, 4, 1.5 * GB, 22 * GB)).toEqual({ jobs: 1, byMemory: false });
  });

  it('ads run warns when a run may need more memory than there is, naming the data, and still runs what it is asked', async () => {
    // 3.2 million wells × 100,000 features: no machine holds it. --shard 2/2 of its one run runs nothing.
    const huge = write('huge.yaml', 'experiment: huge\ndataset: { synthetic: { plates: 100000, controls_per_plate: 32, features: 100000 } }\n');
    const args = ['--shard', '2/2', '--no-report', '--runs-dir', join(dir, 'runs')];
    for (const jobs of [[], ['--jobs', '2']]) {
      const r = await ads(['run', huge, ...jobs, ...args]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^warning: ads run: a run of this data \(about 3,200,192 rows × 100,000 columns\) may take up to [\d.]+ GB of memory, more than the [\d.]+ GB available\n$/);
    }
    // Small data: not a word about memory.
    const small = write('small.yaml', 'experiment: small\ndataset: { synthetic: { plates: 2, features: 20 } }\n');
    expect((await ads(['run', small, '--jobs', '2', ...args])).stderr).toBe('');
    // A sweep over the data itself is sized by its largest point (--shard 3/3 of its two runs runs nothing).
    const swept = write('swept.yaml', 'experiment: swept\ndataset: { synthetic: { plates: 100000, controls_per_plate: 32, features: 20 } }\nsweep: { grid: { dataset.synthetic.features: [20, 100000] } }\n');
    const r = await ads(['run', swept, '--shard', '3/3', '--no-report', '--runs-dir', join(dir, 'runs')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('about 3,200,192 rows × 100,000 columns');
  });
});
