import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Matrix } from '../numeric/matrix.ts';
import { type Classifier, type FoldResult, type FoldSettings, type FoldTask } from './fold_fits.ts';

type FromWorker = { type: 'fit'; classifier: Classifier; entry: string } | { type: 'done'; result: FoldResult } | { type: 'error'; message: string };

/**
 * Folds fitted in parallel in worker processes, each worker taking the next fold when it is done with one.
 * A fold's result depends only on its task (every random draw comes from a stream named by its repeat and
 * fold), so the results are the same whatever the number of workers; the caller scores them in fold order.
 */
export async function fitFoldsInWorkers(
  workers: number,
  values: readonly Matrix[],
  settings: FoldSettings,
  tasks: readonly FoldTask[],
  onFit: (task: FoldTask, classifier: Classifier, entry: string) => void,
): Promise<FoldResult[]> {
  // The compiled worker next to this module, or the TypeScript source through tsx's loader when this module
  // is itself the source (as src/run/pool.ts starts its workers).
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(fromSource ? './fold_worker.ts' : './fold_worker.js', import.meta.url));
  const execArgv = fromSource ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];
  const results: FoldResult[] = new Array(tasks.length);
  let next = 0;
  const pool = Array.from({ length: Math.min(workers, tasks.length) }, () => {
    const child = fork(entry, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    child.send({ type: 'init', values, settings });
    return child;
  });
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let current = -1;
            const take = () => {
              if (next >= tasks.length) return resolve();
              current = next++;
              worker.send({ type: 'task', task: tasks[current] });
            };
            worker.on('message', (m: FromWorker) => {
              if (m.type === 'fit') return onFit(tasks[current], m.classifier, m.entry);
              if (m.type === 'error') return reject(new Error(m.message));
              results[current] = m.result;
              take();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (next < tasks.length || results[current] === undefined) reject(new Error(`MoA classification: a fold worker exited with code ${code}`));
            });
            take();
          }),
      ),
    );
  } finally {
    for (const child of pool) if (child.connected) child.disconnect();
  }
  return results;
}
