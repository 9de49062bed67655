import type { Matrix } from '../numeric/matrix.ts';
import { fitFold, type FoldSettings, type FoldTask } from './fold_fits.ts';

/** A worker process of fold_pool.ts: the evaluation's matrices and settings arrive once, then one fold at a time. */
let data: { values: Matrix[]; settings: FoldSettings } | null = null;
process.on('message', async (m: { type: 'init'; values: Matrix[]; settings: FoldSettings } | { type: 'task'; task: FoldTask }) => {
  if (m.type === 'init') {
    data = { values: m.values, settings: m.settings };
    return;
  }
  const { values, settings } = data!;
  try {
    const result = await fitFold(values, m.task, settings, (classifier, entry) => process.send!({ type: 'fit', classifier, entry }));
    process.send!({ type: 'done', result });
  } catch (err) {
    process.send!({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
// Not kept alive by the channel alone: the process ends when its parent disconnects.
process.on('disconnect', () => process.exit(0));
