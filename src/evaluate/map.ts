import { matrix } from '../numeric/matrix.ts';
import { type MetaValue, metaColumn, type Profiles, whereRows } from '../data/profiles.ts';
import { stream } from '../random/streams.ts';
import { cosineRows, packRows, productInto, rowDot } from './gram.ts';
import { groupBy, type Groups } from './groups.ts';
import { type ControlMarker, resolveControls } from './prepare.ts';

/**
 * Mean average precision with copairs' semantics (DESIGN §2.10). Each query ranks its candidates by
 * cosine similarity; its AP is the mean of the precision at the rank of each positive. A group's mAP is
 * the mean AP of its queries, and its p-value comes from a null of APs of randomly ranked lists with the
 * same number of positives and the same list length, built per such configuration.
 *
 * Where this differs from copairs (src/copairs/map/map.py, compute.py):
 * - p = (#{null ≥ mAP} + 1) / (null_size + 1). copairs' mAP-level p-value counts null > mAP, which on
 *   these discrete nulls (ties at AP = 1 are common for small groups) is anti-conservative; its older
 *   well-level p-value counted ≥, the valid permutation p-value. Ties are taken within 1e-12.
 * - Similarities are float64 (copairs stores them as float32, which creates ties float64 does not).
 * - Nulls come from this project's seeded streams, so they equal copairs' only in distribution.
 * As in copairs, ties in similarity rank positives first, and a group's null is its configuration's
 * per-query null (copairs averages the queries' null rows element-wise, and every query of a group here
 * shares one configuration, so that average is the row itself).
 */

export interface MapOptions {
  /** Random rankings per (positives, list length) configuration. */
  null_size: number;
  /** A group is significant when its Benjamini–Hochberg corrected p-value is below this (copairs: 0.05). */
  threshold: number;
  /** Root seed of the null streams. */
  seed: number;
}

export interface MapGroup {
  key: string;
  by: Record<string, MetaValue>;
  mean_average_precision: number;
  /** Queries with a defined AP. */
  n_queries: number;
  p_value: number;
  corrected_p_value: number;
  significant: boolean;
}

export interface MapResult {
  /** Groups with at least one positive pair, in order of first appearance. */
  groups: MapGroup[];
  /** fraction_significant is 0–1 over the n groups with a defined mAP. */
  summary: { fraction_significant: number; n: number; n_significant: number; threshold: number };
  /** AP of every query, aligned with the rows queried; NaN where a row is no query. */
  average_precision: Float64Array;
}

/** Treated wells per block of the query × controls product: 64 rows × all controls stay in cache. */
const BLOCK = 64;
/** Tolerance for "null ≥ observed": a mean of APs and a null AP that are equal may differ in the last bits. */
const TIE = 1e-12;

/**
 * Phenotypic activity: every treated well ranks the other wells of its replicate group (positives)
 * against all control wells (negatives). One group per perturbation with at least two wells.
 */
export function phenotypicActivity(
  p: Profiles,
  roles: { replicate_by: readonly string[]; control: ControlMarker },
  opts: MapOptions,
): MapResult {
  const isControl = resolveControls(p, roles.control);
  const controls = whereRows(isControl.length, (i) => isControl[i]);
  if (controls.length === 0) throw new Error('phenotypicActivity: no control wells to rank against');
  const groups = keepReplicated(groupBy(p, roles.replicate_by, (i) => !isControl[i]));
  const x = cosineRows(p.values);
  const k = x.cols;

  const negatives = packRows(x, controls);
  const nNeg = controls.length;
  const ldo = negatives.length / k;
  const queries: number[] = [];
  const queryGroup: number[] = [];
  groups.rows.forEach((rows, g) => rows.forEach((i) => (queries.push(i), queryGroup.push(g))));

  const ap = new Float64Array(p.values.rows).fill(NaN);
  const tile = new Float64Array(BLOCK * ldo);
  const pos = new Float64Array(groups.rows.reduce((m, r) => Math.max(m, r.length), 0));
  const neg = new Float64Array(nNeg);
  for (let q0 = 0; q0 < queries.length; q0 += BLOCK) {
    const block = queries.slice(q0, q0 + BLOCK);
    const panel = packRows(x, block);
    productInto(panel, 0, panel.length / k, negatives, 0, ldo, k, tile, ldo);
    block.forEach((i, r) => {
      if (Number.isNaN(x.data[i * k])) return; // a constant profile has no direction to rank by
      let nPos = 0;
      for (const j of groups.rows[queryGroup[q0 + r]]) if (j !== i) pos[nPos++] = rowDot(x.data, k, i, j);
      neg.set(tile.subarray(r * ldo, r * ldo + nNeg));
      ap[i] = averagePrecisionOf(pos, nPos, neg, nNeg);
    });
  }
  const sizes = groups.rows.map((rows) => ({ positives: rows.length - 1, total: rows.length - 1 + nNeg }));
  return { ...summarise(groups, sizes, ap, opts), average_precision: ap };
}

