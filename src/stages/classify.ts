import { createHash } from 'node:crypto';
import type { Columns } from '../data/io.ts';
import { metaColumn, type MetaValue, type Profiles, selectWells, whereRows } from '../data/profiles.ts';
import type { Roles } from '../data/roles.ts';
import { DataError, UserError } from '../errors.ts';
import { percentReplicating } from '../evaluate/percent_replicating.ts';
import { evaluateMoa, type Fusion, type FusionGroup, fusionOfAll, type MoaEvaluation, type MoaFit } from '../classify/evaluate_moa.ts';
import { pairReplicates, pairTreatments } from '../classify/pairing.ts';
import { matchKeys, type Modality } from '../data/modality.ts';
import { stream } from '../random/streams.ts';
import { filterMoas, type MoaFilterOptions } from '../classify/moa_filter.ts';
import { treatmentMeans } from '../classify/treatments.ts';
import { MOA_SUMMARY_KEYS } from '../classify/summary_keys.ts';
import type { RunSpec } from '../spec/types.ts';
import { asObject, type MetricPath, metricProblems } from '../run/finite.ts';
import type { Stage } from '../run/stage.ts';
import { TABLES } from '../run/store.ts';
import { FUSION_NAMES } from '../classify/evaluate_moa.ts';
import { groupMatchKeys, percentReplicatingOptions, replicatingPerturbations } from './evaluate.ts';

/** The scores of one representation (or fusion) and classifier. */
export interface ClassifierScores {
  macro_f1: { mean: number; sd: number };
  weighted_f1: { mean: number; sd: number };
  per_class_f1: Record<string, number>;
  /** Summed over folds and repeats; rows are true MoAs, columns predicted, both in `classes` order. */
  confusion: number[][];
}

/**
 * `metrics.moa`: `<representation>.<classifier>` scores (fusions are representations here: early_fusion,
 * late_fusion), beside the summary keys; only `note` when the stage was skipped.
 */
export type MoaMetrics = {
  note?: string;
  classes?: string[];
  /** Per class, in `classes` order: wells and distinct compounds classified. */
  class_wells?: number[];
  class_compounds?: number[];
  /** Wells classified (behind the treatment means with profiles: treatments), and rows classified. */
  n_wells?: number;
  n_profiles?: number;
  n_compounds?: number;
  /** First 16 hex digits of SHA-256 over the sorted "compound\tMoA" lines: equal exactly when two runs classified the same compounds as the same MoAs. */
  compound_set?: string;
  /** MoAs left out, and why. */
  dropped?: MoaEvaluation['dropped'];
  n_folds?: number;
  baseline?: { macro_f1: { mean: number; sd: number }; weighted_f1: { mean: number; sd: number } };
  comparisons?: MoaEvaluation['comparisons'];
} & { [representation: string]: unknown };

/** What classification across assays needs: the modalities, and every table's replicating groups by match key. */
export interface CrossAssay {
  modalities: readonly Modality[];
  replicatingSets: Readonly<Record<string, readonly string[]>>;
}

/**
 * Stage `classify` (method §2.8): MoA classification of the treated wells of every representation, prepared
 * as for percent replicating (same wells, same order), or of their treatment means. With modalities, every
 * representation and modality is classified on the rows paired across the assays (match.pairing), alone
 * and fused with each other. Skipped with a note — not failed — when the data has no MoA column or fewer
 * than two MoAs keep enough compounds: a researcher still gets every other metric.
 * `replicating` is the run's union of replicating perturbations (every representation, the run's seed).
 */
