/** Regenerates src/spec/experiment.generated.ts from schemas/experiment.schema.json: `npx tsx scripts/gen-spec-types.ts`. */
import { writeFileSync } from 'node:fs';
import { generateSpecTypes } from '../src/spec/generate-types.ts';
import { experimentSchema } from '../src/spec/schema.ts';

const target = new URL('../src/spec/experiment.generated.ts', import.meta.url);
writeFileSync(target, await generateSpecTypes(experimentSchema()));
console.log(`wrote ${target.pathname}`);
