import { type Modality, type ModalityReport, readModality } from '../data/modality.ts';
import type { Profiles } from '../data/profiles.ts';
import { tableProblem } from '../run/finite.ts';
import type { Stage } from '../run/stage.ts';
import { TABLES } from '../run/store.ts';

/**
 * Stage `modalities`: the spec's further assays (modalities), each read, z-scored per plate and matched to
 * the Cell Painting wells before any training, so a table that meets none of the screen's compounds stops
 * the run at once. Each is kept as `tables/modalities/<name>.parquet`; the manifest gets what matched and
 * what did not (`data.modalities`).
 */
export const modalitiesStage: Stage<{ selected: Profiles }, { modalities: Modality[] }, object> = {
  name: 'modalities',
  reads: ['modalities', 'dataset', 'evaluation'],
  uses: (spec) => ({ selected: Object.keys(spec.modalities).length > 0 }),
  async run({ selected }, ctx) {
    const modalities: Modality[] = [];
    const reports: Record<string, ModalityReport> = {};
    const warnings: string[] = [];
    for (const name of Object.keys(ctx.spec.modalities)) {
      ctx.progress(`reading modality ${name}`);
      const read = await readModality(name, ctx.spec, { profiles: selected, roles: ctx.roles }, ctx.seed, ctx.threads);
      modalities.push(read.modality);
      reports[name] = read.report;
      warnings.push(...read.warnings);
    }
    return {
      values: { modalities },
      tables: Object.fromEntries(modalities.map((m) => [TABLES.modality(m.name), m.profiles])),
      ...(modalities.length ? { data: { modalities: reports } } : {}),
      warnings,
    };
  },
  check: ({ values }) =>
    values.modalities.map((m) => tableProblem(`modality ${m.name} (${m.source})`, m.profiles, `check the table, or modalities.${m.name}.missing`)).find((p) => p !== null) ?? null,
};
