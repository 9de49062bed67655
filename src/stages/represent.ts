import type { Profiles } from '../data/profiles.ts';
import type { Autoencoder } from '../model/autoencoder.ts';
import { anomalyRepresentation, type ErrorVariant, type Reconstruction } from '../representation/anomaly.ts';
import { cellprofilerRepresentation } from '../representation/cellprofiler.ts';
import { latentRepresentation } from '../representation/latent.ts';
import { spherizedRepresentation } from '../representation/spherized.ts';
import { MODEL_HINT, NORMALIZE_HINT, tableProblem } from '../run/finite.ts';
import type { Stage } from '../run/stage.ts';
import { TABLES } from '../run/store.ts';
import type { RunSpec } from '../spec/types.ts';
import { setRows } from './sets.ts';
import { selectWells } from '../data/profiles.ts';

export type RepresentationName = RunSpec['representations'][number];

const ERROR_VARIANT: Partial<Record<RepresentationName, ErrorVariant>> = {
  anomaly: 'signed',
  anomaly_abs: 'abs',
  anomaly_squared: 'squared',
};

/** Which representations need the trained autoencoder. */
export function needsModel(names: readonly RepresentationName[]): boolean {
  return names.some((n) => n in ERROR_VARIANT || n === 'latent');
}

/**
 * Stage `represent` (method §2.6): every representation the spec lists, of the test wells (test_ctrl +
 * test_treat), each a table with the test wells' metadata, in the spec's order. `test` is taken over: the
 * classical representation is standardized over its matrix, after the autoencoder's have read it (at CDRP
 * size a copy is 2 GB more at the stage's peak).
 */
export function buildRepresentations(
  test: Profiles,
  testControlRows: ArrayLike<number>,
  model: Autoencoder | null,
  spec: Pick<RunSpec, 'representations' | 'spherized'>,
  plateColumn: string,
): Record<string, Profiles> {
  const names = spec.representations;
  const reps: Record<string, Profiles> = {};
  // Each anomaly variant reconstructs block by block: the reconstruction is never whole in memory.
  const reconstruction: Reconstruction | null = model ? (use) => model.reconstructByBlock(test.values, use) : null;
  for (const name of names) {
    const variant = ERROR_VARIANT[name];
    if (variant) reps[name] = anomalyRepresentation(test, need(reconstruction), testControlRows, variant);
    else if (name === 'latent') reps[name] = latentRepresentation(test, need(model).encode(test.values), testControlRows);
  }
  if (names.includes('cellprofiler') || names.includes('spherized')) {
    // The last reader of the test wells' values: they become the classical representation in place.
    const cellprofiler = cellprofilerRepresentation(test, testControlRows, plateColumn, true);
    if (names.includes('cellprofiler')) reps.cellprofiler = cellprofiler;
    if (names.includes('spherized')) reps.spherized = spherizedRepresentation(cellprofiler, testControlRows, { ...spec.spherized, center: true });
  }
  return Object.fromEntries(names.map((name) => [name, reps[name]]));
}

function need<T>(x: T | null): T {
  if (x === null) throw new Error('internal: this representation needs the trained autoencoder');
  return x;
}

/** Stage `represent`: every representation of the test wells, each kept as `tables/representations/<name>.parquet`. */
export const representStage: Stage<{ selected: Profiles; model: Autoencoder | null }, { representations: Record<string, Profiles> }, object> = {
  name: 'represent',
  reads: ['representations', 'spherized'],
  uses: (spec) => ({ selected: true, model: needsModel(spec.representations) }),
  run({ selected, model }, ctx) {
    const test = selectWells(selected, setRows(selected, 'test_ctrl', 'test_treat'));
    const reps = buildRepresentations(test, setRows(test, 'test_ctrl'), model, ctx.spec, ctx.roles.plate);
    return {
      values: { representations: reps },
      tables: Object.fromEntries(Object.entries(reps).map(([name, rep]) => [TABLES.representation(name), rep])),
    };
  },
  check: ({ values }) =>
    Object.entries(values.representations)
      .map(([name, rep]) => tableProblem(`representation ${name}`, rep, name.startsWith('anomaly') || name === 'latent' ? MODEL_HINT : NORMALIZE_HINT))
      .find((p) => p !== null) ?? null,
};
