import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * The experiment schema and its validators. The schema file is the single source of truth for the spec's
 * shape and defaults; nothing here knows its settings, only how to walk JSON Schema.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

export const schemaFile = new URL('../../schemas/experiment.schema.json', import.meta.url);

let cache: { schema: JsonSchema; ajv: Ajv2020; root: ValidateFunction; settings: Map<string, ValidateFunction> } | undefined;

function compiled() {
  if (!cache) {
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as JsonSchema;
    const ajv = new Ajv2020({ useDefaults: true, strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
    const root = ajv.compile(schema);
    cache = { schema, ajv, root, settings: new Map() };
  }
  return cache;
}

export function experimentSchema(): JsonSchema {
  return compiled().schema;
}

export interface Validation {
  readonly valid: boolean;
  /** A copy of the input with every default filled in (the input itself is never touched). */
  readonly value: unknown;
  /** ajv's errors, their instancePath relative to the validated value. */
  readonly errors: readonly ErrorObject[];
}

/** Validates a whole spec against the schema. */
export function validateExperiment(spec: unknown): Validation {
  const { root } = compiled();
  const value = structuredClone(spec);
  const valid = root(value);
  return { valid, value, errors: root.errors ?? [] };
}

/**
 * Validates one setting's value against the subschema at `pointer` (a JSON pointer into the schema file, as
 * `resolveSetting` returns). The value is wrapped in an object because strict ajv refuses a root schema with
 * a default, and most settings have one.
 */
export function validateSetting(pointer: string, setting: unknown): Validation {
  const { schema, ajv, settings } = compiled();
  let cached = settings.get(pointer);
  if (!cached) {
    const ref = `${schema.$id as string}#${pointer.split('/').map(encodeURIComponent).join('/')}`;
    cached = ajv.compile({ type: 'object', required: ['value'], properties: { value: { $ref: ref } } });
    settings.set(pointer, cached);
  }
  const validate = cached;
  const wrapper = { value: structuredClone(setting) };
  const valid = validate(wrapper);
  const errors = (validate.errors ?? []).map((e) => ({ ...e, instancePath: e.instancePath.replace(/^\/value/, '') }));
  return { valid, value: wrapper.value, errors };
}

/** The subschema at a JSON pointer (`/$defs/model/properties/latent`). */
export function schemaAt(pointer: string): JsonSchema {
  let node: unknown = experimentSchema();
  for (const token of pointer.split('/').slice(1)) {
    node = (node as Record<string, unknown>)[token.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node as JsonSchema;
}

function escapeToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Follows local `$ref`s to the schema that actually lists properties. */
function deref(pointer: string): { pointer: string; node: JsonSchema } {
  let node = schemaAt(pointer);
  const seen = new Set<string>();
  while (typeof node.$ref === 'string' && node.$ref.startsWith('#') && !seen.has(pointer)) {
    seen.add(pointer);
    pointer = node.$ref.slice(1);
    node = schemaAt(pointer);
  }
  return { pointer, node };
}

export type SettingResolution =
  | { readonly ok: true; readonly keys: readonly string[]; readonly pointer: string }
  | { readonly ok: false; readonly known: readonly string[]; readonly unknown: string; readonly candidates: readonly string[] };

/**
 * Resolves a dotted setting path through the schema (following `$ref`s and `properties`). Maps whose keys are
 * free (`additionalProperties`, e.g. a sweep's dotted paths) may have keys that contain dots: the shortest key
 * after which the rest of the path still resolves is taken. On failure, says which segment is unknown and
 * what the allowed names are at that place.
 */
export function resolveSetting(dotted: string): SettingResolution {
  return resolveFrom('', dotted.split('.'), []);
}

function resolveFrom(pointer: string, segments: readonly string[], known: readonly string[]): SettingResolution {
  if (segments.length === 0) return { ok: true, keys: known, pointer };
  const { pointer: at, node } = deref(pointer);
  const properties = (node.properties ?? {}) as Record<string, unknown>;
  const [head, ...rest] = segments;
  if (Object.hasOwn(properties, head)) {
    return resolveFrom(`${at}/properties/${escapeToken(head)}`, rest, [...known, head]);
  }
  if (typeof node.additionalProperties === 'object') {
    for (let n = 1; n <= segments.length; n++) {
      const key = segments.slice(0, n).join('.');
      const r = resolveFrom(`${at}/additionalProperties`, segments.slice(n), [...known, key]);
      if (r.ok) return r;
    }
  }
  return { ok: false, known, unknown: head, candidates: Object.keys(properties) };
}
