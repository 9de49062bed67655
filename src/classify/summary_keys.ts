/**
 * The keys of `metrics.moa` that describe the classification as a whole; every other key is a
 * representation (or fusion) holding `<classifier>` scores. Shared by the stage that writes the metrics and
 * the report that reads them.
 */
export const MOA_SUMMARY_KEYS = [
  'note',
  'classes',
  'class_wells',
  'class_compounds',
  'n_wells',
  'n_profiles',
  'n_compounds',
  'compound_set',
  'dropped',
  'n_folds',
  'baseline',
  'comparisons',
] as const;
