import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { frameToProfiles, readFrame } from '../src/data/io.ts';
import type { Profiles } from '../src/data/profiles.ts';
import { prepareForEvaluation } from '../src/evaluate/prepare.ts';
import { percentReplicating, type PercentReplicatingOptions } from '../src/evaluate/percent_replicating.ts';
import { describeWithShared, sharedPath } from './support/shared.ts';

/**
 * Percent replicating against the reference pipeline's own outputs (../shared/parity/reference-pipeline):
 * given its representation tables, the evaluation-time preparation and replicate correlations must
 * reproduce its RepCor to 1e-9; with the reference's null sampling (numpy seeds 42…46), its threshold and
 * percent replicating too.
 */

const ROLES = {
  plate: 'Metadata_Plate',
  perturbation: 'Metadata_pert',
  control: (row: Record<string, unknown>) => row.Metadata_role === 'mock',
  replicate_by: ['Metadata_pert'],
};
const REFERENCE: PercentReplicatingOptions = {
  null_draws: 5, percentile: 90, aggregate: 'mean', null_sampling: 'reference', seed: 42, denominator: 'replicate_groups',
};

const CASES = [
  { dataset: 'jumpscope', table: 'anomaly_seed42_final_weights', corr: 'anomaly_seed42', summaryKey: 'ae_diff' },
  { dataset: 'jumpscope', table: 'replicate_level_cp_augmented_baseline', corr: 'cellprofiler', summaryKey: 'baseline' },
  { dataset: 'bbbc021', table: 'anomaly_seed42_final_weights', corr: 'anomaly_seed42', summaryKey: 'ae_diff' },
  { dataset: 'bbbc021', table: 'replicate_level_cp_augmented_baseline', corr: 'cellprofiler', summaryKey: 'baseline' },
] as const;

interface RefRow { key: string; repCor: number; threshold: number; n: number }

function readReference(dataset: string, corr: string): RefRow[] {
  const text = readFileSync(sharedPath('parity/reference-pipeline', dataset, `replicate_correlation_${corr}.csv`), 'utf8');
  const [header, ...lines] = text.trim().split('\n');
  expect(header).toBe('index,RepCor,Rand90Perc,Rep10Perc,n_replicates');
  // The key is everything before the last four fields, in case a perturbation id holds a comma.
  return lines.map((line) => {
    const f = line.split(',');
    return { key: f.slice(0, -4).join(','), repCor: +f.at(-4)!, threshold: +f.at(-3)!, n: +f.at(-1)! };
  });
}

function prepared(dataset: string, table: string): Profiles {
  const df = readFrame(sharedPath('parity/reference-pipeline', dataset, `${table}.csv.gz`));
  // The reference's feature rule: column names containing Cells_, Cytoplasm_ or Nuclei_.
  const features = df.columns.filter((c) => /Cells_|Cytoplasm_|Nuclei_/.test(c));
  return prepareForEvaluation(frameToProfiles(df, features), ROLES, {
    per_plate_zscore: true, highest_dose_only: false, fill_undefined: 'interpolate',
  });
}

for (const c of CASES) {
  describeWithShared(`percent replicating parity: ${c.dataset} ${c.table}`, () => {
    let p: Profiles;
    let ref: RefRow[];
    let refPercent: number;
    beforeAll(() => {
      p = prepared(c.dataset, c.table);
      ref = readReference(c.dataset, c.corr);
      const summary = JSON.parse(readFileSync(sharedPath('parity/reference-pipeline', c.dataset, 'summary.json'), 'utf8'));
      refPercent = summary.percent_replicating_seed_42_final_weights.alldoses[c.summaryKey].PR_among_ge2_pct;
    });

    it('replicate correlations equal the reference RepCor to 1e-9', () => {
      const pr = percentReplicating(p, ROLES.replicate_by, REFERENCE);
      const ours = new Map(pr.groups.map((g) => [g.key, g]));
      expect(ours.size).toBe(ref.length);
      let maxDiff = 0;
      for (const r of ref) {
        const g = ours.get(r.key);
        expect(g, r.key).toBeDefined();
        expect(g!.n_replicates).toBe(r.n);
        maxDiff = Math.max(maxDiff, Math.abs(g!.replicate_correlation - r.repCor));
      }
      expect(maxDiff).toBeLessThan(1e-9);
    });

    it('with the reference null sampling, threshold and percent replicating match the reference', () => {
      const pr = percentReplicating(p, ROLES.replicate_by, REFERENCE);
      expect(pr.null.length).toBe(5 * ((ref.length * (ref.length - 1)) / 2));
      // bbbc021's CellProfiler table has features constant on some plates. The reference interpolates
      // those for the replicate correlations but correlates its null on the gaps pair by pair; here both
      // use the filled table, which moves the threshold by 2e-4 there. Elsewhere it is the same number.
      const tol = c.dataset === 'bbbc021' && c.corr === 'cellprofiler' ? 1e-3 : 1e-12;
      expect(Math.abs(pr.summary.threshold - ref[0].threshold)).toBeLessThan(tol);
      expect(pr.summary.percent).toBeCloseTo(refPercent, 9);
    });

    const independent = (seeds: number[]) =>
      seeds.map((seed) => percentReplicating(p, ROLES.replicate_by, { ...REFERENCE, null_sampling: 'independent', seed }).summary);

    if (c.dataset === 'bbbc021') {
      it('with independent draws, percent replicating is within the null sampling noise', () => {
        for (const s of independent([1, 2, 3, 4, 5])) expect(Math.abs(s.percent - refPercent)).toBeLessThan(5);
      });
    } else {
      it('with independent draws the threshold is lower: the reference draws every null well from one plate', () => {
        // jump-scope lists each compound's wells plate by plate, so the reference's shared within-group
        // position puts all wells of a draw on one plate (see NullSampling); independent draws mix plates.
        for (const s of independent([1, 2, 3, 4, 5])) expect(s.threshold).toBeLessThan(ref[0].threshold);
      });
    }
  });
}
