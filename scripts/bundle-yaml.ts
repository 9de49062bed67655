/**
 * `npm run build`, after tsc: writes dist/vendor/yaml.js (see src/vendor/yaml.ts) as the `yaml` package
 * bundled into one ES module by esbuild. The bundle is made from the package's own ES module build (its
 * `browser/dist`, the code of its Node build as ES modules): esbuild cannot give a CommonJS package's exports
 * names in an ES module, and Node would otherwise parse the whole bundle at every start to find them. That
 * build differs from the Node one only where the CLI never goes: yaml's warnings go to console.warn rather
 * than process.emitWarning (the CLI reads a document's warnings itself), `!!binary` values become a
 * Uint8Array rather than a Buffer, and yaml's own debug logging (LOG_TOKENS, LOG_STREAM) is absent.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const packageJson = createRequire(import.meta.url).resolve('yaml/package.json');
const { version, license } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string; license: string };
const outfile = fileURLToPath(new URL('../dist/vendor/yaml.js', import.meta.url));
await build({
  entryPoints: [join(dirname(packageJson), 'browser', 'dist', 'index.js')],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  banner: { js: `// yaml ${version} (${license} license), bundled by scripts/bundle-yaml.ts: see src/vendor/yaml.ts` },
  allowOverwrite: true,
  logLevel: 'warning',
});
// tsc's source map was of the re-export this file replaced.
rmSync(`${outfile}.map`, { force: true });
