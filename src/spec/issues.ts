import type { ErrorObject } from 'ajv/dist/2020.js';
import { closest, suggestion } from './did-you-mean.ts';
import { dottedPath, type SpecIssue, shown } from './errors.ts';
import { schemaAt } from './schema.ts';
import { locate, type SiteTree } from './sites.ts';

/**
 * Turns ajv's errors into located issues: one per problem, worded as what was expected and what was found.
 * `data` is the validated value and `prefix` its path in the spec, so a setting validated on its own (a `--set`
 * value, a sweep value) is reported under its full path.
 */
export function issuesFromAjv(errors: readonly ErrorObject[], data: unknown, sites: SiteTree, prefix: readonly string[] = []): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const e of summarize(errors)) {
    const keys = [...prefix, ...pointerKeys(e.instancePath)];
    const got = valueAt(data, pointerKeys(e.instancePath));
    let path = keys;
    let part: 'value' | 'key' = 'value';
    let message: string;
    if (e.keyword === 'additionalProperties') {
      const name = e.params.additionalProperty as string;
      path = [...keys, name];
      part = 'key';
      message = `unknown setting${suggestion(name, allowedNames(e.schemaPath))}`;
    } else if (e.keyword === 'required') {
      // A missing setting is located at the object that should hold it.
      part = 'key';
      message = `missing required setting "${e.params.missingProperty as string}"`;
    } else {
      const near = typeof got === 'string' ? closest(got, allowedValues(e)) : undefined;
      message = `${expectation(e)} (got ${shown(got)})${near === undefined ? '' : `; did you mean "${near}"?`}`;
    }
    const issue = { where: locate(sites, path, part).where, path: dottedPath(path), message };
    if (!issues.some((i) => i.where === issue.where && i.path === issue.path && i.message === issue.message)) issues.push(issue);
  }
  return issues;
}

type Summary = Pick<ErrorObject, 'keyword' | 'instancePath' | 'schemaPath' | 'params' | 'message'> & { readonly alternatives?: readonly ErrorObject[] };

/**
 * ajv reports a failed `oneOf` / `anyOf` as the failure of every branch plus the combinator. When a branch got
 * further into the value than the others (its errors lie deeper), those errors are the real ones; otherwise
 * the branches are offered as alternatives ("must be one of … or must be array"). `if` only repeats its
 * `then`'s errors and is dropped.
 */
function summarize(errors: readonly ErrorObject[]): Summary[] {
  let out: Summary[] = errors.filter((e) => e.keyword !== 'if');
  const combinators = out
    .filter((e) => (e.keyword === 'oneOf' || e.keyword === 'anyOf') && e.params.passingSchemas == null)
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const c of combinators) {
    const branch = (e: Summary) => e.schemaPath.startsWith(`${c.schemaPath}/`);
    const branches = out.filter(branch) as ErrorObject[];
    if (!branches.length) continue;
    const deeper = branches.filter((e) => e.instancePath.length > c.instancePath.length);
    const replacement: Summary[] = deeper.length ? deeper : [{ ...c, alternatives: branches }];
    const at = out.indexOf(c);
    out = [...out.slice(0, at).filter((e) => !branch(e)), ...replacement, ...out.slice(at + 1).filter((e) => !branch(e))];
  }
  return out;
}

function expectation(e: Summary): string {
  if (e.alternatives) return e.alternatives.map(expectation).join(' or ');
  switch (e.keyword) {
    case 'type':
      return `must be ${String(e.params.type).split(',').join(' or ')}`;
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(e.params.allowedValue)}`;
    default:
      return e.message ?? `fails ${e.keyword}`;
  }
}

/** The strings an `enum` (or any of the alternatives) allows, to suggest the one a typo was meant to be. */
function allowedValues(e: Summary): string[] {
  if (e.alternatives) return e.alternatives.flatMap(allowedValues);
  return e.keyword === 'enum' ? (e.params.allowedValues as unknown[]).filter((v) => typeof v === 'string') : [];
}

/** The names allowed next to an unknown key: the `properties` of the schema whose `additionalProperties` failed. */
function allowedNames(schemaPath: string): string[] {
  const pointer = schemaPath.slice(schemaPath.indexOf('#') + 1).replace(/\/additionalProperties$/, '');
  const properties = schemaAt(decodeURIComponent(pointer)).properties;
  return Object.keys((properties ?? {}) as object);
}

function pointerKeys(pointer: string): string[] {
  return pointer ? pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~')) : [];
}

function valueAt(data: unknown, keys: readonly string[]): unknown {
  return keys.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), data);
}
