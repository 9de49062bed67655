import { dottedPath, type SpecIssue, SpecError } from './errors.ts';
import { issuesFromAjv } from './issues.ts';
import { type JsonSchema, resolveSetting, schemaAt, validateSetting } from './schema.ts';
import { unknownSettingIssue } from './setting-issue.ts';
import { locate, onCommandLine, type SiteTree } from './sites.ts';
import type { ResolvedSpec } from './types.ts';

/** One entry of a sweep: the dotted path it varies and where it sits in the spec. */
export interface SweepEntry {
  readonly kind: 'grid' | 'zip' | 'random' | 'search';
  readonly path: string;
  /** Keys of the entry in the spec (`['sweep', 'grid', 'model.latent']`), to locate it. */
  readonly entry: readonly string[];
  /** grid and zip: the listed values. */
  readonly values?: readonly unknown[];
  /** random: the distribution (`{log_uniform: [1e-4, 1e-2]}`). */
  readonly distribution?: Readonly<Record<string, readonly unknown[]>>;
}

/** The sweep's entries in declaration order: grid, then zip, then random, then the search's parameters. */
export function sweepEntries(sweep: ResolvedSpec['sweep']): SweepEntry[] {
  const lists = (kind: 'grid' | 'zip') =>
    Object.entries(sweep[kind]).map(([path, values]): SweepEntry => ({ kind, path, entry: ['sweep', kind, path], values }));
  const random = Object.entries(sweep.random?.params ?? {}).map(
    ([path, distribution]): SweepEntry => ({ kind: 'random', path, entry: ['sweep', 'random', 'params', path], distribution: distribution as SweepEntry['distribution'] }),
  );
  const search = Object.entries(sweep.search?.params ?? {}).map(
    ([path, distribution]): SweepEntry => ({ kind: 'search', path, entry: ['sweep', 'search', 'params', path], distribution: distribution as SweepEntry['distribution'] }),
  );
  return [...lists('grid'), ...lists('zip'), ...random, ...search];
}

/** Settings that are not experiment settings: the sweep itself, and `extends`, applied while reading files. */
const UNSWEEPABLE = new Set(['sweep', 'extends']);

/**
 * What the schema cannot say about a sweep: its paths name real settings, each swept once; every listed value
 * (grid, zip, random choices) is valid for its setting; zipped lists have equal length; ranges are ordered.
 * Random draws themselves are checked when the sweep is expanded. Issues are located at the sweep entry.
 */
export function checkSweep(spec: ResolvedSpec, sites: SiteTree): void {
  const issues: SpecIssue[] = [];
  const swept: Array<{ keys: readonly string[]; entry: readonly string[] }> = [];
  const entries = sweepEntries(spec.sweep);
  for (const { path, entry, values, distribution } of entries) {
    const where = locate(sites, entry, 'key').where;
    const r = resolveSetting(path);
    if (!r.ok) {
      issues.push(unknownSettingIssue(r, where, dottedPath(entry)));
      continue;
    }
    if (UNSWEEPABLE.has(r.keys[0])) {
      issues.push({ where, path: dottedPath(entry), message: `"${r.keys[0]}" cannot be swept` });
      continue;
    }
    const clash = swept.find((s) => isPrefix(s.keys, r.keys) || isPrefix(r.keys, s.keys));
    if (clash) {
      issues.push({ where, path: dottedPath(entry), message: `overlaps ${dottedPath(clash.entry)}; a setting can be swept only once` });
      continue;
    }
    swept.push({ keys: r.keys, entry });
    // A --set of a swept setting would be overridden by the sweep in every run, silently.
    const override = commandLineWhere(sites, r.keys);
    if (override) {
      issues.push({
        where: override,
        path: r.keys.join('.'),
        message: `is swept by ${dottedPath(entry)} (${where}), which sets it in every run; change the sweep's values instead`,
      });
      continue;
    }
    const checkValues = (list: readonly unknown[], at: readonly string[]) =>
      list.forEach((value, i) => {
        const check = validateSetting(r.pointer, value);
        if (!check.valid) issues.push(...issuesFromAjv(check.errors, value, sites, [...at, String(i)]));
      });
    if (values) checkValues(values, entry);
    else if (distribution?.choices) checkValues(distribution.choices, [...entry, 'choices']);
    else if (distribution) {
      const [kind, [low, high]] = Object.entries(distribution)[0] as [string, number[]];
      const at = [...entry, kind];
      if (low > high) issues.push({ where: locate(sites, at).where, path: dottedPath(at), message: `low ${low} is above high ${high}` });
      else issues.push(...rangeIssues(r.pointer, path, kind, [low, high], at, sites));
    }
  }

  // sweep.seeds gives every run its seed: a --set seed would be ignored.
  const seedSet = spec.sweep.seeds.length ? commandLineWhere(sites, ['seed']) : null;
  if (seedSet) {
    issues.push({ where: seedSet, path: 'seed', message: `sweep.seeds (${locate(sites, ['sweep', 'seeds']).where}) gives every run its seed, so this one would never be used; set the seeds instead (--set 'sweep.seeds=[…]')` });
  }
  const [first, ...others] = entries.filter((e) => e.kind === 'zip');
  for (const { entry, values } of others) {
    if (values!.length !== first.values!.length) {
      issues.push({
        where: locate(sites, entry).where,
        path: dottedPath(entry),
        message: `has ${values!.length} values but ${dottedPath(first.entry)} has ${first.values!.length}; zipped lists advance together and must have equal length`,
      });
    }
  }
  if (issues.length) throw new SpecError(issues);
  const runs = plannedRunCount(spec.sweep);
  if (runs > MAX_RUNS) {
    throw new SpecError({
      where: locate(sites, ['sweep'], 'key').where,
      path: 'sweep',
      message: `expands to ${runs.toLocaleString('en-US')} runs (grid × zip × random × seeds); at most ${MAX_RUNS.toLocaleString('en-US')} are allowed`,
    });
  }
}

