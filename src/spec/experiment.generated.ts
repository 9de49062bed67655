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
   * Name of the experiment: runs are written to runs/<experiment>/ and the report to reports/<experiment>/, so it is a folder name: letters, digits, '_', '.' and '-', starting with a letter or digit, at most 100 characters.
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
   * Further per-well tables of other assays of the same compounds (e.g. L1000 gene expression beside Cell Painting, as the reference analyses the rosetta datasets), each evaluated as a representation of its own: percent replicating, mAP and MoA classification alone and fused with each Cell Painting representation. No autoencoder is trained on them. Keys name them (in metrics, tables and the report); with dataset.preset, a modality named L1000 gets the preset's L1000 column roles (the reference's DS_INFO_DICT).
   */
  modalities: {
    [k: string]: Modality;
  };
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
   * Column roles of a Cell Painting Gallery cpg0003-rosetta dataset (replicate_level_cp_augmented.csv.gz), method §2.1. Settings written in the spec win over the preset's.
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
   * A well without a value it needs (empty or missing): a plate in any well, a perturbation id and replicate key (dataset.replicate_by) in a treated well. error: stop on loading, naming the file's lines; drop: leave such wells out, counted in the manifest (data.load.dropped_missing_roles). The reference implementation keeps such wells without a word and its pandas groupby leaves them out of replicate groups; drop is the nearest (and says how many).
   */
  missing_roles: "error" | "drop";
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
  /**
   * Share of the MoAs (the last ones, by number) whose compounds have no effect on morphology (ground truth kind 'silent'): only another assay (modalities, source: synthetic) can see them.
   */
  silent_share: number;
}
/**
 * How control wells are split for training (method §2.2). Every non-control well is test_treat.
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
  /**
   * Seed of the split (and of the training-set cap). null: the run's seed, so every seed of a sweep gets its own split and the spread over seeds includes the split's. An integer fixes the split across seeds, which then vary only training (weights, shuffling, dropout) and evaluation draws. The reference implementation fixes its split (random_state 42) and varies the training seed: split.seed 42 does the same (our split draws its own wells, not scikit-learn's).
   */
  seed: null | number;
}
/**
 * Normalization of the features (method §2.3).
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
 * Feature selection (method §2.4), operations in the order given.
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
 * The autoencoder (method §2.5).
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
 * Training on the train controls, validated on val (method §2.5). The validation loss that early stopping, the learning-rate schedule, the best epoch and a search's score watch is the reconstruction MSE of the val wells, as the reference implementation's val_loss is; the full objective (with the output_l2 and latent_l1 penalties) is logged beside it as val_objective.
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
   * Weight of MSE(x̂, 0) in the training objective (not in the validation loss, as in the reference).
   */
  output_l2: number;
  /**
   * Weight of mean|z| in the training objective (not in the validation loss, as in the reference).
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
  /**
   * What a non-finite (NaN or infinite) training or validation loss does: fail (stop training and fail the run, naming the epoch and the value; a diverged model's representations mean nothing) or stop (end training there and go on with the weights restore_best chooses: the best epoch's, or with restore_best false the last, possibly non-finite, ones). The reference implementation's early stopping ends training on a non-finite val_loss and goes on (stop); fail is the default because a diverged run is a setting to fix (usually training.lr), not a result.
   */
  on_nonfinite: "fail" | "stop";
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
   * Threads of one run: the parse of a CSV's feature values as it loads, the fused training step's and the explain stage's model calls (runtime.training_kernel: its large matrix products and Adam update are shared among them, with the same bits on any number; how much a second thread gains depends on the CPU: 1.1–1.5× in training at batch 256 on the 2-core machines measured), the MoA classification folds fitted at once in worker processes (evaluation.moa; when the folds are work enough to pay for starting them; its results do not depend on it), and the WebAssembly backend's (single-threaded under Node whatever this says). auto: the machine's cores shared among the runs ads run runs at once (cores ÷ the runs under way together, at least 1): a single run uses every core, a sweep run --jobs 2 on 2 cores one each. The number used is recorded in the run manifest (threads); results do not depend on it.
   */
  threads: number | "auto";
  /**
   * What computes each training step of the autoencoder. fused-wasm-simd: one hand-written WebAssembly SIMD forward pass, backward pass and Adam(W) update of the dense stack (its matrix products in the native kernels where they are built, with the same bits: see the README), in float32 like tfjs, with the same objective, update, initial weights and batches as the tfjs path (it agrees with it to float rounding: the matrix products sum in another order), and the trained weights written back into the tfjs model when something reads them (a callback that says so, a snapshot, the end of training); each epoch's validation loss comes from its forward pass too, its float32 terms summed in float64 (tfjs' float32 mean drifts from the exact one, by 7e-5 relative over a LINCS-size screen's 640 × 1,700 validation values); it implements dense layers with any of the model's activations, not dropout or batch norm. tfjs: tfjs ops with autodiff and tfjs' Adam on the selected backend. auto: fused-wasm-simd when the backend is wasm or cpu and the model has neither dropout nor batch norm (it trains several times faster there), else tfjs. Asking for fused-wasm-simd with a model it does not implement is an error. The kernel that trained, and why, is recorded in the run manifest (data.training_kernel, data.training_kernel_reason). The reference trains with PyTorch ops; neither kernel reproduces its float rounding. The same kernel computes the explain stage's model calls (Kernel SHAP's millions of rows a run): fused-wasm-simd runs the forward pass alone, about twice as fast as tfjs-wasm's ops, its SHAP values agreeing with the tfjs path's to float32 rounding.
   */
  training_kernel: "auto" | "fused-wasm-simd" | "tfjs";
}
/**
 * A per-well table of another assay of the same compounds (e.g. L1000 replicate-level gene expression, replicate_level_l1k.csv.gz of cpg0003-rosetta). Its wells are read, imputed and z-scored per plate as the reference reads L1000 (read_replicate_level_profiles: pandas interpolate(), then standardize_per_catX by det_plate over all wells, ddof 1), then evaluated like a representation with its own roles.
 */
