import type { Autoencoder } from '../../model/autoencoder.ts';
import type { Matrix } from '../../numeric/matrix.ts';
import type { SummaryWriter } from '../../tensorboard/writer.ts';
import type { Callback } from '../fit.ts';

/** About this many histogram steps over the epoch limit: enough to watch the weights move, few enough to keep the logs small. */
const HISTOGRAM_STEPS = 20;

/** Every k-th epoch gets histograms (epoch 0 always): k = ⌈max_epochs / 20⌉. */
export function histogramEvery(maxEpochs: number): number {
  return Math.max(1, Math.ceil(maxEpochs / HISTOGRAM_STEPS));
}

/**
 * Logs each epoch to TensorBoard: in the train sub-run `loss` (the training objective), `lr` and the epoch's
 * seconds; in the val sub-run `loss` (val_loss: the reconstruction MSE that training watches, as the
 * reference's val_loss) and `objective` (the full objective on the validation wells: the like-for-like
 * counterpart of the training `loss`, which includes the output_l2 and latent_l1 penalties). With the model,
 * every `histogramEvery(max_epochs)` epochs its weights (train sub-run) and each feature's reconstruction error
 * on the validation controls (val sub-run), so the histograms show how both change over training.
 */
export function tensorboardLogger(writers: { train: SummaryWriter; val: SummaryWriter }, watched?: { model: Autoencoder; val: Matrix }): Callback {
  let every = 1;
  const histogramsAt = (epoch: number) => watched !== undefined && epoch % every === 0;
  return {
    onTrainStart({ max_epochs }) {
      every = histogramEvery(max_epochs);
    },
    readsModel: histogramsAt,
    onEpochEnd(epoch, logs) {
      writers.train.scalar('loss', logs.loss, epoch);
      writers.train.scalar('lr', logs.lr, epoch);
      writers.train.scalar('epoch_seconds', logs.seconds, epoch);
      writers.val.scalar('loss', logs.val_loss, epoch);
      writers.val.scalar('objective', logs.val_objective, epoch);
      if (watched && histogramsAt(epoch)) logModel(writers, watched.model, watched.val, epoch);
    },
    onTrainEnd() {
      writers.train.flush();
      writers.val.flush();
    },
  };
}

/**
 * Histograms of the model's weights (train sub-run) and of each feature's mean squared reconstruction error on
 * the validation controls (val sub-run: it is measured on them), at `step`: which features the model of the
 * controls cannot predict.
 */
export function logModel(writers: { train: SummaryWriter; val: SummaryWriter }, model: Autoencoder, val: Matrix, step: number): void {
  for (const [name, values] of Object.entries(model.namedWeights())) writers.train.histogram(`weights/${name}`, values, step);
  const xhat = model.reconstruct(val);
  const perFeature = new Float64Array(val.cols);
  for (let i = 0; i < val.rows; i++) {
    for (let j = 0; j < val.cols; j++) perFeature[j] += (xhat.data[i * val.cols + j] - val.data[i * val.cols + j]) ** 2 / val.rows;
  }
  writers.val.histogram('reconstruction_error/per_feature', perFeature, step);
}
