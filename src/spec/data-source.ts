import { SpecError, type SpecIssue } from './errors.ts';
import { locate, onCommandLine, type SiteTree, siteFile, written } from './sites.ts';
import type { ResolvedSpec } from './types.ts';

/**
 * Settings of a file's table written while the simulated screen is what runs: `dataset.source` defaults to
 * synthetic, and a parent spec (`extends`) may choose it, so a spec that names its data (`dataset.path`,
 * `dataset.features`, `dataset.preset`; a modality's `path`) would run on simulated data and report its numbers as the file's.
 * The simulated source counts as chosen only where it is written beside the data setting: in the same file,
 * or by `--set` (a dry run of a file spec). Otherwise it is an error at the data setting.
 */
export function checkDataSource(spec: ResolvedSpec, sites: SiteTree): void {
  const issues: SpecIssue[] = [];
  const check = (section: string[], source: string, keys: string[]) => {
    if (source !== 'synthetic') return;
    const chosen = written(sites, [...section, 'source']);
    for (const key of keys) {
      const at = written(sites, [...section, key]);
      if (!at || (chosen && (onCommandLine(chosen) || siteFile(chosen) === siteFile(at)))) continue;
      const why = chosen ? `set to synthetic in ${chosen.where}` : 'synthetic, its default';
      issues.push({
        where: locate(sites, [...section, key], 'key').where,
        path: [...section, key].join('.'),
        message: `is set, but ${section.join('.')}.source is ${why}, so simulated data would run and ${IGNORED[key]}; add ${section.join('.')}.source: file`,
      });
    }
  };
  check(['dataset'], spec.dataset.source, ['path', 'features', 'preset']);
  for (const [name, m] of Object.entries(spec.modalities)) check(['modalities', name], m.source, ['path']);
  if (issues.length) throw new SpecError(issues);
}

/** What a data setting would lose to simulated data. */
const IGNORED: Record<string, string> = {
  path: 'the file be ignored',
  features: "this selection of a file's columns be ignored",
  preset: "the preset's columns be looked for in it, which it does not have",
};
