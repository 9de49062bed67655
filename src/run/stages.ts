import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadReport } from '../data/dataset.ts';
import { writeColumnsParquet, writeProfilesParquet } from '../data/io.ts';
import { metaColumn, type Profiles, selectWells, whereRows } from '../data/profiles.ts';
import { type Roles, rolesOf, SET_COLUMN } from '../data/roles.ts';
import type { RunSpec } from '../spec/types.ts';
import { classifyMoas, moaScores } from '../stages/classify.ts';
import { evaluateRepresentations } from '../stages/evaluate.ts';
import { explainAnomalousWells } from '../stages/explain.ts';
import { trainingWarnings } from '../data/checks.ts';
import { loadDataset } from '../stages/load.ts';
import { normalizeProfiles, selectProfileFeatures } from '../stages/preprocess.ts';
import { buildRepresentations, needsModel } from '../stages/represent.ts';
import { assignSets } from '../stages/split.ts';
import { type Trained, trainAutoencoder } from '../stages/train.ts';
import type { SummaryWriter } from '../tensorboard/writer.ts';
import type { Callback } from '../training/fit.ts';
import { selectBackend } from '../runtime/backend.ts';
import { writeJsonAtomic } from './files.ts';

/** What every stage may use: the run's resolved spec and seed, where its outputs go, how to report progress. */
export interface RunContext {
  readonly spec: RunSpec;
  readonly seed: number;
  readonly point: Record<string, unknown>;
  readonly runId: string;
  readonly dir: string;
  readonly tablesDir: string;
  /** The run's TensorBoard folder (see tensorboardDir), with `train/` and `val/` for the training curves. */
  readonly tbDir: string;
  /** The run's own TensorBoard writer (in tbDir): HParams session and evaluation scalars. */
  readonly tb: SummaryWriter;
  /** Training callbacks from outside the pipeline (a hyper-parameter search's pruner). */
  readonly trainingCallbacks: readonly Callback[];
  progress: (message: string) => void;
}

/** What the stages hand on to each other, filled in as they go; `data` lands in the manifest. */
export interface RunState {
  fingerprint?: string;
  backend?: string;
  /** `warnings`: settings or data that make the run mean less (also printed to stderr as they are found). */
  data?: { load: LoadReport | null; dropped_plates: string[]; features_kept: number; features_dropped: number; warnings: string[] };
  profiles?: Profiles;
  normalized?: Profiles;
  trained?: Trained;
  representations?: Record<string, Profiles>;
  metrics?: Record<string, unknown>;
}

