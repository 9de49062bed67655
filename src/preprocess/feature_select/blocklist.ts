import type { Exclusion } from './exclusion.ts';

/**
 * Drop the features matched by a blocklist entry. Each entry is a regular expression that must match the
 * whole feature name, so a plain feature name (letters, digits, `_`) matches exactly itself, and patterns
 * such as `.*_Location_.*` drop a family (pycytominer's blocklist file holds plain names only).
 */
export function blocklist(features: readonly string[], entries: readonly string[]): Exclusion[] {
  const patterns = entries.map((entry) => ({ entry, re: blocklistPattern(entry) }));
  const out: Exclusion[] = [];
  for (const feature of features) {
    const hit = patterns.find(({ re }) => re.test(feature));
    if (hit) out.push({ feature, detail: hit.entry === feature ? 'in blocklist' : `matches blocklist pattern '${hit.entry}'` });
  }
  return out;
}

/** A blocklist entry as a pattern of whole feature names (the spec's check compiles it so too). */
export function blocklistPattern(entry: string): RegExp {
  return new RegExp(`^(?:${entry})$`);
}
