import type { SummaryWriter } from '../../tensorboard/writer.ts';
import type { Callback } from '../fit.ts';

/**
 * Logs each epoch to TensorBoard: in the train sub-run `loss` (the training objective), `lr` and the epoch's
 * seconds; in the val sub-run `loss` (val_loss: the reconstruction MSE that training watches, as the
 * reference's val_loss) and `objective` (the full objective on the validation wells: the like-for-like
 * counterpart of the training `loss`, which includes the output_l2 and latent_l1 penalties).
 */
export function tensorboardLogger(writers: { train: SummaryWriter; val: SummaryWriter }): Callback {
  return {
    onEpochEnd(epoch, logs) {
      writers.train.scalar('loss', logs.loss, epoch);
      writers.train.scalar('lr', logs.lr, epoch);
      writers.train.scalar('epoch_seconds', logs.seconds, epoch);
      writers.val.scalar('loss', logs.val_loss, epoch);
      writers.val.scalar('objective', logs.val_objective, epoch);
    },
    onTrainEnd() {
      writers.train.flush();
      writers.val.flush();
    },
  };
}
