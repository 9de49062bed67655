import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { frameToProfiles, readFrame } from '../src/data/io.ts';
import { type MetaValue, type Profiles, selectWells, whereRows } from '../src/data/profiles.ts';
import type { Roles } from '../src/data/roles.ts';
import { type MapOptions, type MapResult, moaConsistency, phenotypicActivity } from '../src/evaluate/map.ts';
import { resolveSetting, validateSetting } from '../src/spec/schema.ts';
import type { ResolvedSpec } from '../src/spec/types.ts';
import { evaluateRepresentations } from '../src/stages/evaluate.ts';
import { describeWithShared, sharedPath } from './support/shared.ts';

/**
 * mAP against copairs 0.5.2's own outputs (../shared/parity/copairs, made by its make_oracle.py with the
 * calls its README lists) on the reference pipeline's representation tables. Given the same inputs, per-well
 * AP and per-group mAP must equal copairs' to 1e-9. The p-values come from a null drawn from this project's
 * streams, not numpy's, so they are compared within the null's sampling noise, and the number of
 * significant groups within the spread the README measured over copairs seeds 1–10.
 */

const PERT = 'Metadata_pert';
const MOA = 'Metadata_moa';
const OPTS: MapOptions = { null_size: 10000, threshold: 0.05, seed: 0 };
const DIR = 'parity/copairs';

const INPUTS = [
  { dataset: 'jumpscope', rep: 'cellprofiler', table: 'replicate_level_cp_augmented_baseline' },
  { dataset: 'jumpscope', rep: 'anomaly_seed42', table: 'anomaly_seed42_final_weights' },
  { dataset: 'bbbc021', rep: 'cellprofiler', table: 'replicate_level_cp_augmented_baseline' },
  { dataset: 'bbbc021', rep: 'anomaly_seed42', table: 'anomaly_seed42_final_weights' },
] as const;

/**
 * Significant groups (BH-corrected p < 0.05) that another null draw may add or remove. README: over copairs
 * seeds 1–10 activity counts move by at most 2, and jump-scope anomaly consistency ranges from 5 to 10. The
 * other consistency counts get the activity spread, except that jump-scope CellProfiler's 2 cannot go down:
 * both MoAs have mAP 1, which no null value exceeds, so p = 1/(null_size + 1) whatever the draws.
 */
function allowedCount(tag: string, kind: 'activity' | 'consistency', oracle: number): [number, number] {
  if (kind === 'consistency' && tag === 'jumpscope_anomaly_seed42') return [5, 10];
  if (kind === 'consistency' && tag === 'jumpscope_cellprofiler') return [oracle, oracle + 2];
  return [oracle - 2, oracle + 2];
}

/** copairs' inputs: every non-Metadata_ column as float64; controls are Metadata_role == 'mock'. */
function loadInput(dataset: string, table: string): Profiles {
  const df = readFrame(sharedPath('parity/reference-pipeline', dataset, `${table}.csv.gz`));
  const p = frameToProfiles(df, df.columns.filter((c) => !c.startsWith('Metadata_')));
  // As the oracle: jump-scope's controls have no Metadata_pert, copairs needs one.
  const role = p.metadata.Metadata_role;
  const pert = p.metadata[PERT].map((v, i) => (role[i] === 'mock' && (v === null || v === '') ? 'DMSO' : v));
  return { ...p, metadata: { ...p.metadata, [PERT]: pert } };
}

type Row = Record<string, MetaValue | boolean>;

function readOracle(name: string): Row[] {
  const df = readFrame(sharedPath(DIR, `${name}.csv`));
  const cols = Object.fromEntries(df.columns.map((c) => [c, df.getColumn(c).toArray() as (MetaValue | boolean)[]]));
  return Array.from({ length: df.height }, (_, i) => Object.fromEntries(df.columns.map((c) => [c, cols[c][i]])));
}

const num = (v: MetaValue | boolean): number => (v === null || v === '' ? NaN : Number(v));

