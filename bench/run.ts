/**
 * `npm run bench`: every benchmark, one JSON object per line on stdout. Each bench file runs in its own
 * process (a clean heap, so peak memory is its own). Training lines carry the PyTorch reference
 * (../shared/bench/torch_ae.py) on the same shape, measured in this same run, and the ratio of the two:
 * absolute times on a shared machine mean little, ratios measured side by side do. The reference runs under
 * every interpreter that imports torch among Debian's /usr/bin/python3 (python3-torch) and those listed in
 * ADS_TORCH_PYTHON (colon-separated, e.g. a virtualenv with the official wheel: ADS_TORCH_PYTHON=venv/bin/python),
 * one entry of `torch` per interpreter. With a reference, the training bench runs one shape at a time and the
 * reference right after it, so that both see the same load of a shared machine; ADS_BENCH_ROUNDS=n repeats
 * that n times and keeps the best figure of each side (`rounds` in the line). Each shape runs on one thread
 * against PyTorch on one, then (where there are more cores) the fused kernel on every core against PyTorch on
 * as many (`threads` in the line). The MoA line (moa.bench.ts)
 * carries its own anchor, the same fits in scikit-learn on one core (bench/sklearn_moa.py), and their ratio.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRAIN_SHAPES } from './train_shapes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const torchScript = resolve(here, '../../shared/bench/torch_ae.py');
const only = process.argv.slice(2);

function note(message: string): void {
  console.log(JSON.stringify({ bench: 'note', message }));
}

interface TorchAnchor {
  python: string;
  version: string;
}

/** The interpreters that import torch, with the version each imports; a note for each that does not. */
function torchAnchors(): TorchAnchor[] {
  if (!existsSync(torchScript)) {
    note(`no PyTorch reference: ${torchScript} is absent`);
    return [];
  }
  const extra = (process.env.ADS_TORCH_PYTHON ?? '').split(':').filter((p) => p.length > 0);
  const anchors: TorchAnchor[] = [];
  for (const python of [...new Set(['/usr/bin/python3', ...extra])]) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      const hint = python === '/usr/bin/python3' ? 'apt-get install -y python3-torch' : 'pip install torch in that environment';
      note(`no PyTorch reference with ${python}: it cannot import torch (${hint})`);
      continue;
    }
    anchors.push({ python, version: probe.stdout.trim() });
  }
  return anchors;
}

function torchReference(python: string, line: { dims: number[]; batch: number; threads: number; rows: number; epochs: number }): number {
  const dims = line.dims;
  const out = execFileSync(
    python,
    [
      torchScript,
      '--features', String(dims[0]),
      '--hidden', dims.slice(1, -2).join(','),
      '--latent', String(dims[dims.length - 2]),
      '--batch', String(line.batch),
      '--rows', String(line.rows),
      '--epochs', String(line.epochs),
      '--threads', String(line.threads),
    ],
    { encoding: 'utf8' },
  );
  return (JSON.parse(out.trim().split('\n').pop()!) as { samples_per_second: number }).samples_per_second;
}

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
const anchors = files.some((f) => f.startsWith('train')) ? torchAnchors() : [];
/** Rounds of each training shape and its reference, best of each kept: a shared machine's load comes and goes. */
const rounds = Math.max(1, Number(process.env.ADS_BENCH_ROUNDS ?? 1));

type Line = Record<string, unknown>;
type Shape = { dims: number[]; batch: number; threads: number; rows: number; epochs: number };

/** The JSON lines of one bench process, or null (and a note) when it fails. */
function benchLines(file: string, args: string[]): Line[] | null {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, file), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    note(`${file} ${args.join(' ')} failed: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    process.exitCode = 1;
    return null;
  }
  return result.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
}

/**
 * One training shape: `rounds` × (both kernels, then every reference), each figure the best of its rounds.
 * With `threads` > 1, the fused kernel alone (tfjs-wasm has one thread under Node) against PyTorch on as many.
 */
function trainShape(file: string, index: number, threads: number): void {
  const best = new Map<string, Line>();
  const refs = new Map<string, number>();
  const args = ['--shape', String(index), '--threads', String(threads), ...(threads > 1 ? ['--kernel', 'fused-wasm-simd'] : [])];
  for (let round = 0; round < rounds; round++) {
    const lines = benchLines(file, args);
    if (!lines) return;
    for (const line of lines) {
      const key = String(line.kernel ?? JSON.stringify(line));
      const kept = best.get(key);
      if (!kept || (line.samples_per_second as number) > (kept.samples_per_second as number)) best.set(key, line);
    }
    const shape = lines.find((l) => l.bench === 'train') as unknown as Shape | undefined;
    if (!shape) continue;
    for (const { python } of anchors) refs.set(python, Math.max(refs.get(python) ?? 0, torchReference(python, shape)));
  }
  for (const line of best.values()) {
    if (line.bench === 'train') {
      line.rounds = rounds;
      line.torch = anchors.map(({ python, version }) => {
        const ref = refs.get(python)!;
        return { python, torch: version, samples_per_second: ref, ratio: Math.round(((line.samples_per_second as number) / ref) * 100) / 100 };
      });
    }
    console.log(JSON.stringify(line));
  }
}

for (const file of files) {
  if (file.startsWith('train') && anchors.length > 0) {
    // One thread against PyTorch on one (issue 12's figures), then every core against PyTorch on as many.
    for (const threads of new Set([1, availableParallelism()])) TRAIN_SHAPES.forEach((_, i) => trainShape(file, i, threads));
    continue;
  }
  for (const line of benchLines(file, []) ?? []) console.log(JSON.stringify(line));
}
