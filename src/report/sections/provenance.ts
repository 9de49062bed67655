import { type Block, type Section, section, table, text } from '../blocks.ts';
import type { CompletedRun } from '../collect.ts';
import type { ModalityReport } from '../../data/modality.ts';
import type { LoadReport } from '../../data/dataset.ts';
import type { SectionContext } from './context.ts';

/** The part of a manifest's `data` the report reads (written by the load, split and select stages). */
interface ManifestData {
  load?: LoadReport | null;
  modalities?: Record<string, ModalityReport>;
  dropped_plates?: string[];
  features_kept?: number;
  features_dropped?: number;
  warnings?: string[];
}

/**
 * Where the numbers come from, so a reader can tell what was measured on what: the data files and their
 * fingerprint, the wells, plates and features left after each stage and what was dropped and why, the level
 * evaluated, the MoA task, the software, when the runs ran, and the command that rebuilds this report.
 * Every row is over all complete runs: one value when they agree, each value seen when they do not.
 */
export function provenanceSection(ctx: SectionContext): Section[] {
  const runs = ctx.points.flatMap((g) => g.runs);
  if (!runs.length) return [];
  const rows: string[][] = [];
  const add = (item: string, values: (string | null | undefined)[], why = '') => {
    const seen = [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))];
    if (!seen.length) return;
    rows.push([item, seen.length === 1 ? seen[0] : `${seen.join(' / ')} (differs between runs)`, why]);
  };
  const data = (r: CompletedRun) => (r.manifest?.data ?? null) as ManifestData | null;
  const load = (r: CompletedRun) => data(r)?.load ?? null;
  const wells = (r: CompletedRun) => ctx.input.tables?.get(r.runId)?.wells ?? null;
  const dataset = (r: CompletedRun) => (r.settings.dataset ?? {}) as { source?: string; columns?: { dose?: string | null } };
  const evaluation = (r: CompletedRun) => (r.settings.evaluation ?? {}) as { highest_dose_only?: boolean; replicates_per_dose?: number | null };

  add('data source', runs.map((r) => dataset(r).source));
  add('data file(s)', runs.map((r) => load(r)?.files.map((f) => `\`${f}\``).join(', ')));
  add('data fingerprint', runs.map((r) => (r.manifest?.data_fingerprint ? `\`${r.manifest.data_fingerprint}\`` : null)), 'SHA-256 of the profiles as loaded: equal exactly when the runs read the same numbers');
  add(
    'after load: wells, features, plates',
    runs.map((r) => {
      const l = load(r);
      if (!l) return null;
      // Plates are counted in the split table; the split only drops whole plates, which the manifest names.
      const plates = wells(r) ? `, ${wells(r)!.plates + (data(r)?.dropped_plates?.length ?? 0)} plates` : '';
      return `${l.wells} wells, ${l.features} features${plates}`;
    }),
  );
  add(
    'dropped at load',
    runs.map((r) => {
      const l = load(r);
      if (!l) return null;
      const parts = [
        `${l.dropped_missing_roles.wells} wells with an empty role column${Object.keys(l.dropped_missing_roles.by_column).length ? ` (${Object.entries(l.dropped_missing_roles.by_column).map(([c, n]) => `${c}: ${n}`).join(', ')})` : ''}`,
        `${l.dropped_missing.length} features with too many missing values`,
        `${l.not_common.length} features not in every file`,
        `${l.imputed.values} values imputed (${l.imputed.method}) in ${l.imputed.features} features`,
      ];
      return parts.join('; ');
    }),
  );
  add('after split: plates', runs.map((r) => (wells(r) ? String(wells(r)!.plates) : null)));
  add(
    'dropped at split',
    runs.map((r) => {
      const plates = data(r)?.dropped_plates;
      return plates ? (plates.length ? `plates ${plates.join(', ')}` : 'nothing') : null;
    }),
    'plates with too few controls for both a training and a test control (split.small_plates: drop)',
  );
  add('after split: wells per set', runs.map((r) => (wells(r) ? Object.entries(wells(r)!.perSet).sort().map(([s, n]) => `${s} ${n}`).join(', ') : null)), 'train and val: controls the autoencoder learns from; test_ctrl and test_treat: the wells evaluated');
  for (const name of [...new Set(runs.flatMap((r) => Object.keys(data(r)?.modalities ?? {})))].sort()) {
    const of = (r: CompletedRun) => data(r)?.modalities?.[name] ?? null;
    add(`modality ${name}`, runs.map((r) => (of(r) ? `${of(r)!.files.length ? of(r)!.files.map((f) => `\`${f}\``).join(', ') : 'simulated'}: ${of(r)!.wells} wells (${of(r)!.controls} controls), ${of(r)!.features} features` : null)), 'another assay of the same compounds (modalities), z-scored per plate');
    add(
      `modality ${name}: compounds matched`,
      runs.map((r) => {
        const m = of(r);
        return m ? `${m.matched} of its ${m.compounds}; ${m.unmatched.length} without Cell Painting wells, ${m.cell_painting_unmatched.length} Cell Painting compounds without its wells` : null;
      }),
      'the manifest lists the unmatched ones (data.modalities)',
    );
  }
  add('after feature selection: features', runs.map((r) => (data(r)?.features_kept !== undefined ? `${data(r)!.features_kept} kept, ${data(r)!.features_dropped} dropped` : null)), 'feature_select: variance, correlation and blocklist filters on the training controls');
  add(
    'evaluation level',
    runs.map((r) => {
      if (!r.settings.dataset) return null;
      if (!dataset(r).columns?.dose) return 'every treated test well (no dose column)';
      if (!evaluation(r).highest_dose_only) return `all doses pooled (replicates are wells of one perturbation and dose)`;
      const n = evaluation(r).replicates_per_dose;
      return `each compound's highest dose only${typeof n === 'number' ? `, with exactly ${n} wells (the reference's rule)` : ''}`;
    }),
  );
  add(
    'evaluated',
    runs.map((r) => {
      const w = wells(r);
      if (!w || w.evaluatedWells === null) return null;
      const treated = w.perSet.test_treat ?? 0;
      return `${w.evaluatedGroups} replicate groups of ${w.evaluatedWells} treated wells (of ${treated}; ${treated - w.evaluatedWells} dropped by the evaluation level or in groups of one well)`;
    }),
  );
  add('backend', runs.map((r) => r.manifest?.backend ?? null));
  add('versions', runs.map((r) => (r.manifest?.versions ? Object.entries(r.manifest.versions).map(([k, v]) => `${k} ${v}`).join(', ') : null)));
  const started = runs.flatMap((r) => (r.manifest?.started_at ? [r.manifest.started_at] : [])).sort();
  if (started.length) rows.push(['runs started', started[0] === started[started.length - 1] ? started[0] : `${started[0]} to ${started[started.length - 1]}`, '']);
  // Runs without a manifest or saved settings (hand-made fixtures) have nothing to trace.
  if (!rows.length) return [];
  if (ctx.input.builtAt) rows.push(['report built', ctx.input.builtAt, '']);
  const blocks: Block[] = [
    text('What every number of this report was computed from, over all complete runs (one value where they agree).'),
    table(['', 'value', 'why / what'], rows),
  ];
  const moa = moaTask(runs);
  if (moa) blocks.push(...moa);
  if (ctx.input.rebuild) blocks.push(text(`Rebuild this report from the runs: \`${ctx.input.rebuild}\``));
  return [section('Provenance', blocks)];
}

