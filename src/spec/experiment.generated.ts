/**
 * Generated from schemas/experiment.schema.json by scripts/gen-spec-types.ts; do not edit.
 * Experiment: a resolved spec (every setting with a default is present, `extends` applied and gone).
 * ExperimentInput: a spec as written.
 */

/**
 * @minItems 2
 * @maxItems 2
 */
export type Range = [number, number];
/**
 * @minItems 2
 * @maxItems 2
 */
export type PositiveRange = [number, number];

/**
 * An anomaly-vs-classical profiling experiment: data, preprocessing, model, training, runtime, evaluations and the sweep that expands it into runs. Every default is stated here and nowhere else.
 */
export interface Experiment {
  /**
   * Name of the experiment: runs are written to runs/<experiment>/ and the report to reports/<experiment>/.
   */
  experiment: string;
  /**
   * Free text shown at the top of the report.
   */
  description: string;
  /**
   * Root seed of a run when the sweep lists no seeds. Every random draw derives from the run's root seed through a named stream.
   */
  seed: number;
  dataset: Dataset;
  split: Split;
  normalize: Normalize;
  feature_select: FeatureSelect;
  model: Model;
  training: Training;
  runtime: Runtime;
  /**
   * Representations of the test wells to build and evaluate: anomaly (x̂ − x, the method), anomaly_abs and anomaly_squared (|x̂ − x| and (x̂ − x)², ablations), latent (the encoder's code), cellprofiler (the classical features) and spherized (cellprofiler whitened on the test controls).
   *
   * @minItems 1
   */
  representations: [
    "anomaly" | "anomaly_abs" | "anomaly_squared" | "latent" | "cellprofiler" | "spherized",
    ...("anomaly" | "anomaly_abs" | "anomaly_squared" | "latent" | "cellprofiler" | "spherized")[]
  ];
  /**
   * The spherized representation's whitening, fitted on the test controls.
   */
  spherized: {
    /**
     * PCA or ZCA whitening, or their -cor variants.
     */
    method: "PCA" | "ZCA" | "PCA-cor" | "ZCA-cor";
    /**
     * Added to the eigenvalues before inverting them.
     */
    epsilon: number;
  };
  explain: Explain;
  evaluation: Evaluation;
  sweep: Sweep;
}
/**
 * Where the per-well profiles come from and which columns play which role.
 */
export interface Dataset {
  /**
   * synthetic: the built-in simulated screen (dataset.synthetic); file: per-well table(s) on disk (dataset.path).
   */
  source: "synthetic" | "file";
  /**
   * The table(s) to read when source is file: CSV, CSV.gz or Parquet; one path, a glob (per-plate files), or a list of either, relative to the spec file. Files are concatenated.
   */
  path?: string | [string, ...string[]];
  /**
   * Metadata columns by role.
   */
  columns: {
    /**
     * Plate identifier (normalization and split strata).
     */
    plate: string;
    /**
     * Well position.
     */
    well: string;
    /**
     * Perturbation identifier: wells sharing it are replicates.
     */
    perturbation: string;
    /**
     * Mechanism-of-action label, if known (null: none).
     */
    moa: string | null;
    /**
     * Dose (concentration) column, if any (null: none). With a dose, replicates are wells of the same perturbation and dose, and evaluation keeps each compound's highest dose.
     */
    dose: string | null;
    /**
     * Batch column, if any (null: none); recorded with the data, used for stratification nowhere yet.
     */
    batch: string | null;
  };
  /**
   * Which wells are negative controls: those whose column equals one of the values.
   */
  control: {
    /**
     * Column that marks the negative controls.
     */
    column: string;
    /**
     * Values of that column that mean 'control' (compared as text).
     *
     * @minItems 1
     */
    values: [string | number, ...(string | number)[]];
  };
  /**
   * Which columns are features.
   */
  features: {
    /**
     * A column whose name starts with one of these is a feature.
     */
    prefixes: string[];
    /**
     * Regular expressions: when any is given, a feature must match one of them.
     */
    include: string[];
    /**
     * Regular expressions: a column matching one is not a feature (e.g. positional features: '_Location_|_Center_').
     */
    exclude: string[];
    /**
     * Feature names never used (exact names, e.g. a lab's list of unreliable measurements).
     */
    blocklist: string[];
    /**
     * When several files have different feature sets: false stops with an error naming the differences; true keeps the features common to all files.
     */
    common: boolean;
  };
  synthetic: Synthetic;
  /**
   * Column roles of a Cell Painting Gallery cpg0003-rosetta dataset (replicate_level_cp_augmented.csv.gz), DESIGN §2.1. Settings written in the spec win over the preset's.
   */
  preset?: "CDRP" | "CDRP-bio" | "LINCS" | "LUAD" | "TA-ORF";
  /**
   * Columns whose joint value defines a replicate group. null: the perturbation column, plus the dose column when there is one.
   */
  replicate_by: null | [string, ...string[]];
  /**
   * Missing values (empty, NaN, ±Inf): features missing in more than na_cutoff of the wells are dropped, then what is left is imputed. Both are recorded in the manifest.
   */
  missing: {
    /**
     * Features missing in more than this share of the wells are dropped on loading.
     */
    na_cutoff: number;
    /**
     * none: a missing value left after dropping stops the run; mean: the feature's mean over all wells; interpolate: linear interpolation down the table (pandas interpolate(), as the reference implementation does).
     */
    impute: "none" | "mean" | "interpolate";
  };
  /**
   * Wells to leave out on loading: those whose column equals one of the values (e.g. TA-ORF's Untreated wells, neither controls nor treatments).
   */
  drop_wells: {
    column: string;
    /**
     * @minItems 1
     */
    values: [string | number, ...(string | number)[]];
  }[];
}
/**
 * The simulated screen. Controls follow a low-rank factor model of correlated features; 'mean_shift' MoAs move the latent state (feature means change, correlations are kept); 'dependency' MoAs keep every feature's variance as in the controls (across the compounds of such MoAs each feature is distributed as in the controls) but move part of it off the controls' correlation structure.
 */
