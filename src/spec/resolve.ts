import { resolve } from 'node:path';
import { expandPattern, whyNoFile } from '../data/files.ts';
import { L1000_MODALITY } from '../data/presets.ts';
import { overfullPlate } from '../data/synthetic_layout.ts';
import { checkDataSource } from './data-source.ts';
import { SpecError } from './errors.ts';
import { issuesFromAjv } from './issues.ts';
import { checkNumpySeeds } from './numpy-seeds.ts';
import { checkPatterns } from './patterns.ts';
import { validateExperiment } from './schema.ts';
import { locate, type SiteTree } from './sites.ts';
import type { ResolvedSpec } from './types.ts';
import { displayPath } from './yaml-file.ts';

/**
 * Validates a composed spec strictly and fills every default; this fully-defaulted value is what runs and what
 * is saved. `extends` has already been applied, so it is not kept. `dataset.path` and every modality's path
 * are made absolute.
 */
export function resolveSpec(composed: Record<string, unknown>, sites: SiteTree): ResolvedSpec {
  const checked = validateExperiment(composed);
  if (!checked.valid) throw new SpecError(issuesFromAjv(checked.errors, checked.value, sites));
  const spec = checked.value as ResolvedSpec & { extends?: unknown };
  delete spec.extends;
  checkDataSource(spec, sites);
  checkSyntheticLayout(spec, sites);
  checkModalities(spec, sites);
  checkReplicatingIn(spec, sites);
  checkPatterns(spec, sites);
  checkNumpySeeds(spec, sites);
  return withAbsoluteDataPaths(spec, sites);
}

/**
 * What the schema cannot say of modalities: a name is not also a representation's or a fusion's, a simulated
 * one needs the simulated screen, and all of them meet Cell Painting on the same columns (the replicating
 * sets of every assay are compared on that key).
 */
function checkModalities(spec: ResolvedSpec, sites: SiteTree): void {
  const fail = (keys: string[], message: string): never => {
    throw new SpecError({ where: locate(sites, keys).where, path: keys.join('.'), message });
  };
  const cellPaintingKeys = new Set<string>();
  for (const [name, modality] of Object.entries(spec.modalities)) {
    if ((spec.representations as readonly string[]).includes(name) || name.startsWith('early_fusion') || name.startsWith('late_fusion')) {
      fail(['modalities', name], `'${name}' is already the name of a representation or fusion; name the modality otherwise (e.g. L1000)`);
    }
    if (modality.source === 'synthetic' && spec.dataset.source !== 'synthetic') {
      fail(['modalities', name, 'source'], `a simulated modality pairs with the simulated screen, but dataset.source is ${spec.dataset.source}; give the modality a path`);
    }
    if (modality.source === 'synthetic') {
      // The screen silences its last MoAs, the modality its first (synthetic.ts, expression.ts, same rounding):
      // a MoA silent in both would still be labelled 'silent', the ground truth of "only the other assay sees it".
      const moas = spec.dataset.synthetic.moas;
      const inMorphology = Math.round(moas * spec.dataset.synthetic.silent_share);
      const inModality = Math.round(moas * modality.synthetic.silent_share);
      if (inMorphology + inModality > moas) {
        fail(
          ['modalities', name, 'synthetic', 'silent_share'],
          `${inModality} of the ${moas} MoAs silent in ${name} (the first) and ${inMorphology} silent in morphology (the last, dataset.synthetic.silent_share) ` +
            `overlap: ${inMorphology + inModality - moas} MoA(s) would be silent in both assays, yet labelled 'silent' (seen by ${name} only); keep the two shares' sum at most 1`,
        );
      }
    }
    const theirs = modality.match.modality ?? [modality.columns.perturbation];
    const ours = modality.match.cell_painting ?? [spec.dataset.columns.perturbation];
    if (theirs.length !== ours.length) {
      fail(['modalities', name, 'match'], `the key has ${ours.length} Cell Painting column(s) (${ours.join(', ')}) but ${theirs.length} of the modality (${theirs.join(', ')}); give both the same number, in the same order`);
    }
    cellPaintingKeys.add(JSON.stringify(ours));
  }
  if (cellPaintingKeys.size > 1) {
    fail(['modalities'], `every modality must meet Cell Painting on the same columns (match.cell_painting), but they use ${[...cellPaintingKeys].join(' and ')}`);
  }
}

