import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import schema from '../schemas/experiment.schema.json' with { type: 'json' };
import { simulateScreen, type SyntheticSettings } from '../src/data/synthetic.ts';
import { metaColumn, type Profiles } from '../src/data/profiles.ts';
import { column } from '../src/numeric/matrix.ts';
import { mean } from '../src/numeric/stats.ts';
import { symmetricEigen } from '../src/numeric/linalg.ts';

function defaults(): SyntheticSettings {
  const ajv = new Ajv2020({ useDefaults: true, strict: true, strictRequired: false, allowUnionTypes: true });
  const spec = { experiment: 't' } as { experiment: string; dataset?: { synthetic: SyntheticSettings } };
  ajv.compile(schema)(spec);
  return spec.dataset!.synthetic;
}

/** Per plate, subtract the control mean and divide by the control SD: undoes raw units and plate offsets. */
function standardizedByControls(p: Profiles): Float64Array[] {
  const plate = metaColumn(p, 'Metadata_Plate');
  const control = metaColumn(p, 'Metadata_role').map((r) => r === 'control');
  return p.features.map((_, j) => {
    const x = column(p.values, j);
    const out = new Float64Array(x.length);
    for (const pl of new Set(plate)) {
      const rows = plate.flatMap((v, i) => (v === pl ? [i] : []));
      const ref = rows.filter((i) => control[i]).map((i) => x[i]);
      const m = mean(ref);
      const sd = Math.sqrt(mean(ref.map((v) => (v - m) ** 2)));
      for (const i of rows) out[i] = (x[i] - m) / sd;
    }
    return out;
  });
}

