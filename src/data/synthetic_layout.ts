import type { ResolvedSpec } from '../spec/types.ts';

type SyntheticSettings = ResolvedSpec['dataset']['synthetic'];

/**
 * Why the screen's wells do not fit its plates, or null. Every plate holds its controls, and the treated wells
 * go round the plates in turn (simulateScreen), so the first plate holds the most: the controls and
 * ⌈treated wells / plates⌉. Known from the settings alone, so `validate` says it too.
 */
export function overfullPlate(s: SyntheticSettings): string | null {
  const treated = s.moas * s.compounds_per_moa * s.doses * s.replicates;
  const most = s.controls_per_plate + Math.ceil(treated / s.plates);
  return most > s.wells_per_plate ? `plate 1 would hold ${most} wells but a plate has ${s.wells_per_plate}; add plates or wells_per_plate` : null;
}
