import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { writeColumnsParquet, writeProfilesParquet } from '../src/data/io.ts';
import { matrix } from '../src/numeric/matrix.ts';
import { PARQUET_SAMPLE as SAMPLE } from './support/parquet_sample.ts';
import { scratchDir } from './support/files.ts';

const fixtures = join(import.meta.dirname, 'fixtures');

describe('Parquet tables are typed by what they hold', () => {
  const { dir } = scratchDir('ads-parquet-');
  const path = join(dir, 'sample.parquet');
  writeColumnsParquet(SAMPLE, path);

  it('reads back with integers as integers and strings as strings', () => {
    const df = pl.readParquet(path);
    expect(Object.fromEntries(df.columns.map((c, i) => [c, String(df.dtypes[i]).replace(/^DataType\((.*)\)$/, '$1')]))).toEqual({
      representation: 'String',
      epoch: 'Int32',
      macro_f1: 'Float64',
      replicating: 'Bool',
      Metadata_dose: 'Float64',
    });
    expect(df.getColumn('epoch').toArray()).toEqual([0, 1, 2]);
    expect(df.getColumn('representation').toArray()).toEqual(['anomaly', 'cellprofiler', null]);
  });

  it("carries no Arrow schema (Polars' Utf8View, which pyarrow < 16 rejects): readers type columns from the Parquet schema", () => {
    expect(readFileSync(path).includes('ARROW:schema')).toBe(false);
  });

  it('is what pyarrow read as string, int32, double, bool (test/oracles/parquet_types.py)', () => {
    // The oracle read the fixture file; the writer still writes it byte for byte (regenerate both when Polars changes its output).
    expect(readFileSync(path).equals(readFileSync(join(fixtures, 'parquet_types.parquet')))).toBe(true);
    const oracle = JSON.parse(readFileSync(join(fixtures, 'parquet_types.json'), 'utf8'));
    expect(oracle.schema).toEqual({ representation: 'string', epoch: 'int32', macro_f1: 'double', replicating: 'bool', Metadata_dose: 'double' });
    expect(oracle.metadata).toBeNull();
    expect(oracle.pandas_dtypes.epoch).toBe('int32');
    expect(oracle.rows).toEqual([
      { representation: 'anomaly', epoch: 0, macro_f1: 0.5, replicating: true, Metadata_dose: 0.1 },
      { representation: 'cellprofiler', epoch: 1, macro_f1: null, replicating: false, Metadata_dose: null },
      { representation: null, epoch: 2, macro_f1: 1, replicating: true, Metadata_dose: 10 },
    ]);
  });
});

describe('a profiles table reads back as written', () => {
  const { dir } = scratchDir('ads-profiles-parquet-');
  // 130 features: the columns are copied out 64 at a time, so two whole blocks and a part of one.
  const rows = 37;
  const cols = 130;
  const values = matrix(rows, cols, Float64Array.from({ length: rows * cols }, (_, k) => Math.sin(k) * 10 ** ((k % 7) - 3)));
  values.data[5 * cols + 64] = NaN;
  values.data[6 * cols + 63] = -0;
  values.data[rows * cols - 1] = 1e-310; // subnormal
  const features = Array.from({ length: cols }, (_, j) => `Cells_f${j}`);
  const metadata = {
    Metadata_Plate: Array.from({ length: rows }, (_, i) => `P${i % 3}`),
    Metadata_dose: Array.from({ length: rows }, (_, i) => (i === 4 ? null : i / 8)),
  };
  const path = join(dir, 'profiles.parquet');
  writeProfilesParquet({ metadata, features, values }, path);

  it("every value, bit for bit, in its column, as polars' own reader reads the file", () => {
    const df = pl.readParquet(path);
    expect(df.columns).toEqual(['Metadata_Plate', 'Metadata_dose', ...features]);
    expect(df.getColumn('Metadata_Plate').toArray()).toEqual(metadata.Metadata_Plate);
    expect(df.getColumn('Metadata_dose').toArray()).toEqual(metadata.Metadata_dose);
    const back = new Float64Array(rows * cols);
    features.forEach((f, j) => {
      const column = Float64Array.from(df.getColumn(f).toArray() as number[]);
      for (let i = 0; i < rows; i++) back[i * cols + j] = column[i];
    });
    expect(Buffer.from(back.buffer).equals(Buffer.from(values.data.buffer))).toBe(true);
    expect(df.getColumn(features[64]).nullCount()).toBe(0); // NaN stays NaN, not null
  });
});
