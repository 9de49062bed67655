import { resolve } from 'node:path';
import { withPreset } from '../data/presets.ts';
import { type Composed, composeSpec } from './compose.ts';
import { applyOverrides, overridesOf } from './overrides.ts';
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
 * Reads a spec file with its `extends`, applies `--set path=value` overrides (and, with `searched`, the best
 * settings of its finished hyper-parameter search in place of the search), validates it against the schema
 * with defaults filled, and checks what the schema cannot (data file, sweep). Any problem is a `SpecError`
 * located in the file (or override) that has to change.
 */
export function loadSpec(file: string, overrides: readonly string[] = [], searched?: Readonly<Record<string, unknown>>): LoadedSpec {
  const composed = applyOverrides(composeSpec(file), overrides);
  // A finished search's best settings, applied as overrides once the search is taken out of the sweep.
  const { value, sites } = searched ? applyOverrides(withoutSearch(composed), overridesOf(searched)) : composed;
  const spec = resolveSpec(withPreset(value), sites);
  checkSweep(spec, sites);
  return { file: resolve(file), spec, sites };
}

/** The composed spec without `sweep.search`: the runs after a search are the rest of the sweep's. */
function withoutSearch(composed: Composed): Composed {
  const sweep = composed.value.sweep as Record<string, unknown> | undefined;
  if (!sweep || !('search' in sweep)) return composed;
  const { search: _search, ...rest } = sweep;
  return { ...composed, value: { ...composed.value, sweep: rest } };
}
