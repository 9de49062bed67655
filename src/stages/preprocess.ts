import { metaColumn, type Profiles } from '../data/profiles.ts';
import { controlMask, type Roles, SET_COLUMN } from '../data/roles.ts';
import { type FeatureSelection, keepFeatures, selectFeatures } from '../preprocess/feature_select.ts';
import { normalize } from '../preprocess/normalize.ts';
import type { RunSpec } from '../spec/types.ts';

type FitOn = RunSpec['normalize']['fit_on'] | RunSpec['feature_select']['fit_on'];

/** Row indices of the wells a scaler or a selection is fitted on. */
export function fitRows(p: Profiles, roles: Roles, fitOn: FitOn): Int32Array {
  const sets = metaColumn(p, SET_COLUMN);
  const isControl = controlMask(p, roles);
  const pick: Record<FitOn, (i: number) => boolean> = {
    // A cap on the training set (split.max_train_wells) is for the autoencoder: scalers still see every
    // control the split gave to training.
    train_controls: (i) => sets[i] === 'train' || sets[i] === 'unused',
    all_controls: (i) => isControl[i],
    test_controls: (i) => sets[i] === 'test_ctrl',
    all_wells: () => true,
  };
  return Int32Array.from(sets.flatMap((_, i) => (pick[fitOn](i) ? [i] : [])));
}

/** Stage `normalize` (method §2.3): the spec's method, per plate or global, fitted on the spec's wells. */
export function normalizeProfiles(p: Profiles, roles: Roles, settings: RunSpec['normalize']): Profiles {
  return normalize(p, settings, { plateColumn: roles.plate, fitRows: fitRows(p, roles, settings.fit_on) });
}

/** Stage `select` (method §2.4): pycytominer's operations in order; every dropped feature keeps its reason. */
export function selectProfileFeatures(
  p: Profiles,
  roles: Roles,
  settings: RunSpec['feature_select'],
): { profiles: Profiles; selection: FeatureSelection } {
  const selection = selectFeatures(p, settings, fitRows(p, roles, settings.fit_on));
  return { profiles: keepFeatures(p, selection.kept), selection };
}