export interface Synthetic {
  /**
   * Number of plates.
   */
  plates: number;
  /**
   * Capacity of a plate (384 or 1536 wells); a layout that does not fit is an error.
   */
  wells_per_plate: number;
  /**
   * Batches the plates fall into (consecutive plates share a batch).
   */
  batches: number;
  /**
   * Control wells on every plate.
   */
  controls_per_plate: number;
  /**
   * Number of MoA classes.
   */
  moas: number;
  /**
   * Compounds in each MoA.
   */
  compounds_per_moa: number;
  /**
   * Wells per compound, placed on different plates where possible.
   */
  replicates: number;
  /**
   * Concentrations per compound; the effect grows with dose (full at the highest). The dose lands in Metadata_dose (µM); set dataset.columns.dose: Metadata_dose to use it.
   */
  doses: number;
  /**
   * Number of features.
   */
  features: number;
  /**
   * Latent factors behind the controls' feature correlations.
   */
  factors: number;
  /**
   * Share of each feature's control variance that is independent noise.
   */
  noise: number;
  /**
   * SD of per-plate additive offsets, in units of a feature's SD.
   */
  plate_effect: number;
  /**
   * SD of per-batch additive offsets, in units of a feature's SD.
   */
  batch_effect: number;
  /**
   * Share of MoAs that change dependencies only; the others shift means.
   */
  dependency_share: number;
  /**
   * Size of a mean-shifting compound's move of the latent state, in latent SDs per factor.
   */
  mean_shift: number;
  /**
   * Share of each feature's variance that a dependency-changing compound moves off the controls' correlation structure (0 to 1).
   */
  dependency_strength: number;
  /**
   * Share of a compound's effect shared with the other compounds of its MoA.
   */
  moa_coherence: number;
}
/**
 * How control wells are split for training (DESIGN §2.2). Every non-control well is test_treat.
 */
export interface Split {
  /**
   * Share of each plate's controls held out as test_ctrl.
   */
  test_fraction: number;
  /**
   * Share of each plate's remaining controls used for validation.
   */
  val_fraction: number;
  /**
   * Plates with fewer than 2 control wells cannot give both a training and a test control: error (stop, naming them) or drop (leave their wells out, recorded in the manifest).
   */
  small_plates: "error" | "drop";
  /**
   * Cap on the number of training wells (training-set-size ablations); the kept ones are drawn at random, stratified by plate. null: no cap.
   */
  max_train_wells: null | number;
}
/**
 * Normalization of the features (DESIGN §2.3).
 */
export interface Normalize {
  /**
   * standardize: z-score (population SD); robustize: median/IQR; mad_robustize: median/(1.4826·MAD); spherize: whitening (spherize.method); none.
   */
  method: "standardize" | "robustize" | "mad_robustize" | "spherize" | "none";
  /**
   * Fit and apply per plate rather than on all plates together.
   */
  by_plate: boolean;
  /**
   * Which wells the scaler is fitted on: train controls (the reference), all controls, test controls, or all wells.
   */
  fit_on: "train_controls" | "all_controls" | "test_controls" | "all_wells";
  /**
   * mad_robustize: added to the scaled MAD (pycytominer's epsilon).
   */
  mad_epsilon: number;
  /**
   * spherize: how the whitening is done (pycytominer's Spherize).
   */
  spherize: {
    /**
     * PCA or ZCA whitening of the covariance, or their -cor variants of the correlation matrix.
     */
    method: "PCA" | "ZCA" | "PCA-cor" | "ZCA-cor";
    /**
     * Added to the eigenvalues before inverting them (regularisation).
     */
    epsilon: number;
    /**
     * Subtract the fit wells' means first (the -cor methods require it).
     */
    center: boolean;
  };
}
/**
 * Feature selection (DESIGN §2.4), operations in the order given.
 */
export interface FeatureSelect {
  /**
   * pycytominer feature_select operations, run in this order, each on the features the previous ones left.
   */
  operations: (
    | "drop_na_columns"
    | "frequency_threshold"
    | "variance_threshold"
    | "correlation_threshold"
    | "drop_outliers"
    | "blocklist"
  )[];
  /**
   * Which wells the selection is decided on.
   */
  fit_on: "train_controls" | "all_controls" | "all_wells";
  /**
   * drop_na_columns: drop features missing in more than this share of wells.
   */
  na_cutoff: number;
  /**
   * frequency_threshold: second-most-common / most-common value count below this…
   */
  freq_cut: number;
  /**
   * …or unique values / rows below this: dropped.
   */
  unique_cut: number;
  /**
   * variance_threshold: drop features whose variance is below this.
   */
  min_variance: number;
  /**
   * correlation_threshold: of each pair with Pearson correlation above this, drop the feature with the larger sum of |correlation|.
   */
  corr_threshold: number;
  /**
   * drop_outliers: drop features whose max |value| exceeds this.
   */
  outlier_cutoff: number;
  /**
   * blocklist: feature names or regular expressions matching whole names.
   */
  blocklist: string[];
}
/**
 * The autoencoder (DESIGN §2.5).
 */
