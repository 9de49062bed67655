import { compile } from 'json-schema-to-typescript';
import type { JsonSchema } from './schema.ts';

type Mutable = Record<string, unknown>;

const BANNER = `/**
 * Generated from schemas/experiment.schema.json by scripts/gen-spec-types.ts; do not edit.
 * Experiment: a resolved spec (every setting with a default is present, \`extends\` applied and gone).
 * ExperimentInput: a spec as written.
 */
`;

/**
 * TypeScript types for the experiment schema: the resolved type `Experiment` and the input type
 * `ExperimentInput`. Both are derived from the schema alone, so a setting added there appears here on the next
 * generation (and the sync test fails until it is regenerated).
 */
export async function generateSpecTypes(schema: JsonSchema): Promise<string> {
  const options = { bannerComment: '', declareExternallyReferenced: true };
  const resolved = await compile(resolvedSchema(schema) as never, 'Experiment', options);
  const input = await compile(inputSchema(schema) as never, 'ExperimentInput', options);
  return `${BANNER}\n${resolved}\n${input}`;
}

/** The shape after defaults: a property with a default is always present, and `extends` has been consumed. */
function resolvedSchema(schema: JsonSchema): Mutable {
  const copy = structuredClone(schema) as Mutable;
  copy.title = 'Experiment';
  delete (copy.properties as Mutable).extends;
  forEachSchema(copy, (node) => {
    const properties = node.properties as Record<string, Mutable> | undefined;
    if (!properties) return;
    const defaulted = Object.keys(properties).filter((k) => 'default' in properties[k]);
    node.required = [...new Set([...((node.required as string[]) ?? []), ...defaulted])];
  });
  return copy;
}

/** The schema as written, its named definitions suffixed so they do not clash with the resolved ones. */
function inputSchema(schema: JsonSchema): Mutable {
  const copy = structuredClone(schema) as Mutable;
  copy.title = 'ExperimentInput';
  for (const [name, def] of Object.entries((copy.$defs ?? {}) as Record<string, Mutable>)) {
    def.title = `${(def.title as string | undefined) ?? pascalCase(name)}Input`;
  }
  return copy;
}

function pascalCase(name: string): string {
  return name.replace(/(^|[_\-\s]+)([a-z0-9])/gi, (_, __, c: string) => c.toUpperCase());
}

/** Keywords whose values are subschemas (or maps / lists of them), as opposed to data like `default`. */
const SCHEMA_MAPS = ['properties', '$defs', 'patternProperties', 'dependentSchemas'];
const SCHEMA_LISTS = ['oneOf', 'anyOf', 'allOf', 'prefixItems'];
const SCHEMA_SINGLES = ['items', 'additionalProperties', 'if', 'then', 'else', 'not', 'contains'];

function forEachSchema(node: Mutable, visit: (node: Mutable) => void): void {
  visit(node);
  const sub = (s: unknown) => {
    if (s !== null && typeof s === 'object' && !Array.isArray(s)) forEachSchema(s as Mutable, visit);
  };
  for (const k of SCHEMA_MAPS) Object.values((node[k] ?? {}) as Record<string, unknown>).forEach(sub);
  for (const k of SCHEMA_LISTS) ((node[k] ?? []) as unknown[]).forEach(sub);
  for (const k of SCHEMA_SINGLES) sub(node[k]);
}