export interface Modality {
  /**
   * file: the table(s) at path; synthetic: a paired table simulated with the simulated Cell Painting screen (dataset.source: synthetic), same compounds, MoAs and doses, its own plates and wells (see synthetic).
   */
  source: "file" | "synthetic";
  /**
   * The table(s) to read when source is file: CSV, CSV.gz or Parquet; one path, a glob, or a list of either, relative to the spec file.
   */
  path?: string | [string, ...string[]];
  /**
   * Metadata columns by role (the L1000 names are the defaults).
   */
  columns: {
    /**
     * Plate identifier (per-plate z-scoring).
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
     * Mechanism-of-action label, if the table has one; null: each well takes the MoA of its compound's Cell Painting wells (through match).
     */
    moa: string | null;
    /**
     * Dose column, if any (null: none); with one, evaluation keeps each compound's highest dose (the reference reads pert_dose for L1000).
     */
    dose: string | null;
  };
  /**
   * Which wells are negative controls: those whose column equals one of the values (the reference: pert_id == DMSO; 'mock' on CDRP).
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
   * Which columns are features: those whose name contains one of the substrings (the reference: '_at', the Affymetrix probe ids of the 978 landmark genes), less any matching exclude.
   */
  features: {
    /**
     * A column whose name contains one of these is a feature.
     *
     * @minItems 1
     */
    contains: [string, ...string[]];
    /**
     * Regular expressions: a column matching one is not a feature.
     */
    exclude: string[];
  };
  /**
   * Columns whose joint value defines a replicate group. null: the perturbation column (the reference groups L1000 by compound).
   */
  replicate_by: null | [string, ...string[]];
  /**
   * With a dose column: each compound's highest dose that has at least this many wells, the first this many of them (the reference's filter_data_by_highest_dose, n_per_dose 3 for LINCS L1000); null: every well of the highest dose.
   */
  replicates_per_dose: null | number;
  /**
   * Z-score every feature per plate over all the plate's wells on loading, as the reference always does for L1000 (even where it does not for Cell Painting).
   */
  per_plate_zscore: boolean;
  /**
   * Missing values (empty, NaN, ±Inf): features missing in more than na_cutoff of the wells are dropped, the rest imputed, as for dataset.missing.
   */
  missing: {
    /**
     * Features missing in more than this share of the wells are dropped.
     */
    na_cutoff: number;
    /**
     * As dataset.missing.impute; interpolate is the reference's.
     */
    impute: "none" | "mean" | "interpolate";
  };
  /**
   * How its wells meet the Cell Painting wells: by a key of each table, compared as text.
   */
  match: {
    /**
     * The Cell Painting column(s) of the key; null: dataset.columns.perturbation (the reference renames each assay's compound column to PERT and merges on it; with by_dose, the compound-and-dose columns).
     */
    cell_painting: null | [string, ...string[]];
    /**
     * This table's column(s) of the key, in the same order; null: its columns.perturbation.
     */
    modality: null | [string, ...string[]];
    /**
     * Compare only the first this many characters of each key value (13: a Broad compound id, BRD-K12345678, without batch and salt); null: whole values.
     */
    prefix: null | number;
    /**
     * What MoA classification pairs across the assays. treatments: each key's mean profile in each assay, one row per key present in both (read_paired_treatment_level_profiles, what the reference classifies). replicates: up to `replicates` wells drawn per key from each assay, every pair of them a row (generate_random_match_of_replicate_pairs).
     */
    pairing: "treatments" | "replicates";
    /**
     * With pairing: replicates, the wells drawn per key from each assay (seeded); all of a key's wells when it has fewer.
     */
    replicates: number;
  };
  /**
   * With source: synthetic, the simulated expression table: a factor model of the genes' control covariation, plate offsets, and per-compound effects that share moa_coherence with their MoA. MoAs are seen in it unless silent: the first silent_share of the MoAs (by number) have no effect here, while dataset.synthetic.silent_share silences the last ones in Cell Painting, so each assay sees MoAs the other misses.
   */
  synthetic: {
    /**
     * Number of genes (L1000 measures 978).
     */
    genes: number;
    /**
     * Latent factors behind the controls' gene covariation.
     */
    factors: number;
    /**
     * Share of each gene's control variance that is independent noise.
     */
    noise: number;
    /**
     * Number of plates (det_plate).
     */
    plates: number;
    /**
     * DMSO wells on every plate.
     */
    controls_per_plate: number;
    /**
     * Wells per compound and dose.
     */
    replicates: number;
    /**
     * SD of per-plate offsets, in units of a gene's SD.
     */
    plate_effect: number;
    /**
     * Size of a compound's effect at its highest dose, in gene SDs (spread over the genes).
     */
    effect: number;
    /**
     * Share of a compound's effect shared with the other compounds of its MoA.
     */
    moa_coherence: number;
    /**
     * Share of the MoAs (the first ones) with no effect on expression.
     */
    silent_share: number;
  };
}
/**
 * SHAP explanations of the anomaly (method §2.9): for the most anomalous treated wells of each group, which input features pushed each badly reconstructed feature away from its value. Costly (the model runs on ~nsamples × background_size rows per well), so off unless asked for.
 */