export interface Model {
  /**
   * Encoder hidden sizes: a preset (default 256-128, shallow 128-64, deep 256-128-64) or an explicit list.
   */
  encoder: ("default" | "shallow" | "deep") | [number, ...number[]];
  /**
   * Size of the latent code.
   */
  latent: number;
  /**
   * linear: one dense layer; mirror: the encoder reversed, with dropout.
   */
  decoder: "linear" | "mirror";
  /**
   * Hidden-layer activation.
   */
  activation: "relu" | "leaky_relu" | "elu" | "tanh" | "linear";
  /**
   * Dropout rate after each hidden layer.
   */
  dropout: number;
  /**
   * Batch normalization after each hidden layer.
   */
  batch_norm: boolean;
}
/**
 * Training on the train controls, validated on val (DESIGN §2.5).
 */
export interface Training {
  /**
   * Adam learning rate.
   */
  lr: number;
  /**
   * Adam's first-moment decay.
   */
  beta1: number;
  /**
   * Adam's second-moment decay.
   */
  beta2: number;
  /**
   * Decoupled weight decay (AdamW); 0 is plain Adam.
   */
  weight_decay: number;
  /**
   * Training wells per optimizer step (the last, smaller batch of an epoch is kept).
   */
  batch_size: number;
  /**
   * Upper bound on epochs; early stopping usually ends training sooner.
   */
  max_epochs: number;
  /**
   * Weight of MSE(x̂, 0) in the loss.
   */
  output_l2: number;
  /**
   * Weight of mean|z| in the loss.
   */
  latent_l1: number;
  /**
   * Reduce the learning rate when the validation loss plateaus (PyTorch ReduceLROnPlateau, stepped every `every` epochs).
   */
  reduce_lr: {
    /**
     * Reduce the learning rate on plateaus at all.
     */
    enabled: boolean;
    /**
     * New learning rate = old × factor.
     */
    factor: number;
    /**
     * Checks without improvement before reducing.
     */
    patience: number;
    /**
     * The learning rate is never reduced below this.
     */
    min_lr: number;
    /**
     * Epochs between checks.
     */
    every: number;
  };
  /**
   * Stop when the validation loss has not improved for `patience` epochs.
   */
  early_stopping: {
    /**
     * Stop early at all (otherwise train max_epochs epochs).
     */
    enabled: boolean;
    /**
     * Epochs without an improvement of the validation loss before stopping.
     */
    patience: number;
    /**
     * An epoch improves only if the validation loss drops by more than this.
     */
    min_delta: number;
  };
  /**
   * Compute representations with the best-validation weights (true) or the final ones (false, as the reference implementation does).
   */
  restore_best: boolean;
}
/**
 * Where the numerics run. The backend that ran is recorded in every run's manifest.
 */
export interface Runtime {
  /**
   * auto: tensorflow-gpu if it loads and sees a GPU, else tensorflow, else wasm, else cpu.
   */
  backend: "auto" | "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";
  /**
   * Threads for the WebAssembly backend.
   */
  threads: number;
}
/**
 * SHAP explanations of the anomaly (DESIGN §2.9): for the most anomalous treated wells of each group, which input features pushed each badly reconstructed feature away from its value. Costly (the model runs on ~nsamples × background_size rows per well), so off unless asked for.
 */
export interface Explain {
  /**
   * Compute SHAP explanations at all.
   */
  enabled: boolean;
  /**
   * Aggregate dependencies per MoA (falls back to perturbation without a MoA column) or per perturbation.
   */
  group_by: "moa" | "perturbation";
  /**
   * The most anomalous treated wells (largest total squared reconstruction error) explained in each group.
   */
  wells_per_group: number;
  /**
   * Training control wells the explained model output is averaged over.
   */
  background_size: number;
  /**
   * Explain a well's worst-reconstructed features until they cover this share of its squared error…
   */
  error_fraction: number;
  /**
   * …but at most this many.
   */
  max_features: number;
  /**
   * Coalitions sampled per explanation; null: 2·features + 2048 (the shap library's default).
   */
  nsamples: null | number;
  /**
   * Up to this many input features, Shapley values are computed exactly over all coalitions.
   */
  exact_max_features: number;
  /**
   * Dependency pairs (explained feature ← contributing feature) reported per group.
   */
  top_pairs: number;
}
/**
 * How representations are evaluated (DESIGN §2.6–2.7).
 */
