import { DataError } from '../errors.ts';
import { matchKeys, type Modality } from '../data/modality.ts';
import { type MetaValue, metaColumn, type Profiles } from '../data/profiles.ts';
import { consistencyMoaCount } from '../evaluate/consistency_moas.ts';
import { type MapResult, moaConsistency, phenotypicActivityAgainst } from '../evaluate/map.ts';
import { groupBy } from '../evaluate/groups.ts';
import type { Columns } from '../data/io.ts';
import { controlMask, type Roles } from '../data/roles.ts';
import { evaluationControls, plateStatistics, prepareForEvaluation } from '../evaluate/prepare.ts';
import { type PercentReplicating, type PercentReplicatingOptions, percentReplicating, replicatingOverlaps } from '../evaluate/percent_replicating.ts';
import { type RandomStream, stream } from '../random/streams.ts';
import type { ResolvedSpec } from '../spec/types.ts';
import { asObject, type MetricPath, metricProblems } from '../run/finite.ts';
import type { Stage } from '../run/stage.ts';
import { TABLES } from '../run/store.ts';

export interface PercentReplicatingMetrics {
  percent: number;
  threshold: number;
  n: number;
  n_replicating: number;
  /** With `denominator: perturbations`, how many of the n perturbations have a single well. */
  n_single?: number;
  /** The same threshold, percent per value of `evaluation.split_by`. */
  split?: Record<string, { percent: number; n: number; n_replicating: number }>;
}

/** mAP results of one kind (activity or consistency): fraction retrieved is 0–100 like percent replicating. */
export interface MapMetrics {
  percent_retrieved: number;
  mean_map: number;
  n: number;
  n_retrieved: number;
}

export interface Evaluation {
  metrics: {
    percent_replicating: Record<string, PercentReplicatingMetrics>;
    replicating_overlap: { sets: string[]; count: number }[];
    map?: Record<string, { activity: MapMetrics; consistency?: MapMetrics }>;
  };
  /** Per representation and kind, the per-perturbation mAP table: `tables/map/<name>_<kind>.parquet`. */
  mapTables: Record<string, Columns>;
  /** Per representation, the per-perturbation table: `tables/replicate_correlation/<name>.parquet`. */
  tables: Record<string, Columns>;
  /** Per representation, the treated wells as evaluated (z-scored per plate, highest dose): MoA classification's input. */
  treated: Record<string, Profiles>;
  /** Replicate groups replicating in at least one representation, by their perturbation value. */
  replicatingPerturbations: MetaValue[];
  /** Per representation and modality, its replicating groups by their key (with modalities: the match key). */
  replicatingSets: Record<string, string[]>;
  /** Per representation, up to NULL_SAMPLE of the null's correlations: `tables/null_correlation/<name>.parquet`. */
  nulls: Record<string, Columns>;
}

/**
 * A table to evaluate and how: its roles, whether it is z-scored per plate now (a modality was on loading),
 * its replicates per dose, and the key its replicate groups are compared by across assays (null: the group's own).
 */
interface Evaluand {
  name: string;
  /** A further assay's table (modalities), not a Cell Painting representation. */
  modality: boolean;
  profiles: Profiles;
  roles: Roles;
  zscore: boolean;
  replicatesPerDose: number | null;
  match: { columns: string[]; prefix: number | null } | null;
}

/**
 * Stage `evaluate`: percent replicating (and mAP) of every representation (method §2.6–2.7), and of every
 * modality, each with its own roles. With modalities, replicating sets are compared across assays by the
 * match key (a compound), so the overlap regions are those of compounds.
 */
