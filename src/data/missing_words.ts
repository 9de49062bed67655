/*
 * The words a table's cells use for a missing value, as pandas reads them: a module apart from the table
 * reader (assemble.ts), so that `ads validate`, whose MoA checks read these words, does not load polars.
 */

/**
 * Text pandas' CSV reader takes for a missing value by default (`na_values`, pandas 3.0: R's NA, Excel's
 * #N/A, SQL's NULL, Python's None, …), which pycytominer's tables are read with: the same words are missing
 * here. So are NaN and ±inf in any letter case (±inf is as unusable as a missing value, method §2.1).
 */
const PANDAS_MISSING = new Set(['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null']);

/** Whether text is one of pandas' missing words, exactly as written (a metadata value: see moa_filter.ts). */
export function isPandasMissing(text: string): boolean {
  return PANDAS_MISSING.has(text);
}

/** Whether a feature column's text stands for a value it lacks (see PANDAS_MISSING); other words are errors. */
export function isMissingText(text: string): boolean {
  const word = text.trim();
  return PANDAS_MISSING.has(word) || /^[-+]?(nan|na|inf|infinity)$/i.test(word);
}
