import { DataError } from '../errors.ts';
import { isPandasMissing } from '../data/missing_words.ts';
import type { MetaValue } from '../data/profiles.ts';

/**
 * Which treated wells enter MoA classification (method §2.8), as in the reference
 * (zaritskylab/AnomalyDetectionScreening, src/eval/classify_moa.py load_data_filtered_by_rep_corr): wells
 * without a MoA (empty, or a word pandas reads as missing: NA, None, …) are left out; when a perturbation set
 * is given (e.g. the union of replicating sets), only its perturbations' wells remain; the compound of a well
 * is its perturbation id, or the id's first
 * `compound_prefix` characters (the reference: `PERT.str[0:13]`, which makes the batches and salts
 * `BRD-K12345678-001-01-1`, `BRD-K12345678-003-05-7` one compound `BRD-K12345678`); the MoA is optionally
 * lower-cased (the reference: `Metadata_moa.str.lower()`). Then MoAs are counted by distinct compounds
 * among the remaining wells, and kept when they have strictly more than `min_compounds` and are
 * single-label (no `|`). Counting after the perturbation restriction matters: restricting to replicating
 * perturbations can push a MoA under the threshold.
 */

export interface MoaFilterOptions {
  /** Keep MoAs with strictly more than this many distinct compounds (reference: 4). */
  min_compounds: number;
  /** Keep only these perturbations' wells (matched on the whole id, before any prefix); null keeps all. */
  keep_perturbations: readonly MetaValue[] | null;
  /** The compound is the perturbation id's first this many characters; null: the whole id. */
  compound_prefix: number | null;
  /** Compare and report MoAs lower-cased. */
  lowercase_moa: boolean;
}

export interface MoaSelection {
  /** Kept row indices into the input columns, in table order. */
  rows: Int32Array;
  /** Kept MoAs, sorted (sklearn LabelEncoder order): class k is classes[k]. */
  classes: string[];
  /** Class index of each kept row. */
  labels: Int32Array;
  /** Kept compounds (after the prefix) in order of first appearance: group g is compounds[g]. */
  compounds: string[];
  /** Compound (group) index of each kept row: the unit cross-validation never splits. */
  groups: Int32Array;
  /** MoAs left out and why, for the report. */
  dropped: { multi_label: string[]; too_few_compounds: string[] };
}

export function filterMoas(
  moa: readonly MetaValue[],
  perturbation: readonly MetaValue[],
  options: MoaFilterOptions,
): MoaSelection {
  if (moa.length !== perturbation.length) throw new Error(`filterMoas: ${moa.length} MoA values but ${perturbation.length} perturbation values`);
  const { compound_prefix: prefix } = options;
  if (prefix !== null && !(Number.isInteger(prefix) && prefix >= 1)) throw new Error(`filterMoas: compound_prefix must be a positive integer or null, got ${prefix}`);
  const keep = options.keep_perturbations === null ? null : new Set(options.keep_perturbations.map(String));
  const compoundOf = (p: MetaValue) => (prefix === null ? String(p) : String(p).slice(0, prefix));
  const moaOf = (m: MetaValue) => (options.lowercase_moa ? String(m).toLowerCase() : String(m));

  const candidates: number[] = [];
  const moaOfCompound = new Map<string, { moa: string; perturbation: string }>();
  const compoundsOfMoa = new Map<string, Set<string>>();
  for (let i = 0; i < moa.length; i++) {
    const m = moa[i];
    // No MoA: empty, or R's NA and pandas' other missing words (the reference's reader reads them so).
    if (m === null || isPandasMissing(String(m))) continue;
    const p = perturbation[i];
    if (p === null || p === '') throw new DataError(`MoA classification: a treated well has MoA '${String(m)}' but no perturbation id`);
    if (keep && !keep.has(String(p))) continue;
    const ck = compoundOf(p);
    const mk = moaOf(m);
    // Grouping by compound is only sound when a compound has one MoA; a conflict means mislabelled data.
    const known = moaOfCompound.get(ck);
    if (known !== undefined && known.moa !== mk) {
      throw new DataError(
        `MoA classification: compound '${ck}' is labelled both '${known.moa}' (perturbation '${known.perturbation}') and '${mk}' (perturbation '${String(p)}'` +
          `${prefix === null ? '' : `, perturbation ids cut to ${prefix} characters by evaluation.moa.compound_prefix`}); one compound must have one MoA`,
      );
    }
    moaOfCompound.set(ck, known ?? { moa: mk, perturbation: String(p) });
    let set = compoundsOfMoa.get(mk);
    if (!set) compoundsOfMoa.set(mk, (set = new Set()));
    set.add(ck);
    candidates.push(i);
  }

  const dropped: MoaSelection['dropped'] = { multi_label: [], too_few_compounds: [] };
  const kept: string[] = [];
  for (const [m, set] of compoundsOfMoa) {
    if (m.includes('|')) dropped.multi_label.push(m);
    else if (set.size <= options.min_compounds) dropped.too_few_compounds.push(m);
    else kept.push(m);
  }
  const classes = kept.sort(byCodeUnit);
  dropped.multi_label.sort(byCodeUnit);
  dropped.too_few_compounds.sort(byCodeUnit);
  const classOf = new Map(classes.map((m, k) => [m, k]));

  const rows: number[] = [];
  const labels: number[] = [];
  const groups: number[] = [];
  const compounds: string[] = [];
  const groupOf = new Map<string, number>();
  for (const i of candidates) {
    const k = classOf.get(moaOf(moa[i]));
    if (k === undefined) continue;
    const ck = compoundOf(perturbation[i]);
    let g = groupOf.get(ck);
    if (g === undefined) {
      g = compounds.length;
      groupOf.set(ck, g);
      compounds.push(ck);
    }
    rows.push(i);
    labels.push(k);
    groups.push(g);
  }
  return { rows: Int32Array.from(rows), classes, labels: Int32Array.from(labels), compounds, groups: Int32Array.from(groups), dropped };
}

/** numpy's string order (code units), not the locale's: class indices must not depend on the machine. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