export function evaluateRepresentations(
  representations: Readonly<Record<string, Profiles>>,
  roles: Roles,
  evaluation: ResolvedSpec['evaluation'],
  seed: number,
  modalities: readonly Modality[] = [],
): Evaluation {
  const crossAssay = modalities.length > 0 ? { columns: modalities[0].match.cellPainting, prefix: modalities[0].match.prefix } : null;
  const evaluands: Evaluand[] = [
    ...Object.entries(representations).map(([name, profiles]) => ({
      name,
      modality: false,
      profiles,
      roles,
      zscore: evaluation.per_plate_zscore,
      replicatesPerDose: evaluation.replicates_per_dose,
      match: crossAssay,
    })),
    ...modalities.map((m) => ({
      name: m.name,
      modality: true,
      profiles: m.profiles,
      roles: m.roles,
      zscore: false,
      replicatesPerDose: m.replicatesPerDose,
      match: { columns: m.match.own, prefix: m.match.prefix },
    })),
  ];
  const pr: Record<string, PercentReplicatingMetrics> = {};
  const tables: Record<string, Columns> = {};
  const nulls: Record<string, Columns> = {};
  const mapMetrics: NonNullable<Evaluation['metrics']['map']> = {};
  const mapTables: Record<string, Columns> = {};
  const replicating: Record<string, Set<string>> = {};
  const treatedTables: Record<string, Profiles> = {};
  const replicatingPerts = new Set<MetaValue>();
  for (const { name, modality, profiles: rep, roles, zscore, replicatesPerDose, match } of evaluands) {
    const replicateBy = roles.replicateBy;
    const evaluationRoles = {
      plate: roles.plate,
      perturbation: roles.perturbation,
      control: controlMask(rep, roles),
      replicate_by: replicateBy,
      ...(roles.dose ? { dose: roles.dose } : {}),
    };
    const prep = {
      per_plate_zscore: zscore,
      highest_dose_only: evaluation.highest_dose_only && roles.dose !== null,
      replicates_per_dose: replicatesPerDose,
      fill_undefined: evaluation.fill_undefined,
    };
    // One pass for the plates' statistics, shared by the treated wells and (for mAP) the controls.
    const stats = zscore ? plateStatistics(rep, roles.plate) : undefined;
    const treated = prepareForEvaluation(rep, evaluationRoles, prep, stats);
    const result = percentReplicating(treated, replicateBy, percentReplicatingOptions(evaluation, seed));
    if (result.summary.n === 0) {
      throw new DataError(
        `percent replicating${modality ? ` of modality ${name}` : ''} needs replicates, but no group of treated wells with the same ${replicateBy.join(' + ')} has 2 or more wells`,
      );
    }
    const splitOf = evaluation.split_by && evaluation.split_by in treated.metadata ? groupLabel(treated, replicateBy, evaluation.split_by) : null;
    pr[name] = { ...result.summary, ...(splitOf ? { split: splitSummary(result, splitOf) } : {}) };
    tables[name] = replicateTable(result, replicateBy, splitOf && evaluation.split_by ? [evaluation.split_by, splitOf] : null);
    nulls[name] = { null_correlation: sampleOf(result.null, NULL_SAMPLE, stream(seed, `evaluate/null_sample/${name}`)) };
    const keyOf = match ? groupMatchKeys(treated, replicateBy, match) : null;
    replicating[name] = new Set(result.groups.filter((g) => g.replicating).map((g) => (keyOf ? (keyOf.get(g.key) ?? `\u0000${g.key}`) : g.key)));
    if (!modality) for (const v of replicatingPerturbations(treated, replicateBy, roles.perturbation, result)) replicatingPerts.add(v);
    treatedTables[name] = treated;
    if (evaluation.map.enabled) {
      const mapOptions = { null_size: evaluation.map.null_size, threshold: evaluation.map.threshold, seed };
      const controls = evaluationControls(rep, evaluationRoles, prep, stats);
      const activity = phenotypicActivityAgainst(treated, controls, replicateBy, mapOptions);
      mapMetrics[name] = { activity: mapSummary(activity) };
      mapTables[`${name}_activity`] = mapTable(activity, replicateBy);
      if (roles.moa && roles.moa in treated.metadata && consistencyMoaCount(treated, replicateBy, roles.moa) >= 2) {
        // moaConsistency leaves out the wells without a MoA itself: no copy of the table without them.
        const consistency = moaConsistency(treated, { replicate_by: replicateBy, moa: roles.moa }, mapOptions);
        mapMetrics[name].consistency = mapSummary(consistency);
        mapTables[`${name}_consistency`] = mapTable(consistency, [roles.moa]);
      }
    }
  }
  const metrics: Evaluation['metrics'] = { percent_replicating: pr, replicating_overlap: replicatingOverlaps(replicating) };
  if (evaluation.map.enabled) metrics.map = mapMetrics;
  return {
    metrics,
    tables,
    nulls,
    mapTables,
    treated: treatedTables,
    replicatingPerturbations: [...replicatingPerts],
    replicatingSets: Object.fromEntries(Object.entries(replicating).map(([name, set]) => [name, [...set]])),
  };
}