export interface Stage {
  readonly name: string;
  run(state: RunState, ctx: RunContext): void | Promise<void>;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal: stage needs ${what}, which an earlier stage did not produce`);
  return value;
}

function setRows(p: Profiles, ...sets: string[]): Int32Array {
  const col = metaColumn(p, SET_COLUMN);
  return whereRows(col.length, (i) => sets.includes(String(col[i])));
}

const roles = (ctx: RunContext): Roles => rolesOf(ctx.spec.dataset);

/** Warnings go to stderr as they are found and into the manifest (`data.warnings`). */
function warn(state: RunState, ctx: RunContext, warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`warning: run ${ctx.runId}: ${w}\n`);
  need(state.data, 'load report').warnings.push(...warnings);
}

/** The pipeline, in order. Each stage is a thin adapter from the run state to a pure function elsewhere. */
export const STAGES: readonly Stage[] = [
  {
    name: 'load',
    run(state, ctx) {
      const { profiles, fingerprint, report, warnings } = loadDataset(ctx.spec, roles(ctx), ctx.seed);
      state.fingerprint = fingerprint;
      state.profiles = profiles;
      state.data = { load: report, dropped_plates: [], features_kept: profiles.features.length, features_dropped: 0, warnings: [] };
      warn(state, ctx, warnings);
    },
  },
  {
    name: 'split',
    run(state, ctx) {
      const { profiles, droppedPlates } = assignSets(need(state.profiles, 'profiles'), roles(ctx), ctx.spec.split, ctx.seed);
      state.profiles = profiles;
      need(state.data, 'load report').dropped_plates = droppedPlates;
    },
  },
  {
    name: 'normalize',
    run(state, ctx) {
      state.normalized = normalizeProfiles(need(state.profiles, 'split profiles'), roles(ctx), ctx.spec.normalize);
    },
  },
  {
    name: 'select',
    run(state, ctx) {
      const { profiles, selection } = selectProfileFeatures(need(state.normalized, 'normalized profiles'), roles(ctx), ctx.spec.feature_select);
      state.normalized = profiles;
      Object.assign(need(state.data, 'load report'), { features_kept: selection.kept.length, features_dropped: selection.dropped.length });
      writeProfilesParquet(profiles, join(ctx.tablesDir, 'normalized.parquet'));
      writeJsonAtomic(join(ctx.tablesDir, 'features.json'), selection);
    },
  },
  {
    name: 'train',
    async run(state, ctx) {
      if (!needsModel(ctx.spec.representations)) return;
      const p = need(state.normalized, 'normalized profiles');
      const data = { train: selectWells(p, setRows(p, 'train')).values, val: selectWells(p, setRows(p, 'val')).values };
      warn(state, ctx, trainingWarnings(ctx.spec, { features: data.train.cols, trainWells: data.train.rows }).map((w) => `${w.setting}: ${w.message}`));
      const trained = await trainAutoencoder(data, ctx.spec, ctx.seed, {
        tbDir: ctx.tbDir,
        modelDir: join(ctx.dir, 'model'),
        report: ctx.progress,
        callbacks: ctx.trainingCallbacks,
      });
      state.trained = trained;
      state.backend = trained.backend;
      const h = trained.result.history;
      writeColumnsParquet(
        {
          epoch: Int32Array.from(h, (_, i) => i),
          loss: Float64Array.from(h, (e) => e.loss),
          val_loss: Float64Array.from(h, (e) => e.val_loss),
          val_objective: Float64Array.from(h, (e) => e.val_objective),
          lr: Float64Array.from(h, (e) => e.lr),
        },
        join(ctx.tablesDir, 'history.parquet'),
      );
      const last = h[h.length - 1];
      state.metrics = {
        ...state.metrics,
        training: {
          best_val_loss: trained.result.best_val_loss,
          best_epoch: trained.result.best_epoch,
          epochs: h.length,
          final_val_loss: last.val_loss,
          stopped_early: trained.result.stopped_early,
          restored_best: trained.result.restored_snapshot,
          // Only reachable with training.on_nonfinite: stop (fail throws): say so rather than leave it to the history.
          ...(Number.isFinite(last.loss) && Number.isFinite(last.val_loss) ? {} : { stopped_nonfinite_at_epoch: h.length }),
        },
      };
    },
  },
  {
    name: 'represent',
    run(state, ctx) {
      const p = need(state.normalized, 'normalized profiles');
      const test = selectWells(p, setRows(p, 'test_ctrl', 'test_treat'));
      const model = state.trained?.model ?? null;
      const reps = buildRepresentations(test, setRows(test, 'test_ctrl'), model, ctx.spec, roles(ctx).plate);
      const dir = join(ctx.tablesDir, 'representations');
      mkdirSync(dir, { recursive: true });
      for (const [name, rep] of Object.entries(reps)) writeProfilesParquet(rep, join(dir, `${name}.parquet`));
      state.representations = reps;
    },
  },
  {
    name: 'evaluate',
    async run(state, ctx) {
      const reps = need(state.representations, 'representations');
      const evaluation = evaluateRepresentations(reps, roles(ctx), ctx.spec.evaluation, ctx.seed);
      const dir = join(ctx.tablesDir, 'replicate_correlation');
      mkdirSync(dir, { recursive: true });
      for (const [name, table] of Object.entries(evaluation.tables)) writeColumnsParquet(table, join(dir, `${name}.parquet`));
      const nullDir = join(ctx.tablesDir, 'null_correlation');
      mkdirSync(nullDir, { recursive: true });
      for (const [name, table] of Object.entries(evaluation.nulls)) writeColumnsParquet(table, join(nullDir, `${name}.parquet`));
      if (Object.keys(evaluation.mapTables).length) {
        const mapDir = join(ctx.tablesDir, 'map');
        mkdirSync(mapDir, { recursive: true });
        for (const [name, table] of Object.entries(evaluation.mapTables)) writeColumnsParquet(table, join(mapDir, `${name}.parquet`));
      }
      for (const [name, pr] of Object.entries(evaluation.metrics.percent_replicating)) {
        ctx.tb.scalar(`percent_replicating/${name}`, pr.percent, 0);
      }
      for (const [name, m] of Object.entries(evaluation.metrics.map ?? {})) {
        ctx.tb.scalar(`map/${name}/activity_percent_retrieved`, m.activity.percent_retrieved, 0);
        if (m.consistency) ctx.tb.scalar(`map/${name}/consistency_percent_retrieved`, m.consistency.percent_retrieved, 0);
      }
      state.metrics = { ...state.metrics, ...evaluation.metrics };
      if (ctx.spec.evaluation.moa.enabled) {
        ctx.progress('MoA classification');
        state.backend = await selectBackend(ctx.spec.runtime);
        const moa = await classifyMoas(evaluation.treated, roles(ctx), ctx.spec.evaluation, evaluation.replicatingPerturbations, ctx.seed);
        state.metrics.moa = moa.metrics;
        if (Object.keys(moa.tables).length) {
          const moaDir = join(ctx.tablesDir, 'moa');
          mkdirSync(moaDir, { recursive: true });
          for (const [name, table] of Object.entries(moa.tables)) writeColumnsParquet(table, join(moaDir, `${name}.parquet`));
        }
        for (const [rep, byClassifier] of moaScores(moa.metrics)) {
          for (const [classifier, s] of Object.entries(byClassifier)) ctx.tb.scalar(`moa/${rep}/${classifier}/macro_f1`, s.macro_f1.mean, 0);
        }
      }
    },
  },
  {
    name: 'explain',
    run(state, ctx) {
      const model = state.trained?.model;
      try {
        if (!ctx.spec.explain.enabled || !model) return;
        const p = need(state.normalized, 'normalized profiles');
        const { metrics, table } = explainAnomalousWells(p, (set) => setRows(p, set), model, roles(ctx), ctx.spec.explain, ctx.seed);
        writeColumnsParquet(table, join(ctx.tablesDir, 'explanations.parquet'));
        state.metrics = { ...state.metrics, shap: metrics };
      } finally {
        model?.dispose();
      }
    },
  },
];
