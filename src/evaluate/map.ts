import { DataError } from '../errors.ts';
import { type Matrix, matrix, selectRows } from '../numeric/matrix.ts';
import { kahanMean, medianInPlace } from '../numeric/stats.ts';
import { type MetaValue, metaColumn, type Profiles, whereRows } from '../data/profiles.ts';
import { cosineNorms, normaliseRowsInto, packedSize, rowDot, SimilarityKernel, similarityThreads, TILE, undefinedRow } from './gram.ts';
import { groupBy, type Groups } from './groups.ts';
import { meanNull, nullAveragePrecision, nullPValue } from './map_null.ts';
import { type ControlMarker, resolveControls } from './prepare.ts';

/**
 * Mean average precision as copairs 0.5.2 computes it (method §2.10; src/copairs/map/*.py, compute.py), so
 * that AP and mAP equal copairs' to 1e-9 and p-values differ only by the null's random draws
 * (test/map.parity.test.ts checks this on ../shared/parity/copairs). Each query ranks its candidates by
 * cosine similarity; its AP is the mean of the precision at the rank of each positive. A group's mAP is the
 * mean AP of its queries that have a positive, and its p-value comes from a null of APs of randomly ranked
 * lists with the same number of positives and the same list length, one null per such configuration.
 *
 * copairs' exact rules, each of which changes results on real screens:
 * - Similarities are stored as float32 and ranked by the float32 key 1 − s, ascending; a tie puts positives
 *   first, an undefined similarity ranks last (average_precision.py `build_rank_lists`). Ranking in float64
 *   instead moves some jump-scope wells' AP by up to 1.4e-4.
 * - The p-value counts null values strictly above the mAP, compared in float32 (map_null.ts). Counting ≥
 *   instead finds none of jump-scope's 43 MoAs consistent where copairs finds 2–10.
 * - A group's null is the float32 mean of its members' null rows; Benjamini–Hochberg as statsmodels
 *   `fdr_bh`; a group is significant when its corrected p is strictly below the threshold.
 * Where this differs: the null's draws come from this project's seeded streams (copairs' numpy PCG64 draws
 * are not reproduced), and a query whose own profile is all zeros gets no AP (copairs ranks its undefined
 * similarities as ties and gives it AP 1).
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
  /** Queries with a defined AP and at least one positive: the ones averaged. */
  n_queries: number;
  /**
   * Each query's positives and list length (copairs' n_pos_pairs, n_total_pairs), the same for every query of
   * a group (activity: the group's other wells among all controls; consistency: the MoA's other perturbations
   * among all others). With them a reader can compute the mAP a random ranking scores on average.
   */
  n_pos: number;
  n_total: number;
  p_value: number;
  corrected_p_value: number;
  significant: boolean;
}

export interface MapResult {
  /** Groups with at least two members, in order of first appearance. */
  groups: MapGroup[];
  /** fraction_significant is 0–1 over the n groups with a defined mAP. */
  summary: { fraction_significant: number; n: number; n_significant: number; threshold: number };
  /** AP of every query, aligned with the rows queried; NaN where a row is no query. */
  average_precision: Float64Array;
  /** Positives in each query's ranked list (copairs' n_pos_pairs); 0 where a row is no query. */
  n_pos_pairs: Int32Array;
  /** Length of each query's ranked list, positives + negatives (copairs' n_total_pairs); 0 where no query. */
  n_total_pairs: Int32Array;
}

/** Query wells per block of the query × controls product: 64 rows × all controls stay in cache. */
const BLOCK = 64;

/**
 * Phenotypic activity: every treated well ranks the other wells of its replicate group (positives)
 * against all control wells (negatives). One group per perturbation with at least two wells. This is
 * copairs' docs/examples/phenotypic_activity.ipynb (pos_sameby = perturbation and reference index,
 * neg_diffby = the same).
 */
