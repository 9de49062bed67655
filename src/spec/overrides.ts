import { parse } from '../vendor/yaml.ts';
import type { Composed } from './compose.ts';
import { SpecError } from './errors.ts';
import { unknownSettingIssue } from './setting-issue.ts';
import { resolveSetting, validateSetting } from './schema.ts';
import { assignSite, commandLineSite } from './sites.ts';
import { setAt } from './values.ts';

/**
 * Applies `--set path=value` overrides, in order, after the files. A value is read as YAML (a scalar or a flow
 * list/map) and typed by the schema at its path: the YAML reading is kept if the setting accepts it, else the
 * raw text if the setting accepts that (a string setting keeps `123` as "123"); if neither fits, the YAML
 * reading stays and validation reports it at the override.
 */
export function applyOverrides(composed: Composed, overrides: readonly string[]): Composed {
  return overrides.reduce<Composed>((acc, text) => {
    const site = commandLineSite(text, process.cwd());
    const { where } = site;
    const eq = text.indexOf('=');
    if (eq <= 0) throw new SpecError({ where, path: '', message: 'expected --set path=value' });
    const setting = resolveSetting(text.slice(0, eq).trim());
    if (!setting.ok) throw new SpecError(unknownSettingIssue(setting, where));
    // `extends` is applied while the files are read, before any override.
    if (setting.keys[0] === 'extends') throw new SpecError({ where, path: 'extends', message: 'cannot be set with --set' });
    const raw = text.slice(eq + 1);
    const value = typed(setting.pointer, raw);
    return {
      value: setAt(acc.value, setting.keys, value) as Record<string, unknown>,
      sites: assignSite(acc.sites, setting.keys, site, value),
    };
  }, composed);
}

/** `path=value` overrides setting each of `params` (dotted paths), the values written as JSON (which YAML reads). */
export function overridesOf(params: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(params).map(([path, value]) => `${path}=${JSON.stringify(value)}`);
}

function typed(pointer: string, raw: string): unknown {
  let read: { value: unknown } | undefined;
  try {
    read = { value: parse(raw) };
  } catch {
    // Not YAML (e.g. an unbalanced bracket): only the raw text is left to try.
  }
  if (read && validateSetting(pointer, read.value).valid) return read.value;
  if (!read || validateSetting(pointer, raw).valid) return raw;
  return read.value;
}
