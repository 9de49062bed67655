import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { BAD_PATH, explainCode, fileSystemCode, fileSystemMessage } from '../run/fs_errors.ts';

/** A file-system error as a user error (exit 2 for a path that cannot work, 1 for a disk or permission to fix), else null. */
export function asUserError(err: unknown, prefix: string): UserError | null {
  const code = fileSystemCode(err);
  if (!code) return null;
  return new UserError(`${prefix}${fileSystemMessage(err as Error, code)}`, BAD_PATH.has(code) ? 2 : 1);
}

/**
 * Makes sure the folder a setting names exists (creating it) and can be written to; otherwise a user error
 * naming the setting and the path, before any work starts.
 */
export function writableDir(dir: string, setting: string): void {
  try {
    makeDir(dir);
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = fileSystemCode(err);
    if (!code) throw err;
    throw new UserError(`${setting}: ${dir} cannot be a folder to write in: ${explainCode(code)}`, BAD_PATH.has(code) ? 2 : 1);
  }
}

/**
 * mkdir -p, but failing with the real reason: a recursive mkdir reports ENOENT when a missing folder cannot
 * be created (e.g. on a read-only mount), so the first missing one is created alone to learn why.
 */
function makeDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    let missing = resolve(dir);
    while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
    mkdirSync(missing);
    throw err;
  }
}
