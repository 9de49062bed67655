import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { DataError } from '../errors.ts';

/**
 * The files a dataset path names: a plain path, or a glob (`*`, `?` within a name, `**` across folders),
 * e.g. `profiles/*_normalized.csv.gz` for per-plate files. Matches are sorted, so the concatenation order —
 * and with it every number downstream — does not depend on the file system's listing order.
 */
export function expandPattern(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) return statSync(pattern, { throwIfNoEntry: false })?.isFile() ? [pattern] : [];
  const parts = pattern.split(sep);
  const fixed = parts.findIndex((p) => /[*?]/.test(p));
  const base = globBase(pattern);
  if (!statSync(base, { throwIfNoEntry: false })?.isDirectory()) return [];
  const matcher = globRegExp(parts.slice(fixed));
  return walk(base)
    .filter((f) => matcher.test(f.slice(base === sep ? 1 : base.length + 1)))
    .sort();
}

/** The folder a glob searches: its path up to the first part with a wildcard. */
function globBase(pattern: string): string {
  const parts = pattern.split(sep);
  const fixed = parts.findIndex((p) => /[*?]/.test(p));
  return parts.slice(0, fixed).join(sep) || (pattern.startsWith(sep) ? sep : '.');
}

/** Why a path or glob names no file, in a few words for an error message. */
export function whyNoFile(pattern: string): string {
  if (/[*?]/.test(pattern)) {
    const base = globBase(pattern);
    const stat = statSync(base, { throwIfNoEntry: false });
    if (!stat) return `no file matches: the folder ${base} does not exist`;
    if (!stat.isDirectory()) return `no file matches: ${base} is not a folder`;
    return 'no file matches';
  }
  const stat = statSync(pattern, { throwIfNoEntry: false });
  if (stat?.isDirectory()) return 'it is a folder, not a file (a glob such as folder/*.csv.gz names the files in it)';
  return stat ? 'it is not a regular file' : 'file not found:';
}

/** Every file the paths or globs name, each once: a file two entries name (`[a.csv, '*.csv']`) is read once, not doubled. */
export function expandPaths(patterns: readonly string[]): string[] {
  return [...new Set(patterns.flatMap(expandPattern))];
}

function globRegExp(parts: string[]): RegExp {
  // As a shell's glob: a wildcard does not match a name's leading '.', and ** enters no hidden folder, so that
  // hidden files (macOS' ._plate1.csv.gz copies, .DS_Store) are not read as tables.
  const escaped = parts.map((p) =>
    p === '**'
      ? '(?:(?!\\.)[^/]*/)*'
      : `${/^[*?]/.test(p) ? '(?!\\.)' : ''}${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}/`,
  );
  return new RegExp(`^${escaped.join('').replace(/\/$/, '')}$`);
}

function walk(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch (err) {
    throw new DataError(`${dir}: cannot list the folder to match a glob: ${(err as Error).message}`);
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}
