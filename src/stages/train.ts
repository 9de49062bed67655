import { join } from 'node:path';
import { tf } from '../runtime/tfjs.ts';
import { trainingWarnings } from '../data/checks.ts';
import type { Columns } from '../data/io.ts';
import { type Profiles, selectWells } from '../data/profiles.ts';
import { type Autoencoder, buildAutoencoder } from '../model/autoencoder.ts';
import type { Matrix } from '../numeric/matrix.ts';
import { metricProblems } from '../run/finite.ts';
import type { Stage } from '../run/stage.ts';
import { TABLES } from '../run/store.ts';
import type { ResolvedSpec } from '../spec/types.ts';
import { earlyStopping } from '../training/callbacks/early_stopping.ts';
import { nonFiniteGuard } from '../training/callbacks/nonfinite.ts';
import { progress } from '../training/callbacks/progress.ts';
import { reduceLrOnPlateau } from '../training/callbacks/reduce_lr.ts';
import { histogramEvery, logModel, tensorboardLogger } from '../training/callbacks/tensorboard.ts';
import { type Callback, type FitResult, fit } from '../training/fit.ts';
import { chooseTrainingKernel, type TrainingKernel } from '../training/fused_step.ts';
import { UserError } from '../errors.ts';
import { SummaryWriter } from '../tensorboard/writer.ts';
import { needsModel } from './represent.ts';
import { setRows } from './sets.ts';

export interface Trained {
  model: Autoencoder;
  result: FitResult;
  /** What computed the training steps (runtime.training_kernel resolved), and why. */
  kernel: { kernel: TrainingKernel; reason: string };
}

/**
 * The autoencoder of the control wells, fitted on `train`, validated on `val`, with the spec's callbacks, on
 * the tfjs backend already selected; curves go to `<tbDir>/train` and `<tbDir>/val`. A non-finite loss
 * throws a TrainingDivergedError (a UserError) unless training.on_nonfinite is stop; the curves up to that
 * epoch are in TensorBoard. The model is the caller's to save and dispose, unless training throws. `threads`:
 * the fused step's (runtime.threads, resolved by the runner); the weights do not depend on it.
 */
export async function trainAutoencoder(
  data: { train: Matrix; val: Matrix },
  spec: Pick<ResolvedSpec, 'model' | 'training' | 'runtime'>,
  seed: number,
  out: { tbDir: string; report: (line: string) => void; callbacks: readonly Callback[] },
  threads = 1,
): Promise<Trained> {
  const model = buildAutoencoder(spec.model, data.train.cols, seed);
  const kernel = chooseTrainingKernel(spec.runtime.training_kernel, tf.getBackend(), model.denseStack());
  if ('error' in kernel) {
    model.dispose();
    throw new UserError(kernel.error);
  }
  const writers = { train: new SummaryWriter(join(out.tbDir, 'train')), val: new SummaryWriter(join(out.tbDir, 'val')) };
  let trained = false;
  try {
    const t = spec.training;
    const result = await fit(model, data, { ...t, kernel: kernel.kernel, threads }, seed, [
      nonFiniteGuard(t.on_nonfinite, t),
      reduceLrOnPlateau(t.reduce_lr),
      earlyStopping({ ...t.early_stopping, restore_best: t.restore_best }),
      tensorboardLogger(writers, { model, val: data.val }),
      progress((line) => out.report(line)),
      ...out.callbacks,
    ]);
    // The weights the representations will use (best or final), at their epoch, unless that epoch's are already logged.
    const step = result.restored_snapshot ? result.best_epoch : result.history.length - 1;
    if (step % histogramEvery(t.max_epochs) !== 0) logModel(writers, model, data.val, step);
    trained = true;
    return { model, result, kernel };
  } finally {
    if (!trained) model.dispose();
    writers.train.close();
    writers.val.close();
  }
}

/** `metrics.training` */
export interface TrainingMetrics {
  best_val_loss: number;
  best_epoch: number;
  epochs: number;
  final_val_loss: number;
  stopped_early: boolean;
  restored_best: boolean;
  /** Only with training.on_nonfinite: stop, when it stopped training. */
  stopped_nonfinite_at_epoch?: number;
}

/**
 * Stage `train` (method §2.5): the autoencoder, when a representation needs it (`model: null` otherwise);
 * its history as `tables/history.parquet`, the model in `model/`.
 */
export const trainStage: Stage<{ selected: Profiles }, { model: Autoencoder | null }, { training: TrainingMetrics }> = {
  name: 'train',
  reads: ['representations', 'model', 'training', 'runtime'],
  uses: (spec) => ({ selected: needsModel(spec.representations) }),
  async run({ selected }, ctx) {
    if (!needsModel(ctx.spec.representations)) return { values: { model: null } };
    const data = { train: selectWells(selected, setRows(selected, 'train')).values, val: selectWells(selected, setRows(selected, 'val')).values };
    const warnings = trainingWarnings(ctx.spec, { features: data.train.cols, trainWells: data.train.rows }).map((w) => `${w.setting}: ${w.message}`);
    await ctx.backend();
    const { model, result, kernel } = await trainAutoencoder(data, ctx.spec, ctx.seed, { tbDir: ctx.tensorboardDir, report: ctx.progress, callbacks: ctx.trainingCallbacks }, ctx.threads);
    const h = result.history;
    const last = h[h.length - 1];
    return {
      values: { model },
      model,
      tables: { [TABLES.history]: historyTable(result) },
      warnings,
      data: { training_kernel: kernel.kernel, training_kernel_reason: kernel.reason },
      metrics: {
        training: {
          best_val_loss: result.best_val_loss,
          best_epoch: result.best_epoch,
          epochs: h.length,
          final_val_loss: last.val_loss,
          stopped_early: result.stopped_early,
          restored_best: result.restored_snapshot,
          // Only reachable with training.on_nonfinite: stop (fail throws): say so rather than leave it to the history.
          ...(Number.isFinite(last.loss) && Number.isFinite(last.val_loss) ? {} : { stopped_nonfinite_at_epoch: h.length }),
        },
      },
    };
  },
  check: ({ metrics }) => metricProblems(metrics, [['training', 'best_val_loss']], 'training diverged: lower training.lr'),
  // Written per epoch by the TensorBoard callback, into the run's train/ and val/ folders.
  scalarTags: (spec) =>
    needsModel(spec.representations)
      ? [
          { tag: 'loss', group: 'val', displayName: 'validation loss' },
          { tag: 'loss', group: 'train', displayName: 'training loss' },
        ]
      : [],
};

function historyTable(result: FitResult): Columns {
  const h = result.history;
  return {
    epoch: Int32Array.from(h, (_, i) => i),
    loss: Float64Array.from(h, (e) => e.loss),
    val_loss: Float64Array.from(h, (e) => e.val_loss),
    val_objective: Float64Array.from(h, (e) => e.val_objective),
    lr: Float64Array.from(h, (e) => e.lr),
  };
}
