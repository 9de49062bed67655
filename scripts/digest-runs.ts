/**
 * Prints a sha256 line for every result file of every complete run under a runs directory
 * (`<experiment>/<run id>/<file>  <digest>`), sorted: two stores hold byte-identical results exactly when
 * their digests are equal. Manifests and TensorBoard logs carry times and are not results; they are left out.
 *
 *   npx tsx scripts/digest-runs.ts runs-before > before.txt
 *   npx tsx scripts/digest-runs.ts runs-after > after.txt && diff before.txt after.txt
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findRunDirs } from '../src/run/store.ts';

const root = process.argv[2];
if (!root) {
  console.error('usage: tsx scripts/digest-runs.ts <runs-dir>');
  process.exit(2);
}
const lines: string[] = [];
for (const run of findRunDirs(root)) {
  const stored = run.stored();
  const name = relative(root, run.dir);
  if (!stored.complete) {
    lines.push(`${name}  not complete: ${stored.reason}`);
    continue;
  }
  for (const file of Object.keys(stored.manifest.outputs ?? {})) {
    lines.push(`${name}/${file}  ${createHash('sha256').update(readFileSync(join(run.dir, file))).digest('hex')}`);
  }
}
console.log(lines.sort().join('\n'));
