/**
 * `npm run bench`: every benchmark, one JSON object per line on stdout. Each bench file runs in its own
 * process (a clean heap, so peak memory is its own). Training lines are followed by the PyTorch reference
 * (../shared/bench/torch_ae.py) on the same shape, measured in this same run, and the ratio of the two:
 * absolute times on a shared machine mean little, ratios measured side by side do. The MoA line (moa.bench.ts)
 * carries its own anchor, the same fits in scikit-learn on one core (bench/sklearn_moa.py), and their ratio.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const torchScript = resolve(here, '../../shared/bench/torch_ae.py');
const only = process.argv.slice(2);

function note(message: string): void {
  console.log(JSON.stringify({ bench: 'note', message }));
}

function torchAvailable(): boolean {
  if (!existsSync(torchScript)) {
    note(`no PyTorch reference: ${torchScript} is absent`);
    return false;
  }
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    note('no PyTorch reference: python3-torch is not installed (apt-get install -y python3-torch)');
    return false;
  }
  return true;
}

function torchReference(line: { dims: number[]; batch: number; threads: number; rows: number; epochs: number }): number {
  const dims = line.dims;
  const out = execFileSync(
    '/usr/bin/python3',
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
const withTorch = files.some((f) => f.startsWith('train')) && torchAvailable();
for (const file of files) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) {
    note(`${file} failed: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    process.exitCode = 1;
    continue;
  }
  for (const raw of result.stdout.split('\n').filter((l) => l.startsWith('{'))) {
    const line = JSON.parse(raw) as Record<string, unknown>;
    if (line.bench === 'train' && withTorch) {
      const ref = torchReference(line as never);
      line.torch_samples_per_second = ref;
      line.ratio_vs_torch = Math.round(((line.samples_per_second as number) / ref) * 100) / 100;
    }
    console.log(JSON.stringify(line));
  }
}