export interface Evaluation {
  /**
   * Z-score each representation per plate using all wells of the plate before evaluating.
   */
  per_plate_zscore: boolean;
  /**
   * A metadata column whose values split the percent-replicating results (e.g. Metadata_moa_kind on the simulated screen).
   */
  split_by: string | null;
  /**
   * Percent replicating (DESIGN §2.7): the share of replicate groups whose replicate correlation beats a percentile of a null of non-replicate pairs.
   */
  percent_replicating: {
    /**
     * Percentile of the null distribution used as threshold.
     */
    percentile: number;
    /**
     * Times one random well per perturbation is drawn to build the null.
     */
    null_draws: number;
    /**
     * How a perturbation's pairwise replicate correlations are summarised: mean (the reference) or median (copairs/cytominer).
     */
    statistic: "mean" | "median";
    /**
     * How the null draws one well per perturbation: independent (a fresh random well each time, DESIGN §2.7) or reference (the reference implementation's pandas sampling re-seeded per perturbation, which picks wells at the same position in every perturbation; use it to reproduce the reference's numbers).
     */
    null_sampling: "independent" | "reference";
  };
  /**
   * What a z-score that is undefined (a feature constant on a plate) becomes: zero (the plate mean: the feature says nothing there) or interpolate (the reference implementation: linear interpolation down the table, as pandas does).
   */
  fill_undefined: "zero" | "interpolate";
  /**
   * With a dose column, keep only each compound's highest dose when evaluating.
   */
  highest_dose_only: boolean;
  /**
   * Mean average precision (copairs semantics, DESIGN §2.10): phenotypic activity (replicates vs controls) and, with a MoA column, MoA consistency (same-MoA vs other-MoA perturbations).
   */
  map: {
    /**
     * Compute mAP at all.
     */
    enabled: boolean;
    /**
     * Random rankings per (positives, list length) configuration for the p-values.
     */
    null_size: number;
    /**
     * Benjamini–Hochberg corrected p-value below which a perturbation counts as retrieved.
     */
    threshold: number;
  };
  /**
   * MoA classification (DESIGN §2.8): treated wells labelled with their compound's MoA, cross-validated stratified by MoA and grouped by compound (no compound in both train and test), min-max scaled and oversampled on each training fold; logistic regression (balanced class weights) and an MLP (200 ReLU units); macro-F1 per fold. Needs a MoA column (dataset.columns.moa).
   */
  moa: {
    /**
     * Run it when the data has a MoA column.
     */
    enabled: boolean;
    /**
     * Keep MoAs with more than this many compounds (multi-label MoAs, with '|', are always dropped).
     */
    min_compounds: number;
    /**
     * Cross-validation folds; at most min_compounds + 1, so every MoA can be in every test fold.
     */
    folds: number;
    /**
     * Repeats of the cross-validation with different seeded shuffles.
     */
    repeats: number;
    /**
     * logistic: multinomial logistic regression with balanced class weights; mlp: one hidden layer of 200 ReLU units.
     *
     * @minItems 1
     */
    classifiers: ["logistic" | "mlp", ...("logistic" | "mlp")[]];
    /**
     * Inverse L2 strength of the logistic regression.
     */
    C: number;
    /**
     * Also score early fusion (representations concatenated) and late fusion (class probabilities averaged); needs two or more representations.
     */
    fusion: ("early" | "late")[];
    /**
     * all: every compound of the kept MoAs; replicating: only those that replicate (percent replicating) in at least one representation.
     */
    compounds: "all" | "replicating";
  };
}
/**
 * Expansion of the spec into runs: the product of grid, zip and random points, each repeated for every seed; optionally preceded by a hyper-parameter search whose best point every run uses.
 */
export interface Sweep {
  /**
   * Dotted setting path → list of values; every combination is a point.
   */
  grid: {
    /**
     * @minItems 1
     */
    [k: string]: [unknown, ...unknown[]];
  };
  /**
   * Dotted setting path → list of values; lists of equal length advance together.
   */
  zip: {
    /**
     * @minItems 1
     */
    [k: string]: [unknown, ...unknown[]];
  };
  /**
   * n draws from declared distributions, from its own seed.
   */
  random?: {
    /**
     * Number of random points.
     */
    n: number;
    /**
     * Seed of the draws (independent of the runs' seeds).
     */
    seed: number;
    /**
     * Dotted setting path → distribution to draw it from.
     */
    params: {
      [k: string]: Distribution;
    };
  };
  /**
   * Root seeds; every point runs once per seed. Empty: the spec's seed.
   */
  seeds: number[];
  /**
   * Hyper-parameter search before the runs: `trials` training-only trials sample `params` (random, or TPE once `startup` trials are done), each scored by its best validation loss; trials doing worse than the median of earlier trials at the same epoch can be pruned. The best trial's settings are then applied to every run of the sweep, which runs in full with its evaluations. Trials live in runs/<experiment>/trials/, the outcome in runs/<experiment>/search.json.
   */
  search?: {
    /**
     * Number of training-only trials.
     */
    trials: number;
    /**
     * random: independent draws; tpe: Tree-structured Parzen Estimator (good/bad split of earlier trials, candidates drawn from the good ones' density, the one with the best good/bad density ratio kept).
     */
    sampler: "random" | "tpe";
    /**
     * tpe: random trials before the model takes over.
     */
    startup: number;
    /**
     * Seed of the sampler (independent of the runs' seeds).
     */
    seed: number;
    /**
     * Dotted setting path → distribution to search over.
     */
    params: {
      [k: string]: Distribution;
    };
    /**
     * Median pruning: from epoch `after_epochs` on, stop a trial whose best validation loss so far is worse than the median of earlier trials' at the same epoch.
     */
    prune: {
      /**
       * Prune hopeless trials at all.
       */
      enabled: boolean;
      /**
       * Never prune before this many epochs.
       */
      after_epochs: number;
    };
  };
}
/**
 * One of: choices (a list), uniform [low, high], log_uniform [low, high], int_uniform [low, high] (inclusive).
 */
export interface Distribution {
  /**
   * @minItems 1
   */
  choices?: [unknown, ...unknown[]];
  uniform?: Range;
  log_uniform?: PositiveRange;
  /**
   * @minItems 2
   * @maxItems 2
   */
  int_uniform?: [number, number];
}

/**
 * @minItems 2
 * @maxItems 2
 */
export type RangeInput = [number, number];
/**
 * @minItems 2
 * @maxItems 2
 */
export type PositiveRangeInput = [number, number];

