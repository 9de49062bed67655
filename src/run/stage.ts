import type { Columns } from '../data/io.ts';
import type { Profiles } from '../data/profiles.ts';
import type { Roles } from '../data/roles.ts';
import type { RunSpec } from '../spec/types.ts';
import type { MetricSpec } from '../tensorboard/hparams.ts';
import type { Callback } from '../training/fit.ts';

/**
 * The contract between the runner and a stage of the pipeline. A stage is one value in one file
 * (`src/stages/<name>.ts`): what it needs from earlier stages (its input type), what it hands on (its values),
 * what it adds to metrics.json, its TensorBoard scalars, its tables. The runner knows no stage in particular:
 * it passes each stage the values of the earlier ones and files what it returns in the run store.
 */

/** What every stage may use besides its input: the run's resolved spec and seed, and the runner's services. */
export interface StageContext {
  readonly spec: RunSpec;
  readonly seed: number;
  readonly runId: string;
  readonly roles: Roles;
  /** runtime.threads as a number (`auto` resolved by the runner: the cores this run has to itself). */
  readonly threads: number;
  /** The run's TensorBoard folder: a stage that logs over steps (training) writes its own writers there. */
  readonly tensorboardDir: string;
  /** Training callbacks from outside the pipeline (a hyper-parameter search's pruner). */
  readonly trainingCallbacks: readonly Callback[];
  /** The tfjs backend, selected by the runner on first use, once per run, and recorded in the manifest. */
  backend(): Promise<string>;
  /** A progress line for the display (epoch, fold). */
  progress(message: string): void;
}

/** What a stage hands back: values for later stages, and what the run keeps of it. */
export interface StageOutput<Values, Metrics> {
  /** The values later stages need, by name. Anything with a `dispose()` is disposed by the runner when the run ends. */
  values: Values;
  /** Top-level entries of metrics.json. */
  metrics?: Metrics;
  /** Parquet tables under `tables/`, by their name in the run store (`TABLES`). */
  tables?: Record<string, Columns | Profiles>;
  /** JSON files under `tables/`, by name. */
  json?: Record<string, unknown>;
  /** A model the run store saves under `model/`. */
  model?: { save(dir: string): Promise<void> };
  /** Scalars at step 0 of the run's own TensorBoard session, by the tags `scalarTags` announces. */
  scalars?: Record<string, number>;
  /** What the stage learnt about its input, merged into the manifest's `data` (`warnings` are added apart). */
  data?: Record<string, unknown>;
  /** What makes the run mean less without failing it: printed to stderr, kept in the manifest's `data.warnings`. */
  warnings?: readonly string[];
  /** A fingerprint of exactly the data read, for the manifest. */
  fingerprint?: string;
}

/** Each of a stage's input values, answered: does the stage read it under these settings? */
export type Uses<Input> = { readonly [K in keyof Input]-?: boolean };

export interface Stage<Input, Values, Metrics> {
  readonly name: string;
  /** The spec's sections whose settings the stage reads (besides what its input carries). */
  readonly reads: readonly (keyof RunSpec)[];
  /**
   * Which of its input values the stage reads under these settings; the type asks for every one. After the
   * last stage that reads a value the runner lets it go: a table as large as the screen (gigabytes at CDRP
   * size) is not held through the stages that never look at it. A value a stage says it does not use may be
   * gone when it runs.
   */
  uses(spec: RunSpec): Uses<Input>;
  run(input: Input, ctx: StageContext): StageOutput<Values, Metrics> | Promise<StageOutput<Values, Metrics>>;
  /**
   * Why the output is not a result, or null. NaN and ±Infinity do not stop arithmetic: unchecked, one
   * overflowing cell flows into every later stage; the runner fails the run at the first stage that says so.
   */
  check?(output: StageOutput<Values, Metrics>): string | null;
  /** The TensorBoard scalar tags the stage writes for these settings: the HParams table's metric columns. */
  scalarTags?(spec: RunSpec): MetricSpec[];
  /**
   * What the output depends on besides the input and the settings of `reads` (the seed, when the stage draws
   * from it; the content of the files it reads): with it, the stage can be shared work (Pipeline.shareSoFar).
   */
  cacheKey?(ctx: StageContext): unknown | Promise<unknown>;
}

/** A stage of any shape, as the runner sees it: it passes every value produced so far, whatever a stage needs. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStage = Stage<any, any, any>;

/** A compile error naming what a stage needs that no earlier stage produces. */
type Missing<Input, Have> = { 'needs values no earlier stage produces': Exclude<keyof Input, keyof Have> };

/**
 * The stages in order, built with `then`: a stage whose input no earlier stage produces does not compile.
 * `Have` is every value produced so far, `Last` what the last stage hands on; `Metrics` the shape of
 * metrics.json they add up to.
 */
export class Pipeline<Have, Metrics, Last = Have> {
  /** Only a type: what the stages' metrics add up to (see MetricsOf). */
  declare readonly metrics: Metrics;

  private constructor(
    readonly stages: readonly AnyStage[],
    /** The leading stages whose outputs runs share through the run store's cache (see `shareSoFar`). */
    readonly shared: readonly AnyStage[],
  ) {}

  static start(): Pipeline<object, object> {
    return new Pipeline([], []);
  }

  then<Input, Values, M>(
    stage: Stage<Input, Values, M> & ([Have] extends [Input] ? unknown : Missing<Input, Have>),
  ): Pipeline<Have & Values, Metrics & Partial<M>, Values> {
    return new Pipeline([...this.stages, stage], this.shared);
  }

  /**
   * The stages so far are work that runs with the same input and settings share: the runner keeps their
   * outputs in the run store's cache, keyed by their `cacheKey`s, and a later run restores them instead of
   * redoing them. Later stages see only what the last of them hands on (a restored run has nothing else),
   * which the types enforce.
   */
  shareSoFar(): Pipeline<Last, Metrics, Last> {
    const unkeyed = this.stages.filter((s) => !s.cacheKey);
    if (unkeyed.length) throw new Error(`internal: shared stages need a cacheKey: ${unkeyed.map((s) => s.name).join(', ')}`);
    return new Pipeline(this.stages, this.stages);
  }

  /** The stages up to and including `name` (a search trial stops after training). */
  through(name: string): readonly AnyStage[] {
    const end = this.stages.findIndex((s) => s.name === name);
    if (end < 0) throw new Error(`internal: the pipeline has no stage '${name}'`);
    return this.stages.slice(0, end + 1);
  }
}

/** metrics.json as a pipeline writes it: every stage's metrics, each present when its stage ran. */
export type MetricsOf<P> = P extends Pipeline<unknown, infer M, unknown> ? M : never;