export interface Explain {
  /**
   * Compute SHAP explanations at all.
   */
  enabled: boolean;
  /**
   * How each badly reconstructed feature x̂_j is explained. `default`: SHAP values of the model's own x̂_j, against a seeded random draw of training controls, from the Kernel SHAP regression on every feature (exact Shapley values up to exact_max_features features). `reference` reproduces the reference implementation (shap_anomalies.py, ExplainAnomaliesUsingSHAP): x̂_j of the model with feature j's input weights zeroed (column j of the first layer's weights; its bias kept), against the first background_size test controls in table order, with shap's KernelExplainer defaults of the reference's era (shap ≤ 0.46, l1_reg='auto': whenever fewer than 20% of the coalitions are evaluated (with the default nsamples: from 14 features on) the features allowed a non-zero value are chosen by AIC on a LARS lasso path first; coalitions are enumerated only when nsamples covers them all). `default` is the better estimator: its values explain the x̂_j the model actually produced and add up to x̂_j − E[x̂_j] (zeroing input j explains another model's output; feature j's echo into its own reconstruction is kept out of the dependency lists anyway); its regression converges to the Shapley values as nsamples grows, whereas AIC selection gives the features it leaves out exactly 0 and hands their share to the selected ones (shap itself dropped that default in 0.47); and a random draw spread over the plates is a more representative background than the first test controls of the table, which come from its first plates. `reference` also costs more: each explained feature has its own model, so its own coalition evaluations.
   */
  mode: "default" | "reference";
  /**
   * Aggregate dependencies per MoA (falls back to perturbation without a MoA column) or per perturbation.
   */
  group_by: "moa" | "perturbation";
  /**
   * The most anomalous treated wells (largest total squared reconstruction error) explained in each group.
   */
  wells_per_group: number;
  /**
   * Control wells the explained model output is averaged over: a seeded draw of training controls (mode default), or the first test controls in table order (mode reference; the reference takes 200).
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
   * Up to this many input features, Shapley values are computed exactly over all coalitions. Not used by mode reference, which enumerates them only when nsamples covers them all, as shap does.
   */
  exact_max_features: number;
  /**
   * Dependency pairs (explained feature ← contributing feature) reported per group.
   */
  top_pairs: number;
}
/**
 * How representations are evaluated (method §2.6–2.7).
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
   * Percent replicating (method §2.7): the share of replicate groups whose replicate correlation beats a percentile of a null of non-replicate pairs.
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
     * How the null draws one well per perturbation: independent (a fresh random well each time, method §2.7) or reference (the reference implementation's pandas sampling re-seeded per perturbation, which picks wells at the same position in every perturbation; use it to reproduce the reference's numbers).
     */
    null_sampling: "independent" | "reference";
    /**
     * Seed of the null's draws. null: the run's seed, so the threshold's sampling noise is part of the spread over seeds. An integer fixes the null across the runs of a sweep. The reference implementation always seeds its null draws 42, 43, … (calc_rand_corr: random_state = 42 + draw), whatever the training seed: null_seed 42 with null_sampling reference reproduces its null.
     */
    null_seed: null | number;
    /**
     * What percent replicating is a percentage of. replicate_groups: the perturbations (replicate groups) with two or more wells, the only ones that can replicate. perturbations: every perturbation of the evaluated table, single-well ones included (they count as not replicating), as the reference implementation divides (its corr_df has one row per perturbation); use it to reproduce the reference's numbers where single-well perturbations remain after the evaluation filters. metrics.json's n is the denominator used; with perturbations, n_single says how many of them have a single well.
     */
    denominator: "replicate_groups" | "perturbations";
  };
  /**
   * What a z-score that is undefined (a feature constant on a plate) becomes: zero (the plate mean: the feature says nothing there) or interpolate (the reference implementation: linear interpolation down the table, as pandas does).
   */
  fill_undefined: "zero" | "interpolate";
  /**
   * With a dose column, keep only each compound's highest dose when evaluating (which wells: evaluation.replicates_per_dose).
   */
  highest_dose_only: boolean;
  /**
   * Which wells highest_dose_only keeps. null: every well at each compound's highest dose, however few. n: the reference implementation's rule (filter_data_by_highest_dose): only (compound, dose) groups with at least n wells count, each compound is evaluated at its highest such dose with exactly n wells (the first n in table order), and compounds without such a dose drop out; rows come out sorted by compound and dose, descending, which interpolated fills (fill_undefined: interpolate) depend on. Without a dose column (dataset.columns.dose) nothing is filtered either way. The reference uses n = 5 on LINCS and filters no other dataset (experiments/paper/lincs.yaml sets 5).
   */
  replicates_per_dose: null | number;
  /**
   * Mean average precision as copairs 0.5.2 computes it (method §2.10; AP and mAP equal copairs' to 1e-9): phenotypic activity (each treated well ranks its replicates against the controls) and, with a MoA column, MoA consistency (each perturbation's per-feature median profile ranks same-MoA against other-MoA perturbations). Cosine similarity ranked in float32 with positives first on ties; p-value (number of null mAPs strictly above the mAP + 1) / (null_size + 1), one null per (positives, list length); Benjamini–Hochberg. The null's draws come from the run's seeded streams, so p-values equal copairs' only within sampling noise.
   */
  map: {
    /**
     * Compute mAP at all.
     */
    enabled: boolean;
    /**
     * Random rankings per (positives, list length) configuration for the p-values (copairs' null_size; the smallest possible p-value is 1/(null_size + 1)).
     */
    null_size: number;
    /**
     * Benjamini–Hochberg corrected p-value below which a perturbation counts as retrieved.
     */
    threshold: number;
  };
  /**
   * MoA classification (method §2.8): treated wells (or treatment means, see profiles) labelled with their compound's MoA, cross-validated stratified by MoA and grouped by compound (no compound in both train and test), min-max scaled and oversampled on each training fold; logistic regression (balanced class weights) and an MLP (200 ReLU units); macro-F1 per fold. Needs a MoA column (dataset.columns.moa). metrics.json records the MoAs classified (moa.classes), their wells and compounds (moa.class_wells, moa.class_compounds, moa.n_wells, moa.n_compounds) and a fingerprint of the compound set (moa.compound_set), so runs can be checked to have classified the same thing; tables/moa/compounds.parquet lists the compounds. The reference fits min-max scaling once on all rows before cross-validation; method §2.8 and this project fit it on each training fold.
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
     * Repeats of the cross-validation with different seeded shuffles. The authors' notebooks behind the published MoA results used 10 (experiments/paper/reference.yaml sets 10); 3 is cheaper, and the report's comparisons across repeats are corrected for their overlap either way.
     */
    repeats: number;
    /**
     * logistic: multinomial logistic regression with balanced class weights, L-BFGS until the largest gradient component is below 1e-6 (up to 1000 iterations). The reference ran sklearn's LogisticRegression(class_weight='balanced', max_iter=1000) at its default tol 1e-4, which stops short of the optimum (on the oracle problem of test/oracles/sklearn_moa.py its probabilities are 1.3e-3 from it; this project's are within 1e-5). mlp: sklearn's MLPClassifier(hidden_layer_sizes=(200,), activation='relu') with its defaults: Adam, learning rate 1e-3, alpha 1e-4, batches of 200, stopping when the training loss has not improved by 1e-4 for more than 10 epochs, or after mlp_max_epochs.
     *
     * @minItems 1
     */
    classifiers: ["logistic" | "mlp", ...("logistic" | "mlp")[]];
    /**
     * Epoch limit of the MLP (sklearn's max_iter), reached only when the training loss is still improving. 200 is sklearn's default; the reference set max_iter=1000, which 1000 reproduces (at up to five times the MLP's time).
     */
    mlp_max_epochs: number;
    /**
     * Inverse L2 strength of the logistic regression.
     */
    C: number;
    /**
     * When the logistic regression's L-BFGS stops: the largest component of the mean loss's gradient at or below this (scipy's gtol, to which sklearn passes its tol). The reference ran sklearn's default, 1e-4: 1e-4 applies its stopping rule, after about as many iterations (on the oracle problem of test/oracles/sklearn_moa.py 13 against sklearn's 12, and 18 at 1e-6), which matters at LINCS scale; this solver's iterates are not scipy's, so where it stops is not exactly where sklearn does (1.3e-4 from the optimum's probabilities there, sklearn 1.3e-3). The default, 1e-6, converges to the optimum (within 1e-5), where no prediction moves further.
     */
    logistic_tol: number;
    /**
     * Also score early fusion (representations' scaled features side by side) and late fusion (the mean of their models' class probabilities): of all the run's representations (early_fusion, late_fusion; needs two or more), and of each representation with each modality (early_fusion:<representation>+<modality>, late_fusion:<representation>+<modality>), as the reference fuses Cell Painting with L1000. The reference's late fusion also averages in the early-fusion model's probabilities; here it is the members' alone.
     */
    fusion: ("early" | "late")[];
    /**
     * What one classified row is. wells: a treated well (method §2.8). treatments: the mean of a replicate group's wells (dataset.replicate_by: a compound, or a compound at a dose, after highest_dose_only), the treatment-level profile the reference classifies (read_treatment_level_profiles: groupby('PERT').mean()); treatments reproduces it. moa.n_wells and moa.class_wells count wells either way; moa.n_profiles counts rows. With modalities, every representation is classified on the rows paired across the assays (modalities.<name>.match.pairing), whatever this says.
     */
    profiles: "wells" | "treatments";
    /**
     * Which perturbations' wells are classified (before MoAs are counted, so it can drop a MoA under min_compounds). all: every perturbation with a MoA. replicating: only those that replicate (percent replicating) in at least one of the representations named by replicating_in (union of replicating sets: the reference's filter_perts 'highRepUnion'), with the null drawn from replicating_seed. replicating_in_all: only those that replicate in every one of them (intersection: the reference's 'highRepOverlap'). The reference (its filter_perts 'highRepUnion') and method §2.8 filter to the union of replicating sets; it is not the default here because the union of this run's sets moves with the run's seed (the anomaly representation, and every null, depend on it), and with it the MoAs and compounds classified: replicating with replicating_in: [cellprofiler] and a fixed replicating_seed keeps them the same across seeds.
     */
    compounds: "all" | "replicating" | "replicating_in_all";
    /**
     * With compounds: replicating or replicating_in_all, the representations (and modalities) whose replicating sets are united (or intersected); null: every representation and modality of the run. The reference ran two filters (its filter_groups): CellProfiler with L1000 and CellProfiler with anomaly and L1000 (modalities.L1000): [cellprofiler, L1000] is the first, which does not depend on the autoencoder, so its compounds do not change with the training seed; [anomaly, cellprofiler, L1000] (or null) is the second, which does. Each name must be one of the run's representations or modalities. Across modalities, perturbations are compared by their match key (modalities.<name>.match).
     */
    replicating_in: null | [string, ...string[]];
    /**
     * With compounds: replicating, the seed of the percent-replicating null that decides which perturbations replicate for this filter; null: the run's seed (the filter is then exactly the run's own replicating sets, as in the reference, which filtered with the replicate correlations of the same run). A fixed seed makes the filter of a model-independent representation (replicating_in: [cellprofiler]) the same in every run of the sweep, as long as the data and the kept features are; the runs' own percent replicating is unaffected.
     */
    replicating_seed: null | number;
    /**
     * The compound of a well, the unit cross-validation never splits and MoAs are counted by, is its perturbation id's first this many characters; null: the whole id. The reference uses 13 (Compounds = PERT.str[0:13]): on Broad ids (Metadata_broad_sample, e.g. BRD-K12345678-001-01-1) that is the compound without its batch and salt suffix, so two batches of a compound are one compound, never one in training and the other in test. Set 13 to reproduce it on CDRP-bio and LINCS.
     */
    compound_prefix: null | number;
    /**
     * Compare and report MoA labels lower-cased, so labels differing only in case are one MoA. The reference lower-cases CDRP-bio's Metadata_moa (and LINCS labels it fills from the L1000 'moa' column).
     */
    lowercase_moa: boolean;
  };
}
/**
 * Expansion of the spec into runs: the product of grid, zip and random points, each repeated for every seed; optionally preceded by a hyper-parameter search whose best point every run uses.
 */