/**
 * An anomaly-vs-classical profiling experiment: data, preprocessing, model, training, runtime, evaluations and the sweep that expands it into runs. Every default is stated here and nowhere else.
 */
export interface ExperimentInput {
  /**
   * Name of the experiment: runs are written to runs/<experiment>/ and the report to reports/<experiment>/.
   */
  experiment: string;
  /**
   * Free text shown at the top of the report.
   */
  description?: string;
  /**
   * Spec files (relative to this file) deep-merged in order before this file's own settings; lists are replaced, not concatenated.
   */
  extends?: string[];
  /**
   * Root seed of a run when the sweep lists no seeds. Every random draw derives from the run's root seed through a named stream.
   */
  seed?: number;
  dataset?: DatasetInput;
  split?: SplitInput;
  normalize?: NormalizeInput;
  feature_select?: FeatureSelectInput;
  model?: ModelInput;
  training?: TrainingInput;
  runtime?: RuntimeInput;
  /**
   * Representations of the test wells to build and evaluate: anomaly (x̂ − x, the method), anomaly_abs and anomaly_squared (|x̂ − x| and (x̂ − x)², ablations), latent (the encoder's code), cellprofiler (the classical features) and spherized (cellprofiler whitened on the test controls).
   *
   * @minItems 1
   */
  representations?: [
    "anomaly" | "anomaly_abs" | "anomaly_squared" | "latent" | "cellprofiler" | "spherized",
    ...("anomaly" | "anomaly_abs" | "anomaly_squared" | "latent" | "cellprofiler" | "spherized")[]
  ];
  /**
   * The spherized representation's whitening, fitted on the test controls.
   */
  spherized?: {
    /**
     * PCA or ZCA whitening, or their -cor variants.
     */
    method?: "PCA" | "ZCA" | "PCA-cor" | "ZCA-cor";
    /**
     * Added to the eigenvalues before inverting them.
     */
    epsilon?: number;
  };
  explain?: ExplainInput;
  evaluation?: EvaluationInput;
  sweep?: SweepInput;
}
/**
 * Where the per-well profiles come from and which columns play which role.
 */
export interface DatasetInput {
  /**
   * synthetic: the built-in simulated screen (dataset.synthetic); file: per-well table(s) on disk (dataset.path).
   */
  source?: "synthetic" | "file";
  /**
   * The table(s) to read when source is file: CSV, CSV.gz or Parquet; one path, a glob (per-plate files), or a list of either, relative to the spec file. Files are concatenated.
   */
  path?: string | [string, ...string[]];
  /**
   * Metadata columns by role.
   */
  columns?: {
    /**
     * Plate identifier (normalization and split strata).
     */
    plate?: string;
    /**
     * Well position.
     */
    well?: string;
    /**
     * Perturbation identifier: wells sharing it are replicates.
     */
    perturbation?: string;
    /**
     * Mechanism-of-action label, if known (null: none).
     */
    moa?: string | null;
    /**
     * Dose (concentration) column, if any (null: none). With a dose, replicates are wells of the same perturbation and dose, and evaluation keeps each compound's highest dose.
     */
    dose?: string | null;
    /**
     * Batch column, if any (null: none); recorded with the data, used for stratification nowhere yet.
     */
    batch?: string | null;
  };
  /**
   * Which wells are negative controls: those whose column equals one of the values.
   */
  control?: {
    /**
     * Column that marks the negative controls.
     */
    column?: string;
    /**
     * Values of that column that mean 'control' (compared as text).
     *
     * @minItems 1
     */
    values?: [string | number, ...(string | number)[]];
  };
  /**
   * Which columns are features.
   */
  features?: {
    /**
     * A column whose name starts with one of these is a feature.
     */
    prefixes?: string[];
    /**
     * Regular expressions: when any is given, a feature must match one of them.
     */
    include?: string[];
    /**
     * Regular expressions: a column matching one is not a feature (e.g. positional features: '_Location_|_Center_').
     */
    exclude?: string[];
    /**
     * Feature names never used (exact names, e.g. a lab's list of unreliable measurements).
     */
    blocklist?: string[];
    /**
     * When several files have different feature sets: false stops with an error naming the differences; true keeps the features common to all files.
     */
    common?: boolean;
  };
  synthetic?: SyntheticInput;
  /**
   * Column roles of a Cell Painting Gallery cpg0003-rosetta dataset (replicate_level_cp_augmented.csv.gz), DESIGN §2.1. Settings written in the spec win over the preset's.
   */
  preset?: "CDRP" | "CDRP-bio" | "LINCS" | "LUAD" | "TA-ORF";
  /**
   * Columns whose joint value defines a replicate group. null: the perturbation column, plus the dose column when there is one.
   */
  replicate_by?: null | [string, ...string[]];
  /**
   * Missing values (empty, NaN, ±Inf): features missing in more than na_cutoff of the wells are dropped, then what is left is imputed. Both are recorded in the manifest.
   */
  missing?: {
    /**
     * Features missing in more than this share of the wells are dropped on loading.
     */
    na_cutoff?: number;
    /**
     * none: a missing value left after dropping stops the run; mean: the feature's mean over all wells; interpolate: linear interpolation down the table (pandas interpolate(), as the reference implementation does).
     */
    impute?: "none" | "mean" | "interpolate";
  };
  /**
   * Wells to leave out on loading: those whose column equals one of the values (e.g. TA-ORF's Untreated wells, neither controls nor treatments).
   */
  drop_wells?: {
    column: string;
    /**
     * @minItems 1
     */
    values: [string | number, ...(string | number)[]];
  }[];
}
/**
 * The simulated screen. Controls follow a low-rank factor model of correlated features; 'mean_shift' MoAs move the latent state (feature means change, correlations are kept); 'dependency' MoAs keep every feature's variance as in the controls (across the compounds of such MoAs each feature is distributed as in the controls) but move part of it off the controls' correlation structure.
 */
