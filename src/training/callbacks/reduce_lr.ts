import type { Callback } from '../fit.ts';
import type { ResolvedSpec } from '../../spec/types.ts';

/** `training.reduce_lr`: patience counts checks (every `every` epochs), not epochs. */
export type ReduceLrOptions = ResolvedSpec['training']['reduce_lr'];

/** PyTorch ReduceLROnPlateau defaults that the spec does not expose: mode 'min', threshold_mode 'rel', cooldown 0. */
const THRESHOLD = 1e-4;
/** PyTorch ignores reductions smaller than this. */
const EPS = 1e-8;

/**
 * PyTorch's ReduceLROnPlateau stepped as a Lightning scheduler with interval 'epoch' and frequency `every`:
 * scheduler.step(val_loss) runs after epochs every, 2·every, … (1-based) and sees only that epoch's
 * val_loss. A check improves when val_loss < best·(1 − 1e-4); after more than `patience` checks in a row
 * without improvement the rate becomes max(lr·factor, min_lr) from the next epoch on and the count
 * restarts. With the reference's every 10 and patience 10, the first possible reduction is after epoch
 * 120 (11 flat checks after the first), later than an early-stopping patience of 70 usually allows.
 */
export function reduceLrOnPlateau(options: ReduceLrOptions): Callback {
  let best = Infinity;
  let bad = 0;
  return {
    onTrainStart() {
      best = Infinity;
      bad = 0;
    },
    onEpochEnd(epoch, { val_loss, lr }) {
      if (!options.enabled || (epoch + 1) % options.every !== 0) return;
      if (val_loss < best * (1 - THRESHOLD)) {
        best = val_loss;
        bad = 0;
      } else {
        bad++;
      }
      if (bad <= options.patience) return;
      bad = 0;
      const next = Math.max(lr * options.factor, options.min_lr);
      return lr - next > EPS ? { lr: next } : undefined;
    },
  };
}