/** The simulated screen's wells fit its plates (known from the settings, before anything is simulated). */
function checkSyntheticLayout(spec: ResolvedSpec, sites: SiteTree): void {
  const crowded = spec.dataset.source === 'synthetic' ? overfullPlate(spec.dataset.synthetic) : null;
  if (crowded) throw new SpecError({ where: locate(sites, ['dataset', 'synthetic']).where, path: 'dataset.synthetic', message: crowded });
}

/**
 * `evaluation.moa.replicating_in` may only name representations the run builds, or its modalities (the schema
 * cannot relate them).
 */
function checkReplicatingIn(spec: ResolvedSpec, sites: SiteTree): void {
  const available = [...spec.representations, ...Object.keys(spec.modalities)];
  const missing = (spec.evaluation.moa.replicating_in ?? []).filter((r) => !available.includes(r));
  if (missing.length === 0) return;
  const keys = ['evaluation', 'moa', 'replicating_in'];
  const message = `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not among representations or modalities (${available.join(', ')}); the compound filter can only use what the run evaluates`;
  throw new SpecError({ where: locate(sites, keys).where, path: keys.join('.'), message });
}

function withAbsoluteDataPaths(spec: ResolvedSpec, sites: SiteTree): ResolvedSpec {
  const dataset = { ...spec.dataset, path: absolutePaths(spec.dataset.path, ['dataset', 'path'], spec.dataset.source === 'file', sites) };
  const modalities = Object.fromEntries(
    Object.entries(spec.modalities).map(([name, m]) => [
      name,
      { ...m, path: absolutePaths(m.path, ['modalities', name, 'path'], m.source === 'file', sites, downloadHint(spec, name)) },
    ]),
  );
  return { ...spec, dataset: dataset as ResolvedSpec['dataset'], modalities };
}

/** Where the reference's L1000 table of a rosetta dataset is published, for a "file not found". */
function downloadHint(spec: ResolvedSpec, modality: string): string {
  const folder = spec.dataset.preset ? ROSETTA_FOLDERS[spec.dataset.preset] : undefined;
  if (modality !== L1000_MODALITY || !folder) return '';
  return `; the ${spec.dataset.preset} L1000 profiles are s3://cellpainting-gallery/cpg0003-rosetta/broad/workspace/preprocessed_data/${folder}/L1000/replicate_level_l1k.csv.gz (aws s3 cp --no-sign-request …)`;
}

/** The cpg0003-rosetta folder of each preset (DS_INFO_DICT's name). */
const ROSETTA_FOLDERS: Record<string, string> = {
  CDRP: 'CDRP-BBBC047-Bray',
  'CDRP-bio': 'CDRPBIO-BBBC036-Bray',
  LINCS: 'LINCS-Pilot1',
  LUAD: 'LUAD-BBBC041-Caicedo',
  'TA-ORF': 'TA-ORF-BBBC037-Rohban',
};

/**
 * A data path (a path or glob, or a list of them) is written relative to the file that sets it (the working
 * directory for `--set`). The resolved spec stores it absolute, so a saved spec reads the same table from any
 * directory; when the data comes from files, every entry must name at least one.
 */
function absolutePaths<P extends string | string[] | undefined>(written: P, at: string[], required: boolean, sites: SiteTree, hint = ''): P {
  if (written === undefined) return written;
  const list = typeof written === 'string' ? [written] : (written as string[]);
  const absolute = list.map((entry, i) => {
    const keys = typeof written === 'string' ? at : [...at, String(i)];
    const path = resolve(locate(sites, keys).dir, entry);
    if (required && expandPattern(path).length === 0) {
      const why = whyNoFile(path);
      const message = why === 'file not found:' || why === 'no file matches' ? `${why} ${entry} (looked for ${displayPath(path)})` : `${entry}: ${why} (looked for ${displayPath(path)})`;
      throw new SpecError({ where: locate(sites, keys).where, path: keys.join('.'), message: message + hint });
    }
    return path;
  });
  return (typeof written === 'string' ? absolute[0] : absolute) as P;
}
