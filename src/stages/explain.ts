import { tf } from '../runtime/tfjs.ts';
import type { Columns } from '../data/io.ts';
import { metaColumn, type Profiles, selectWells } from '../data/profiles.ts';
import type { Roles } from '../data/roles.ts';
import { UserError } from '../errors.ts';
import { aggregateDependencies, drawBackground, explainAnomalies, type RecordExplanation } from '../explain/anomaly_shap.ts';
import { type BatchModel, type CoalitionModel, kernelExplainer } from '../explain/kernel_shap.ts';
import type { Autoencoder } from '../model/autoencoder.ts';
import { type Matrix, matrix, selectRows } from '../numeric/matrix.ts';
import { stream } from '../random/streams.ts';
import type { RunSpec } from '../spec/types.ts';
import type { Stage } from '../run/stage.ts';
import { TABLES } from '../run/store.ts';
import { chooseTrainingKernel, FusedTrainer, type TrainingKernel } from '../training/fused_step.ts';
import { setRows } from './sets.ts';

export interface ExplainMetrics {
  group_by: string;
  records: number;
  /** Per group, its strongest broken dependencies: explained feature ← contributing feature. */
  groups: Record<string, { records: number; pairs: { explained: string; contributor: string; count: number; mean_abs_shap: number }[] }>;
}

/** The wells of each split set (rows of the normalized table, in table order). */
export type SetRows = (set: 'train' | 'test_ctrl' | 'test_treat') => ArrayLike<number>;

/** What computes the model calls: runtime.training_kernel (the kernel that trains computes them too) and the threads. */
export interface ShapCompute {
  training_kernel: RunSpec['runtime']['training_kernel'];
  threads: number;
}

/**
 * Stage `explain` (method §2.9): for the most anomalous treated wells of each group (MoA or perturbation),
 * Kernel SHAP of each badly reconstructed feature over the inputs, against a background of control wells
 * (a seeded draw of training controls, or in `reference` mode the first test controls as the reference
 * takes them); aggregated per group into the dependencies the treatment broke. Runs in the model's input
 * space (normalized, selected features), where the autoencoder's reconstruction is defined. The model calls
 * go through `shapModel` (`compute`).
 */
export function explainAnomalousWells(
  normalized: Profiles,
  rowsOf: SetRows,
  model: Autoencoder,
  roles: Roles,
  settings: RunSpec['explain'],
  seed: number,
  compute: ShapCompute,
): { metrics: ExplainMetrics; table: Columns } {
  const groupColumn = settings.group_by === 'moa' && roles.moa && roles.moa in normalized.metadata ? roles.moa : roles.perturbation;
  const treated = selectWells(normalized, rowsOf('test_treat'));
  const reconstruction = model.reconstruct(treated.values);
  const groups = metaColumn(treated, groupColumn);
  const picked = mostAnomalous(treated.values.data, reconstruction.data, treated.values.cols, groups, settings.wells_per_group);
  const records = selectRows(treated.values, picked);
  const plate = metaColumn(treated, roles.plate);
  const well = metaColumn(treated, roles.well in treated.metadata ? roles.well : roles.perturbation);
  const keys = picked.map((i) => `${String(plate[i])}/${String(well[i])}/${i}`);
  const d = normalized.features.length;
  const background =
    settings.mode === 'reference'
      ? selectRows(normalized.values, Array.from(rowsOf('test_ctrl')).slice(0, settings.background_size))
      : drawBackground(selectRows(normalized.values, rowsOf('train')), settings.background_size, stream(seed, 'explain/background'));
  const options = { ...settings, nsamples: settings.nsamples ?? 2 * d + 2048 };
  if (settings.mode === 'reference' && 2 * options.nsamples <= d + 1) {
    // shap's AIC selection regresses on 2 rows per coalition and needs more rows than features + 1.
    throw new UserError(`explain.nsamples: ${options.nsamples} coalitions are too few for mode reference with ${d} features (needs more than ${Math.floor((d + 1) / 2)})`);
  }
  const shap = shapModel(model, compute);
  let explanations: RecordExplanation[];
  try {
    explanations = explainAnomalies(kernelExplainer(shap.f, background, shap), records, keys, options, seed);
  } finally {
    shap.close();
  }
  const groupOfKey = new Map(keys.map((k, n) => [k, String(groups[picked[n]])]));
  const aggregated = aggregateDependencies(explanations, (e) => groupOfKey.get(e.key) ?? null, settings.top_pairs);
  const name = (j: number) => normalized.features[j];
  return {
    metrics: {
      group_by: groupColumn,
      records: explanations.length,
      groups: Object.fromEntries(
        aggregated.map((g) => [
          g.group,
          {
            records: g.records,
            pairs: g.pairs.map((p) => ({ explained: name(p.explained), contributor: name(p.contributor), count: p.count, mean_abs_shap: p.mean })),
          },
        ]),
      ),
    },
    table: explanationTable(explanations, groupOfKey, name),
  };
}

