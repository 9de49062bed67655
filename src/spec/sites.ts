import { isObject } from './values.ts';

/**
 * Where each setting of a composed spec was written. The tree mirrors the spec value: a node per setting,
 * holding the site of its value and of its key, so an error anywhere in the final spec (even one found
 * later, for one sweep point) can be reported at the place the user has to edit.
 */
export interface Site {
  /** `file:line:col`, or `--set path=value`. */
  readonly where: string;
  /** Directory that relative file paths written here are resolved against. */
  readonly dir: string;
}

export interface SiteTree {
  readonly value: Site;
  readonly key?: Site;
  readonly children?: ReadonlyMap<string, SiteTree>;
}

/**
 * The site of the setting at `keys`. A setting nobody wrote (a default, or a missing property) is located at
 * its nearest written ancestor's key, which is where the user would add it.
 */
export function locate(tree: SiteTree, keys: readonly string[], part: 'value' | 'key' = 'value'): Site {
  let node = tree;
  for (const k of keys) {
    const child = node.children?.get(k);
    if (!child) return node.key ?? node.value;
    node = child;
  }
  return part === 'key' ? (node.key ?? node.value) : node.value;
}

/** Where the setting at `keys` was written (by a file or a --set), or null where nobody wrote it (a default). */
export function written(tree: SiteTree, keys: readonly string[]): Site | null {
  let node = tree;
  for (const k of keys) {
    const child = node.children?.get(k);
    if (!child) return null;
    node = child;
  }
  return node.value;
}

/**
 * A copy of `tree` in which the setting at `keys`, and everything below it, was written at `site`; parents that
 * did not exist are created at `site` too, while existing parents keep their own sites. Only the nodes on the
 * path are copied, so one tree per sweep point is cheap.
 */
export function assignSite(tree: SiteTree, keys: readonly string[], site: Site, value?: unknown): SiteTree {
  if (keys.length === 0) return writtenWhole(value, site);
  const [head, ...rest] = keys;
  const children = new Map(tree.children);
  children.set(head, assignSite(children.get(head) ?? { value: site, key: site }, rest, site, value));
  return { ...tree, children };
}

/** A value written whole at `site` (`--set training={lr: 0.5}`): a node per setting inside it, each at that site. */
function writtenWhole(value: unknown, site: Site): SiteTree {
  if (!isObject(value)) return { value: site, key: site };
  return { value: site, key: site, children: new Map(Object.entries(value).map(([k, v]) => [k, writtenWhole(v, site)])) };
}

/** How an override's site begins (`--set path=value`), where a file's is `file:line:col`. */
const COMMAND_LINE = '--set ';

/** The site of a `--set path=value` override. */
export function commandLineSite(text: string, dir: string): Site {
  return { where: `${COMMAND_LINE}${text}`, dir };
}

/** Whether a setting was written by `--set` rather than in a spec file. */
export function onCommandLine(site: Site): boolean {
  return site.where.startsWith(COMMAND_LINE);
}

/** The spec file a site is in, or `--set` for an override: two settings written in one place compare equal. */
export function siteFile(site: Site): string {
  return onCommandLine(site) ? COMMAND_LINE.trim() : site.where.replace(/:\d+:\d+$/, '');
}
