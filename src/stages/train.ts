import { join } from 'node:path';
import { type Autoencoder, buildAutoencoder } from '../model/autoencoder.ts';
import type { Matrix } from '../numeric/matrix.ts';
import { selectBackend } from '../runtime/backend.ts';
import type { ResolvedSpec } from '../spec/types.ts';
import { earlyStopping } from '../training/callbacks/early_stopping.ts';
import { nonFiniteGuard } from '../training/callbacks/nonfinite.ts';
import { progress } from '../training/callbacks/progress.ts';
import { reduceLrOnPlateau } from '../training/callbacks/reduce_lr.ts';
import { tensorboardLogger } from '../training/callbacks/tensorboard.ts';
import { type Callback, type FitResult, fit } from '../training/fit.ts';
import { SummaryWriter } from '../tensorboard/writer.ts';

export interface Trained {
  model: Autoencoder;
  result: FitResult;
  backend: string;
}

/**
 * Stage `train`: the autoencoder of the control wells, fitted on `train`, validated on `val`, with the
 * spec's callbacks; curves go to `<tbDir>/train` and `<tbDir>/val`, the model to `<modelDir>`. A non-finite
 * loss throws a TrainingDivergedError (a UserError) unless training.on_nonfinite is stop; the curves up to
 * that epoch are in TensorBoard.
 */
export async function trainAutoencoder(
  data: { train: Matrix; val: Matrix },
  spec: Pick<ResolvedSpec, 'model' | 'training' | 'runtime'>,
  seed: number,
  out: { tbDir: string; modelDir: string; report: (line: string) => void; callbacks: readonly Callback[] },
): Promise<Trained> {
  const backend = await selectBackend(spec.runtime);
  const model = buildAutoencoder(spec.model, data.train.cols, seed);
  const writers = { train: new SummaryWriter(join(out.tbDir, 'train')), val: new SummaryWriter(join(out.tbDir, 'val')) };
  let trained = false;
  try {
    const t = spec.training;
    const result = await fit(model, data, t, seed, [
      nonFiniteGuard(t.on_nonfinite, t),
      reduceLrOnPlateau(t.reduce_lr),
      earlyStopping({ ...t.early_stopping, restore_best: t.restore_best }),
      tensorboardLogger(writers),
      progress((line) => out.report(line)),
      ...out.callbacks,
    ]);
    await model.save(out.modelDir);
    logModel(writers.train, model, data.val, result.restored_snapshot ? result.best_epoch : result.history.length - 1);
    trained = true;
    return { model, result, backend };
  } finally {
    if (!trained) model.dispose();
    writers.train.close();
    writers.val.close();
  }
}

/**
 * Histograms of the weights the representations will use (best or final) and of each feature's mean squared
 * reconstruction error on the validation controls: which features the model of the controls cannot predict.
 */
function logModel(writer: SummaryWriter, model: Autoencoder, val: Matrix, step: number): void {
  for (const [name, values] of Object.entries(model.namedWeights())) writer.histogram(`weights/${name}`, values, step);
  const xhat = model.reconstruct(val);
  const perFeature = new Float64Array(val.cols);
  for (let i = 0; i < val.rows; i++) {
    for (let j = 0; j < val.cols; j++) perFeature[j] += (xhat.data[i * val.cols + j] - val.data[i * val.cols + j]) ** 2 / val.rows;
  }
  writer.histogram('reconstruction_error/val_per_feature', perFeature, step);
}

