import { describe, expect, it } from 'vitest';
import { splitWells } from '../src/preprocess/split.ts';
import { stream } from '../src/random/streams.ts';

describe('split of control wells (DESIGN §2.2)', () => {
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
