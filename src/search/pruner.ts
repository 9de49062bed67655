import { median } from '../numeric/stats.ts';
import type { Callback } from '../training/fit.ts';

/**
 * Median pruning (as Optuna's MedianPruner): from epoch `afterEpochs` on, a trial whose best validation loss
 * so far is worse than the median of the earlier trials' best-so-far at the same epoch is stopped. `earlier`
 * holds each earlier trial's validation loss per epoch; a trial that ended sooner counts with its last best.
 */
export function medianPruner(earlier: readonly (readonly number[])[], afterEpochs: number, onPrune: (epoch: number) => void): Callback {
  const bestSoFar = earlier.map((losses) => {
    const out: number[] = [];
    let best = Infinity;
    for (const v of losses) out.push((best = Math.min(best, Number.isFinite(v) ? v : Infinity)));
    return out;
  });
  let mine = Infinity;
  return {
    onTrainStart() {
      mine = Infinity;
    },
    onEpochEnd(epoch, { val_loss }) {
      if (Number.isFinite(val_loss)) mine = Math.min(mine, val_loss);
      if (epoch + 1 < afterEpochs || bestSoFar.length === 0) return {};
      if (mine > median(bestSoFar.map((b) => b[Math.min(epoch, b.length - 1)]))) {
        onPrune(epoch);
        return { stop: true };
      }
      return {};
    },
  };
}
