/** An error the user can fix: the CLI prints its message alone (no stack) and exits with `exitCode`. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Bad input data: the message names the file, the column and example rows. */
export class DataError extends UserError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'DataError';
  }
}

/** Rows as a user finds them in the file: 1-based data rows, the first few of them. */
export function exampleRows(rows: readonly number[], max = 5): string {
  const shown = rows.slice(0, max).map((r) => r + 1);
  return `row${rows.length === 1 ? '' : 's'} ${shown.join(', ')}${rows.length > max ? ` and ${rows.length - max} more` : ''}`;
}