/**
 * MoA consistency: perturbation-level profiles (the mean of each replicate group's wells) each rank the
 * other perturbations, positives sharing its MoA, negatives the rest. One group per MoA with at least two
 * perturbations. Pass treated wells only; wells without a MoA are left out, and a replicate group whose
 * wells disagree on the MoA is an error.
 */
export function moaConsistency(
  p: Profiles,
  roles: { replicate_by: readonly string[]; moa: string },
  opts: MapOptions,
): MapResult & { perturbations: Profiles } {
  const perturbations = perturbationProfiles(p, roles.replicate_by, roles.moa);
  const moas = groupBy(perturbations, [roles.moa]);
  const moaOf = new Int32Array(perturbations.values.rows);
  moas.rows.forEach((rows, m) => rows.forEach((i) => (moaOf[i] = m)));
  const x = cosineRows(perturbations.values);
  const n = x.rows;
  const k = x.cols;

  const all = packRows(x, Array.from({ length: n }, (_, i) => i));
  const padded = all.length / k;
  const tile = new Float64Array(BLOCK * padded);
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  const ap = new Float64Array(n).fill(NaN);
  for (let i0 = 0; i0 < padded; i0 += BLOCK) {
    const i1 = Math.min(padded, i0 + BLOCK);
    productInto(all, i0, i1, all, 0, padded, k, tile, padded);
    for (let i = i0; i < Math.min(i1, n); i++) {
      if (moas.rows[moaOf[i]].length < 2 || Number.isNaN(x.data[i * k])) continue;
      let nPos = 0;
      let nNeg = 0;
      const base = (i - i0) * padded;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        if (moaOf[j] === moaOf[i]) pos[nPos++] = tile[base + j];
        else neg[nNeg++] = tile[base + j];
      }
      ap[i] = averagePrecisionOf(pos, nPos, neg, nNeg);
    }
  }
  const groups = keepReplicated(moas);
  const sizes = groups.rows.map((rows) => ({ positives: rows.length - 1, total: n - 1 }));
  return { ...summarise(groups, sizes, ap, opts), average_precision: ap, perturbations };
}

/** One row per replicate group (wells with a MoA only): the mean profile, its keys, MoA and well count. */
function perturbationProfiles(p: Profiles, replicateBy: readonly string[], moa: string): Profiles {
  const moaCol = metaColumn(p, moa);
  const groups = groupBy(p, replicateBy, (i) => moaCol[i] !== null && moaCol[i] !== '');
  const k = p.values.cols;
  const data = new Float64Array(groups.rows.length * k);
  const moaValues: MetaValue[] = [];
  groups.rows.forEach((rows, g) => {
    const label = moaCol[rows[0]];
    for (const i of rows) {
      if (moaCol[i] !== label) throw new Error(`replicate group ${groups.keys[g]} has MoAs '${label}' and '${moaCol[i]}'`);
      for (let j = 0; j < k; j++) data[g * k + j] += p.values.data[i * k + j];
    }
    for (let j = 0; j < k; j++) data[g * k + j] /= rows.length;
    moaValues.push(label);
  });
  const metadata: Record<string, MetaValue[]> = {};
  for (const c of replicateBy) metadata[c] = groups.by.map((b) => b[c]);
  metadata[moa] = moaValues;
  metadata.n_wells = groups.rows.map((r) => r.length);
  return { metadata, features: p.features, values: matrix(groups.rows.length, k, data) };
}

function keepReplicated(groups: Groups): Groups {
  const keep = groups.rows.map((r, g) => (r.length >= 2 ? g : -1)).filter((g) => g >= 0);
  return { keys: keep.map((g) => groups.keys[g]), by: keep.map((g) => groups.by[g]), rows: keep.map((g) => groups.rows[g]) };
}