export interface Sweep {
  /**
   * Dotted setting path → list of values (at most 1,000); every combination is a point.
   */
  grid: {
    /**
     * @minItems 1
     * @maxItems 1000
     */
    [k: string]: [unknown, ...unknown[]];
  };
  /**
   * Dotted setting path → list of values (at most 1,000); lists of equal length advance together.
   */
  zip: {
    /**
     * @minItems 1
     * @maxItems 1000
     */
    [k: string]: [unknown, ...unknown[]];
  };
  /**
   * n draws from declared distributions, from its own seed.
   */
  random?: {
    /**
     * Number of random points (at most 10,000).
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
   * Root seeds (at most 1,000); every point runs once per seed. Empty: the spec's seed.
   *
   * @maxItems 1000
   */
  seeds: number[];
  /**
   * Hyper-parameter search before the runs: `trials` training-only trials sample `params` (random, or TPE once `startup` trials are done), each scored by its best validation loss; trials doing worse than the median of earlier trials at the same epoch can be pruned. The best trial's settings are then applied to every run of the sweep, which runs in full with its evaluations. Trials live in runs/<experiment>/trials/, the outcome in runs/<experiment>/search.json. With `ads run --jobs N` the trials run in batches of N at once, each suggested and pruned from the trials of earlier batches only, so the trials are a function of `seed` and N (N = 1: each trial sees every earlier one).
   */
  search?: {
    /**
     * Number of training-only trials (at most 10,000).
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
   * Name of the experiment: runs are written to runs/<experiment>/ and the report to reports/<experiment>/, so it is a folder name: letters, digits, '_', '.' and '-', starting with a letter or digit, at most 100 characters.
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
   * Further per-well tables of other assays of the same compounds (e.g. L1000 gene expression beside Cell Painting, as the reference analyses the rosetta datasets), each evaluated as a representation of its own: percent replicating, mAP and MoA classification alone and fused with each Cell Painting representation. No autoencoder is trained on them. Keys name them (in metrics, tables and the report); with dataset.preset, a modality named L1000 gets the preset's L1000 column roles (the reference's DS_INFO_DICT).
   */
  modalities?: {
    [k: string]: ModalityInput;
  };
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
   * Column roles of a Cell Painting Gallery cpg0003-rosetta dataset (replicate_level_cp_augmented.csv.gz), method §2.1. Settings written in the spec win over the preset's.
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
   * A well without a value it needs (empty or missing): a plate in any well, a perturbation id and replicate key (dataset.replicate_by) in a treated well. error: stop on loading, naming the file's lines; drop: leave such wells out, counted in the manifest (data.load.dropped_missing_roles). The reference implementation keeps such wells without a word and its pandas groupby leaves them out of replicate groups; drop is the nearest (and says how many).
   */
  missing_roles?: "error" | "drop";
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
  /**
   * Share of the MoAs (the last ones, by number) whose compounds have no effect on morphology (ground truth kind 'silent'): only another assay (modalities, source: synthetic) can see them.
   */
  silent_share?: number;
}
/**
 * How control wells are split for training (method §2.2). Every non-control well is test_treat.
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
  /**
   * Seed of the split (and of the training-set cap). null: the run's seed, so every seed of a sweep gets its own split and the spread over seeds includes the split's. An integer fixes the split across seeds, which then vary only training (weights, shuffling, dropout) and evaluation draws. The reference implementation fixes its split (random_state 42) and varies the training seed: split.seed 42 does the same (our split draws its own wells, not scikit-learn's).
   */
  seed?: null | number;
}
/**
 * Normalization of the features (method §2.3).
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
 * Feature selection (method §2.4), operations in the order given.
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
 * The autoencoder (method §2.5).
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
 * Training on the train controls, validated on val (method §2.5). The validation loss that early stopping, the learning-rate schedule, the best epoch and a search's score watch is the reconstruction MSE of the val wells, as the reference implementation's val_loss is; the full objective (with the output_l2 and latent_l1 penalties) is logged beside it as val_objective.
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
   * Weight of MSE(x̂, 0) in the training objective (not in the validation loss, as in the reference).
   */
  output_l2?: number;
  /**
   * Weight of mean|z| in the training objective (not in the validation loss, as in the reference).
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
  /**
   * What a non-finite (NaN or infinite) training or validation loss does: fail (stop training and fail the run, naming the epoch and the value; a diverged model's representations mean nothing) or stop (end training there and go on with the weights restore_best chooses: the best epoch's, or with restore_best false the last, possibly non-finite, ones). The reference implementation's early stopping ends training on a non-finite val_loss and goes on (stop); fail is the default because a diverged run is a setting to fix (usually training.lr), not a result.
   */
  on_nonfinite?: "fail" | "stop";
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
   * Threads of one run: the parse of a CSV's feature values as it loads, the fused training step's and the explain stage's model calls (runtime.training_kernel: its large matrix products and Adam update are shared among them, with the same bits on any number; how much a second thread gains depends on the CPU: 1.1–1.5× in training at batch 256 on the 2-core machines measured), the MoA classification folds fitted at once in worker processes (evaluation.moa; when the folds are work enough to pay for starting them; its results do not depend on it), and the WebAssembly backend's (single-threaded under Node whatever this says). auto: the machine's cores shared among the runs ads run runs at once (cores ÷ the runs under way together, at least 1): a single run uses every core, a sweep run --jobs 2 on 2 cores one each. The number used is recorded in the run manifest (threads); results do not depend on it.
   */
  threads?: number | "auto";
  /**
   * What computes each training step of the autoencoder. fused-wasm-simd: one hand-written WebAssembly SIMD forward pass, backward pass and Adam(W) update of the dense stack (its matrix products in the native kernels where they are built, with the same bits: see the README), in float32 like tfjs, with the same objective, update, initial weights and batches as the tfjs path (it agrees with it to float rounding: the matrix products sum in another order), and the trained weights written back into the tfjs model when something reads them (a callback that says so, a snapshot, the end of training); each epoch's validation loss comes from its forward pass too, its float32 terms summed in float64 (tfjs' float32 mean drifts from the exact one, by 7e-5 relative over a LINCS-size screen's 640 × 1,700 validation values); it implements dense layers with any of the model's activations, not dropout or batch norm. tfjs: tfjs ops with autodiff and tfjs' Adam on the selected backend. auto: fused-wasm-simd when the backend is wasm or cpu and the model has neither dropout nor batch norm (it trains several times faster there), else tfjs. Asking for fused-wasm-simd with a model it does not implement is an error. The kernel that trained, and why, is recorded in the run manifest (data.training_kernel, data.training_kernel_reason). The reference trains with PyTorch ops; neither kernel reproduces its float rounding. The same kernel computes the explain stage's model calls (Kernel SHAP's millions of rows a run): fused-wasm-simd runs the forward pass alone, about twice as fast as tfjs-wasm's ops, its SHAP values agreeing with the tfjs path's to float32 rounding.
   */
  training_kernel?: "auto" | "fused-wasm-simd" | "tfjs";
}
/**
 * A per-well table of another assay of the same compounds (e.g. L1000 replicate-level gene expression, replicate_level_l1k.csv.gz of cpg0003-rosetta). Its wells are read, imputed and z-scored per plate as the reference reads L1000 (read_replicate_level_profiles: pandas interpolate(), then standardize_per_catX by det_plate over all wells, ddof 1), then evaluated like a representation with its own roles.
 */
