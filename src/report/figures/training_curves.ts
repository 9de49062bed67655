import type { TopLevelSpec } from 'vega-lite';

/** One epoch of one run: its training or validation loss. */
export interface LossDatum {
  point: string;
  seed: number;
  epoch: number;
  curve: 'train' | 'val';
  loss: number;
}

/**
 * Train and validation loss per epoch, a panel per sweep point, a line per seed. Log-scaled when the losses
 * span a decade or more, where the first epochs' loss would flatten the plateau on which the settings differ.
 */
export function trainingCurves(data: readonly LossDatum[], o: { points: readonly string[] }): TopLevelSpec {
  const [lo, hi] = data.reduce(([a, b], d) => [Math.min(a, d.loss), Math.max(b, d.loss)], [Infinity, -Infinity]);
  const log = hi / lo >= 10;
  return {
    title: 'Training curves (a line per seed)',
    data: { values: data.map((d) => ({ ...d, run: `${d.curve} ${d.seed}` })) },
    facet: { field: 'point', type: 'nominal', sort: [...o.points], title: null },
    columns: 3,
    spec: {
      width: 240,
      height: 170,
      mark: { type: 'line', strokeWidth: 1.2, opacity: 0.85, clip: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
        y: { field: 'loss', type: 'quantitative', title: 'loss', scale: log ? { type: 'log', nice: false } : { zero: false } },
        color: { field: 'curve', type: 'nominal', title: 'loss', scale: { domain: ['train', 'val'], range: ['#56B4E9', '#1f3b73'] } },
        detail: { field: 'run', type: 'nominal' },
      },
    },
  };
}
