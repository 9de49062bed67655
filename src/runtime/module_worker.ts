import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running the module `name` beside the calling module (`caller`: its import.meta.url): the
 * compiled `name.js` in the build, or the TypeScript source `name.ts` through tsx when the caller is itself
 * a source (tests, benchmarks), as src/run/pool.ts forks its processes. Node 20 applies no `--import` loader
 * to worker threads, so the worker registers tsx's loader itself before it imports the module.
 *
 * `workerData.control` (an Int32Array on shared memory) gets `LOAD_FAILED` in its word 0, with a notify, if
 * the module cannot be loaded: a caller blocked in Atomics.wait on that word learns of it, where the
 * worker's 'error' event would reach it only once it returns to the event loop.
 */
export const LOAD_FAILED = -1;

export function moduleWorker(caller: string, name: string, workerData: { control: Int32Array } & Record<string, unknown>): Worker {
  const fromSource = caller.endsWith('.ts');
  const target = new URL(`./${name}${fromSource ? '.ts' : '.js'}`, caller).href;
  const register = fromSource ? `const { register } = await import(${JSON.stringify(tsxApi(caller))}); register();` : '';
  const code = `
const { workerData } = require('node:worker_threads');
(async () => { ${register} await import(${JSON.stringify(target)}); })().catch(() => {
  Atomics.store(workerData.control, 0, ${LOAD_FAILED});
  Atomics.notify(workerData.control, 0);
});`;
  // Not the parent's flags: a loader there would not apply, and V8 flags are the process's.
  const worker = new Worker(code, { eval: true, execArgv: [], workerData });
  worker.unref();
  return worker;
}

/** The file URL of tsx's ESM API (`tsx/esm/api`, its `import` condition), resolved from the caller. */
function tsxApi(caller: string): string {
  const manifest = createRequire(caller).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: string | { default: string } }> };
  const entry = exports['./esm/api'].import;
  return pathToFileURL(join(dirname(manifest), typeof entry === 'string' ? entry : entry.default)).href;
}
