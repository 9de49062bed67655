import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Profiles } from '../src/data/profiles.ts';
import { type Roles, SET_COLUMN } from '../src/data/roles.ts';
import { matrix } from '../src/numeric/matrix.ts';
import { splitWells } from '../src/preprocess/split.ts';
import { stream } from '../src/random/streams.ts';
import { loadSpec } from '../src/spec/load.ts';
import { validateExperiment } from '../src/spec/schema.ts';
import type { ResolvedSpec } from '../src/spec/types.ts';
import { assignSets } from '../src/stages/split.ts';
import { root } from './support/cli.ts';

describe('split of control wells (method §2.2)', () => {
  // 4 plates × 20 controls + 10 treated per plate.
  const plates = Array.from({ length: 120 }, (_, i) => `P${Math.floor(i / 30)}`);
  const isControl = Array.from({ length: 120 }, (_, i) => i % 30 < 20);
  const sets = splitWells(plates, isControl, { test_fraction: 0.5, val_fraction: 0.1, max_train_wells: null }, stream(1, 'split'));
  const count = (set: string, plate?: string) => sets.filter((s, i) => s === set && (!plate || plates[i] === plate)).length;

  it('makes every non-control well test_treat and only those', () => {
    sets.forEach((s, i) => expect(s === 'test_treat').toBe(!isControl[i]));
  });

  it('holds out half of the controls, stratified by plate, then 10% of the rest for validation', () => {
    expect(count('test_ctrl')).toBe(40);
    for (const p of ['P0', 'P1', 'P2', 'P3']) {
      expect(count('test_ctrl', p)).toBe(10);
      expect(count('val', p) + count('train', p)).toBe(10);
      expect(count('val', p)).toBe(1);
    }
    expect(count('val')).toBe(4); // ceil(0.1 × 40)
    expect(count('train')).toBe(36);
  });

  it('shares a remainder across plates so the totals match ceil(fraction · n)', () => {
    const p = Array.from({ length: 18 }, (_, i) => `P${i % 3}`); // 3 plates × 6 controls, like bbbc021
    const s = splitWells(p, p.map(() => true), { test_fraction: 0.5, val_fraction: 0.1, max_train_wells: null }, stream(3, 'split'));
    expect(s.filter((x) => x === 'test_ctrl')).toHaveLength(9);
    expect(s.filter((x) => x === 'val')).toHaveLength(1); // ceil(0.1 × 9)
    for (const plate of ['P0', 'P1', 'P2']) expect(s.filter((x, i) => x === 'test_ctrl' && p[i] === plate)).toHaveLength(3);
  });

  it('caps the training set, stratified by plate, leaving the rest unused', () => {
    const capped = splitWells(plates, isControl, { test_fraction: 0.5, val_fraction: 0.1, max_train_wells: 20 }, stream(1, 'split'));
    expect(capped.filter((s) => s === 'train')).toHaveLength(20);
    expect(capped.filter((s) => s === 'unused')).toHaveLength(16);
    for (const p of ['P0', 'P1', 'P2', 'P3']) expect(capped.filter((s, i) => s === 'train' && plates[i] === p)).toHaveLength(5);
    expect(capped.filter((s) => s === 'test_ctrl')).toHaveLength(40);
  });

  it('is a function of the seed', () => {
    const again = splitWells(plates, isControl, { test_fraction: 0.5, val_fraction: 0.1, max_train_wells: null }, stream(1, 'split'));
    const other = splitWells(plates, isControl, { test_fraction: 0.5, val_fraction: 0.1, max_train_wells: null }, stream(2, 'split'));
    expect(again).toEqual(sets);
    expect(other).not.toEqual(sets);
  });
});

describe('split.seed (the split fixed across run seeds, as the reference fixes it)', () => {
  // 3 plates × (8 controls + 4 treated).
  const n = 36;
  const p: Profiles = {
    metadata: {
      Metadata_Plate: Array.from({ length: n }, (_, i) => `P${Math.floor(i / 12)}`),
      Metadata_role: Array.from({ length: n }, (_, i) => (i % 12 < 8 ? 'ctrl' : 'trt')),
      Metadata_pert: Array.from({ length: n }, (_, i) => (i % 12 < 8 ? 'DMSO' : `c${i % 4}`)),
    },
    features: ['f'],
    values: matrix(n, 1, new Float64Array(n)),
  };
  const roles: Roles = {
    plate: 'Metadata_Plate', well: 'Metadata_Well', perturbation: 'Metadata_pert', moa: null, dose: null, batch: null,
    control: { column: 'Metadata_role', values: ['ctrl'] }, replicateBy: ['Metadata_pert'],
  };
  const settings = (seed: number | null) => ({ test_fraction: 0.5, val_fraction: 0.1, small_plates: 'error' as const, max_train_wells: null, seed });
  const setsOf = (seed: number | null, runSeed: number) => assignSets(p, roles, settings(seed), runSeed).profiles.metadata[SET_COLUMN];

  it('with split.seed set, runs with different seeds get the same split', () => {
    const a = setsOf(42, 1);
    expect(setsOf(42, 2)).toEqual(a);
    expect(setsOf(42, 3)).toEqual(a);
    // …the split split.seed's stream draws, whatever the run's seed.
    expect(a).toEqual(setsOf(null, 42));
  });

  it('a different split.seed gives a different split; null follows the run seed', () => {
    expect(setsOf(43, 1)).not.toEqual(setsOf(42, 1));
    expect(setsOf(null, 1)).not.toEqual(setsOf(null, 2));
    expect(setsOf(null, 7)).toEqual(setsOf(7, 99));
  });

  it('is null by default, and the reference reproduction fixes it at 42', () => {
    const spec = validateExperiment({ experiment: 'x' }).value as ResolvedSpec;
    expect(spec.split.seed).toBeNull();
    const paper = loadSpec(join(root, 'experiments/paper/reference.yaml')).spec;
    expect(paper.split.seed).toBe(42);
  });
});
