import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSpecReference, referenceFile, schemaFile, typeText, yamlish } from '../scripts/gen-spec-reference.ts';

type Schema = Record<string, unknown>;

const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Schema;

/**
 * Every leaf setting of the schema as the reference writes it, found independently of the generator:
 * properties nested in objects (following $refs), `[]` for the items of a list of objects, `<key>` for the
 * values of a map of objects.
 */
function leafPaths(root: Schema): string[] {
  const deref = (node: Schema): Schema => {
    if (typeof node.$ref !== 'string') return node;
    const target = (node.$ref as string)
      .slice(2)
      .split('/')
      .reduce<unknown>((n, k) => (n as Schema)[k], root) as Schema;
    const { $ref: _, ...local } = node;
    return deref({ ...target, ...local });
  };
  const props = (node: Schema) => (node.properties ?? {}) as Record<string, Schema>;
  const out: string[] = [];
  const visit = (node: Schema, path: string): void => {
    const n = deref(node);
    if (Object.keys(props(n)).length) {
      for (const [k, child] of Object.entries(props(n))) visit(child, path ? `${path}.${k}` : k);
      return;
    }
    const items = n.items as Schema | undefined;
    const values = n.additionalProperties as Schema | boolean | undefined;
    if (items && typeof items === 'object' && Object.keys(props(deref(items))).length) visit(items, `${path}[]`);
    else if (values && typeof values === 'object' && Object.keys(props(deref(values))).length) visit(values, `${path}.<key>`);
    else out.push(path);
  };
  visit(root, '');
  return out;
}

describe('docs/spec-reference.md', () => {
  const onDisk = readFileSync(referenceFile, 'utf8');

  it('is what the generator produces from the current schema (else: npm run docs)', () => {
    expect(onDisk === generateSpecReference(schema), 'docs/spec-reference.md is stale: run `npm run docs`').toBe(true);
  });

  it('has a row for every leaf setting of the schema, in schema order', () => {
    const leaves = leafPaths(schema);
    expect(leaves.length).toBeGreaterThan(100);
    expect(leaves).toEqual(expect.arrayContaining(['experiment', 'dataset.columns.plate', 'dataset.drop_wells[].column', 'sweep.random.params.<key>.uniform']));
    const rows = [...onDisk.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1].replace(/\\\|/g, '|'));
    const missing = leaves.filter((p) => !rows.includes(p));
    expect(missing, 'settings missing from docs/spec-reference.md').toEqual([]);
    const positions = leaves.map((p) => rows.indexOf(p));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('has a section per top-level setting, in schema order', () => {
    const sections = [...onDisk.matchAll(/^## (\S+)$/gm)].map((m) => m[1]).filter((s) => s !== 'Sections');
    expect(sections).toEqual(Object.keys(schema.properties as Schema));
  });

  it('states each leaf default as YAML', () => {
    const row = (path: string) => onDisk.split('\n').find((l) => l.startsWith(`| \`${path}\` |`))!;
    expect(row('dataset.features.prefixes')).toContain('| `[Cells_, Cytoplasm_, Nuclei_]` |');
    expect(row('normalize.mad_epsilon')).toContain('| `1e-18` |');
    expect(row('experiment')).toContain('| **required** |');
    expect(row('dataset.path')).toContain('**required** when `dataset.source` is `file`');
    expect(row('dataset.preset')).toContain('| — |');
  });
});

describe('type and value rendering', () => {
  const t = (node: Schema) => typeText({}, node);

  it('renders ranges, enums, unions and lists', () => {
    expect(t({ type: 'integer', minimum: 1 })).toBe('integer ≥ 1');
    expect(t({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 })).toBe('number in (0, 1)');
    expect(t({ type: 'number', minimum: 0, exclusiveMaximum: 1 })).toBe('number in [0, 1)');
    expect(t({ enum: ['a', 'b'] })).toBe('`a` \\| `b`');
    expect(t({ type: ['string', 'null'] })).toBe('string \\| `null`');
    expect(t({ type: 'array', items: { type: 'integer', minimum: 0 }, uniqueItems: true })).toBe('list of (integer ≥ 0) (unique)');
    expect(t({ type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 })).toBe('list of number (exactly 2 items)');
    expect(t({ oneOf: [{ type: 'null' }, { type: 'integer', minimum: 2 }] })).toBe('`null` \\| integer ≥ 2');
    expect(t({ type: 'object', additionalProperties: { type: 'array', minItems: 1 } })).toBe('map of key → list (≥ 1 item)');
  });

  it('writes values as YAML flow text', () => {
    expect(yamlish([])).toBe('[]');
    expect(yamlish({})).toBe('{}');
    expect(yamlish(null)).toBe('null');
    expect(yamlish(1e-6)).toBe('1e-6');
    expect(yamlish(0.007)).toBe('0.007');
    expect(yamlish('')).toBe('""');
    expect(yamlish('null')).toBe('"null"');
    expect(yamlish(['Cells_', 'TA-ORF'])).toBe('[Cells_, TA-ORF]');
  });
});
