import { suggestion } from './did-you-mean.ts';
import type { SpecIssue } from './errors.ts';
import type { SettingResolution } from './schema.ts';

type Unresolved = Extract<SettingResolution, { ok: false }>;

/**
 * A dotted setting path (in `--set` or a sweep) that names no setting. `path` is where the path was written
 * (the `--set` has none of its own, so the setting path is used); the suggestion is a whole corrected path.
 */
export function unknownSettingIssue(r: Unresolved, where: string, path?: string): SpecIssue {
  const written = [...r.known, r.unknown].join('.');
  const fix = suggestion(r.unknown, r.candidates, (c) => [...r.known, c].join('.'));
  return path === undefined
    ? { where, path: written, message: `unknown setting${fix}` }
    : { where, path, message: `unknown setting "${written}"${fix}` };
}
