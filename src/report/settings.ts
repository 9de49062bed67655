import { parse } from '../vendor/yaml.ts';
import type { ExperimentStore } from '../run/store.ts';
import type { RunSpec } from '../spec/types.ts';

/** The few settings the report needs; the same whether they come from a spec file or from a run's saved spec. */
export interface ReportSettings {
  experiment: string;
  description: string;
  representations: readonly string[];
  /** The metadata column that splits percent replicating (e.g. the simulated screen's MoA kind). */
  splitBy: string | null;
  /** The null percentile a replicate correlation has to beat. */
  nullPercentile: number;
}

/** What a resolved spec (or a run's `spec.yaml`) must hold for the report. */
export type ReportSpec = Pick<RunSpec, 'experiment' | 'description' | 'representations' | 'evaluation'>;

export function reportSettings(spec: ReportSpec): ReportSettings {
  return {
    experiment: spec.experiment,
    description: spec.description,
    representations: spec.representations,
    splitBy: spec.evaluation.split_by,
    nullPercentile: spec.evaluation.percent_replicating.percentile,
  };
}

/**
 * Settings read back from the saved spec of a complete run of the experiment, for `ads report <experiment>`
 * when the spec file is elsewhere or gone. Runs of one experiment normally share them; where they do not
 * (different --set values), the report still groups every run by its own full settings.
 */
export function settingsFromRuns(store: ExperimentStore): ReportSettings | null {
  const done = store.runDirs().find((dir) => dir.stored().complete && dir.hasSpec());
  return done ? reportSettings(parse(done.readSpecText()) as ReportSpec) : null;
}
