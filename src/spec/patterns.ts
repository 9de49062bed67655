import { blocklistPattern } from '../preprocess/feature_select/blocklist.ts';
import { dottedPath, SpecError, type SpecIssue } from './errors.ts';
import { locate, type SiteTree } from './sites.ts';
import type { ResolvedSpec } from './types.ts';

/**
 * The spec's regular expressions compile, each as the stage that uses it compiles it; one that does not is an
 * error at the entry, found by `validate` rather than by a run once its data is loaded.
 */
export function checkPatterns(spec: ResolvedSpec, sites: SiteTree): void {
  const lists: [string[], readonly string[], (p: string) => RegExp][] = [
    [['dataset', 'features', 'include'], spec.dataset.features.include, (p) => new RegExp(p)],
    [['dataset', 'features', 'exclude'], spec.dataset.features.exclude, (p) => new RegExp(p)],
    [['feature_select', 'blocklist'], spec.feature_select.blocklist, blocklistPattern],
    ...Object.entries(spec.modalities).map(([name, m]): [string[], readonly string[], (p: string) => RegExp] => [['modalities', name, 'features', 'exclude'], m.features.exclude, (p) => new RegExp(p)]),
  ];
  const issues: SpecIssue[] = [];
  for (const [keys, patterns, compile] of lists) {
    patterns.forEach((pattern, i) => {
      try {
        compile(pattern);
      } catch (err) {
        // V8 says "Invalid regular expression: /…/: <why>": the why, after the pattern.
        const why = (err as Error).message.split(': ').pop();
        const at = [...keys, String(i)];
        issues.push({ where: locate(sites, at).where, path: dottedPath(at), message: `${JSON.stringify(pattern)} is not a regular expression (${why})` });
      }
    });
  }
  if (issues.length) throw new SpecError(issues);
}
