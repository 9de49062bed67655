import { metaColumn, type Profiles } from '../data/profiles.ts';
import { controlMask, type Roles, SET_COLUMN } from '../data/roles.ts';
import { range } from '../numeric/matrix.ts';
import type { RunSpec } from '../spec/types.ts';

export type FitOn = RunSpec['normalize']['fit_on'] | RunSpec['feature_select']['fit_on'];

/** Row indices of the wells a scaler or a feature selection is fitted on (`fit_on`), by the split's sets. */
export function fitRows(p: Profiles, roles: Roles, fitOn: FitOn): Int32Array {
  const sets = metaColumn(p, SET_COLUMN);
  if (fitOn === 'all_wells') return range(sets.length);
  const pick: Record<Exclude<FitOn, 'all_wells'>, () => (i: number) => boolean> = {
    // A cap on the training set (split.max_train_wells) is for the autoencoder: scalers still see every
    // control the split gave to training.
    train_controls: () => (i) => sets[i] === 'train' || sets[i] === 'unused',
    all_controls: () => {
      const isControl = controlMask(p, roles);
      return (i) => isControl[i];
    },
    test_controls: () => (i) => sets[i] === 'test_ctrl',
  };
  const picked = pick[fitOn]();
  const out = new Int32Array(sets.length);
  let count = 0;
  for (let i = 0; i < sets.length; i++) if (picked(i)) out[count++] = i;
  return out.slice(0, count);
}