export async function classifyMoas(
  treated: Readonly<Record<string, Profiles>>,
  roles: Roles,
  evaluation: RunSpec['evaluation'],
  replicating: readonly MetaValue[],
  seed: number,
  onFit?: (fit: MoaFit) => void,
  workers = 1,
  assays: CrossAssay | null = null,
): Promise<{ metrics: MoaMetrics; tables: Record<string, Columns> }> {
  const settings = evaluation.moa;
  const modalityNames = new Set((assays?.modalities ?? []).map((m) => m.name));
  const cpNames = Object.keys(treated).filter((n) => !modalityNames.has(n));
  if (!roles.moa || !(roles.moa in treated[cpNames[0]].metadata)) return skipped(`no MoA column${roles.moa ? ` '${roles.moa}' in the data` : ' (dataset.columns.moa)'}`);
  const { rows, wells, keys } =
    assays && assays.modalities.length ? pairedRows(treated, cpNames, assays.modalities, seed) : { ...classifiedRows(treated, roles, settings.profiles), keys: null };
  const filter: MoaFilterOptions = {
    min_compounds: settings.min_compounds,
    keep_perturbations: keys ? null : keptPerturbations(treated, roles, evaluation, replicating, seed),
    compound_prefix: settings.compound_prefix,
    lowercase_moa: settings.lowercase_moa,
  };
  const kept = keys && assays ? keptKeys(treated, roles, evaluation, assays, seed) : null;
  const classified = kept && keys ? keepRows(rows, wells, (i) => kept.has(keys[i])) : { rows, wells };
  const first = Object.values(classified.rows)[0];
  const selection = filterMoas(metaColumn(first, roles.moa), metaColumn(first, roles.perturbation), filter);
  if (selection.classes.length < 2) {
    // When the compound filter is what left too few, lowering min_compounds alone may not help: say what it kept.
    const keptCount = kept ? kept.size : filter.keep_perturbations ? new Set(filter.keep_perturbations.filter((v) => v !== null)).size : null;
    const by =
      keptCount === null
        ? ''
        : ` among the ${keptCount} compound(s) that evaluation.moa.compounds: ${settings.compounds} kept (those replicating in ${settings.compounds === 'replicating' ? 'any' : 'every one'} of ${(settings.replicating_in ?? Object.keys(treated)).join(', ')})`;
    return skipped(
      `${selection.classes.length} MoA(s) have more than ${settings.min_compounds} compounds${by}; lower evaluation.moa.min_compounds${by ? ', or choose a wider evaluation.moa.compounds,' : ''} to classify this data`,
    );
  }
  const fusions = [...fusionOfAll(settings.fusion, cpNames), ...modalityFusions(settings.fusion, cpNames, [...modalityNames])];
  const options = { ...settings, ...filter, seed, fusions, workers };
  const result = await evaluateMoa(classified.rows, { moa: roles.moa, compound: roles.perturbation }, options, onFit);
  const classWells = new Array<number>(result.classes.length).fill(0);
  const compoundWells = new Map<string, number>();
  selection.rows.forEach((row, k) => {
    classWells[selection.labels[k]] += classified.wells[row];
    const compound = selection.compounds[selection.groups[k]];
    compoundWells.set(compound, (compoundWells.get(compound) ?? 0) + classified.wells[row]);
  });
  const scores: Record<string, Record<string, ClassifierScores>> = {};
  for (const s of result.scores) {
    (scores[s.representation] ??= {})[s.classifier] = {
      macro_f1: s.macro_f1,
      weighted_f1: s.weighted_f1,
      per_class_f1: Object.fromEntries(result.classes.map((c, k) => [c, s.per_class_f1[k]])),
      confusion: s.confusion,
    };
  }
  return {
    metrics: {
      classes: result.classes,
      class_wells: classWells,
      class_compounds: result.class_compounds,
      n_wells: classWells.reduce((a, b) => a + b, 0),
      n_profiles: result.n_wells,
      n_compounds: result.n_compounds,
      compound_set: compoundSetFingerprint(result),
      dropped: result.dropped,
      n_folds: result.n_folds,
      baseline: { macro_f1: result.baseline.macro_f1, weighted_f1: result.baseline.weighted_f1 },
      comparisons: result.comparisons,
      ...scores,
    },
    tables: { folds: foldTable(result), predictions: predictionTable(result, first, roles), compounds: compoundTable(result, compoundWells) },
  };
}

/** Each representation fused with each modality, early and/or late: `early_fusion:<representation>+<modality>`. */
function modalityFusions(kinds: readonly Fusion[], representations: readonly string[], modalities: readonly string[]): FusionGroup[] {
  return modalities.flatMap((m) =>
    representations.flatMap((r) => kinds.map((kind) => ({ kind, name: `${FUSION_NAMES[kind]}:${r}+${m}`, members: [r, m] }))),
  );
}

