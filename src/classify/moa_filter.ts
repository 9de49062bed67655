import type { MetaValue } from '../data/profiles.ts';

/**
 * Which treated wells enter MoA classification (DESIGN §2.8), as in the reference: wells without a MoA are
 * left out; when a compound set is given, only its compounds' wells remain; then MoAs are counted by
 * distinct compounds among the remaining wells, and kept when they have strictly more than `min_compounds`
 * and are single-label (no `|`). Counting after the compound restriction matters: restricting to replicating
 * compounds can push a MoA under the threshold.
 */

export interface MoaFilterOptions {
  /** Keep MoAs with strictly more than this many distinct compounds (reference: 4). */
  min_compounds: number;
  /** Keep only these compounds' wells (e.g. the union of the replicating sets); null keeps every compound. */
  keep_compounds: readonly MetaValue[] | null;
}

export interface MoaSelection {
  /** Kept row indices into the input columns, in table order. */
  rows: Int32Array;
  /** Kept MoAs, sorted (sklearn LabelEncoder order): class k is classes[k]. */
  classes: string[];
  /** Class index of each kept row. */
  labels: Int32Array;
  /** Kept compounds in order of first appearance: group g is compounds[g]. */
  compounds: MetaValue[];
  /** Compound (group) index of each kept row: the unit cross-validation never splits. */
  groups: Int32Array;
  /** MoAs left out and why, for the report. */
  dropped: { multi_label: string[]; too_few_compounds: string[] };
}

export function filterMoas(
  moa: readonly MetaValue[],
  compound: readonly MetaValue[],
  options: MoaFilterOptions,
): MoaSelection {
  if (moa.length !== compound.length) throw new Error(`filterMoas: ${moa.length} MoA values but ${compound.length} compound values`);
  const keep = options.keep_compounds === null ? null : new Set(options.keep_compounds.map(String));

  const candidates: number[] = [];
  const moaOfCompound = new Map<string, string>();
  const compoundsOfMoa = new Map<string, Set<string>>();
  for (let i = 0; i < moa.length; i++) {
    const m = moa[i];
    if (m === null || m === '') continue;
    const c = compound[i];
    if (c === null || c === '') throw new Error(`filterMoas: row ${i} has MoA '${m}' but no compound id`);
    const ck = String(c);
    if (keep && !keep.has(ck)) continue;
    const mk = String(m);
    // Grouping by compound is only sound when a compound has one MoA; a conflict means mislabelled data.
    const known = moaOfCompound.get(ck);
    if (known !== undefined && known !== mk) throw new Error(`filterMoas: compound '${ck}' is labelled both '${known}' and '${mk}'`);
    moaOfCompound.set(ck, mk);
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
  const compounds: MetaValue[] = [];
  const groupOf = new Map<string, number>();
  for (const i of candidates) {
    const k = classOf.get(String(moa[i]));
    if (k === undefined) continue;
    const ck = String(compound[i]);
    let g = groupOf.get(ck);
    if (g === undefined) {
      g = compounds.length;
      groupOf.set(ck, g);
      compounds.push(compound[i]);
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