export interface ModalityInput {
  /**
   * file: the table(s) at path; synthetic: a paired table simulated with the simulated Cell Painting screen (dataset.source: synthetic), same compounds, MoAs and doses, its own plates and wells (see synthetic).
   */
  source?: "file" | "synthetic";
  /**
   * The table(s) to read when source is file: CSV, CSV.gz or Parquet; one path, a glob, or a list of either, relative to the spec file.
   */
  path?: string | [string, ...string[]];
  /**
   * Metadata columns by role (the L1000 names are the defaults).
   */
  columns?: {
    /**
     * Plate identifier (per-plate z-scoring).
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
     * Mechanism-of-action label, if the table has one; null: each well takes the MoA of its compound's Cell Painting wells (through match).
     */
    moa?: string | null;
    /**
     * Dose column, if any (null: none); with one, evaluation keeps each compound's highest dose (the reference reads pert_dose for L1000).
     */
    dose?: string | null;
  };
  /**
   * Which wells are negative controls: those whose column equals one of the values (the reference: pert_id == DMSO; 'mock' on CDRP).
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
   * Which columns are features: those whose name contains one of the substrings (the reference: '_at', the Affymetrix probe ids of the 978 landmark genes), less any matching exclude.
   */
  features?: {
    /**
     * A column whose name contains one of these is a feature.
     *
     * @minItems 1
     */
    contains?: [string, ...string[]];
    /**
     * Regular expressions: a column matching one is not a feature.
     */
    exclude?: string[];
  };
  /**
   * Columns whose joint value defines a replicate group. null: the perturbation column (the reference groups L1000 by compound).
   */
  replicate_by?: null | [string, ...string[]];
  /**
   * With a dose column: each compound's highest dose that has at least this many wells, the first this many of them (the reference's filter_data_by_highest_dose, n_per_dose 3 for LINCS L1000); null: every well of the highest dose.
   */
  replicates_per_dose?: null | number;
  /**
   * Z-score every feature per plate over all the plate's wells on loading, as the reference always does for L1000 (even where it does not for Cell Painting).
   */
  per_plate_zscore?: boolean;
  /**
   * Missing values (empty, NaN, ±Inf): features missing in more than na_cutoff of the wells are dropped, the rest imputed, as for dataset.missing.
   */
  missing?: {
    /**
     * Features missing in more than this share of the wells are dropped.
     */
    na_cutoff?: number;
    /**
     * As dataset.missing.impute; interpolate is the reference's.
     */
    impute?: "none" | "mean" | "interpolate";
  };
  /**
   * How its wells meet the Cell Painting wells: by a key of each table, compared as text.
   */
  match?: {
    /**
     * The Cell Painting column(s) of the key; null: dataset.columns.perturbation (the reference renames each assay's compound column to PERT and merges on it; with by_dose, the compound-and-dose columns).
     */
    cell_painting?: null | [string, ...string[]];
    /**
     * This table's column(s) of the key, in the same order; null: its columns.perturbation.
     */
    modality?: null | [string, ...string[]];
    /**
     * Compare only the first this many characters of each key value (13: a Broad compound id, BRD-K12345678, without batch and salt); null: whole values.
     */
    prefix?: null | number;
    /**
     * What MoA classification pairs across the assays. treatments: each key's mean profile in each assay, one row per key present in both (read_paired_treatment_level_profiles, what the reference classifies). replicates: up to `replicates` wells drawn per key from each assay, every pair of them a row (generate_random_match_of_replicate_pairs).
     */
    pairing?: "treatments" | "replicates";
    /**
     * With pairing: replicates, the wells drawn per key from each assay (seeded); all of a key's wells when it has fewer.
     */
    replicates?: number;
  };
  /**
   * With source: synthetic, the simulated expression table: a factor model of the genes' control covariation, plate offsets, and per-compound effects that share moa_coherence with their MoA. MoAs are seen in it unless silent: the first silent_share of the MoAs (by number) have no effect here, while dataset.synthetic.silent_share silences the last ones in Cell Painting, so each assay sees MoAs the other misses.
   */
  synthetic?: {
    /**
     * Number of genes (L1000 measures 978).
     */
    genes?: number;
    /**
     * Latent factors behind the controls' gene covariation.
     */
    factors?: number;
    /**
     * Share of each gene's control variance that is independent noise.
     */
    noise?: number;
    /**
     * Number of plates (det_plate).
     */
    plates?: number;
    /**
     * DMSO wells on every plate.
     */
    controls_per_plate?: number;
    /**
     * Wells per compound and dose.
     */
    replicates?: number;
    /**
     * SD of per-plate offsets, in units of a gene's SD.
     */
    plate_effect?: number;
    /**
     * Size of a compound's effect at its highest dose, in gene SDs (spread over the genes).
     */
    effect?: number;
    /**
     * Share of a compound's effect shared with the other compounds of its MoA.
     */
    moa_coherence?: number;
    /**
     * Share of the MoAs (the first ones) with no effect on expression.
     */
    silent_share?: number;
  };
}
/**
 * SHAP explanations of the anomaly (method §2.9): for the most anomalous treated wells of each group, which input features pushed each badly reconstructed feature away from its value. Costly (the model runs on ~nsamples × background_size rows per well), so off unless asked for.
 */
