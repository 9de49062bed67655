import { UserError } from '../errors.ts';
import { matrix } from '../numeric/matrix.ts';
import { permutation, stream } from '../random/streams.ts';
import type { ResolvedSpec } from '../spec/types.ts';
import type { MetaValue, Profiles } from './profiles.ts';
import { compoundName, doseStep, factorLoadings, moaName, plateName, rowName, type SyntheticSettings } from './synthetic.ts';

export type ExpressionSettings = ResolvedSpec['modalities'][string]['synthetic'];

/** A 384-well plate's layout: 16 rows × 24 columns. */
const PLATE_WELLS = 384;
const PLATE_COLUMNS = 24;

/**
 * A simulated L1000-like table of the simulated screen's compounds (simulateScreen's names, MoAs and doses),
 * in the layout of replicate_level_l1k.csv.gz: pert_id (DMSO for controls), pert_dose, det_plate, det_well,
 * pert_type, moa, and one `<probe>_at` column per gene.
 *
 * Controls follow a factor model of the genes (x = W z + √noise·ε, every gene of unit variance); a compound
 * shifts every gene by effect·strength·e_c, e_c ~ N(0, 1) per gene sharing moa_coherence with its MoA, full
 * at the top dose. The first silent_share of the MoAs shift nothing: expression cannot place them, while
 * the screen's own silent MoAs (the last ones) leave morphology unchanged. Plates add per-gene offsets.
 * Everything is drawn from the stream `simulation/modality/<name>`, so the Cell Painting table does not
 * change when a modality is added.
 */
export function simulateExpression(screen: SyntheticSettings, s: ExpressionSettings, seed: number, name: string): Profiles {
  const rs = stream(seed, `simulation/modality/${name}`);
  const g = s.genes;
  const k = s.factors;
  const loadings = factorLoadings(rs, g, k, 1 - s.noise);
  const plateOffsets = Array.from({ length: s.plates }, () => Float64Array.from({ length: g }, () => s.plate_effect * rs.normal()));
  const silentUpTo = Math.round(screen.moas * s.silent_share);
  const shared = Array.from({ length: screen.moas }, () => Float64Array.from({ length: g }, () => rs.normal()));

  const wells: { plate: number; pert: string; moa: string | null; dose: number; shift: Float64Array | null }[] = [];
  for (let p = 0; p < s.plates; p++) for (let c = 0; c < s.controls_per_plate; c++) wells.push({ plate: p, pert: 'DMSO', moa: null, dose: 0, shift: null });
  let compound = 0;
  for (let m = 0; m < screen.moas; m++) {
    for (let c = 0; c < screen.compounds_per_moa; c++, compound++) {
      const own = Float64Array.from({ length: g }, () => rs.normal());
      const direction = own.map((v, j) => Math.sqrt(s.moa_coherence) * shared[m][j] + Math.sqrt(1 - s.moa_coherence) * v);
      for (let d = 0; d < screen.doses; d++) {
        const { dose, strength } = doseStep(d, screen.doses);
        const shift = m < silentUpTo ? null : direction.map((v) => s.effect * strength * v);
        for (let r = 0; r < s.replicates; r++) {
          const plate = ((compound * screen.doses + d) * s.replicates + r) % s.plates;
          wells.push({ plate, pert: compoundName(compound), moa: moaName(m), dose, shift });
        }
      }
    }
  }

  const data = new Float64Array(wells.length * g);
  const z = new Float64Array(k);
  wells.forEach((w, i) => {
    for (let t = 0; t < k; t++) z[t] = rs.normal();
    for (let j = 0; j < g; j++) {
      let v = 0;
      for (let t = 0; t < k; t++) v += loadings[j * k + t] * z[t];
      v += Math.sqrt(s.noise) * rs.normal() + plateOffsets[w.plate][j] + (w.shift ? w.shift[j] : 0);
      data[i * g + j] = v;
    }
  });
  return { metadata: metadata(rs, wells, s.plates, name), features: probeNames(g), values: matrix(wells.length, g, data) };
}

/** Affymetrix-style probe ids, as L1000's landmark genes are named (200814_at, …). */
function probeNames(g: number): string[] {
  return Array.from({ length: g }, (_, j) => `${200000 + j}_at`);
}

function metadata(
  rs: ReturnType<typeof stream>,
  wells: { plate: number; pert: string; moa: string | null; dose: number }[],
  plates: number,
  name: string,
): Record<string, MetaValue[]> {
  const byPlate: number[][] = Array.from({ length: plates }, () => []);
  wells.forEach((w, i) => byPlate[w.plate].push(i));
  const positions: string[] = new Array(wells.length);
  byPlate.forEach((onPlate, p) => {
    if (onPlate.length > PLATE_WELLS) {
      throw new UserError(`modalities.${name}.synthetic: plate ${p + 1} would hold ${onPlate.length} wells but a plate has ${PLATE_WELLS}; add plates`, 2);
    }
    const order = permutation(rs, PLATE_WELLS);
    onPlate.forEach((i, n) => {
      positions[i] = `${rowName(Math.floor(order[n] / PLATE_COLUMNS))}${String((order[n] % PLATE_COLUMNS) + 1).padStart(2, '0')}`;
    });
  });
  return {
    pert_id: wells.map((w) => w.pert),
    pert_dose: wells.map((w) => w.dose),
    det_plate: wells.map((w) => `L1K_${plateName(w.plate)}`),
    det_well: positions,
    pert_type: wells.map((w) => (w.pert === 'DMSO' ? 'ctl_vehicle' : 'trt_cp')),
    moa: wells.map((w) => w.moa),
  };
}
