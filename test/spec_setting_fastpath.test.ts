import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { AJV_OPTIONS, experimentSchema, type JsonSchema, validateSetting } from '../src/spec/schema.ts';

/**
 * A swept or overridden setting is checked without ajv when its schema is a plain type with bounds (a fast
 * start for `plan` and `validate`). ajv itself is the oracle: for every setting of the schema and a spread
 * of values, validity is what ajv compiling that setting's schema says.
 */
describe('checking one setting', () => {
  const schema = experimentSchema();
  const ajv = new Ajv2020({ ...AJV_OPTIONS, validateSchema: false });
  const pointers: string[] = [];
  const walk = (node: unknown, pointer: string) => {
    if (!node || typeof node !== 'object') return;
    const n = node as JsonSchema;
    if (n.properties && typeof n.properties === 'object') {
      for (const [k, child] of Object.entries(n.properties as Record<string, unknown>)) {
        const at = `${pointer}/properties/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        pointers.push(at);
        walk(child, at);
      }
    }
  };
  for (const [name, def] of Object.entries((schema.$defs ?? {}) as Record<string, unknown>)) walk(def, `/$defs/${name}`);
  walk(schema, '');

  it('agrees with ajv on every setting of the schema, valid values and invalid ones', () => {
    const at = (pointer: string) => pointer.split('/').slice(1).reduce<any>((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], schema);
    const probes: unknown[] = [0, 1, -1, 2, 0.5, 1e-300, 1e9, -1e9, 3.7, Infinity, NaN, true, false, 'x', '', null, [], {}];
    let checked = 0;
    for (const pointer of pointers) {
      const node = at(pointer);
      const values = [...probes, ...(Array.isArray(node.enum) ? node.enum : []), node.default, node.minimum, node.maximum];
      const oracle = ajv.compile({ type: 'object', required: ['value'], properties: { value: node }, $defs: schema.$defs });
      for (const v of values) {
        if (v === undefined) continue;
        expect(validateSetting(pointer, v).valid, `${pointer} = ${JSON.stringify(v)}`).toBe(oracle({ value: structuredClone(v) }));
        checked++;
      }
    }
    expect(pointers.length).toBeGreaterThan(100);
    expect(checked).toBeGreaterThan(2000);
  });
});
