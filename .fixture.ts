import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeReportFor } from './src/report/write.ts';
const base = '/tmp/fx';
rmSync(base, { recursive: true, force: true });
let k = 0;
function add(exp: string, point: Record<string, unknown>, seed: number) {
  const id = `r${k++}`;
  const dir = join(base, 'runs', exp, id);
  mkdirSync(dir, { recursive: true });
  const a = 30 + 20 * Math.random(), c = 40 + 5 * Math.random();
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ percent_replicating: { anomaly: { percent: a, threshold: 0.2 }, cellprofiler: { percent: c, threshold: 0.25 } }, training: { best_val_loss: Math.random() } }));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ status: 'done', run_id: id, experiment: exp, seed, point, error: null }));
}
for (const latent of [4, 8, 16, 32]) for (const lr of [0.001, 0.01]) for (const seed of [1, 2, 3]) add('grid', { 'model.latent': latent, 'training.lr': lr }, seed);
for (let i = 0; i < 6; i++) { const p = { 'model.dropout': Math.random() * 0.15, 'training.lr': 10 ** (-5 + 2 * Math.random()) }; for (const seed of [1, 2]) add('random', p, seed); }
add('single', {}, 1);
for (const exp of ['grid', 'random', 'single']) console.log(await writeReportFor({ experiment: exp, description: '', representations: ['anomaly', 'cellprofiler'], splitBy: null, nullPercentile: 90 }, join(base, 'runs'), join(base, 'reports')));