export interface ExplainInput {
  /**
   * Compute SHAP explanations at all.
   */
  enabled?: boolean;
  /**
   * How each badly reconstructed feature x̂_j is explained. `default`: SHAP values of the model's own x̂_j, against a seeded random draw of training controls, from the Kernel SHAP regression on every feature (exact Shapley values up to exact_max_features features). `reference` reproduces the reference implementation (shap_anomalies.py, ExplainAnomaliesUsingSHAP): x̂_j of the model with feature j's input weights zeroed (column j of the first layer's weights; its bias kept), against the first background_size test controls in table order, with shap's KernelExplainer defaults of the reference's era (shap ≤ 0.46, l1_reg='auto': whenever fewer than 20% of the coalitions are evaluated (with the default nsamples: from 14 features on) the features allowed a non-zero value are chosen by AIC on a LARS lasso path first; coalitions are enumerated only when nsamples covers them all). `default` is the better estimator: its values explain the x̂_j the model actually produced and add up to x̂_j − E[x̂_j] (zeroing input j explains another model's output; feature j's echo into its own reconstruction is kept out of the dependency lists anyway); its regression converges to the Shapley values as nsamples grows, whereas AIC selection gives the features it leaves out exactly 0 and hands their share to the selected ones (shap itself dropped that default in 0.47); and a random draw spread over the plates is a more representative background than the first test controls of the table, which come from its first plates. `reference` also costs more: each explained feature has its own model, so its own coalition evaluations.
   */
  mode?: "default" | "reference";
  /**
   * Aggregate dependencies per MoA (falls back to perturbation without a MoA column) or per perturbation.
   */
  group_by?: "moa" | "perturbation";
  /**
   * The most anomalous treated wells (largest total squared reconstruction error) explained in each group.
   */
  wells_per_group?: number;
  /**
   * Control wells the explained model output is averaged over: a seeded draw of training controls (mode default), or the first test controls in table order (mode reference; the reference takes 200).
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
   * Up to this many input features, Shapley values are computed exactly over all coalitions. Not used by mode reference, which enumerates them only when nsamples covers them all, as shap does.
   */
  exact_max_features?: number;
  /**
   * Dependency pairs (explained feature ← contributing feature) reported per group.
   */
  top_pairs?: number;
}
/**
 * How representations are evaluated (method §2.6–2.7).
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
   * Percent replicating (method §2.7): the share of replicate groups whose replicate correlation beats a percentile of a null of non-replicate pairs.
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
     * How the null draws one well per perturbation: independent (a fresh random well each time, method §2.7) or reference (the reference implementation's pandas sampling re-seeded per perturbation, which picks wells at the same position in every perturbation; use it to reproduce the reference's numbers).
     */
    null_sampling?: "independent" | "reference";
    /**
     * Seed of the null's draws. null: the run's seed, so the threshold's sampling noise is part of the spread over seeds. An integer fixes the null across the runs of a sweep. The reference implementation always seeds its null draws 42, 43, … (calc_rand_corr: random_state = 42 + draw), whatever the training seed: null_seed 42 with null_sampling reference reproduces its null.
     */
    null_seed?: null | number;
    /**
     * What percent replicating is a percentage of. replicate_groups: the perturbations (replicate groups) with two or more wells, the only ones that can replicate. perturbations: every perturbation of the evaluated table, single-well ones included (they count as not replicating), as the reference implementation divides (its corr_df has one row per perturbation); use it to reproduce the reference's numbers where single-well perturbations remain after the evaluation filters. metrics.json's n is the denominator used; with perturbations, n_single says how many of them have a single well.
     */
    denominator?: "replicate_groups" | "perturbations";
  };
  /**
   * What a z-score that is undefined (a feature constant on a plate) becomes: zero (the plate mean: the feature says nothing there) or interpolate (the reference implementation: linear interpolation down the table, as pandas does).
   */
  fill_undefined?: "zero" | "interpolate";
  /**
   * With a dose column, keep only each compound's highest dose when evaluating (which wells: evaluation.replicates_per_dose).
   */
  highest_dose_only?: boolean;
  /**
   * Which wells highest_dose_only keeps. null: every well at each compound's highest dose, however few. n: the reference implementation's rule (filter_data_by_highest_dose): only (compound, dose) groups with at least n wells count, each compound is evaluated at its highest such dose with exactly n wells (the first n in table order), and compounds without such a dose drop out; rows come out sorted by compound and dose, descending, which interpolated fills (fill_undefined: interpolate) depend on. Without a dose column (dataset.columns.dose) nothing is filtered either way. The reference uses n = 5 on LINCS and filters no other dataset (experiments/paper/lincs.yaml sets 5).
   */
  replicates_per_dose?: null | number;
  /**
   * Mean average precision as copairs 0.5.2 computes it (method §2.10; AP and mAP equal copairs' to 1e-9): phenotypic activity (each treated well ranks its replicates against the controls) and, with a MoA column, MoA consistency (each perturbation's per-feature median profile ranks same-MoA against other-MoA perturbations). Cosine similarity ranked in float32 with positives first on ties; p-value (number of null mAPs strictly above the mAP + 1) / (null_size + 1), one null per (positives, list length); Benjamini–Hochberg. The null's draws come from the run's seeded streams, so p-values equal copairs' only within sampling noise.
   */
  map?: {
    /**
     * Compute mAP at all.
     */
    enabled?: boolean;
    /**
     * Random rankings per (positives, list length) configuration for the p-values (copairs' null_size; the smallest possible p-value is 1/(null_size + 1)).
     */
    null_size?: number;
    /**
     * Benjamini–Hochberg corrected p-value below which a perturbation counts as retrieved.
     */
    threshold?: number;
  };
  /**
   * MoA classification (method §2.8): treated wells (or treatment means, see profiles) labelled with their compound's MoA, cross-validated stratified by MoA and grouped by compound (no compound in both train and test), min-max scaled and oversampled on each training fold; logistic regression (balanced class weights) and an MLP (200 ReLU units); macro-F1 per fold. Needs a MoA column (dataset.columns.moa). metrics.json records the MoAs classified (moa.classes), their wells and compounds (moa.class_wells, moa.class_compounds, moa.n_wells, moa.n_compounds) and a fingerprint of the compound set (moa.compound_set), so runs can be checked to have classified the same thing; tables/moa/compounds.parquet lists the compounds. The reference fits min-max scaling once on all rows before cross-validation; method §2.8 and this project fit it on each training fold.
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
     * Repeats of the cross-validation with different seeded shuffles. The authors' notebooks behind the published MoA results used 10 (experiments/paper/reference.yaml sets 10); 3 is cheaper, and the report's comparisons across repeats are corrected for their overlap either way.
     */
    repeats?: number;
    /**
     * logistic: multinomial logistic regression with balanced class weights, L-BFGS until the largest gradient component is below 1e-6 (up to 1000 iterations). The reference ran sklearn's LogisticRegression(class_weight='balanced', max_iter=1000) at its default tol 1e-4, which stops short of the optimum (on the oracle problem of test/oracles/sklearn_moa.py its probabilities are 1.3e-3 from it; this project's are within 1e-5). mlp: sklearn's MLPClassifier(hidden_layer_sizes=(200,), activation='relu') with its defaults: Adam, learning rate 1e-3, alpha 1e-4, batches of 200, stopping when the training loss has not improved by 1e-4 for more than 10 epochs, or after mlp_max_epochs.
     *
     * @minItems 1
     */
    classifiers?: ["logistic" | "mlp", ...("logistic" | "mlp")[]];
    /**
     * Epoch limit of the MLP (sklearn's max_iter), reached only when the training loss is still improving. 200 is sklearn's default; the reference set max_iter=1000, which 1000 reproduces (at up to five times the MLP's time).
     */
    mlp_max_epochs?: number;
    /**
     * Inverse L2 strength of the logistic regression.
     */
    C?: number;
    /**
     * When the logistic regression's L-BFGS stops: the largest component of the mean loss's gradient at or below this (scipy's gtol, to which sklearn passes its tol). The reference ran sklearn's default, 1e-4: 1e-4 applies its stopping rule, after about as many iterations (on the oracle problem of test/oracles/sklearn_moa.py 13 against sklearn's 12, and 18 at 1e-6), which matters at LINCS scale; this solver's iterates are not scipy's, so where it stops is not exactly where sklearn does (1.3e-4 from the optimum's probabilities there, sklearn 1.3e-3). The default, 1e-6, converges to the optimum (within 1e-5), where no prediction moves further.
     */
    logistic_tol?: number;
    /**
     * Also score early fusion (representations' scaled features side by side) and late fusion (the mean of their models' class probabilities): of all the run's representations (early_fusion, late_fusion; needs two or more), and of each representation with each modality (early_fusion:<representation>+<modality>, late_fusion:<representation>+<modality>), as the reference fuses Cell Painting with L1000. The reference's late fusion also averages in the early-fusion model's probabilities; here it is the members' alone.
     */
    fusion?: ("early" | "late")[];
    /**
     * What one classified row is. wells: a treated well (method §2.8). treatments: the mean of a replicate group's wells (dataset.replicate_by: a compound, or a compound at a dose, after highest_dose_only), the treatment-level profile the reference classifies (read_treatment_level_profiles: groupby('PERT').mean()); treatments reproduces it. moa.n_wells and moa.class_wells count wells either way; moa.n_profiles counts rows. With modalities, every representation is classified on the rows paired across the assays (modalities.<name>.match.pairing), whatever this says.
     */
    profiles?: "wells" | "treatments";
    /**
     * Which perturbations' wells are classified (before MoAs are counted, so it can drop a MoA under min_compounds). all: every perturbation with a MoA. replicating: only those that replicate (percent replicating) in at least one of the representations named by replicating_in (union of replicating sets: the reference's filter_perts 'highRepUnion'), with the null drawn from replicating_seed. replicating_in_all: only those that replicate in every one of them (intersection: the reference's 'highRepOverlap'). The reference (its filter_perts 'highRepUnion') and method §2.8 filter to the union of replicating sets; it is not the default here because the union of this run's sets moves with the run's seed (the anomaly representation, and every null, depend on it), and with it the MoAs and compounds classified: replicating with replicating_in: [cellprofiler] and a fixed replicating_seed keeps them the same across seeds.
     */
    compounds?: "all" | "replicating" | "replicating_in_all";
    /**
     * With compounds: replicating or replicating_in_all, the representations (and modalities) whose replicating sets are united (or intersected); null: every representation and modality of the run. The reference ran two filters (its filter_groups): CellProfiler with L1000 and CellProfiler with anomaly and L1000 (modalities.L1000): [cellprofiler, L1000] is the first, which does not depend on the autoencoder, so its compounds do not change with the training seed; [anomaly, cellprofiler, L1000] (or null) is the second, which does. Each name must be one of the run's representations or modalities. Across modalities, perturbations are compared by their match key (modalities.<name>.match).
     */
    replicating_in?: null | [string, ...string[]];
    /**
     * With compounds: replicating, the seed of the percent-replicating null that decides which perturbations replicate for this filter; null: the run's seed (the filter is then exactly the run's own replicating sets, as in the reference, which filtered with the replicate correlations of the same run). A fixed seed makes the filter of a model-independent representation (replicating_in: [cellprofiler]) the same in every run of the sweep, as long as the data and the kept features are; the runs' own percent replicating is unaffected.
     */
    replicating_seed?: null | number;
    /**
     * The compound of a well, the unit cross-validation never splits and MoAs are counted by, is its perturbation id's first this many characters; null: the whole id. The reference uses 13 (Compounds = PERT.str[0:13]): on Broad ids (Metadata_broad_sample, e.g. BRD-K12345678-001-01-1) that is the compound without its batch and salt suffix, so two batches of a compound are one compound, never one in training and the other in test. Set 13 to reproduce it on CDRP-bio and LINCS.
     */
    compound_prefix?: null | number;
    /**
     * Compare and report MoA labels lower-cased, so labels differing only in case are one MoA. The reference lower-cases CDRP-bio's Metadata_moa (and LINCS labels it fills from the L1000 'moa' column).
     */
    lowercase_moa?: boolean;
  };
}
/**
 * Expansion of the spec into runs: the product of grid, zip and random points, each repeated for every seed; optionally preceded by a hyper-parameter search whose best point every run uses.
 */
