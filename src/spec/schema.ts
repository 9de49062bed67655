import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';

/**
 * The experiment schema and its validators. The schema file is the single source of truth for the spec's
 * shape and defaults; nothing here knows its settings, only how to walk JSON Schema.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

export const schemaFile = new URL('../../schemas/experiment.schema.json', import.meta.url);

/** How the schema is compiled, here and by scripts/compile-schema.ts for the build. */
export const AJV_OPTIONS = { useDefaults: true, strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true } as const;

/**
 * The whole-spec validator as compiled by `npm run build` (scripts/compile-schema.ts), beside the compiled
 * module: compiling the schema takes most of a `plan`'s or `validate`'s start. It is used only when it was
 * compiled from the very schema file read now (its sha256 says so); otherwise the schema is compiled here.
 */
export const PRECOMPILED = new URL('./experiment.validate.cjs', import.meta.url);

const require = createRequire(import.meta.url);
let cache: { schema: JsonSchema; root: ValidateFunction; settings: Map<string, ValidateFunction> } | undefined;
let settingsAjv: Ajv2020 | undefined;

/** ajv, loaded on first use: a start with a precompiled root validator and no setting to check needs none. */
function newAjv(options: object = {}): Ajv2020 {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  return new Ajv({ ...AJV_OPTIONS, ...options });
}

function compiled() {
  if (!cache) {
    const text = readFileSync(schemaFile, 'utf8');
    const schema = JSON.parse(text) as JsonSchema;
    cache = { schema, root: precompiled(text) ?? newAjv().compile(schema), settings: new Map() };
  }
  return cache;
}

function precompiled(schemaText: string): ValidateFunction | null {
  if (!existsSync(PRECOMPILED)) return null;
  const validate = require(fileURLToPath(PRECOMPILED)) as ValidateFunction & { schemaSha256?: string };
  return validate.schemaSha256 === createHash('sha256').update(schemaText).digest('hex') ? validate : null;
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
 * a default, and most settings have one. The wrapper carries the schema's `$defs`, which every `$ref` of the
 * schema points into, so only the setting's own subschema is compiled (compiling a `$ref` into the whole
 * schema compiles all of it: most of a `plan`'s start); the schema itself is checked against the meta-schema
 * where it is compiled whole (the build, the fallback above, the tests), not again for each wrapper.
 */
export function validateSetting(pointer: string, setting: unknown): Validation {
  const { schema, settings } = compiled();
  // Most swept and overridden settings are plain numbers, booleans or choices: deciding those without ajv
  // spares `plan` and `validate` loading and compiling it. Anything else, and every invalid value (whose
  // message ajv words), goes to ajv.
  if (plainlyValid(schemaAt(pointer), setting)) return { valid: true, value: structuredClone(setting), errors: [] };
  let cached = settings.get(pointer);
  if (!cached) {
    settingsAjv ??= newAjv({ validateSchema: false });
    cached = settingsAjv.compile({ type: 'object', required: ['value'], properties: { value: schemaAt(pointer) }, $defs: schema.$defs });
    settings.set(pointer, cached);
  }
  const validate = cached;
  const wrapper = { value: structuredClone(setting) };
  const valid = validate(wrapper);
  const errors = (validate.errors ?? []).map((e) => ({ ...e, instancePath: e.instancePath.replace(/^\/value/, '') }));
  return { valid, value: wrapper.value, errors };
}

/** Keywords that say nothing about validity, or that plainlyValid checks itself. */
const PLAIN_KEYWORDS = new Set(['type', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'default', 'description', 'title', 'examples']);

/**
 * True when `value` certainly satisfies `node`, a schema of one plain type (integer, number, boolean, a string
 * without pattern or format, an enum) with bounds; false when unsure (any other keyword) or invalid.
 */
function plainlyValid(node: JsonSchema, value: unknown): boolean {
  if (!Object.keys(node).every((k) => PLAIN_KEYWORDS.has(k))) return false;
  if (Array.isArray(node.enum)) return node.enum.some((v) => v === value);
  const type = node.type;
  if (type === 'boolean') return typeof value === 'boolean';
  if (type === 'string') return typeof value === 'string';
  if (type !== 'integer' && type !== 'number') return false;
  if (typeof value !== 'number' || !Number.isFinite(value) || (type === 'integer' && !Number.isInteger(value))) return false;
  const bound = (k: string) => (typeof node[k] === 'number' ? (node[k] as number) : null);
  const [min, max, xmin, xmax] = [bound('minimum'), bound('maximum'), bound('exclusiveMinimum'), bound('exclusiveMaximum')];
  return (min === null || value >= min) && (max === null || value <= max) && (xmin === null || value > xmin) && (xmax === null || value < xmax);
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
