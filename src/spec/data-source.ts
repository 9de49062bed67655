import { SpecError, type SpecIssue } from './errors.ts';
import { locate, type SiteTree, written } from './sites.ts';
import type { ResolvedSpec } from './types.ts';

/**
 * Settings of a file's table written while the simulated screen is what runs: `dataset.source` defaults to
 * synthetic, so a spec that names its data (`dataset.path`, `dataset.features`) but forgot `source: file`
 * would run on the simulated screen and report its numbers as the file's. Where the source was left to its
 * default, that is an error at the setting; where the user chose `source: synthetic` (say, a dry run of a
 * file spec), the file settings are knowingly set aside and run on.
 */
export function checkDataSource(spec: ResolvedSpec, sites: SiteTree): void {
  if (spec.dataset.source !== 'synthetic' || written(sites, ['dataset', 'source'])) return;
  const issues: SpecIssue[] = ['path', 'features']
    .filter((key) => written(sites, ['dataset', key]))
    .map((key) => ({
      where: locate(sites, ['dataset', key], 'key').where,
      path: `dataset.${key}`,
      message: `is set, but dataset.source is synthetic (its default), so the simulated screen would run and ${key === 'path' ? 'the file be ignored' : 'this selection of a file\'s columns be ignored'}; add dataset.source: file`,
    }));
  if (issues.length) throw new SpecError(issues);
}
