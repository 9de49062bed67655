/**
 * `npm run build`, last: compiles native/*.c into build/ads_kernels.node with the C compiler found
 * ($CC, else cc), against the Node-API headers of the node-api-headers package. Optional by design: without a
 * compiler, or where it fails, this says so and exits 0, and every kernel runs in WebAssembly (the CSV parser
 * in JavaScript) with the same results (src/numeric/native.ts). The flags matter for the numbers: -ffp-contract=off keeps each product
 * and sum rounded apart, as WebAssembly rounds them; nothing like -ffast-math, which would reorder sums and
 * flush subnormals. -fno-math-errno only lets a square root be a vector instruction (no errno to set for a
 * negative operand): its value is the same.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NATIVE_ADDON } from '../src/numeric/native.ts';

const sources = ['ads_kernels.c', 'column_moments.c', 'float_fields.c', 'gzip_inflate.c', 'value_counts.c'].map((file) => fileURLToPath(new URL(`../native/${file}`, import.meta.url)));

function headers(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json')), 'include');
  } catch {
    // Node's own headers, where its distribution ships them.
    const own = join(dirname(process.execPath), '..', 'include', 'node');
    return existsSync(join(own, 'node_api.h')) ? own : null;
  }
}

function skip(why: string): never {
  console.error(`ads: native kernels not built: ${why}. The WebAssembly kernels run instead, with the same results.`);
  process.exit(0);
}

if (process.platform === 'win32') skip('building them on Windows is not supported');
// Elsewhere the CPU's vectors are as wide as WebAssembly's, whose kernels are then as fast.
if (process.arch !== 'x64') skip(`they are for x86-64 CPUs with AVX2 or AVX-512, and this is ${process.arch}`);
const cc = process.env.CC || 'cc';
if (spawnSync(cc, ['--version'], { stdio: 'ignore' }).status !== 0) skip(`no C compiler (${cc}) found`);
const include = headers();
if (!include) skip('no Node-API headers found (the node-api-headers package is a dev dependency)');

mkdirSync(dirname(NATIVE_ADDON), { recursive: true });
// Written beside and renamed into place, so a process starting meanwhile never loads half a file.
const partial = `${NATIVE_ADDON}.${process.pid}.tmp`;
// ISA-L's inflater where its header is found (Debian's libisal-dev): the library itself is opened when a
// gzip file is read, so a build without it, or a machine without the library, inflates with Node's zlib.
const isal = spawnSync(cc, ['-E', '-x', 'c', '-'], { input: '#include <isa-l/igzip_lib.h>\n', stdio: ['pipe', 'ignore', 'ignore'] }).status === 0;
const args = ['-O3', '-std=gnu11', '-fPIC', '-shared', '-ffp-contract=off', '-fno-fast-math', '-fno-math-errno', '-Wall', ...(isal ? ['-DADS_ISAL'] : []), '-I', include, ...sources, '-o', partial, '-ldl', '-lpthread'];
if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
const built = spawnSync(cc, args, { encoding: 'utf8' });
if (built.status !== 0) {
  rmSync(partial, { force: true });
  skip(`${cc} failed: ${(built.stderr || built.error?.message || '').trim().split('\n').slice(0, 3).join(' | ')}`);
}
renameSync(partial, NATIVE_ADDON);