/** mAP, p-value and BH-corrected p-value per group; `sizes` gives each group's null configuration. */
function summarise(
  groups: Groups,
  sizes: { positives: number; total: number }[],
  ap: Float64Array,
  opts: MapOptions,
): Pick<MapResult, 'groups' | 'summary'> {
  const nulls = new Map<string, Float64Array>();
  const out: MapGroup[] = groups.rows.map((rows, g) => {
    let sum = 0;
    let nq = 0;
    for (const i of rows) {
      if (Number.isNaN(ap[i])) continue;
      sum += ap[i];
      nq++;
    }
    const map = nq > 0 ? sum / nq : NaN;
    const { positives, total } = sizes[g];
    const id = `${positives}/${total}`;
    let null_ = nulls.get(id);
    if (!null_) nulls.set(id, (null_ = nullAveragePrecision(positives, total, opts.null_size, opts.seed)));
    let atLeast = 0;
    for (let d = 0; d < null_.length; d++) if (null_[d] >= map - TIE) atLeast++;
    const pValue = nq > 0 ? (atLeast + 1) / (opts.null_size + 1) : NaN;
    return {
      key: groups.keys[g], by: groups.by[g], mean_average_precision: map, n_queries: nq,
      p_value: pValue, corrected_p_value: NaN, significant: false,
    };
  });
  const defined = out.filter((g) => !Number.isNaN(g.p_value));
  const corrected = benjaminiHochberg(defined.map((g) => g.p_value));
  let nSignificant = 0;
  defined.forEach((g, i) => {
    g.corrected_p_value = corrected[i];
    g.significant = corrected[i] < opts.threshold;
    if (g.significant) nSignificant++;
  });
  const n = defined.length;
  return {
    groups: out,
    summary: { fraction_significant: n > 0 ? nSignificant / n : NaN, n, n_significant: nSignificant, threshold: opts.threshold },
  };
}

/**
 * AP of one query from its positives' and negatives' similarities (both arrays are reordered). Ranked by
 * similarity, high first; ties put positives first; an undefined similarity ranks last.
 */
export function averagePrecisionOf(pos: Float64Array, nPos: number, neg: Float64Array, nNeg: number): number {
  if (nPos === 0) return NaN;
  const ps = pos.subarray(0, nPos);
  const ns = neg.subarray(0, nNeg);
  for (let i = 0; i < nPos; i++) if (Number.isNaN(ps[i])) ps[i] = -Infinity;
  for (let i = 0; i < nNeg; i++) if (Number.isNaN(ns[i])) ns[i] = -Infinity;
  ps.sort();
  ns.sort();
  let sum = 0;
  // Walk positives from the most similar down; `above` counts negatives strictly more similar.
  let above = 0;
  for (let r = 0; r < nPos; r++) {
    const s = ps[nPos - 1 - r];
    while (above < nNeg && ns[nNeg - 1 - above] > s) above++;
    sum += (r + 1) / (r + 1 + above);
  }
  return sum / nPos;
}

/** AP of a ranked relevance list (1 = positive), e.g. `[1, 0, 1]` → (1/1 + 2/3) / 2. */
export function averagePrecision(relevance: ArrayLike<number | boolean>): number {
  let hits = 0;
  let sum = 0;
  for (let r = 0; r < relevance.length; r++) {
    if (!relevance[r]) continue;
    hits++;
    sum += hits / (r + 1);
  }
  return hits > 0 ? sum / hits : NaN;
}

/**
 * `size` APs of lists of `total` items with `positives` of them placed uniformly at random, from a stream
 * named after the configuration (so a configuration's null does not depend on which others exist).
 */
export function nullAveragePrecision(positives: number, total: number, size: number, seed: number): Float64Array {
  const rng = stream(seed, `evaluate/map/null/${positives}/${total}`);
  const slots = new Int32Array(total);
  for (let i = 0; i < total; i++) slots[i] = i;
  const chosen = new Int32Array(positives);
  const out = new Float64Array(size);
  for (let d = 0; d < size; d++) {
    // A partial Fisher–Yates shuffle picks a uniform subset of ranks, whatever order `slots` is left in.
    for (let a = 0; a < positives; a++) {
      const b = a + rng.int(total - a);
      const t = slots[a];
      slots[a] = slots[b];
      slots[b] = t;
      chosen[a] = slots[a];
    }
    chosen.sort();
    let sum = 0;
    for (let a = 0; a < positives; a++) sum += (a + 1) / (chosen[a] + 1);
    out[d] = sum / positives;
  }
  return out;
}

/** Benjamini–Hochberg adjusted p-values (statsmodels `fdr_bh`), in the input's order. */
export function benjaminiHochberg(p: readonly number[]): Float64Array {
  const n = p.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  const out = new Float64Array(n);
  let running = 1;
  for (let r = n - 1; r >= 0; r--) {
    running = Math.min(running, (p[order[r]] * n) / (r + 1));
    out[order[r]] = running;
  }
  return out;
}