export interface SyntheticInput {
  /**
   * Number of plates.
   */
  plates?: number;
  /**
   * Capacity of a plate (384 or 1536 wells); a layout that does not fit is an error.
   */
  wells_per_plate?: number;
  /**
   * Batches the plates fall into (consecutive plates share a batch).
   */
  batches?: number;
  /**
   * Control wells on every plate.
   */
  controls_per_plate?: number;
  /**
   * Number of MoA classes.
   */
  moas?: number;
  /**
   * Compounds in each MoA.
   */
  compounds_per_moa?: number;
  /**
   * Wells per compound, placed on different plates where possible.
   */
  replicates?: number;
  /**
   * Concentrations per compound; the effect grows with dose (full at the highest). The dose lands in Metadata_dose (µM); set dataset.columns.dose: Metadata_dose to use it.
   */
  doses?: number;
  /**
   * Number of features.
   */
  features?: number;
  /**
   * Latent factors behind the controls' feature correlations.
   */
  factors?: number;
  /**
   * Share of each feature's control variance that is independent noise.
   */
  noise?: number;
  /**
   * SD of per-plate additive offsets, in units of a feature's SD.
   */
  plate_effect?: number;
  /**
   * SD of per-batch additive offsets, in units of a feature's SD.
   */
  batch_effect?: number;
  /**
   * Share of MoAs that change dependencies only; the others shift means.
   */
  dependency_share?: number;
  /**
   * Size of a mean-shifting compound's move of the latent state, in latent SDs per factor.
   */
  mean_shift?: number;
  /**
   * Share of each feature's variance that a dependency-changing compound moves off the controls' correlation structure (0 to 1).
   */
  dependency_strength?: number;
  /**
   * Share of a compound's effect shared with the other compounds of its MoA.
   */
  moa_coherence?: number;
}
/**
 * How control wells are split for training (DESIGN §2.2). Every non-control well is test_treat.
 */
export interface SplitInput {
  /**
   * Share of each plate's controls held out as test_ctrl.
   */
  test_fraction?: number;
  /**
   * Share of each plate's remaining controls used for validation.
   */
  val_fraction?: number;
  /**
   * Plates with fewer than 2 control wells cannot give both a training and a test control: error (stop, naming them) or drop (leave their wells out, recorded in the manifest).
   */
  small_plates?: "error" | "drop";
  /**
   * Cap on the number of training wells (training-set-size ablations); the kept ones are drawn at random, stratified by plate. null: no cap.
   */
  max_train_wells?: null | number;
}
/**
 * Normalization of the features (DESIGN §2.3).
 */
export interface NormalizeInput {
  /**
   * standardize: z-score (population SD); robustize: median/IQR; mad_robustize: median/(1.4826·MAD); spherize: whitening (spherize.method); none.
   */
  method?: "standardize" | "robustize" | "mad_robustize" | "spherize" | "none";
  /**
   * Fit and apply per plate rather than on all plates together.
   */
  by_plate?: boolean;
  /**
   * Which wells the scaler is fitted on: train controls (the reference), all controls, test controls, or all wells.
   */
  fit_on?: "train_controls" | "all_controls" | "test_controls" | "all_wells";
  /**
   * mad_robustize: added to the scaled MAD (pycytominer's epsilon).
   */
  mad_epsilon?: number;
  /**
   * spherize: how the whitening is done (pycytominer's Spherize).
   */
  spherize?: {
    /**
     * PCA or ZCA whitening of the covariance, or their -cor variants of the correlation matrix.
     */
    method?: "PCA" | "ZCA" | "PCA-cor" | "ZCA-cor";
    /**
     * Added to the eigenvalues before inverting them (regularisation).
     */
    epsilon?: number;
    /**
     * Subtract the fit wells' means first (the -cor methods require it).
     */
    center?: boolean;
  };
}
/**
 * Feature selection (DESIGN §2.4), operations in the order given.
 */
export interface FeatureSelectInput {
  /**
   * pycytominer feature_select operations, run in this order, each on the features the previous ones left.
   */
  operations?: (
    | "drop_na_columns"
    | "frequency_threshold"
    | "variance_threshold"
    | "correlation_threshold"
    | "drop_outliers"
    | "blocklist"
  )[];
  /**
   * Which wells the selection is decided on.
   */
  fit_on?: "train_controls" | "all_controls" | "all_wells";
  /**
   * drop_na_columns: drop features missing in more than this share of wells.
   */
  na_cutoff?: number;
  /**
   * frequency_threshold: second-most-common / most-common value count below this…
   */
  freq_cut?: number;
  /**
   * …or unique values / rows below this: dropped.
   */
  unique_cut?: number;
  /**
   * variance_threshold: drop features whose variance is below this.
   */
  min_variance?: number;
  /**
   * correlation_threshold: of each pair with Pearson correlation above this, drop the feature with the larger sum of |correlation|.
   */
  corr_threshold?: number;
  /**
   * drop_outliers: drop features whose max |value| exceeds this.
   */
  outlier_cutoff?: number;
  /**
   * blocklist: feature names or regular expressions matching whole names.
   */
  blocklist?: string[];
}
/**
 * The autoencoder (DESIGN §2.5).
 */