/** Every representation's rows to classify, `profiles: wells` or `treatments`, and the wells behind each row. */
function classifiedRows(
  treated: Readonly<Record<string, Profiles>>,
  roles: Roles,
  profiles: RunSpec['evaluation']['moa']['profiles'],
): { rows: Record<string, Profiles>; wells: Int32Array } {
  if (profiles === 'wells') return { rows: { ...treated }, wells: new Int32Array(Object.values(treated)[0].values.rows).fill(1) };
  const rows: Record<string, Profiles> = {};
  let wells: Int32Array = new Int32Array(0);
  // Every representation has the same wells in the same order, so the same groups.
  for (const [name, p] of Object.entries(treated)) ({ profiles: rows[name], wells } = treatmentMeans(p, roles.replicateBy));
  return { rows, wells };
}

/**
 * The rows paired across the assays by the modalities' pairing (the first modality's match.pairing for all):
 * each representation's and modality's profile per row, all with the Cell Painting metadata.
 */
function pairedRows(
  treated: Readonly<Record<string, Profiles>>,
  cpNames: readonly string[],
  modalities: readonly Modality[],
  seed: number,
): { rows: Record<string, Profiles>; wells: Int32Array; keys: string[] } {
  const { match, pairing } = modalities[0];
  const first = cpNames.map((n) => treated[n]);
  const cpKeys = matchKeys(first[0], match.cellPainting, match.prefix);
  const others = modalities.map((m) => ({ profiles: treated[m.name], keys: matchKeys(treated[m.name], m.match.own, m.match.prefix) }));
  const paired =
    pairing.kind === 'treatments'
      ? pairTreatments(first, cpKeys, others)
      : pairReplicates(first, cpKeys, others, pairing.replicates, stream(seed, 'classify/pairing'));
  if (paired.keys.length === 0) {
    throw new DataError(
      `MoA classification across assays: no compound is among the evaluated treated wells of both Cell Painting and ${modalities.map((m) => `${m.name} (${m.source})`).join(' and ')}; ` +
        'the highest-dose filters of the two assays may keep different doses (evaluation.highest_dose_only, modalities.<name>.replicates_per_dose)',
    );
  }
  const names = [...cpNames, ...modalities.map((m) => m.name)];
  return { rows: Object.fromEntries(names.map((n, t) => [n, paired.tables[t]])), wells: paired.wells, keys: paired.keys };
}

function keepRows(rows: Record<string, Profiles>, wells: Int32Array, keep: (i: number) => boolean) {
  const kept = whereRows(wells.length, keep);
  return { rows: Object.fromEntries(Object.entries(rows).map(([n, p]) => [n, selectWells(p, kept)])), wells: Int32Array.from(kept, (i) => wells[i]) };
}

/**
 * With modalities: the match keys `evaluation.moa.compounds` lets through, or null for all. Each named table's
 * replicating groups by match key (the run's own sets, or percent replicating again with the filter's seed),
 * united (replicating) or intersected (replicating_in_all).
 */
function keptKeys(
  treated: Readonly<Record<string, Profiles>>,
  roles: Roles,
  evaluation: RunSpec['evaluation'],
  assays: CrossAssay,
  seed: number,
): Set<string> | null {
  const { compounds, replicating_in: named, replicating_seed: filterSeed } = evaluation.moa;
  if (compounds === 'all') return null;
  const tables = named ?? Object.keys(treated);
  const own = filterSeed === null || filterSeed === seed;
  const options = percentReplicatingOptions(evaluation, filterSeed ?? seed);
  const sets = tables.map((name) => {
    if (own) return new Set(assays.replicatingSets[name]);
    const m = assays.modalities.find((x) => x.name === name);
    const match = m ? { columns: m.match.own, prefix: m.match.prefix } : { columns: assays.modalities[0].match.cellPainting, prefix: assays.modalities[0].match.prefix };
    const by = (m ? m.roles : roles).replicateBy;
    const keyOf = groupMatchKeys(treated[name], by, match);
    return new Set(percentReplicating(treated[name], by, options).groups.flatMap((g) => (g.replicating && keyOf.has(g.key) ? [keyOf.get(g.key)!] : [])));
  });
  return combine(sets, compounds);
}

