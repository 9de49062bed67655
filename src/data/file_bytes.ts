import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { DataError } from '../errors.ts';

/**
 * A table file's bytes, whole or its start, inflated where it is gzip: what a user can fix (a missing file, a
 * folder, a name that says gzip and content that does not, a truncated stream) is a `DataError` naming the file.
 */

/** The file's size in bytes. */
export function fileSize(path: string): number {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new DataError(`${path}: cannot read the file: it is a folder, not a file`);
    return stat.size;
  } catch (err) {
    if (err instanceof DataError) throw err;
    return readBytes(path).length; // names the reason, as reading would
  }
}

/** Its first `length` bytes (fewer if it is shorter). */
export function readStart(path: string, length: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return readBytes(path);
  }
  try {
    const buffer = Buffer.alloc(length);
    const n = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The inflated text that the start of a gzip stream holds (Z_SYNC_FLUSH: no error for the part not read). */
export function gunzipStart(path: string, bytes: Buffer): Buffer {
  checkGzip(path, bytes);
  try {
    return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (err) {
    throw new DataError(`${path}: corrupt gzip data (${(err as Error).message})`);
  }
}

/** The whole file. */
export function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a folder, not a file' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new DataError(`${path}: cannot read the file: ${why}`);
  }
}

/** Whether the bytes start with gzip's magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The inflated text of a `.gz` file; a name that says gzip and content that does not (or the reverse) is an error. */
export function gunzip(path: string, bytes: Buffer): Buffer {
  checkGzip(path, bytes);
  try {
    return gunzipSync(bytes);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw gzipError(path, e.code, e.message, bytes.length);
  }
}

/**
 * zlib's failure on a whole gzip stream of `size` compressed bytes (inflated at once, or streamed as
 * inflate.ts does), as the error a user reads: Z_BUF_ERROR is a stream cut short.
 */
export function gzipError(path: string, code: string | undefined, message: string, size: number): DataError {
  if (code === 'Z_BUF_ERROR') return new DataError(`${path}: the gzip stream ends early (${size} bytes): the file is truncated`);
  return new DataError(`${path}: corrupt gzip data (${message})`);
}

/** A gzip file is named .gz and holds a gzip header. */
export function checkGzip(path: string, bytes: Buffer): void {
  if (!path.endsWith('.gz')) {
    throw new DataError(`${path}: the file is gzip-compressed but its name does not end in .gz; rename it to ${path}.gz`);
  }
  if (bytes.length === 0) throw new DataError(`${path}: the file is empty (0 bytes; a .gz file holds at least a gzip header)`);
  if (!isGzip(bytes)) {
    const plain = bytes.subarray(0, 16).every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
    throw new DataError(`${path}: not gzip data (no gzip header)${plain ? '; it looks like plain text: name it without .gz' : ''}`);
  }
}
