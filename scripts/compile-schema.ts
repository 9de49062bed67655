/**
 * `npm run build`, after tsc: compiles the experiment schema's validator once, as code (ajv's standalone
 * output), next to the compiled spec/schema.js, which uses it when its sha256 matches the schema file it reads.
 * A start of `ads plan` or `ads validate` then skips compiling the schema (most of its time otherwise).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { AJV_OPTIONS, schemaFile } from '../src/spec/schema.ts';

const text = readFileSync(schemaFile, 'utf8');
const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true } });
const validate = ajv.compile(JSON.parse(text));
const sha = createHash('sha256').update(text).digest('hex');
const out = fileURLToPath(new URL('../dist/spec/experiment.validate.cjs', import.meta.url));
writeFileSync(out, `${standaloneCode(ajv, validate)}\nmodule.exports.schemaSha256 = ${JSON.stringify(sha)};\n`);
