import { figure, type Section, section, table, text } from '../blocks.ts';
import { summarizeMetric } from '../aggregate.ts';
import { fmtSummary } from '../format.ts';
import { type LossDatum, trainingCurves } from '../figures/training_curves.ts';
import { type SectionContext, shownPoints } from './context.ts';

const COLUMNS: [string, string, number][] = [
  ['best val loss', 'training.best_val_loss', 4],
  ['final val loss', 'training.final_val_loss', 4],
  ['best epoch', 'training.best_epoch', 0],
  ['epochs run', 'training.epochs', 0],
];

/** The autoencoder's training: losses and epochs per sweep point, and the curves of every run. */
export function trainingSection(ctx: SectionContext): Section[] {
  const columns = COLUMNS.filter(([, path]) => ctx.catalog.shared.includes(path));
  if (!columns.length) return [];
  const blocks = [
    table(
      ['sweep point', ...columns.map(([label]) => label)],
      ctx.points.map((g) => [g.label, ...columns.map(([, path, digits]) => fmtSummary(summarizeMetric(g.runs, path), digits))]),
    ),
  ];
  const { shown, note } = shownPoints(ctx.points);
  const data: LossDatum[] = shown.flatMap((g) =>
    g.runs.flatMap((run) => {
      const h = ctx.input.tables?.get(run.runId)?.history;
      if (!h) return [];
      const point = g.label;
      return Array.from(h.epoch, (epoch, i) => [
        { point, seed: run.seed, epoch, curve: 'train' as const, loss: h.loss[i] },
        { point, seed: run.seed, epoch, curve: 'val' as const, loss: h.val_loss[i] },
      ])
        .flat()
        .filter((d) => Number.isFinite(d.loss) && d.loss > 0);
    }),
  );
  if (data.length) {
    blocks.push(
      text('Training and validation loss of the autoencoder, per epoch (validation wells are held-out controls).'),
      figure('training_curves', `Train and validation loss per epoch, a panel per sweep point, a line per seed.${note}`, trainingCurves(data, { points: shown.map((g) => g.label) })),
    );
  }
  return [section('Training', blocks)];
}
