#!/usr/bin/env node
// The `ads` command. It runs the compiled JavaScript in dist/ (`npm run build`, also run by `npm install`):
// starting needs no TypeScript compiler. When dist/ is missing or older than any source file (a source edited
// since the last build), it runs the TypeScript sources through tsx instead, so what runs is always the
// current source; on a terminal it says so in one line (not in logs and pipes, whose stderr is the run's).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Why dist/ cannot be used (a file missing or older than its source), or null when it is up to date. */
function staleBuild(srcDir, distDir) {
  for (const entry of readdirSync(srcDir, { withFileTypes: true })) {
    const src = join(srcDir, entry.name);
    if (entry.isDirectory()) {
      const why = staleBuild(src, join(distDir, entry.name));
      if (why) return why;
    } else if (entry.name.endsWith('.ts')) {
      const out = join(distDir, entry.name.replace(/\.ts$/, '.js'));
      if (!existsSync(out)) return `${out} is missing`;
      if (statSync(out).mtimeMs < statSync(src).mtimeMs) return `${out} is older than ${src}`;
    }
  }
  return null;
}

const distDir = join(root, 'dist');
const why = existsSync(distDir) ? staleBuild(join(root, 'src'), distDir) : 'dist/ is missing';
let main;
if (why === null) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  if (process.stderr.isTTY) process.stderr.write(`note: running the TypeScript sources through tsx (slower start): ${why}; \`npm run build\` compiles them\n`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