/** Rows per forward pass of the fused kernels: a few MB of activations, and many passes per coalition batch. */
const FUSED_ROWS = 1024;

/**
 * The model Kernel SHAP calls (millions of rows a run): the fused kernels' forward pass where the run
 * trains with them (runtime.training_kernel resolved for this model and backend as training resolves it), on
 * the run's threads; they compute it about twice as fast as tfjs-wasm's ops, and agree with them to float32
 * rounding (the products sum in another order). Otherwise tfjs' reconstruct.
 */
export interface ShapModel {
  f: BatchModel;
  /** Which kernel computes it. */
  kernel: TrainingKernel;
  /** The rows per call it wants (Explainer.rowsPerCall), when not Kernel SHAP's large default. */
  rowsPerCall?: number;
  /** Its coalition model for a background (kernel_shap.ts' CoalitionModel), where it has one. */
  coalitionsFor?: (background: Matrix) => CoalitionModel | null;
  /** Ends its threads. */
  close: () => void;
}

export function shapModel(model: Autoencoder, compute: ShapCompute): ShapModel {
  const stack = model.denseStack();
  const kernel = chooseTrainingKernel(compute.training_kernel, tf.getBackend(), stack);
  const fused = typeof stack !== 'string' && 'kernel' in kernel && kernel.kernel === 'fused-wasm-simd' ? FusedTrainer.forInference(stack, FUSED_ROWS, compute.threads) : null;
  if (!fused) return { f: (x, out) => model.reconstruct(x, out), kernel: 'tfjs', close: () => {} };
  return {
    kernel: 'fused-wasm-simd',
    // One forward block per call: the coalitions' inputs and outputs stay in cache (its cost is per row).
    rowsPerCall: FUSED_ROWS,
    // Coalitions formed after the first layer (FusedTrainer.coalitions): a few rows of its weights, not all d.
    coalitionsFor: (background) => fused.coalitions(background.data, background.rows),
    f: (x, out) => {
      const values = out ?? new Float64Array(x.rows * model.inputDim);
      fused.predict(x.data, x.rows, values);
      return matrix(x.rows, model.inputDim, values);
    },
    close: () => fused.close(),
  };
}

/** Row indices of the `k` wells of each group with the largest total squared reconstruction error. */
function mostAnomalous(x: Float64Array, xhat: Float64Array, d: number, groups: readonly unknown[], k: number): number[] {
  const error = Float64Array.from({ length: groups.length }, (_, i) => {
    let s = 0;
    for (let j = 0; j < d; j++) s += (xhat[i * d + j] - x[i * d + j]) ** 2;
    return s;
  });
  const byGroup = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = byGroup.get(String(g)) ?? [];
    list.push(i);
    byGroup.set(String(g), list);
  });
  return [...byGroup.values()].flatMap((rows) => rows.sort((a, b) => error[b] - error[a] || a - b).slice(0, k)).sort((a, b) => a - b);
}

/** One row per (explained well, explained feature, input feature) with a non-zero attribution. */
function explanationTable(explanations: RecordExplanation[], groupOf: Map<string, string>, name: (j: number) => string): Columns {
  const rows: { key: string; group: string; explained: string; input: string; phi: number; role: string; error: number }[] = [];
  for (const e of explanations) {
    for (const f of e.explained) {
      const roleOf = new Map<number, string>([
        ...f.contributing.map((a) => [a.feature, 'contributing'] as const),
        ...f.offsetting.map((a) => [a.feature, 'offsetting'] as const),
      ]);
      f.shap.forEach((phi, j) => {
        if (phi !== 0) {
          rows.push({ key: e.key, group: groupOf.get(e.key) ?? '', explained: name(f.feature), input: name(j), phi, role: roleOf.get(j) ?? 'self', error: f.squaredError });
        }
      });
    }
  }
  return {
    well: rows.map((r) => r.key),
    group: rows.map((r) => r.group),
    explained_feature: rows.map((r) => r.explained),
    input_feature: rows.map((r) => r.input),
    shap: Float64Array.from(rows, (r) => r.phi),
    role: rows.map((r) => r.role),
    squared_error: Float64Array.from(rows, (r) => r.error),
  };
}

/** Stage `explain`: SHAP of the most anomalous wells when explain.enabled and a model was trained. */
export const explainStage: Stage<{ selected: Profiles; model: Autoencoder | null }, object, { shap: ExplainMetrics }> = {
  name: 'explain',
  reads: ['explain'],
  uses: (spec) => ({ selected: spec.explain.enabled, model: spec.explain.enabled }),
  run({ selected, model }, ctx) {
    if (!ctx.spec.explain.enabled || !model) return { values: {} };
    const compute = { training_kernel: ctx.spec.runtime.training_kernel, threads: ctx.threads };
    const { metrics, table } = explainAnomalousWells(selected, (set) => setRows(selected, set), model, ctx.roles, ctx.spec.explain, ctx.seed, compute);
    return { values: {}, metrics: { shap: metrics }, tables: { [TABLES.explanations]: table } };
  },
};
