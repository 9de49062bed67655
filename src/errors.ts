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
