/**
 * File-system errors a user can fix (a full disk, a read-only mount, missing permission, a file where a
 * folder should be, a name too long), by errno code. Node's fs errors carry the code; the Parquet writer's
 * (Rust) carry only "os error <n>" in their message, mapped by Linux errno number.
 */
const EXPLAINED: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a file of that name exists, and it is not a folder',
  EISDIR: 'it is a folder, not a file',
  ENAMETOOLONG: 'a name in the path is too long for the file system',
  ELOOP: 'symbolic links in the path lead round in a loop',
};
const LINUX_ERRNO: Record<number, string> = { 1: 'EPERM', 13: 'EACCES', 17: 'EEXIST', 20: 'ENOTDIR', 21: 'EISDIR', 28: 'ENOSPC', 30: 'EROFS', 36: 'ENAMETOOLONG', 40: 'ELOOP', 122: 'EDQUOT' };

/** Errors that are about the path rather than the file system's state: fixed by naming another path. */
export const BAD_PATH = new Set(['ENOTDIR', 'EEXIST', 'EISDIR', 'ENAMETOOLONG', 'ELOOP']);

/** The errno code of a file-system error a user can fix, or null for anything else (a bug). */
export function fileSystemCode(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code in EXPLAINED) return code;
  // Node's own checks (rm of a folder: ERR_FS_EISDIR) carry the errno code in `info`.
  const info = (err as { info?: { code?: unknown } }).info?.code;
  if (typeof info === 'string' && info in EXPLAINED) return info;
  const os = /\(os error (\d+)\)/.exec(err.message);
  const mapped = os ? LINUX_ERRNO[Number(os[1])] : undefined;
  return mapped ?? null;
}

/** "no space left on the device (ENOSPC)". */
export function explainCode(code: string): string {
  return `${EXPLAINED[code] ?? 'file-system error'} (${code})`;
}

/** "/x/y: no space left on the device (ENOSPC)": the path and what is wrong with it (the original message where no path is known). */
export function fileSystemMessage(err: Error, code: string): string {
  const path = (err as NodeJS.ErrnoException).path;
  if (path) return `${path}: ${explainCode(code)}`;
  // Node's own message for a write without a path is "ENOSPC: no space left on device, write": nothing to add.
  return err.message.startsWith(`${code}:`) ? explainCode(code) : `${EXPLAINED[code]} (${code}: ${err.message})`;
}

/** An error's message, told as a file-system problem where it is one. */
export function errorMessage(err: unknown): string {
  const code = fileSystemCode(err);
  return code ? fileSystemMessage(err as Error, code) : err instanceof Error ? err.message : String(err);
}

