import { metaColumn, type Profiles } from '../data/profiles.ts';
import { controlMask, type Roles, SET_COLUMN } from '../data/roles.ts';
import type { RunSpec } from '../spec/types.ts';

export type FitOn = RunSpec['normalize']['fit_on'] | RunSpec['feature_select']['fit_on'];

/** Row indices of the wells a scaler or a feature selection is fitted on (`fit_on`), by the split's sets. */
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