export function phenotypicActivity(
  p: Profiles,
  roles: { replicate_by: readonly string[]; control: ControlMarker },
  opts: MapOptions,
): MapResult {
  const isControl = resolveControls(p, roles.control);
  const controls = whereRows(isControl.length, (i) => isControl[i]);
  const groups = keepReplicated(groupBy(p, roles.replicate_by, (i) => !isControl[i]));
  return activity(p.values, groups, selectRows(p.values, controls), opts);
}

/**
 * `phenotypicActivity` of treated wells against control wells given as two tables (the same features): what
 * it gives on the two stacked, with rows numbered as in `treated`, without stacking them.
 */
export function phenotypicActivityAgainst(
  treated: Profiles,
  controls: Profiles,
  replicateBy: readonly string[],
  opts: MapOptions,
): MapResult {
  if (treated.values.cols !== controls.values.cols) throw new Error('phenotypicActivityAgainst: the tables have different features');
  return activity(treated.values, keepReplicated(groupBy(treated, replicateBy)), controls.values, opts);
}

/** Activity of the queries in `groups` (rows of x) against every row of `negatives`. */
function activity(x: Matrix, groups: Groups, negatives: Matrix, opts: MapOptions): MapResult {
  const nNeg = negatives.rows;
  if (nNeg === 0) throw new Error('phenotypicActivity: no control wells to rank against');
  const k = x.cols;
  const norms = cosineNorms(x);
  const queries: number[] = [];
  const queryGroup: number[] = [];
  groups.rows.forEach((rows, g) => rows.forEach((i) => (queries.push(i), queryGroup.push(g))));

  // Kernel memory: the negatives, one block of queries, the block's similarities to every negative.
  const negAt = 0;
  const blockAt = negAt + packedSize(nNeg, k);
  const tileAt = blockAt + packedSize(BLOCK, k);
  const ldo = Math.ceil(nNeg / TILE) * TILE;
  const kernel = new SimilarityKernel(tileAt + BLOCK * ldo, similarityThreads(queries.length * nNeg * k));

  const n = x.rows;
  const ap = new Float64Array(n).fill(NaN);
  const nPosPairs = new Int32Array(n);
  const nTotalPairs = new Int32Array(n);
  const largest = groups.rows.reduce((m, r) => Math.max(m, r.length), 0);
  const pos = new Float64Array(largest);
  const scratch = new Int32Array(largest + 1);
  // The normalised wells of the group being queried: its positives' similarities are among them.
  const members = new Float64Array(largest * k);
  let membersOf = -1;
  try {
    const packedNeg = kernel.pack(negAt, negatives, cosineNorms(negatives), Array.from({ length: nNeg }, (_, j) => j));
    for (let q0 = 0; q0 < queries.length; q0 += BLOCK) {
      const block = queries.slice(q0, q0 + BLOCK);
      const packed = kernel.pack(blockAt, x, norms, block);
      kernel.product(packed, 0, packed.padded, packedNeg, 0, packedNeg.padded, tileAt, ldo);
      block.forEach((i, r) => {
        const g = queryGroup[q0 + r];
        const rows = groups.rows[g];
        if (g !== membersOf) {
          normaliseRowsInto(x, norms, rows, members);
          membersOf = g;
        }
        const self = rows.indexOf(i);
        let nPos = 0;
        for (let b = 0; b < rows.length; b++) if (b !== self) pos[nPos++] = rowDot(members, k, self, b);
        nPosPairs[i] = nPos;
        nTotalPairs[i] = nPos + nNeg;
        if (undefinedRow(norms, i)) return; // an all-zero profile has no direction to rank by
        ap[i] = averagePrecisionOf(pos, nPos, kernel.heap.subarray(tileAt + r * ldo, tileAt + r * ldo + nNeg), nNeg, scratch);
      });
    }
  } finally {
    kernel.close();
  }
  const summary = summarise(groups, ap, nPosPairs, nTotalPairs, opts);
  return { ...summary, average_precision: ap, n_pos_pairs: nPosPairs, n_total_pairs: nTotalPairs };
}

