import type { SummaryWriter } from '../../tensorboard/writer.ts';
import type { Callback } from '../fit.ts';

/**
 * Logs each epoch to TensorBoard: `loss` and `lr` in the train sub-run, `loss` in the val sub-run, so both
 * curves share one chart, plus the epoch's seconds.
 */
export function tensorboardLogger(writers: { train: SummaryWriter; val: SummaryWriter }): Callback {
  return {
    onEpochEnd(epoch, logs) {
      writers.train.scalar('loss', logs.loss, epoch);
      writers.train.scalar('lr', logs.lr, epoch);
      writers.train.scalar('epoch_seconds', logs.seconds, epoch);
      writers.val.scalar('loss', logs.val_loss, epoch);
    },
    onTrainEnd() {
      writers.train.flush();
      writers.val.flush();
    },
  };
}