function combine<T>(sets: readonly Set<T>[], how: 'replicating' | 'replicating_in_all'): Set<T> {
  if (how === 'replicating') return new Set(sets.flatMap((s) => [...s]));
  return new Set([...sets[0]].filter((k) => sets.every((s) => s.has(k))));
}

/**
 * The perturbations `evaluation.moa.compounds` lets through, or null for all. The run's own union when the
 * filter asks for exactly that (every representation, the run's seed); otherwise percent replicating of the
 * named representations again, with the filter's seed, on the same treated wells, united or intersected.
 */
function keptPerturbations(
  treated: Readonly<Record<string, Profiles>>,
  roles: Roles,
  evaluation: RunSpec['evaluation'],
  replicating: readonly MetaValue[],
  seed: number,
): MetaValue[] | null {
  const { compounds, replicating_in: named, replicating_seed: filterSeed } = evaluation.moa;
  if (compounds === 'all') return null;
  const available = Object.keys(treated);
  const missing = (named ?? []).filter((r) => !available.includes(r));
  if (missing.length) {
    throw new UserError(
      `evaluation.moa.replicating_in: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not among this run's representations (${available.join(', ')}); add ${missing.length === 1 ? 'it' : 'them'} to representations or leave ${missing.length === 1 ? 'it' : 'them'} out`,
    );
  }
  const reps = named ?? available;
  if (compounds === 'replicating' && (filterSeed === null || filterSeed === seed) && reps.length === available.length) return [...replicating];
  const options = percentReplicatingOptions(evaluation, filterSeed ?? seed);
  const sets = reps.map(
    (rep) => new Set(replicatingPerturbations(treated[rep], roles.replicateBy, roles.perturbation, percentReplicating(treated[rep], roles.replicateBy, options))),
  );
  return [...combine(sets, compounds)];
}

