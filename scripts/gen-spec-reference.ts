/**
 * Generates docs/spec-reference.md from schemas/experiment.schema.json: `npm run docs`
 * (`npx tsx scripts/gen-spec-reference.ts`). Every setting appears as a dotted path with its type, default
 * and description, grouped by top-level section in schema order. test/spec_reference.test.ts fails when the
 * file on disk is not what this produces from the current schema.
 *
 * Nothing here knows the experiment's settings: it only walks JSON Schema (properties, $ref, items,
 * additionalProperties, oneOf/anyOf, enum/const, ranges, required and simple if/then requirements).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

type Schema = { readonly [keyword: string]: unknown };

export const schemaFile = new URL('../schemas/experiment.schema.json', import.meta.url);
export const referenceFile = new URL('../docs/spec-reference.md', import.meta.url);

/** One row of the reference: a setting, or an object holding settings. */
interface Row {
  path: string;
  type: string;
  default: string;
  description: string;
}

const INTRO = `# Experiment spec reference

Generated from \`schemas/experiment.schema.json\` by \`npm run docs\` (\`scripts/gen-spec-reference.ts\`);
do not edit by hand. The schema is the single source of truth: when it changes, regenerate this file (a test
fails until it matches).

A spec is a YAML file. Every setting below is written nested in YAML (\`training: { max_epochs: 200 }\`), or
given on the command line by its dotted path (\`--set training.max_epochs=200\`), or swept by its dotted path
(\`sweep: { grid: { training.max_epochs: [100, 200] } }\`). Unknown settings are errors. A setting left out
takes its default; the fully defaulted spec is what runs and what is saved with each run.

\`method §x.y\` refers to a section of [the method](method.md), which defines every step and metric. Where a
default differs from the reference implementation, the setting's description says what the reference does and
which value reproduces it; [method §3](method.md#3-differences-from-the-reference-implementation) gathers them,
and \`experiments/paper/reference.yaml\` sets them all.

How to read the tables:

- **type**: \`a | b\` is one of several alternatives; \`list of T\` a YAML list whose items are T, with its
  length bounds; numeric ranges are intervals (\`[0, 1)\` includes 0 and excludes 1); \`map of key → T\` an
  object whose keys you choose.
- **default**: the value used when the setting is left out, as YAML; \`—\` means no default (the setting is
  absent unless written); **required** means the spec must set it.
- \`[]\` in a path stands for every item of a list (\`dataset.drop_wells[].column\`), \`<key>\` for a key of a
  map you choose (\`sweep.random.params.<key>.uniform\`).
`;