export interface ModelInput {
  /**
   * Encoder hidden sizes: a preset (default 256-128, shallow 128-64, deep 256-128-64) or an explicit list.
   */
  encoder?: ("default" | "shallow" | "deep") | [number, ...number[]];
  /**
   * Size of the latent code.
   */
  latent?: number;
  /**
   * linear: one dense layer; mirror: the encoder reversed, with dropout.
   */
  decoder?: "linear" | "mirror";
  /**
   * Hidden-layer activation.
   */
  activation?: "relu" | "leaky_relu" | "elu" | "tanh" | "linear";
  /**
   * Dropout rate after each hidden layer.
   */
  dropout?: number;
  /**
   * Batch normalization after each hidden layer.
   */
  batch_norm?: boolean;
}
/**
 * Training on the train controls, validated on val (DESIGN §2.5).
 */
export interface TrainingInput {
  /**
   * Adam learning rate.
   */
  lr?: number;
  /**
   * Adam's first-moment decay.
   */
  beta1?: number;
  /**
   * Adam's second-moment decay.
   */
  beta2?: number;
  /**
   * Decoupled weight decay (AdamW); 0 is plain Adam.
   */
  weight_decay?: number;
  /**
   * Training wells per optimizer step (the last, smaller batch of an epoch is kept).
   */
  batch_size?: number;
  /**
   * Upper bound on epochs; early stopping usually ends training sooner.
   */
  max_epochs?: number;
  /**
   * Weight of MSE(x̂, 0) in the loss.
   */
  output_l2?: number;
  /**
   * Weight of mean|z| in the loss.
   */
  latent_l1?: number;
  /**
   * Reduce the learning rate when the validation loss plateaus (PyTorch ReduceLROnPlateau, stepped every `every` epochs).
   */
  reduce_lr?: {
    /**
     * Reduce the learning rate on plateaus at all.
     */
    enabled?: boolean;
    /**
     * New learning rate = old × factor.
     */
    factor?: number;
    /**
     * Checks without improvement before reducing.
     */
    patience?: number;
    /**
     * The learning rate is never reduced below this.
     */
    min_lr?: number;
    /**
     * Epochs between checks.
     */
    every?: number;
  };
  /**
   * Stop when the validation loss has not improved for `patience` epochs.
   */
  early_stopping?: {
    /**
     * Stop early at all (otherwise train max_epochs epochs).
     */
    enabled?: boolean;
    /**
     * Epochs without an improvement of the validation loss before stopping.
     */
    patience?: number;
    /**
     * An epoch improves only if the validation loss drops by more than this.
     */
    min_delta?: number;
  };
  /**
   * Compute representations with the best-validation weights (true) or the final ones (false, as the reference implementation does).
   */
  restore_best?: boolean;
}
/**
 * Where the numerics run. The backend that ran is recorded in every run's manifest.
 */
export interface RuntimeInput {
  /**
   * auto: tensorflow-gpu if it loads and sees a GPU, else tensorflow, else wasm, else cpu.
   */
  backend?: "auto" | "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";
  /**
   * Threads for the WebAssembly backend.
   */
  threads?: number;
}
/**
 * SHAP explanations of the anomaly (DESIGN §2.9): for the most anomalous treated wells of each group, which input features pushed each badly reconstructed feature away from its value. Costly (the model runs on ~nsamples × background_size rows per well), so off unless asked for.
 */
export interface ExplainInput {
  /**
   * Compute SHAP explanations at all.
   */
  enabled?: boolean;
  /**
   * Aggregate dependencies per MoA (falls back to perturbation without a MoA column) or per perturbation.
   */
  group_by?: "moa" | "perturbation";
  /**
   * The most anomalous treated wells (largest total squared reconstruction error) explained in each group.
   */
  wells_per_group?: number;
  /**
   * Training control wells the explained model output is averaged over.
   */
  background_size?: number;
  /**
   * Explain a well's worst-reconstructed features until they cover this share of its squared error…
   */
  error_fraction?: number;
  /**
   * …but at most this many.
   */
  max_features?: number;
  /**
   * Coalitions sampled per explanation; null: 2·features + 2048 (the shap library's default).
   */
  nsamples?: null | number;
  /**
   * Up to this many input features, Shapley values are computed exactly over all coalitions.
   */
  exact_max_features?: number;
  /**
   * Dependency pairs (explained feature ← contributing feature) reported per group.
   */
  top_pairs?: number;
}
/**
 * How representations are evaluated (DESIGN §2.6–2.7).
 */