/** Each replicate group's match key (its first well's): how one assay's group meets another's. */
export function groupMatchKeys(p: Profiles, replicateBy: readonly string[], match: { columns: string[]; prefix: number | null }): Map<string, string> {
  const keys = matchKeys(p, match.columns, match.prefix);
  const groups = groupBy(p, replicateBy);
  const out = new Map<string, string>();
  groups.keys.forEach((key, g) => {
    const k = keys[groups.rows[g][0]];
    if (k !== null) out.set(key, k);
  });
  return out;
}

/** Percent replicating as the spec sets it, from `seed`; MoA classification's compound filter reuses it. */
export function percentReplicatingOptions(evaluation: ResolvedSpec['evaluation'], seed: number): PercentReplicatingOptions {
  return {
    null_draws: evaluation.percent_replicating.null_draws,
    percentile: evaluation.percent_replicating.percentile,
    aggregate: evaluation.percent_replicating.statistic,
    null_sampling: evaluation.percent_replicating.null_sampling,
    seed: evaluation.percent_replicating.null_seed ?? seed,
    denominator: evaluation.percent_replicating.denominator,
  };
}

function mapSummary(r: MapResult): MapMetrics {
  const defined = r.groups.filter((g) => Number.isFinite(g.mean_average_precision));
  const meanMap = defined.reduce((s, g) => s + g.mean_average_precision, 0) / defined.length;
  return { percent_retrieved: 100 * r.summary.fraction_significant, mean_map: meanMap, n: r.summary.n, n_retrieved: r.summary.n_significant };
}

function mapTable(r: MapResult, by: readonly string[]): Columns {
  const columns: Columns = {};
  for (const c of by) columns[c] = r.groups.map((g) => g.by[c]);
  columns.mean_average_precision = Float64Array.from(r.groups, (g) => g.mean_average_precision);
  columns.n_queries = Int32Array.from(r.groups, (g) => g.n_queries);
  columns.n_pos = Int32Array.from(r.groups, (g) => g.n_pos);
  columns.n_total = Int32Array.from(r.groups, (g) => g.n_total);
  columns.p_value = Float64Array.from(r.groups, (g) => g.p_value);
  columns.corrected_p_value = Float64Array.from(r.groups, (g) => g.corrected_p_value);
  columns.retrieved = r.groups.map((g) => g.significant);
  return columns;
}

/** Enough null correlations to draw their distribution; a large screen's full null runs to tens of millions. */
const NULL_SAMPLE = 50_000;

/** `k` values drawn without replacement (in their original order), or all when there are fewer. Floyd's
 * algorithm: k draws, whatever the size of the null. */
function sampleOf(values: Float64Array, k: number, rs: RandomStream): Float64Array {
  const n = values.length;
  if (n <= k) return values;
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = rs.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Float64Array.from([...chosen].sort((x, y) => x - y), (i) => values[i]);
}

/** The value of `column` for each replicate group (its first well's; a split column is constant within one). */
function groupLabel(p: Profiles, replicateBy: readonly string[], column: string): Map<string, string> {
  const labels = metaColumn(p, column);
  const groups = groupBy(p, replicateBy);
  return new Map(groups.keys.map((key, g) => [key, String(labels[groups.rows[g][0]])]));
}

