import { resolve } from 'node:path';
import { expandPattern, whyNoFile } from '../data/files.ts';
import { SpecError } from './errors.ts';
import { issuesFromAjv } from './issues.ts';
import { validateExperiment } from './schema.ts';
import { locate, type SiteTree } from './sites.ts';
import type { ResolvedSpec } from './types.ts';
import { displayPath } from './yaml-file.ts';

/**
 * Validates a composed spec strictly and fills every default; this fully-defaulted value is what runs and what
 * is saved. `extends` has already been applied, so it is not kept. `dataset.path` is made absolute.
 */
export function resolveSpec(composed: Record<string, unknown>, sites: SiteTree): ResolvedSpec {
  const checked = validateExperiment(composed);
  if (!checked.valid) throw new SpecError(issuesFromAjv(checked.errors, checked.value, sites));
  const spec = checked.value as ResolvedSpec & { extends?: unknown };
  delete spec.extends;
  checkReplicatingIn(spec, sites);
  return withAbsoluteDataPath(spec, sites);
}

/** `evaluation.moa.replicating_in` may only name representations the run builds (the schema cannot relate the two). */
function checkReplicatingIn(spec: ResolvedSpec, sites: SiteTree): void {
  const missing = (spec.evaluation.moa.replicating_in ?? []).filter((r) => !spec.representations.includes(r));
  if (missing.length === 0) return;
  const keys = ['evaluation', 'moa', 'replicating_in'];
  const message = `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not among representations (${spec.representations.join(', ')}); the compound filter can only use representations the run builds`;
  throw new SpecError({ where: locate(sites, keys).where, path: keys.join('.'), message });
}

/**
 * `dataset.path` (a path or glob, or a list of them) is written relative to the file that sets it (the working
 * directory for `--set`). The resolved spec stores it absolute, so a saved spec reads the same table from any
 * directory; when the dataset comes from files, every entry must name at least one.
 */
function withAbsoluteDataPath(spec: ResolvedSpec, sites: SiteTree): ResolvedSpec {
  const written = spec.dataset.path;
  if (written === undefined) return spec;
  const list = typeof written === 'string' ? [written] : written;
  const absolute = list.map((entry, i) => {
    const keys = typeof written === 'string' ? ['dataset', 'path'] : ['dataset', 'path', String(i)];
    const path = resolve(locate(sites, keys).dir, entry);
    if (spec.dataset.source === 'file' && expandPattern(path).length === 0) {
      const why = whyNoFile(path);
      const message = why === 'file not found:' || why === 'no file matches' ? `${why} ${entry} (looked for ${displayPath(path)})` : `${entry}: ${why} (looked for ${displayPath(path)})`;
      throw new SpecError({ where: locate(sites, keys).where, path: keys.join('.'), message });
    }
    return path;
  });
  return { ...spec, dataset: { ...spec.dataset, path: typeof written === 'string' ? absolute[0] : (absolute as [string, ...string[]]) } };
}