export interface EvaluationInput {
  /**
   * Z-score each representation per plate using all wells of the plate before evaluating.
   */
  per_plate_zscore?: boolean;
  /**
   * A metadata column whose values split the percent-replicating results (e.g. Metadata_moa_kind on the simulated screen).
   */
  split_by?: string | null;
  /**
   * Percent replicating (DESIGN §2.7): the share of replicate groups whose replicate correlation beats a percentile of a null of non-replicate pairs.
   */
  percent_replicating?: {
    /**
     * Percentile of the null distribution used as threshold.
     */
    percentile?: number;
    /**
     * Times one random well per perturbation is drawn to build the null.
     */
    null_draws?: number;
    /**
     * How a perturbation's pairwise replicate correlations are summarised: mean (the reference) or median (copairs/cytominer).
     */
    statistic?: "mean" | "median";
    /**
     * How the null draws one well per perturbation: independent (a fresh random well each time, DESIGN §2.7) or reference (the reference implementation's pandas sampling re-seeded per perturbation, which picks wells at the same position in every perturbation; use it to reproduce the reference's numbers).
     */
    null_sampling?: "independent" | "reference";
  };
  /**
   * What a z-score that is undefined (a feature constant on a plate) becomes: zero (the plate mean: the feature says nothing there) or interpolate (the reference implementation: linear interpolation down the table, as pandas does).
   */
  fill_undefined?: "zero" | "interpolate";
  /**
   * With a dose column, keep only each compound's highest dose when evaluating.
   */
  highest_dose_only?: boolean;
  /**
   * Mean average precision (copairs semantics, DESIGN §2.10): phenotypic activity (replicates vs controls) and, with a MoA column, MoA consistency (same-MoA vs other-MoA perturbations).
   */
  map?: {
    /**
     * Compute mAP at all.
     */
    enabled?: boolean;
    /**
     * Random rankings per (positives, list length) configuration for the p-values.
     */
    null_size?: number;
    /**
     * Benjamini–Hochberg corrected p-value below which a perturbation counts as retrieved.
     */
    threshold?: number;
  };
  /**
   * MoA classification (DESIGN §2.8): treated wells labelled with their compound's MoA, cross-validated stratified by MoA and grouped by compound (no compound in both train and test), min-max scaled and oversampled on each training fold; logistic regression (balanced class weights) and an MLP (200 ReLU units); macro-F1 per fold. Needs a MoA column (dataset.columns.moa).
   */
  moa?: {
    /**
     * Run it when the data has a MoA column.
     */
    enabled?: boolean;
    /**
     * Keep MoAs with more than this many compounds (multi-label MoAs, with '|', are always dropped).
     */
    min_compounds?: number;
    /**
     * Cross-validation folds; at most min_compounds + 1, so every MoA can be in every test fold.
     */
    folds?: number;
    /**
     * Repeats of the cross-validation with different seeded shuffles.
     */
    repeats?: number;
    /**
     * logistic: multinomial logistic regression with balanced class weights; mlp: one hidden layer of 200 ReLU units.
     *
     * @minItems 1
     */
    classifiers?: ["logistic" | "mlp", ...("logistic" | "mlp")[]];
    /**
     * Inverse L2 strength of the logistic regression.
     */
    C?: number;
    /**
     * Also score early fusion (representations concatenated) and late fusion (class probabilities averaged); needs two or more representations.
     */
    fusion?: ("early" | "late")[];
    /**
     * all: every compound of the kept MoAs; replicating: only those that replicate (percent replicating) in at least one representation.
     */
    compounds?: "all" | "replicating";
  };
}
/**
 * Expansion of the spec into runs: the product of grid, zip and random points, each repeated for every seed; optionally preceded by a hyper-parameter search whose best point every run uses.
 */
export interface SweepInput {
  /**
   * Dotted setting path → list of values; every combination is a point.
   */
  grid?: {
    /**
     * @minItems 1
     */
    [k: string]: [unknown, ...unknown[]];
  };
  /**
   * Dotted setting path → list of values; lists of equal length advance together.
   */
  zip?: {
    /**
     * @minItems 1
     */
    [k: string]: [unknown, ...unknown[]];
  };
  /**
   * n draws from declared distributions, from its own seed.
   */
  random?: {
    /**
     * Number of random points.
     */
    n: number;
    /**
     * Seed of the draws (independent of the runs' seeds).
     */
    seed?: number;
    /**
     * Dotted setting path → distribution to draw it from.
     */
    params: {
      [k: string]: DistributionInput;
    };
  };
  /**
   * Root seeds; every point runs once per seed. Empty: the spec's seed.
   */
  seeds?: number[];
  /**
   * Hyper-parameter search before the runs: `trials` training-only trials sample `params` (random, or TPE once `startup` trials are done), each scored by its best validation loss; trials doing worse than the median of earlier trials at the same epoch can be pruned. The best trial's settings are then applied to every run of the sweep, which runs in full with its evaluations. Trials live in runs/<experiment>/trials/, the outcome in runs/<experiment>/search.json.
   */
  search?: {
    /**
     * Number of training-only trials.
     */
    trials: number;
    /**
     * random: independent draws; tpe: Tree-structured Parzen Estimator (good/bad split of earlier trials, candidates drawn from the good ones' density, the one with the best good/bad density ratio kept).
     */
    sampler?: "random" | "tpe";
    /**
     * tpe: random trials before the model takes over.
     */
    startup?: number;
    /**
     * Seed of the sampler (independent of the runs' seeds).
     */
    seed?: number;
    /**
     * Dotted setting path → distribution to search over.
     */
    params: {
      [k: string]: DistributionInput;
    };
    /**
     * Median pruning: from epoch `after_epochs` on, stop a trial whose best validation loss so far is worse than the median of earlier trials' at the same epoch.
     */
    prune?: {
      /**
       * Prune hopeless trials at all.
       */
      enabled?: boolean;
      /**
       * Never prune before this many epochs.
       */
      after_epochs?: number;
    };
  };
}
/**
 * One of: choices (a list), uniform [low, high], log_uniform [low, high], int_uniform [low, high] (inclusive).
 */
export interface DistributionInput {
  /**
   * @minItems 1
   */
  choices?: [unknown, ...unknown[]];
  uniform?: RangeInput;
  log_uniform?: PositiveRangeInput;
  /**
   * @minItems 2
   * @maxItems 2
   */
  int_uniform?: [number, number];
}
