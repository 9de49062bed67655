import { join } from 'node:path';
import { type Autoencoder, buildAutoencoder } from '../model/autoencoder.ts';
import type { Matrix } from '../numeric/matrix.ts';
import { selectBackend } from '../runtime/backend.ts';
import type { ResolvedSpec } from '../spec/types.ts';
import { earlyStopping } from '../training/callbacks/early_stopping.ts';
import { nonFiniteGuard } from '../training/callbacks/nonfinite.ts';
import { progress } from '../training/callbacks/progress.ts';
import { reduceLrOnPlateau } from '../training/callbacks/reduce_lr.ts';
import { histogramEvery, logModel, tensorboardLogger } from '../training/callbacks/tensorboard.ts';
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
      tensorboardLogger(writers, { model, val: data.val }),
      progress((line) => out.report(line)),
      ...out.callbacks,
    ]);
    await model.save(out.modelDir);
    // The weights the representations will use (best or final), at their epoch, unless that epoch's are already logged.
    const step = result.restored_snapshot ? result.best_epoch : result.history.length - 1;
    if (step % histogramEvery(t.max_epochs) !== 0) logModel(writers, model, data.val, step);
    trained = true;
    return { model, result, backend };
  } finally {
    if (!trained) model.dispose();
    writers.train.close();
    writers.val.close();
  }
}