/** Binomial noise of a p-value from `n` null draws, for the difference of two independent nulls. */
function pTolerance(p: number, n: number): number {
  return 4.5 * Math.sqrt((2 * p * (1 - p)) / n) + 3 / n;
}

/** Checks a MapResult's groups against copairs' `map_*` table; returns the measured figures. */
function compareGroups(ours: MapResult, oracle: Row[], keyColumn: string, sizeColumn: string) {
  const byKey = new Map(ours.groups.filter((g) => g.n_queries > 0).map((g) => [String(g.by[keyColumn]), g]));
  expect(byKey.size).toBe(oracle.length);
  let maxMapDiff = 0;
  let worstP = 0;
  const significant = { ours: new Set<string>(), oracle: new Set<string>() };
  for (const o of oracle) {
    const key = String(o[keyColumn]);
    const g = byKey.get(key);
    expect(g, key).toBeDefined();
    expect(g!.n_queries, key).toBe(num(o[sizeColumn]));
    maxMapDiff = Math.max(maxMapDiff, Math.abs(g!.mean_average_precision - num(o.mean_average_precision)));
    const po = num(o.p_value);
    worstP = Math.max(worstP, Math.abs(g!.p_value - po) / pTolerance(po, OPTS.null_size));
    if (g!.significant) significant.ours.add(key);
    if (o.below_corrected_p === true || o.below_corrected_p === 'True') significant.oracle.add(key);
  }
  expect(maxMapDiff).toBeLessThan(1e-9);
  // Within the null's sampling noise everywhere. Counting null values ≥ mAP (not >) fails this at once: a
  // mAP of 1 then gets p ≈ 1/list length instead of copairs' 1/(null_size + 1).
  expect(worstP).toBeLessThan(1);
  expect(ours.summary.n_significant).toBe(significant.ours.size);
  const differ = [...significant.ours].filter((k) => !significant.oracle.has(k)).length +
    [...significant.oracle].filter((k) => !significant.ours.has(k)).length;
  return { maxMapDiff, worstP, nOurs: significant.ours.size, nOracle: significant.oracle.size, differ };
}

function summaryOf(tag: string) {
  return JSON.parse(readFileSync(sharedPath(DIR, 'summary.json'), 'utf8')).results[tag];
}