export interface SweepInput {
  /**
   * Dotted setting path → list of values (at most 1,000); every combination is a point.
   */
  grid?: {
    /**
     * @minItems 1
     * @maxItems 1000
     */
    [k: string]: [unknown, ...unknown[]];
  };
  /**
   * Dotted setting path → list of values (at most 1,000); lists of equal length advance together.
   */
  zip?: {
    /**
     * @minItems 1
     * @maxItems 1000
     */
    [k: string]: [unknown, ...unknown[]];
  };
  /**
   * n draws from declared distributions, from its own seed.
   */
  random?: {
    /**
     * Number of random points (at most 10,000).
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
   * Root seeds (at most 1,000); every point runs once per seed. Empty: the spec's seed.
   *
   * @maxItems 1000
   */
  seeds?: number[];
  /**
   * Hyper-parameter search before the runs: `trials` training-only trials sample `params` (random, or TPE once `startup` trials are done), each scored by its best validation loss; trials doing worse than the median of earlier trials at the same epoch can be pruned. The best trial's settings are then applied to every run of the sweep, which runs in full with its evaluations. Trials live in runs/<experiment>/trials/, the outcome in runs/<experiment>/search.json. With `ads run --jobs N` the trials run in batches of N at once, each suggested and pruned from the trials of earlier batches only, so the trials are a function of `seed` and N (N = 1: each trial sees every earlier one).
   */
  search?: {
    /**
     * Number of training-only trials (at most 10,000).
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
