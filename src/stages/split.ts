import { DataError } from '../errors.ts';
import { controlMask, type Roles, SET_COLUMN } from '../data/roles.ts';
import { groupRows, metaColumn, type Profiles, selectWells } from '../data/profiles.ts';
import { splitWells } from '../preprocess/split.ts';
import { stream } from '../random/streams.ts';
import type { RunSpec } from '../spec/types.ts';
import type { Stage } from '../run/stage.ts';

/**
 * Stage `split`: label every well train / val / test_ctrl / test_treat (or unused) in `Metadata_set`.
 * Plates with fewer than two controls cannot give both a training and a test control; they stop the run
 * (naming them) unless the spec drops them. The draws come from split.seed when the spec fixes it (the
 * reference fixes its split and varies only the training seed), else from the run's seed.
 */
export function assignSets(
  p: Profiles,
  roles: Roles,
  settings: RunSpec['split'],
  seed: number,
): { profiles: Profiles; droppedPlates: string[] } {
  const isControl = controlMask(p, roles);
  if (!isControl.some(Boolean)) {
    const seen = [...new Set(metaColumn(p, roles.control.column).map(String))].slice(0, 8).join(', ');
    throw new DataError(
      `no control wells: no value of column '${roles.control.column}' is one of ${JSON.stringify(roles.control.values)} (values seen: ${seen})`,
    );
  }
  const small = smallPlates(p, roles, isControl);
  let table = p;
  if (small.length && settings.small_plates === 'error') {
    throw new DataError(
      `plate${small.length > 1 ? 's' : ''} ${small.map((s) => `'${s.plate}' (${s.controls} control${s.controls === 1 ? '' : 's'})`).join(', ')} ` +
        `of column '${roles.plate}' cannot give both a training and a test control; set split.small_plates: drop to leave them out`,
    );
  }
  if (small.length) {
    const gone = new Set(small.map((s) => s.plate));
    table = selectWells(p, Int32Array.from(metaColumn(p, roles.plate).flatMap((v, i) => (gone.has(String(v)) ? [] : [i]))));
  }
  const sets = splitWells(metaColumn(table, roles.plate), controlMask(table, roles), settings, stream(settings.seed ?? seed, 'split'));
  for (const needed of ['train', 'val', 'test_ctrl'] as const) {
    if (!sets.includes(needed)) {
      const n = sets.filter((s) => s !== 'test_treat').length;
      throw new DataError(`too few control wells: the split of ${n} controls leaves no '${needed}' well; more controls or other split fractions are needed`);
    }
  }
  return { profiles: { ...table, metadata: { ...table.metadata, [SET_COLUMN]: sets } }, droppedPlates: small.map((s) => s.plate) };
}

function smallPlates(p: Profiles, roles: Roles, isControl: boolean[]): { plate: string; controls: number }[] {
  return [...groupRows(metaColumn(p, roles.plate))].flatMap(([plate, rows]) => {
    const controls = rows.filter((i) => isControl[i]).length;
    return controls < 2 ? [{ plate: String(plate), controls }] : [];
  });
}

/** Stage `split`: the wells' sets in `Metadata_set`; plates left out go into the manifest. */
export const splitStage: Stage<{ loaded: Profiles }, { split: Profiles }, object> = {
  name: 'split',
  reads: ['split'],
  uses: () => ({ loaded: true }),
  cacheKey: (ctx) => ({ seed: ctx.spec.split.seed ?? ctx.seed }),
  run({ loaded }, ctx) {
    const { profiles, droppedPlates } = assignSets(loaded, ctx.roles, ctx.spec.split, ctx.seed);
    return { values: { split: profiles }, data: { dropped_plates: droppedPlates } };
  },
};