/**
 * MoA consistency: perturbation-level profiles (the per-feature median of each replicate group's wells, as
 * in copairs' docs/examples/phenotypic_consistency.ipynb) each rank the other perturbations, positives
 * sharing its MoA, negatives the rest. One group per MoA with at least two perturbations; a perturbation
 * alone in its MoA is no query but still a negative for the others. Pass treated wells only; wells without a
 * MoA are left out, and a replicate group whose wells disagree on the MoA is an error.
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
  const x = perturbations.values;
  const norms = cosineNorms(x);
  const n = x.rows;
  const k = x.cols;

  const tileAt = packedSize(n, k);
  const padded = Math.ceil(n / TILE) * TILE;
  const kernel = new SimilarityKernel(tileAt + BLOCK * padded, similarityThreads(n * n * k));
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  const scratch = new Int32Array(n + 1);
  const ap = new Float64Array(n).fill(NaN);
  const nPosPairs = new Int32Array(n);
  const nTotalPairs = new Int32Array(n);
  try {
    const all = kernel.pack(0, x, norms, Array.from({ length: n }, (_, i) => i));
    const heap = kernel.heap;
    for (let i0 = 0; i0 < padded; i0 += BLOCK) {
      const i1 = Math.min(padded, i0 + BLOCK);
      kernel.product(all, i0, i1, all, 0, padded, tileAt, padded);
      for (let i = i0; i < Math.min(i1, n); i++) {
        if (moas.rows[moaOf[i]].length < 2) continue;
        let nPos = 0;
        let nNeg = 0;
        const base = tileAt + (i - i0) * padded;
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          if (moaOf[j] === moaOf[i]) pos[nPos++] = heap[base + j];
          else neg[nNeg++] = heap[base + j];
        }
        nPosPairs[i] = nPos;
        nTotalPairs[i] = nPos + nNeg;
        if (!undefinedRow(norms, i)) ap[i] = averagePrecisionOf(pos, nPos, neg, nNeg, scratch);
      }
    }
  } finally {
    kernel.close();
  }
  const groups = keepReplicated(moas);
  const summary = summarise(groups, ap, nPosPairs, nTotalPairs, opts);
  return { ...summary, average_precision: ap, n_pos_pairs: nPosPairs, n_total_pairs: nTotalPairs, perturbations };
}

/**
 * One row per replicate group (wells with a MoA only): the per-feature median of its wells (missing values
 * skipped, as pandas' `median`), its keys, MoA and well count.
 */
