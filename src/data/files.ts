import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/**
 * The files a dataset path names: a plain path, or a glob (`*`, `?` within a name, `**` across folders),
 * e.g. `profiles/*_normalized.csv.gz` for per-plate files. Matches are sorted, so the concatenation order —
 * and with it every number downstream — does not depend on the file system's listing order.
 */
export function expandPattern(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) return statSync(pattern, { throwIfNoEntry: false })?.isFile() ? [pattern] : [];
  const parts = pattern.split(sep);
  const fixed = parts.findIndex((p) => /[*?]/.test(p));
  const base = parts.slice(0, fixed).join(sep) || (pattern.startsWith(sep) ? sep : '.');
  const matcher = globRegExp(parts.slice(fixed));
  return walk(base)
    .filter((f) => matcher.test(f.slice(base === sep ? 1 : base.length + 1)))
    .sort();
}

export function expandPaths(patterns: readonly string[]): string[] {
  return patterns.flatMap(expandPattern);
}

function globRegExp(parts: string[]): RegExp {
  const escaped = parts.map((p) =>
    p === '**'
      ? '(?:.*/)?'
      : `${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}/`,
  );
  return new RegExp(`^${escaped.join('').replace(/\/$/, '')}$`);
}

function walk(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}
