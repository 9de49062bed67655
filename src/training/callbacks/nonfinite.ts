import { UserError } from '../../errors.ts';
import type { Callback, EpochLogs } from '../fit.ts';
import type { ResolvedSpec } from '../../spec/types.ts';

/** `training.on_nonfinite`: what a NaN or infinite loss does. */
export type NonFiniteAction = ResolvedSpec['training']['on_nonfinite'];

/** A run whose training diverged: a setting to change, so a user-facing error the run's manifest records. */
export class TrainingDivergedError extends UserError {
  constructor(
    message: string,
    /** 1-based, as the progress line and the message count epochs. */
    readonly epoch: number,
    readonly quantity: 'loss' | 'val_loss',
    readonly value: number,
  ) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

/**
 * Watches the training and validation losses of every epoch. On the first non-finite one, `fail` answers
 * with a TrainingDivergedError naming the epoch, the value and the settings that usually cause it; `stop`
 * ends training there (the run goes on with the weights restore_best chooses), as Lightning's early stopping
 * does in the reference implementation. Either way, the epoch itself is logged by the other callbacks first.
 */
export function nonFiniteGuard(action: NonFiniteAction, settings: { lr: number; batch_size: number }): Callback {
  let maxEpochs = 0;
  return {
    onTrainStart({ max_epochs }) {
      maxEpochs = max_epochs;
    },
    onEpochEnd(epoch, logs) {
      const bad = (['loss', 'val_loss'] as const).find((k) => !Number.isFinite(logs[k]));
      if (!bad) return;
      if (action === 'stop') return { stop: true };
      return { fail: diverged(epoch + 1, maxEpochs, bad, logs, settings) };
    },
  };
}

function diverged(
  epoch: number,
  maxEpochs: number,
  quantity: 'loss' | 'val_loss',
  logs: EpochLogs,
  settings: { lr: number; batch_size: number },
): TrainingDivergedError {
  const message =
    `training diverged at epoch ${epoch}/${maxEpochs}: training loss ${logs.loss}, val_loss ${logs.val_loss} ` +
    `(learning rate ${logs.lr}). Likely causes: training.lr too high (${settings.lr} here; the reference uses 0.005), ` +
    `training.batch_size too small (${settings.batch_size} here), or extreme feature values left in by feature selection ` +
    '(feature_select.outlier_cutoff). To end training at such an epoch and go on with the run instead, set training.on_nonfinite: stop.';
  return new TrainingDivergedError(message, epoch, quantity, logs[quantity]);
}