function perturbationProfiles(p: Profiles, replicateBy: readonly string[], moa: string): Profiles {
  const moaCol = metaColumn(p, moa);
  const groups = groupBy(p, replicateBy, (i) => moaCol[i] !== null && moaCol[i] !== '');
  const k = p.values.cols;
  const src = p.values.data;
  const data = new Float64Array(groups.rows.length * k);
  const scratch = new Float64Array(groups.rows.reduce((m, r) => Math.max(m, r.length), 0));
  const moaValues: MetaValue[] = [];
  groups.rows.forEach((rows, g) => {
    const label = moaCol[rows[0]];
    const other = rows.find((i) => moaCol[i] !== label);
    if (other !== undefined) {
      throw new DataError(
        `MoA consistency: the wells of replicate group ${groups.keys[g]} (${replicateBy.join(' + ')}) disagree on ` +
          `${moa}: '${String(label)}' and '${String(moaCol[other])}'; give every well of a perturbation the same MoA`,
      );
    }
    for (let j = 0; j < k; j++) {
      let c = 0;
      for (const i of rows) {
        const v = src[i * k + j];
        if (!Number.isNaN(v)) scratch[c++] = v;
      }
      data[g * k + j] = medianInPlace(scratch.subarray(0, c));
    }
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

/**
 * mAP, p-value and BH-corrected p-value per group, from each query's AP and (positives, list length)
 * configuration. As copairs' `mean_average_precision`: queries with an undefined AP or no positive are
 * dropped, one null per configuration, a group's null is the mean of its members' null rows.
 */
function summarise(
  groups: Groups,
  ap: Float64Array,
  nPos: Int32Array,
  nTotal: Int32Array,
  opts: MapOptions,
): Pick<MapResult, 'groups' | 'summary'> {
  const nulls = new Map<string, Float32Array>();
  const nullOf = (i: number): Float32Array => {
    const id = `${nPos[i]}/${nTotal[i]}`;
    let row = nulls.get(id);
    if (!row) nulls.set(id, (row = nullAveragePrecision(nPos[i], nTotal[i], opts.null_size, opts.seed)));
    return row;
  };
  // Most groups' members share one configuration, so many groups share one mean null.
  const groupNulls = new Map<string, Float32Array>();
  const out: MapGroup[] = groups.rows.map((rows, g) => {
    const members = rows.filter((i) => !Number.isNaN(ap[i]) && nPos[i] > 0);
    // pandas' compensated mean, so that a mAP on a null value compares with it exactly as copairs' does.
    const map = kahanMean(members.map((i) => ap[i]));
    let pValue = NaN;
    if (members.length > 0) {
      const ids = members.map((i) => `${nPos[i]}/${nTotal[i]}`);
      const sig = ids.every((id) => id === ids[0]) ? `${ids[0]}×${ids.length}` : ids.join(',');
      let null_ = groupNulls.get(sig);
      if (!null_) groupNulls.set(sig, (null_ = meanNull(members.map(nullOf))));
      pValue = nullPValue(null_, map);
    }
    return {
      key: groups.keys[g], by: groups.by[g], mean_average_precision: map, n_queries: members.length,
      n_pos: nPos[rows[0]], n_total: nTotal[rows[0]], p_value: pValue, corrected_p_value: NaN, significant: false,
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

/** copairs' ranking key of a similarity: float32(1 − float32(s)), ascending; undefined ranks last. */
function rankKey(s: number): number {
  return Number.isNaN(s) ? Infinity : Math.fround(1 - Math.fround(s));
}

/**
 * AP of one query from its positives' similarities (overwritten) and its negatives'. Ranked by
 * copairs' float32 key (`rankKey`), most similar first; ties put positives first. Only the positives are
 * sorted: each negative is counted ahead of the positives whose key is strictly larger than its own, which is
 * all the AP needs (`scratch`, nPos + 1 entries, holds the counts).
 */
export function averagePrecisionOf(pos: Float64Array, nPos: number, neg: Float64Array, nNeg: number, scratch = new Int32Array(nPos + 1)): number {
  if (nPos === 0) return NaN;
  const ps = pos.subarray(0, nPos);
  for (let i = 0; i < nPos; i++) ps[i] = rankKey(ps[i]);
  ps.sort();
  // ahead[r]: negatives whose key is below ps[r] but not below ps[r − 1].
  const ahead = scratch.subarray(0, nPos + 1).fill(0);
  for (let i = 0; i < nNeg; i++) {
    const key = rankKey(neg[i]);
    let lo = 0;
    let hi = nPos;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ps[mid] > key) hi = mid;
      else lo = mid + 1;
    }
    ahead[lo]++;
  }
  let sum = 0;
  let before = 0;
  for (let r = 0; r < nPos; r++) {
    before += ahead[r];
    sum += (r + 1) / (r + 1 + before);
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
 * Benjamini–Hochberg adjusted p-values in the input's order, with statsmodels `fdr_bh`'s arithmetic
 * (p / (rank / n), running minimum from the largest, capped at 1), so that a corrected p on the threshold
 * falls on the same side of it.
 */
export function benjaminiHochberg(p: readonly number[]): Float64Array {
  const n = p.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  const out = new Float64Array(n);
  let running = 1;
  for (let r = n - 1; r >= 0; r--) {
    running = Math.min(running, p[order[r]] / ((r + 1) / n));
    out[order[r]] = running;
  }
  return out;
}
