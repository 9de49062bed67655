import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

/** `../shared` beside the checkout: reference data and oracles that a user's clone does not have. */
export const sharedDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared');
export const hasShared = existsSync(join(sharedDir, 'DESIGN.md'));

export function sharedPath(...parts: string[]): string {
  return join(sharedDir, ...parts);
}

/** A describe block that is skipped, with the reason in its name, when ../shared is absent. */
export function describeWithShared(name: string, fn: () => void): void {
  if (hasShared) describe(name, fn);
  else describe.skip(`${name} [skipped: ${sharedDir} is absent; it holds the reference data]`, fn);
}

/** The `dataset:` section for ../shared/data/bbbc021 (positional features left out, as the parity cases do). */
export function bbbc021Dataset(): string[] {
  return [
    'dataset:',
    '  source: file',
    `  path: ${sharedPath('data/bbbc021/profiles.csv.gz')}`,
    '  columns: { plate: Image_Metadata_Plate, well: Image_Metadata_Well, perturbation: Compound, moa: moa, dose: Concentration }',
    '  control: { column: Compound, values: [DMSO] }',
    "  features: { exclude: ['_Location_', '_Center_'] }",
  ];
}

/** The `dataset:` section for ../shared/data/jump-scope (plate = acquisition, DMSO negative controls). */
export function jumpscopeDataset(extra: readonly string[] = []): string[] {
  return [
    'dataset:',
    '  source: file',
    `  path: ${sharedPath('data/jump-scope/profiles.csv.gz')}`,
    '  columns: { plate: Metadata_plate_id, perturbation: Metadata_broad_sample, moa: Metadata_moa }',
    '  control: { column: Metadata_control_type, values: [negcon] }',
    ...extra.map((l) => `  ${l}`),
  ];
}
