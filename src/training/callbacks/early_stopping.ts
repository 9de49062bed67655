import type { Callback, EpochSignal } from '../fit.ts';
import type { ResolvedSpec } from '../../spec/types.ts';

/** `training.early_stopping` plus `training.restore_best` (keep the best-validation weights, or the final ones). */
export type EarlyStoppingOptions = ResolvedSpec['training']['early_stopping'] & Pick<ResolvedSpec['training'], 'restore_best'>;

/**
 * Early stopping on val_loss with PyTorch Lightning's semantics: an epoch improves when
 * val_loss < best − min_delta; training stops once `patience` epochs in a row have not improved, or at
 * once when val_loss is not finite. Best-weight tracking lives here too because it follows the same
 * monitor; it works with stopping disabled, and snapshots every strict improvement (min_delta does not
 * apply), so the restored weights are those of the epoch fit() reports as best.
 */
export function earlyStopping(options: EarlyStoppingOptions): Callback {
  let best = Infinity;
  let bestSeen = Infinity;
  let wait = 0;
  return {
    onTrainStart() {
      best = Infinity;
      bestSeen = Infinity;
      wait = 0;
    },
    onEpochEnd(_epoch, { val_loss }) {
      const signal: EpochSignal = {};
      if (options.restore_best && val_loss < bestSeen) {
        bestSeen = val_loss;
        signal.snapshot = true;
      }
      if (!options.enabled) return signal;
      if (!Number.isFinite(val_loss)) {
        signal.stop = true;
      } else if (val_loss < best - options.min_delta) {
        best = val_loss;
        wait = 0;
      } else if (++wait >= options.patience) {
        signal.stop = true;
      }
      return signal;
    },
    onTrainEnd() {
      return { restoreSnapshot: options.restore_best };
    },
  };
}