function splitSummary(result: PercentReplicating, splitOf: Map<string, string>) {
  const out: Record<string, { percent: number; n: number; n_replicating: number }> = {};
  for (const g of result.groups) {
    const label = splitOf.get(g.key) ?? 'null';
    const s = (out[label] ??= { percent: 0, n: 0, n_replicating: 0 });
    s.n++;
    if (g.replicating) s.n_replicating++;
  }
  for (const s of Object.values(out)) s.percent = (100 * s.n_replicating) / s.n;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function replicateTable(result: PercentReplicating, replicateBy: string[], split: [string, Map<string, string>] | null): Columns {
  const columns: Columns = {};
  for (const c of replicateBy) columns[c] = result.groups.map((g) => g.by[c]);
  if (split) columns[split[0]] = result.groups.map((g) => split[1].get(g.key) ?? null);
  columns.replicate_correlation = Float64Array.from(result.groups, (g) => g.replicate_correlation);
  columns.n_replicates = Int32Array.from(result.groups, (g) => g.n_replicates);
  columns.replicating = result.groups.map((g) => g.replicating);
  return columns;
}

const TAGS = {
  percentReplicating: (rep: string) => `percent_replicating/${rep}`,
  map: (rep: string, kind: 'activity' | 'consistency') => `map/${rep}/${kind}_percent_retrieved`,
};

/**
 * Stage `evaluate`: percent replicating (and mAP) of every representation; hands on the treated wells as
 * evaluated and the perturbations that replicate, for MoA classification.
 */
export const evaluateStage: Stage<
  { representations: Record<string, Profiles>; modalities: Modality[] },
  { treated: Record<string, Profiles>; replicating: MetaValue[]; replicatingSets: Record<string, string[]> },
  Evaluation['metrics']
> = {
  name: 'evaluate',
  reads: ['evaluation'],
  uses: () => ({ representations: true, modalities: true }),
  run({ representations, modalities }, ctx) {
    const e = evaluateRepresentations(representations, ctx.roles, ctx.spec.evaluation, ctx.seed, modalities);
    const scalars: Record<string, number> = {};
    for (const [name, pr] of Object.entries(e.metrics.percent_replicating)) scalars[TAGS.percentReplicating(name)] = pr.percent;
    for (const [name, m] of Object.entries(e.metrics.map ?? {})) {
      scalars[TAGS.map(name, 'activity')] = m.activity.percent_retrieved;
      if (m.consistency) scalars[TAGS.map(name, 'consistency')] = m.consistency.percent_retrieved;
    }
    return {
      values: { treated: e.treated, replicating: e.replicatingPerturbations, replicatingSets: e.replicatingSets },
      metrics: e.metrics,
      tables: {
        ...Object.fromEntries(Object.entries(e.tables).map(([name, t]) => [TABLES.replicateCorrelation(name), t])),
        ...Object.fromEntries(Object.entries(e.nulls).map(([name, t]) => [TABLES.nullCorrelation(name), t])),
        ...Object.fromEntries(Object.entries(e.mapTables).map(([name, t]) => [TABLES.map(name), t])),
      },
      scalars,
    };
  },
  check: ({ metrics }) => metricProblems(metrics, evaluationPaths(metrics), 'a metric is undefined on these representations'),
  scalarTags: (spec) => {
    const evaluated = [...spec.representations, ...Object.keys(spec.modalities)];
    return [
      ...evaluated.map((rep) => ({ tag: TAGS.percentReplicating(rep), displayName: `percent replicating (${rep})` })),
      ...(spec.evaluation.map.enabled ? evaluated.map((rep) => ({ tag: TAGS.map(rep, 'activity'), displayName: `mAP activity, % retrieved (${rep})` })) : []),
    ];
  },
};

/** The metrics that have to be numbers for the run to mean anything. */
function evaluationPaths(metrics: unknown): MetricPath[] {
  const m = asObject(metrics);
  const paths: MetricPath[] = [];
  for (const rep of Object.keys(asObject(m.percent_replicating))) {
    paths.push(['percent_replicating', rep, 'percent'], ['percent_replicating', rep, 'threshold']);
  }
  for (const [rep, kinds] of Object.entries(asObject(m.map))) {
    for (const kind of Object.keys(asObject(kinds))) paths.push(['map', rep, kind, 'mean_map'], ['map', rep, kind, 'percent_retrieved']);
  }
  return paths;
}

/**
 * The perturbations of the replicating groups, from their wells: a group is one perturbation when
 * replicate_by names the perturbation column, and otherwise (replicate_by: [Metadata_broad_sample] beside
 * perturbation Metadata_pert_iname) its wells say which, where the group's key alone would say none.
 */
export function replicatingPerturbations(treated: Profiles, replicateBy: readonly string[], perturbation: string, result: PercentReplicating): MetaValue[] {
  const replicating = new Set(result.groups.filter((g) => g.replicating).map((g) => g.key));
  const groups = groupBy(treated, replicateBy);
  const ids = metaColumn(treated, perturbation);
  const out = new Set<MetaValue>();
  groups.keys.forEach((key, g) => {
    if (replicating.has(key)) for (const i of groups.rows[g]) out.add(ids[i] ?? null);
  });
  return [...out];
}
