import type { Experiment, ExperimentInput } from './experiment.generated.ts';

/** A spec as the user may write it: every setting with a default is optional. */
export type SpecInput = ExperimentInput;

/** A spec after `extends`, `--set` and defaults: every setting with a default is present. */
export type ResolvedSpec = Experiment;

/** The spec of one planned run: a resolved spec with its sweep point and seed applied and no sweep left. */
export type RunSpec = Omit<ResolvedSpec, 'sweep'>;