describe('simulated screen', () => {
  const settings = { ...defaults(), plates: 8, controls_per_plate: 40, compounds_per_moa: 6, replicates: 6 };
  const screen = simulateScreen(settings, 7);
  const kind = metaColumn(screen, 'Metadata_moa_kind');
  const z = standardizedByControls(screen);
  const rowsOf = (k: string) => kind.flatMap((v, i) => (v === k ? [i] : []));

  it('lays out plates, controls, compounds and replicates as declared', () => {
    const s = settings;
    const treated = s.moas * s.compounds_per_moa * s.replicates;
    expect(screen.values.rows).toBe(s.plates * s.controls_per_plate + treated);
    expect(screen.values.cols).toBe(s.features);
    expect(rowsOf('control')).toHaveLength(s.plates * s.controls_per_plate);
    expect(new Set(metaColumn(screen, 'Metadata_moa').filter((m) => m !== null)).size).toBe(s.moas);
    // Replicates of a compound sit on different plates.
    const pert = metaColumn(screen, 'Metadata_pert');
    const plate = metaColumn(screen, 'Metadata_Plate');
    const c1 = pert.flatMap((v, i) => (v === 'C0001' ? [plate[i]] : []));
    expect(new Set(c1).size).toBe(s.replicates);
    // Well positions are unique on each plate.
    const wells = metaColumn(screen, 'Metadata_Well');
    const keys = wells.map((w, i) => `${plate[i]}/${w}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is a deterministic function of the seed', () => {
    const again = simulateScreen(settings, 7);
    expect(again.values.data).toEqual(screen.values.data);
    expect(simulateScreen(settings, 8).values.data).not.toEqual(screen.values.data);
  });

  it('mean-shifting MoAs move feature means; dependency MoAs keep each feature at the controls mean and variance', () => {
    const meanAbs = (rows: number[]) => mean(z.map((f) => Math.abs(mean(rows.map((i) => f[i])))));
    const meanVar = (rows: number[]) =>
      mean(
        z.map((f) => {
          const m = mean(rows.map((i) => f[i]));
          return mean(rows.map((i) => (f[i] - m) ** 2));
        }),
      );
    const ms = rowsOf('mean_shift');
    const dep = rowsOf('dependency');
    // Per compound, the mean shift is large in standardized units…
    const compoundMeanShift = (rows: number[]) => {
      const pert = metaColumn(screen, 'Metadata_pert');
      const groups = new Map<string, number[]>();
      for (const i of rows) groups.set(String(pert[i]), [...(groups.get(String(pert[i])) ?? []), i]);
      return mean([...groups.values()].map(meanAbs));
    };
    expect(compoundMeanShift(ms)).toBeGreaterThan(0.6);
    // …and across all dependency-changing wells, every feature stays near mean 0 and variance 1.
    expect(meanAbs(dep)).toBeLessThan(0.2);
    expect(Math.abs(meanVar(dep) - 1)).toBeLessThan(0.15);
  });

  it('dependency MoAs move wells off the controls’ correlation structure; mean shifts stay on it', () => {
    // The controls' structure: their top-`factors` principal subspace. A well's share of energy outside it
    // is what no model of the controls' dependencies can explain.
    const controls = rowsOf('control');
    const f = z.length;
    const cov = new Float64Array(f * f);
    for (const i of controls) for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) cov[a * f + b] += z[a][i] * z[b][i];
    const { vectors } = symmetricEigen(cov, f);
    const offStructure = (i: number) => {
      let total = 0;
      let on = 0;
      for (let a = 0; a < f; a++) total += z[a][i] ** 2;
      for (let k = 0; k < settings.factors; k++) {
        let proj = 0;
        for (let a = 0; a < f; a++) proj += vectors[k * f + a] * z[a][i];
        on += proj ** 2;
      }
      return (total - on) / total;
    };
    const share = (rows: number[]) => mean(rows.map(offStructure));
    expect(share(rowsOf('dependency'))).toBeGreaterThan(1.3 * share(controls));
    expect(share(rowsOf('mean_shift'))).toBeLessThan(share(controls) * 1.1);
  });
});

describe('simulated screen: doses, batches and plate capacity', () => {
  const base = defaults();

  it('tests each compound at every dose, the effect growing with dose', () => {
    const s = { ...base, doses: 3, plates: 8, controls_per_plate: 40, dependency_share: 0 };
    const screen = simulateScreen(s, 3);
    const dose = metaColumn(screen, 'Metadata_dose');
    expect([...new Set(dose)].sort((a, b) => Number(a) - Number(b))).toEqual([0, 10 / 9, 10 / 3, 10]);
    expect(dose.filter((d) => d === 10)).toHaveLength(s.moas * s.compounds_per_moa * s.replicates);
    // Mean-shift size (distance of treated wells from the control mean, standardized) increases with dose.
    const z = standardizedByControls(screen);
    const shift = (d: number) => {
      const rows = dose.flatMap((v, i) => (v === d ? [i] : []));
      const pert = metaColumn(screen, 'Metadata_pert');
      const groups = new Map<string, number[]>();
      for (const i of rows) groups.set(String(pert[i]), [...(groups.get(String(pert[i])) ?? []), i]);
      return mean([...groups.values()].map((g) => mean(z.map((f) => Math.abs(mean(g.map((i) => f[i])))))));
    };
    expect(shift(10 / 9)).toBeLessThan(shift(10 / 3));
    expect(shift(10 / 3)).toBeLessThan(shift(10));
  });

  it('groups plates into batches and refuses a layout that does not fit a plate', () => {
    const screen = simulateScreen({ ...base, plates: 6, batches: 3 }, 1);
    const batch = metaColumn(screen, 'Metadata_Batch');
    const plate = metaColumn(screen, 'Metadata_Plate');
    expect(new Set(batch)).toEqual(new Set(['B1', 'B2', 'B3']));
    const platesOf = (b: string) => new Set(plate.filter((_, i) => batch[i] === b));
    expect(platesOf('B1')).toEqual(new Set(['P001', 'P002']));
    expect(() => simulateScreen({ ...base, plates: 1, controls_per_plate: 300 }, 1)).toThrow(/plate 1 would hold 492 wells but a plate has 384/);
  });
});
