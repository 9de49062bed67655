import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
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
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`${dir} is not a folder`), { code: 'EEXIST' });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      // mkdir of a folder whose parent exists: the file system does not hold folders there (/proc, /sys).
      throw new UserError(`${setting}: ${dir} cannot be a folder to write in: this file system does not allow a folder there (ENOENT)`, 2);
    }
    const code = fileSystemCode(err);
    if (!code) throw err;
    throw new UserError(`${setting}: ${dir} cannot be a folder to write in: ${explainCode(code)}`, BAD_PATH.has(code) ? 2 : 1);
  }
}

/**
 * Makes sure a command can write file `file` (a setting or argument names it): its folder as `writableDir`
 * makes it, the path not a folder, and a file creatable beside it. Checked before any work, and by Node: the
 * Parquet writer (polars) fails on a path it cannot write with a Rust panic, not an error to name.
 */
export function writableFile(file: string, setting: string): void {
  writableDir(dirname(file), setting);
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw new UserError(`${setting}: ${file} is a folder; name a file`, 2);
  const probe = `${file}.probe-${process.pid}`;
  try {
    closeSync(openSync(probe, 'w'));
  } catch (err) {
    const code = fileSystemCode(err);
    // ENOENT for a file in a folder that exists: the file system holds no files there (/proc, /sys).
    const why = code ? explainCode(code) : (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'this file system does not allow a file there (ENOENT)' : null;
    if (!why) throw err;
    throw new UserError(`${setting}: cannot write ${file}: ${why}`, code && !BAD_PATH.has(code) ? 1 : 2);
  }
  rmSync(probe, { force: true });
}

/**
 * mkdir -p, one folder at a time from the deepest existing one, so a folder that cannot be made fails with
 * its own reason. Node's recursive mkdir reports ENOENT for that (on a read-only mount), and on some virtual
 * file systems (/proc) it retries forever.
 */
function makeDir(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}
