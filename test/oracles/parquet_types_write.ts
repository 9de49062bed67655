// Writes test/fixtures/parquet_types.parquet with the project's writer, for test/oracles/parquet_types.py to read.
import { join } from 'node:path';
import { writeColumnsParquet } from '../../src/data/io.ts';
import { PARQUET_SAMPLE } from '../support/parquet_sample.ts';

writeColumnsParquet(PARQUET_SAMPLE, join(import.meta.dirname, '..', 'fixtures', 'parquet_types.parquet'));
