import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { writeColumnsParquet } from '../src/data/io.ts';
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