function compoundSetFingerprint(r: MoaEvaluation): string {
  const lines = r.compounds.map((c) => `${c.compound}\t${r.classes[c.class]}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/** The classified compounds: compound (the perturbation id or its prefix), its MoA, its rows and wells. */
function compoundTable(r: MoaEvaluation, wells: ReadonlyMap<string, number>): Columns {
  return {
    compound: r.compounds.map((c) => c.compound),
    moa: r.compounds.map((c) => r.classes[c.class]),
    profiles: Int32Array.from(r.compounds, (c) => c.wells),
    wells: Int32Array.from(r.compounds, (c) => wells.get(c.compound)!),
  };
}

function skipped(note: string) {
  return { metrics: { note }, tables: {} };
}

function foldTable(r: MoaEvaluation): Columns {
  const rows = r.scores.flatMap((s) => s.folds.map((f) => ({ ...f, representation: s.representation, classifier: s.classifier })));
  return {
    representation: rows.map((x) => x.representation),
    classifier: rows.map((x) => x.classifier),
    repeat: Int32Array.from(rows, (x) => x.repeat),
    fold: Int32Array.from(rows, (x) => x.fold),
    macro_f1: Float64Array.from(rows, (x) => x.macro_f1),
    weighted_f1: Float64Array.from(rows, (x) => x.weighted_f1),
  };
}

/**
 * Out-of-fold predictions with the well's perturbation and plate, so anyone can recompute the F1 scores.
 * With profiles: treatments a row is a treatment mean, and its plate that of the treatment's first well.
 */
function predictionTable(r: MoaEvaluation, wells: Profiles, roles: Roles): Columns {
  const pert = metaColumn(wells, roles.perturbation);
  const plate = metaColumn(wells, roles.plate);
  const rows = r.scores.flatMap((s) =>
    Array.from(s.predictions.well, (w, k) => ({
      representation: s.representation,
      classifier: s.classifier,
      well: w,
      repeat: s.predictions.repeat[k],
      fold: s.predictions.fold[k],
      truth: r.classes[s.predictions.y_true[k]],
      predicted: r.classes[s.predictions.y_pred[k]],
    })),
  );
  return {
    representation: rows.map((x) => x.representation),
    classifier: rows.map((x) => x.classifier),
    [roles.plate]: rows.map((x) => plate[x.well]),
    [roles.perturbation]: rows.map((x) => pert[x.well]),
    repeat: Int32Array.from(rows, (x) => x.repeat),
    fold: Int32Array.from(rows, (x) => x.fold),
    moa: rows.map((x) => x.truth),
    predicted_moa: rows.map((x) => x.predicted),
  };
}

/** The `<representation>` entries of `metrics.moa`, each a map from classifier to its scores. */
export function moaScores(metrics: MoaMetrics): [string, Record<string, ClassifierScores>][] {
  const summary = new Set<string>(MOA_SUMMARY_KEYS);
  return Object.entries(metrics).filter(([k]) => !summary.has(k)) as [string, Record<string, ClassifierScores>][];
}


const macroF1Tag = (rep: string, classifier: string) => `moa/${rep}/${classifier}/macro_f1`;

/**
 * Stage `classify` (method §2.8): MoA classification of the evaluated treated wells when
 * evaluation.moa.enabled; `tables/moa/{folds,predictions,compounds}.parquet`.
 */
export const classifyStage: Stage<
  { treated: Record<string, Profiles>; replicating: MetaValue[]; replicatingSets: Record<string, string[]>; modalities: Modality[] },
  object,
  { moa: MoaMetrics }
> = {
  name: 'classify',
  reads: ['evaluation'],
  uses: (spec) => {
    const used = spec.evaluation.moa.enabled;
    return { treated: used, replicating: used, replicatingSets: used, modalities: used };
  },
  async run({ treated, replicating, replicatingSets, modalities }, ctx) {
    if (!ctx.spec.evaluation.moa.enabled) return { values: {} };
    ctx.progress('MoA classification');
    const moa = await classifyMoas(
      treated,
      ctx.roles,
      ctx.spec.evaluation,
      replicating,
      ctx.seed,
      (fit) => ctx.progress(`MoA classification: repeat ${fit.repeat}/${fit.repeats}, fold ${fit.fold}/${fit.folds}, ${fit.classifier} on ${fit.representation}`),
      ctx.threads,
      modalities.length ? { modalities, replicatingSets } : null,
    );
    const scalars: Record<string, number> = {};
    for (const [rep, byClassifier] of moaScores(moa.metrics)) {
      for (const [classifier, s] of Object.entries(byClassifier)) scalars[macroF1Tag(rep, classifier)] = s.macro_f1.mean;
    }
    return {
      values: {},
      metrics: { moa: moa.metrics },
      tables: Object.fromEntries(Object.entries(moa.tables).map(([name, t]) => [TABLES.moa(name), t])),
      scalars,
      // Without modalities the load stage foretold a skip (checkLoadedTable); with them, the wells paired
      // across assays decide, known only here.
      ...(moa.metrics.note && modalities.length ? { warnings: [`MoA classification skipped: ${moa.metrics.note}`] } : {}),
    };
  },
  check: ({ metrics }) => metricProblems(metrics, classifierPaths(metrics), 'a metric is undefined on these representations'),
  scalarTags: (spec) => {
    const { moa } = spec.evaluation;
    if (!moa.enabled) return [];
    const reps = spec.representations;
    const modalities = Object.keys(spec.modalities);
    const models = [...reps, ...modalities, ...fusionOfAll(moa.fusion, reps).map((f) => f.name), ...modalityFusions(moa.fusion, reps, modalities).map((f) => f.name)];
    return models.flatMap((rep) => moa.classifiers.map((c) => ({ tag: macroF1Tag(rep, c), displayName: `MoA macro-F1, ${c} (${rep})` })));
  },
};

/** Every classifier's mean macro-F1 has to be a number (the summary entries — classes, baseline — carry none). */
function classifierPaths(metrics: unknown): MetricPath[] {
  const paths: MetricPath[] = [];
  for (const [rep, byClassifier] of Object.entries(asObject(asObject(metrics).moa))) {
    for (const [classifier, scores] of Object.entries(asObject(byClassifier))) {
      if ('macro_f1' in asObject(scores)) paths.push(['moa', rep, classifier, 'macro_f1', 'mean']);
    }
  }
  return paths;
}
