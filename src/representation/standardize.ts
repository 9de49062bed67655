import type { NormalizeSettings } from '../preprocess/normalize.ts';

/** Both representations are put on the scale of the held-out controls by a plain z-score (method §2.6). */
export const STANDARDIZE: Omit<NormalizeSettings, 'by_plate'> = {
  method: 'standardize',
  mad_epsilon: 0,
  spherize: { method: 'ZCA', epsilon: 0, center: true },
};