/** The MoA task: classes, with their compounds and wells, and the MoAs left out (from the first run that classified; the MoA section says whether the runs agree). */
function moaTask(runs: readonly CompletedRun[]): Block[] | null {
  const m = runs
    .map((r) => r.metrics.moa as { classes?: string[]; class_wells?: number[]; class_compounds?: number[]; n_wells?: number; n_compounds?: number; dropped?: { too_few_compounds?: string[]; multi_label?: string[] } } | undefined)
    .find((x) => Array.isArray(x?.classes) && Array.isArray(x?.class_wells) && Array.isArray(x?.class_compounds));
  if (!m) return null;
  const dropped = m.dropped?.too_few_compounds ?? [];
  return [
    text(
      `MoA classification task: ${m.classes!.length} MoAs, ${m.n_compounds} compounds, ${m.n_wells} wells` +
        (dropped.length ? `; ${dropped.length} MoA(s) left out for too few compounds (${dropped.join(', ')})` : '') +
        ((m.dropped?.multi_label ?? []).length ? `; ${m.dropped!.multi_label!.length} compound(s) with several MoAs left out` : '') +
        '.',
    ),
    table(
      ['MoA', 'compounds', 'wells'],
      m.classes!.map((c, k) => [c, String(m.class_compounds![k]), String(m.class_wells![k])]),
    ),
  ];
}
