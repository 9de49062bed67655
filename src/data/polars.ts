import { createRequire } from 'node:module';
import type pl from 'nodejs-polars';

let loaded: typeof pl | undefined;

/**
 * polars, the table library, loaded where it is first used: its native module takes about 0.3 s to start,
 * which `ads validate` and `ads plan` (they read only a table's header) never pay.
 */
export function polars(): typeof pl {
  return (loaded ??= createRequire(import.meta.url)('nodejs-polars') as typeof pl);
}

/** A column as nodejs-polars holds it natively: what its JS `Series` wraps (`inner()`), without the wrapper. */
export interface NativeSeries {
  toTypedArray(): Float64Array;
  nullCount(): number;
}

interface PolarsNative {
  JsSeries: { newFloat64Array(name: string, values: Float64Array): NativeSeries };
  JsDataFrame: new (columns: NativeSeries[]) => unknown;
}

let native: { layer: PolarsNative; wrap: (frame: unknown) => pl.DataFrame } | undefined;

/**
 * nodejs-polars' native layer (its `polars_internal`, and `_DataFrame`, which wraps a native frame), for frames
 * of many columns: each JS `Series` builds hundreds of closures, 0.75 ms a column whatever its length, which
 * made a 14,880 × 1,700 table take 1.5 s to become a frame for its Parquet file, 1.3 s of it in the wrappers.
 * The package is pinned (package.json) and these paths with it.
 */
function polarsNative(): NonNullable<typeof native> {
  if (!native) {
    polars(); // the package's entry first: its modules require one another in the order it loads them
    const require = createRequire(import.meta.url);
    const layer = (require('nodejs-polars/bin/internals/polars_internal') as { default: PolarsNative }).default;
    const { _DataFrame } = require('nodejs-polars/bin/dataframe') as { _DataFrame: (frame: unknown) => pl.DataFrame };
    native = { layer, wrap: _DataFrame };
  }
  return native;
}

/** A Float64 column of a copy of `values` (NaN stays NaN, not null), as `pl.Series(name, values)` makes it. */
export function float64Column(name: string, values: Float64Array): NativeSeries {
  return polarsNative().layer.JsSeries.newFloat64Array(name, values);
}

/** The native column of a JS `Series`. */
export function nativeOf(series: pl.Series): NativeSeries {
  return (series as unknown as { inner(): NativeSeries }).inner();
}

/** A frame of these columns, in order, as `pl.DataFrame([...series])` makes it of named Series. */
export function frameOf(columns: NativeSeries[]): pl.DataFrame {
  const { layer, wrap } = polarsNative();
  return wrap(new layer.JsDataFrame(columns));
}

/** The first line of a polars error (the rest is its native backtrace), for a message naming the file. */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