for (const input of INPUTS) {
  const tag = `${input.dataset}_${input.rep}`;
  describeWithShared(`mAP parity with copairs: ${tag}`, () => {
    let p: Profiles;
    beforeAll(() => {
      p = loadInput(input.dataset, input.table);
      expect(p.features.length).toBe(summaryOf(tag).n_features);
    });

    it('activity: per-well AP and per-perturbation mAP equal copairs to 1e-9; significant perturbations within the seed spread', () => {
      const ours = phenotypicActivity(p, { replicate_by: [PERT], control: (r) => r.Metadata_role === 'mock' }, OPTS);
      const apOracle = readOracle(`ap_activity_${tag}`);
      expect(ours.average_precision.filter((v) => !Number.isNaN(v)).length).toBe(apOracle.length);
      let maxApDiff = 0;
      for (const o of apOracle) {
        const i = num(o.row);
        expect(ours.n_pos_pairs[i], `row ${i}`).toBe(num(o.n_pos_pairs));
        expect(ours.n_total_pairs[i], `row ${i}`).toBe(num(o.n_total_pairs));
        maxApDiff = Math.max(maxApDiff, Math.abs(ours.average_precision[i] - num(o.average_precision)));
      }
      expect(maxApDiff).toBeLessThan(1e-9);
      const m = compareGroups(ours, readOracle(`map_activity_${tag}`), PERT, 'n_wells');
      expect(m.nOracle).toBe(summaryOf(tag).activity.n_significant_corrected);
      const [lo, hi] = allowedCount(tag, 'activity', m.nOracle);
      expect(m.nOurs).toBeGreaterThanOrEqual(lo);
      expect(m.nOurs).toBeLessThanOrEqual(hi);
    });

    it('consistency: per-perturbation AP (median profiles) and per-MoA mAP equal copairs to 1e-9; significant MoAs within the seed spread', () => {
      const treated = selectWells(p, whereRows(p.values.rows, (i) => p.metadata.Metadata_role[i] !== 'mock'));
      const ours = moaConsistency(treated, { replicate_by: [PERT], moa: MOA }, OPTS);
      const apOracle = readOracle(`ap_consistency_${tag}`);
      const perts = ours.perturbations.metadata;
      const rowOf = new Map(perts[PERT].map((v, i) => [String(v), i]));
      expect(rowOf.size).toBe(apOracle.length);
      let maxApDiff = 0;
      for (const o of apOracle) {
        const i = rowOf.get(String(o[PERT]))!;
        expect(i, String(o[PERT])).toBeDefined();
        expect(perts[MOA][i]).toBe(o[MOA]);
        expect(perts.n_wells[i]).toBe(num(o.n_wells_aggregated));
        expect(ours.n_pos_pairs[i]).toBe(num(o.n_pos_pairs));
        const expected = num(o.average_precision);
        // A perturbation alone in its MoA has no positive: no AP in copairs, no query here.
        if (Number.isNaN(expected)) {
          expect(ours.average_precision[i]).toBeNaN();
          continue;
        }
        expect(ours.n_total_pairs[i]).toBe(num(o.n_total_pairs));
        maxApDiff = Math.max(maxApDiff, Math.abs(ours.average_precision[i] - expected));
      }
      expect(maxApDiff).toBeLessThan(1e-9);
      const m = compareGroups(ours, readOracle(`map_consistency_${tag}`), MOA, 'n_perts');
      expect(m.nOracle).toBe(summaryOf(tag).consistency.n_significant_corrected);
      const [lo, hi] = allowedCount(tag, 'consistency', m.nOracle);
      expect(m.nOurs).toBeGreaterThanOrEqual(lo);
      expect(m.nOurs).toBeLessThanOrEqual(hi);
    });
  });
}

describeWithShared('mAP parity with copairs: the evaluate stage', () => {
  it("computes copairs' mAP on the tables it is given (jump-scope CellProfiler, no per-plate z-score)", () => {
    const tag = 'jumpscope_cellprofiler';
    const p = loadInput('jumpscope', 'replicate_level_cp_augmented_baseline');
    const roles: Roles = {
      plate: 'Metadata_Plate', well: 'Metadata_Well', perturbation: PERT, moa: MOA, dose: null, batch: null,
      control: { column: 'Metadata_role', values: ['mock'] }, replicateBy: [PERT],
    };
    const setting = resolveSetting('evaluation');
    if (!setting.ok) throw new Error('no evaluation section in the schema');
    const checked = validateSetting(setting.pointer, {
      per_plate_zscore: false, highest_dose_only: false,
      map: { null_size: OPTS.null_size, threshold: OPTS.threshold },
      moa: { enabled: false },
    });
    expect(checked.errors).toEqual([]);
    const evaluation = checked.value as ResolvedSpec['evaluation'];
    const out = evaluateRepresentations({ cellprofiler: p }, roles, evaluation, OPTS.seed);
    for (const kind of ['activity', 'consistency'] as const) {
      const table = out.mapTables[`cellprofiler_${kind}`];
      const key = kind === 'activity' ? PERT : MOA;
      const maps = table.mean_average_precision as Float64Array;
      const ours = new Map((table[key] as readonly MetaValue[]).map((k, g) => [String(k), maps[g]]));
      const oracle = readOracle(`map_${kind}_${tag}`);
      let maxDiff = 0;
      for (const o of oracle) maxDiff = Math.max(maxDiff, Math.abs(ours.get(String(o[key]))! - num(o.mean_average_precision)));
      expect(maxDiff).toBeLessThan(1e-9);
      const summary = out.metrics.map!.cellprofiler[kind]!;
      expect(summary.n).toBe(oracle.length);
      expect(Math.abs(summary.n_retrieved - summaryOf(tag)[kind].n_significant_corrected)).toBeLessThanOrEqual(2);
    }
  });
});
