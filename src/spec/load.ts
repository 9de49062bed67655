import { resolve } from 'node:path';
import { withPreset } from '../data/presets.ts';
import { composeSpec } from './compose.ts';
import { applyOverrides } from './overrides.ts';
import { resolveSpec } from './resolve.ts';
import type { SiteTree } from './sites.ts';
import { checkSweep } from './sweep-check.ts';
import type { ResolvedSpec } from './types.ts';

export interface LoadedSpec {
  /** The spec file, absolute. */
  readonly file: string;
  /** Fully defaulted, `extends` and overrides applied: what runs and what is saved. */
  readonly spec: ResolvedSpec;
  /** Where every setting was written, to locate errors found later (e.g. in one sweep point). */
  readonly sites: SiteTree;
}

/**
 * Reads a spec file with its `extends`, applies `--set path=value` overrides, validates it against the schema
 * with defaults filled, and checks what the schema cannot (data file, sweep). Any problem is a `SpecError`
 * located in the file (or override) that has to change.
 */
export function loadSpec(file: string, overrides: readonly string[] = []): LoadedSpec {
  const { value, sites } = applyOverrides(composeSpec(file), overrides);
  const spec = resolveSpec(withPreset(value), sites);
  checkSweep(spec, sites);
  return { file: resolve(file), spec, sites };
}