/** The most runs one spec may plan: beyond, a sweep is almost surely a mistake, and planning it would take long. */
const MAX_RUNS = 10_000;

/** How many runs the sweep expands to, counted before anything is expanded. */
function plannedRunCount(sweep: ResolvedSpec['sweep']): number {
  const grid = Object.values(sweep.grid).reduce((n, values) => n * values.length, 1);
  const zip = Object.values(sweep.zip)[0]?.length ?? 1;
  const random = sweep.random ? sweep.random.n : 1;
  return grid * zip * random * Math.max(1, sweep.seeds.length);
}

/**
 * A random range's draws are values of its setting: both ends are checked as values (uniform draws below its
 * high end, so a high end the setting excludes is fine), and a setting of whole numbers takes int_uniform.
 */
function rangeIssues(pointer: string, path: string, kind: string, bounds: number[], at: readonly string[], sites: SiteTree): SpecIssue[] {
  const schema = schemaAt(pointer);
  // The types the setting takes, its own or its alternatives' (oneOf: an integer or null, an integer or 'auto').
  const alternatives = [schema, ...(((schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined) ?? [])];
  const types = alternatives.flatMap((a) => ([] as unknown[]).concat(a.type ?? []));
  if (kind !== 'int_uniform' && types.includes('integer') && !types.includes('number')) {
    return [{ where: locate(sites, at).where, path: dottedPath(at), message: `${kind} draws fractions, but ${path} takes whole numbers; use int_uniform` }];
  }
  return bounds.flatMap((bound, i) => {
    if (i === 1 && kind !== 'int_uniform' && schema.exclusiveMaximum === bound) return [];
    const check = validateSetting(pointer, bound);
    return check.valid ? [] : issuesFromAjv(check.errors, bound, sites, [...at, String(i)]);
  });
}

/** The `--set …` that wrote the setting at `keys` or one inside it (a section written whole has a site per setting), if any. */
function commandLineWhere(sites: SiteTree, keys: readonly string[]): string | null {
  const node = keys.reduce<SiteTree | undefined>((n, k) => n?.children?.get(k), sites);
  const visit = (n: SiteTree): string | null => {
    if (onCommandLine(n.value)) return n.value.where;
    for (const child of n.children?.values() ?? []) {
      const found = visit(child);
      if (found) return found;
    }
    return null;
  };
  return node ? visit(node) : null;
}

function isPrefix(a: readonly string[], b: readonly string[]): boolean {
  return a.length <= b.length && a.every((k, i) => k === b[i]);
}
