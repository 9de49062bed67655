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