/** The reference as Markdown, from a parsed JSON Schema. */
export function generateSpecReference(schema: Schema): string {
  const root = schema;
  const props = properties(root);
  const required = new Set((root.required as string[] | undefined) ?? []);
  const sections = Object.entries(props).map(([name, node]) => {
    const resolved = deref(root, node);
    const rows: Row[] = [];
    const own = properties(resolved);
    if (Object.keys(own).length > 0) {
      walkProperties(root, resolved, name, rows);
    } else {
      rows.push(row(root, name, resolved, required.has(name), null));
      walkChildren(root, resolved, name, rows);
    }
    return { name, description: describe(node, resolved), rows, leaf: Object.keys(own).length === 0 };
  });

  const out: string[] = [INTRO];
  out.push('## Sections\n');
  for (const s of sections) out.push(`- [\`${s.name}\`](#${anchor(s.name)})${s.description ? `: ${firstSentence(s.description)}` : ''}`);
  out.push('');
  for (const s of sections) {
    out.push(`## ${s.name}\n`);
    if (s.description && !s.leaf) out.push(`${inline(s.description)}\n`);
    out.push('| setting | type | default | description |');
    out.push('|---|---|---|---|');
    for (const r of s.rows) out.push(`| \`${cell(r.path)}\` | ${r.type} | ${r.default} | ${r.description} |`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The rows of an object's properties, depth first in schema order, with its conditional requirements. */
function walkProperties(root: Schema, node: Schema, prefix: string, rows: Row[]): void {
  const required = new Set((node.required as string[] | undefined) ?? []);
  const conditional = conditionalRequirements(node, prefix);
  for (const [name, child] of Object.entries(properties(node))) {
    const path = `${prefix}.${name}`;
    const resolved = deref(root, child);
    rows.push(row(root, path, resolved, required.has(name), conditional.get(name) ?? null, child));
    walkChildren(root, resolved, path, rows);
  }
}

/** Settings nested below a setting: an object's properties, a list's object items, a map's object values. */
function walkChildren(root: Schema, node: Schema, path: string, rows: Row[]): void {
  if (Object.keys(properties(node)).length > 0) {
    walkProperties(root, node, path, rows);
    return;
  }
  const items = isSchema(node.items) ? deref(root, node.items) : null;
  if (items && Object.keys(properties(items)).length > 0) walkProperties(root, items, `${path}[]`, rows);
  const values = isSchema(node.additionalProperties) ? deref(root, node.additionalProperties) : null;
  if (values && Object.keys(properties(values)).length > 0) walkProperties(root, values, `${path}.<key>`, rows);
}

function row(root: Schema, path: string, node: Schema, required: boolean, requiredWhen: string | null, written: Schema = node): Row {
  let def: string;
  if ('default' in written) def = `\`${cell(yamlish(written.default))}\``;
  else if ('default' in node) def = `\`${cell(yamlish(node.default))}\``;
  else if (required) def = '**required**';
  else if (requiredWhen) def = `— (**required** when ${requiredWhen})`;
  else def = '—';
  let description = describe(written, node);
  // A list or map without a description of its own: say what each of its items or values is.
  const values = isSchema(node.additionalProperties) && Object.keys(properties(node)).length === 0 ? deref(root, node.additionalProperties) : null;
  const items = isSchema(node.items) ? deref(root, node.items) : null;
  if (!description && values?.description) description = `Each value: ${lowerFirst(values.description as string)}`;
  else if (!description && items?.description) description = `Each item: ${lowerFirst(items.description as string)}`;
  return { path, type: typeText(root, node), default: def, description: inline(description) };
}

/**
 * `if: {properties: {k: {const: v}}, required: [k]}, then: {required: [...]}`: the settings `then` requires,
 * each with its condition in words ("`dataset.source` is `file`").
 */
function conditionalRequirements(node: Schema, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  const cond = node.if as Schema | undefined;
  const then = node.then as Schema | undefined;
  if (!isSchema(cond) || !isSchema(then)) return out;
  const parts = Object.entries(properties(cond)).map(([k, s]) =>
    'const' in s ? `\`${prefix}.${k}\` is \`${yamlish(s.const)}\`` : 'enum' in s ? `\`${prefix}.${k}\` is one of \`${yamlish(s.enum)}\`` : null,
  );
  if (parts.some((p) => p === null) || parts.length === 0) return out;
  for (const k of (then.required as string[] | undefined) ?? []) out.set(k, parts.join(' and '));
  return out;
}

/** A node with its `$ref` followed (repeatedly), the referencing node's own keywords winning. */
function deref(root: Schema, node: Schema): Schema {
  let current = node;
  const seen = new Set<string>();
  while (typeof current.$ref === 'string') {
    const ref = current.$ref;
    if (seen.has(ref)) throw new Error(`$ref cycle at ${ref}`);
    seen.add(ref);
    const { $ref: _, ...local } = current;
    current = { ...target(root, ref), ...local };
  }
  return current;
}

function target(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  let node: unknown = root;
  for (const key of ref.slice(2).split('/')) {
    node = (node as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  }
  return node as Schema;
}

function properties(node: Schema): Record<string, Schema> {
  return (isSchema(node.properties) ? node.properties : {}) as Record<string, Schema>;
}

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "One of…" → "one of…", leaving acronyms ("MoA", "SHAP") alone. */
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}

function describe(written: Schema, resolved: Schema): string {
  return (written.description as string | undefined) ?? (resolved.description as string | undefined) ?? '';
}

// ---------------------------------------------------------------------------------------------- types

/** The type of a schema node in words, e.g. `integer ≥ 1`, `list of string (≥ 1 item)`, `null | number`. */
export function typeText(root: Schema, input: Schema): string {
  const node = deref(root, input);
  const alternatives = (node.oneOf ?? node.anyOf) as Schema[] | undefined;
  if (alternatives) return alternatives.map((s) => typeText(root, s)).join(' \\| ');
  if ('const' in node) return code(node.const);
  if (Array.isArray(node.enum)) return node.enum.map(code).join(' \\| ');
  const types = node.type === undefined ? [] : Array.isArray(node.type) ? (node.type as string[]) : [node.type as string];
  if (types.length === 0) {
    if (isSchema(node.properties) || isSchema(node.additionalProperties)) return single(root, node, 'object');
    if (node.items !== undefined) return single(root, node, 'array');
    return 'any';
  }
  return types.map((t) => single(root, node, t)).join(' \\| ');
}

function single(root: Schema, node: Schema, type: string): string {
  switch (type) {
    case 'integer':
    case 'number':
      return `${type}${range(node)}`;
    case 'string':
      return stringText(node);
    case 'boolean':
      return 'boolean';
    case 'null':
      return '`null`';
    case 'array':
      return arrayText(root, node);
    case 'object':
      return objectText(root, node);
    default:
      return type;
  }
}

function range(node: Schema): string {
  const num = (k: string) => (typeof node[k] === 'number' ? (node[k] as number) : undefined);
  const [min, xmin, max, xmax] = [num('minimum'), num('exclusiveMinimum'), num('maximum'), num('exclusiveMaximum')];
  const low = min ?? xmin;
  const high = max ?? xmax;
  if (low !== undefined && high !== undefined) {
    return ` in ${min !== undefined ? '[' : '('}${yamlish(low)}, ${yamlish(high)}${max !== undefined ? ']' : ')'}`;
  }
  if (min !== undefined) return ` ≥ ${yamlish(min)}`;
  if (xmin !== undefined) return ` > ${yamlish(xmin)}`;
  if (max !== undefined) return ` ≤ ${yamlish(max)}`;
  if (xmax !== undefined) return ` < ${yamlish(xmax)}`;
  return '';
}

function stringText(node: Schema): string {
  const lengths: string[] = [];
  if (typeof node.minLength === 'number' && node.minLength > 1) lengths.push(`at least ${node.minLength} characters`);
  if (typeof node.maxLength === 'number') lengths.push(`at most ${node.maxLength} characters`);
  let text = node.minLength === 1 ? 'non-empty string' : 'string';
  if (typeof node.pattern === 'string') text += ` matching \`${cell(node.pattern)}\``;
  return lengths.length ? `${text} (${lengths.join(', ')})` : text;
}

function arrayText(root: Schema, node: Schema): string {
  const items = isSchema(node.items) ? node.items : null;
  let text = 'list';
  if (items) {
    const inner = typeText(root, items);
    text = `list of ${/ \\\| | in | ≥ | > | ≤ | < | \(/.test(inner) ? `(${inner})` : inner}`;
  }
  const min = node.minItems as number | undefined;
  const max = node.maxItems as number | undefined;
  const bounds: string[] = [];
  if (min !== undefined && min === max) bounds.push(`exactly ${min} ${min === 1 ? 'item' : 'items'}`);
  else {
    if (min !== undefined && min > 0) bounds.push(`≥ ${min} ${min === 1 ? 'item' : 'items'}`);
    if (max !== undefined) bounds.push(`≤ ${max} ${max === 1 ? 'item' : 'items'}`);
  }
  if (node.uniqueItems === true) bounds.push('unique');
  return bounds.length ? `${text} (${bounds.join(', ')})` : text;
}

function objectText(root: Schema, node: Schema): string {
  const own = Object.keys(properties(node));
  const min = node.minProperties as number | undefined;
  const max = node.maxProperties as number | undefined;
  const unit = (n: number) => `${n} ${n === 1 ? 'key' : 'keys'}`;
  if (own.length > 0 && min !== undefined && min === max) {
    return `object with exactly ${min === 1 ? 'one' : min} of ${own.map((k) => `\`${k}\``).join(', ')}`;
  }
  let text = 'object';
  if (own.length === 0 && isSchema(node.additionalProperties)) {
    const inner = typeText(root, node.additionalProperties);
    text = `map of key → ${/ \\\| | with /.test(inner) ? `(${inner})` : inner}`;
  }
  const bounds: string[] = [];
  if (min !== undefined && min === max) bounds.push(`exactly ${unit(min)}`);
  else {
    if (min !== undefined && min > 0) bounds.push(`≥ ${unit(min)}`);
    if (max !== undefined) bounds.push(`≤ ${unit(max)}`);
  }
  return bounds.length ? `${text} (${bounds.join(', ')})` : text;
}

// ------------------------------------------------------------------------------------------- values

/** A value as YAML flow text: `[Cells_, Nuclei_]`, `{}`, `null`, `1e-6`, `""`. */
export function yamlish(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential() : String(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return plainScalar(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(yamlish).join(', ')}]`;
  if (isSchema(value)) {
    const entries = Object.entries(value).map(([k, v]) => `${plainScalar(k) ? k : JSON.stringify(k)}: ${yamlish(v)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return JSON.stringify(value);
}

/** Strings YAML reads back as the same string without quotes. */
function plainScalar(s: string): boolean {
  if (!/^[A-Za-z_/.][A-Za-z0-9_./ -]*$/.test(s) || s.endsWith(' ')) return false;
  return !/^(null|~|true|false|yes|no|on|off|y|n|\.inf|\.nan)$/i.test(s);
}

// ----------------------------------------------------------------------------------------- markdown

function code(value: unknown): string {
  return `\`${cell(yamlish(value))}\``;
}

/** Text inside a table cell: a pipe would end the cell, even inside a code span. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * Prose inside a table cell: one line; outside code spans, characters Markdown would read as markup
 * (`<tag>`, `_emphasis_`, `*`) are escaped; pipes are escaped everywhere.
 */
function inline(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? cell(part) : cell(part.replace(/([\\*_[\]])/g, '\\$1').replace(/</g, '&lt;').replace(/>/g, '&gt;'))))
    .join('');
}

/** Up to the first full stop or colon that ends a sentence (not the one of "e.g." or "i.e."). */
function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = /[.:](?=\s|$)/g;
  for (let m = end.exec(flat); m; m = end.exec(flat)) {
    if (/\b(e\.g|i\.e|cf|vs)$/i.test(flat.slice(0, m.index))) continue;
    return inline(`${flat.slice(0, m.index)}.`);
  }
  return inline(flat);
}

/** GitHub's heading anchor for a plain heading. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9_\- ]/g, '')
    .replace(/ /g, '-');
}

// --------------------------------------------------------------------------------------------- main

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Schema;
  mkdirSync(dirname(fileURLToPath(referenceFile)), { recursive: true });
  writeFileSync(referenceFile, generateSpecReference(schema));
  console.log(`wrote ${fileURLToPath(referenceFile)}`);
}
