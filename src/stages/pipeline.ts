import { type MetricsOf, Pipeline } from '../run/stage.ts';
import { classifyStage } from './classify.ts';
import { evaluateStage } from './evaluate.ts';
import { explainStage } from './explain.ts';
import { loadStage } from './load.ts';
import { modalitiesStage } from './modalities.ts';
import { normalizeStage } from './normalize.ts';
import { representStage } from './represent.ts';
import { selectStage } from './select.ts';
import { splitStage } from './split.ts';
import { trainStage } from './train.ts';

/**
 * A run, stage by stage. Each stage is one file in this folder; one that needs a value no earlier stage
 * produces does not compile here. Loading, splitting and preprocessing are shared: runs of a sweep over
 * model settings (or a search's trials) do them once and restore them from the run store's cache.
 */
export const PIPELINE = Pipeline.start()
  .then(loadStage)
  .then(splitStage)
  .then(normalizeStage)
  .then(selectStage)
  .shareSoFar()
  .then(modalitiesStage)
  .then(trainStage)
  .then(representStage)
  .then(evaluateStage)
  .then(classifyStage)
  .then(explainStage);

/** metrics.json: what the stages' metrics add up to. */
export type RunMetrics = MetricsOf<typeof PIPELINE>;
