import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { dottedPath, SpecError } from './errors.ts';
import { issuesFromAjv } from './issues.ts';
import { resolveSetting, validateSetting } from './schema.ts';
import { locate, type SiteTree } from './sites.ts';
import { isObject } from './values.ts';
import { displayPath, readSpecFile } from './yaml-file.ts';

/** A spec's settings before defaults, with where each was written. */
export interface Composed {
  readonly value: Record<string, unknown>;
  readonly sites: SiteTree;
}

/**
 * A spec file with its `extends` applied: each listed file (relative to the extending file, itself possibly
 * extending others) is deep-merged in order, then the file's own settings. `extends` itself is consumed here
 * and is not part of the result.
 */
export function composeSpec(file: string): Composed {
  const [first, ...rest] = layers(resolve(file), []);
  return rest.reduce((acc, layer) => {
    const [value, sites] = merge(acc.value, acc.sites, layer.value, layer.sites);
    return { value: value as Record<string, unknown>, sites };
  }, first);
}

/** The files to merge, in order, for one spec file; `chain` holds the files extending it, to detect cycles. */
function layers(file: string, chain: readonly string[]): Composed[] {
  const { value: withExtends, sites } = readSpecFile(file);
  const { extends: parents, ...value } = withExtends;
  if (parents === undefined) return [{ value, sites }];
  const pointer = resolveSetting('extends');
  if (pointer.ok) {
    const check = validateSetting(pointer.pointer, parents);
    if (!check.valid) throw new SpecError(issuesFromAjv(check.errors, parents, sites, ['extends']));
  }
  const inherited = (parents as string[]).flatMap((entry, i) => {
    const keys = ['extends', String(i)];
    const where = locate(sites, keys).where;
    const parent = resolve(dirname(file), entry);
    const extending = [...chain, file];
    if (extending.includes(parent)) {
      const cycle = [...extending.slice(extending.indexOf(parent)), parent].map(displayPath).join(' → ');
      throw new SpecError({ where, path: dottedPath(keys), message: `extends cycle: ${cycle}` });
    }
    const stat = statSync(parent, { throwIfNoEntry: false });
    if (!stat) {
      throw new SpecError({ where, path: dottedPath(keys), message: `file not found: ${entry} (looked for ${displayPath(parent)})` });
    }
    if (!stat.isFile()) {
      throw new SpecError({ where, path: dottedPath(keys), message: `${entry} is ${stat.isDirectory() ? 'a folder' : 'not a regular file'}; extends lists spec files (looked at ${displayPath(parent)})` });
    }
    return layers(parent, extending);
  });
  return [...inherited, { value, sites }];
}

/**
 * Deep merge: objects merge key by key; anything else (lists included) is replaced by the later value. The
 * site tree is merged alongside, so every setting stays located in the file whose value won.
 */
function merge(base: unknown, baseSites: SiteTree | undefined, over: unknown, overSites: SiteTree): [unknown, SiteTree] {
  if (!isObject(base) || !isObject(over) || !baseSites) return [over, overSites];
  const value: Record<string, unknown> = { ...base };
  const children = new Map(baseSites.children);
  for (const [k, v] of Object.entries(over)) {
    const [merged, sites] = merge(base[k], baseSites.children?.get(k), v, overSites.children?.get(k) ?? overSites);
    value[k] = merged;
    children.set(k, sites);
  }
  return [value, { ...overSites, children }];
}
