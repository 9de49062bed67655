import type { Worker } from 'node:worker_threads';
import { LOAD_FAILED, moduleWorker } from '../runtime/module_worker.ts';
import { lineBreaks } from './csv.ts';
import { readFloatFields } from './float_fields.ts';

/**
 * `readFloatFields` of one part on several threads, with the same values and the same result: the part's
 * records are cut into runs of whole records, one per thread; this thread parses the first run straight
 * into the caller's `out` and `rest`, each helper thread (float_fields_worker.ts) one of the others into
 * `out` at its first row and into a `rest` of its own, which is then appended here in order. Parsing the
 * features is most of a CSV load's work (2.3 CPU-s for 14,880 × 1,700 values, beside 1.1 s of inflating on
 * a thread of its own); spread over the cores with the inflating, the load of that file took 3.0 s on two
 * threads against 3.3 s on one, and a CDRP-size file (2.6 GB) 33–36 s against 41 s.
 *
 * A part is cut only where a cut is surely between records: its text holds no quote (a quoted field may hold
 * a line break), so every line break ends a record, and a run's first row is the line breaks before it. A
 * line that is not a record (blank, or of too few fields) makes the run's `readFloatFields` give up, and
 * then the part's result, as on one thread. The text and `out` must lie on shared memory (SharedArrayBuffer)
 * for helpers to see them; else, and for small parts, this thread parses alone.
 *
 * Helpers start on the first part worth cutting (and take 30 ms in the build, 170 ms from the sources, a
 * first part's inflating overlaps it) and stay for the next parts until `close`.
 */
export class FloatFieldsTeam {
  private readonly helpers: Helper[] = [];

  /** Whether a helper failed: the rest of the file is parsed on this thread. */
  private broken = false;

  constructor(
    /** Threads parsing at once, this one included (a run's `runtime.threads`). */
    private readonly threads: number,
    /** Bytes of records a part needs to be cut (tests cut tiny parts). */
    private readonly from = TEAM_FROM,
  ) {}

  /**
   * `readFloatFields(text, from, to, width, slot, k, out, rest)`, on the team where the part is worth it;
   * `linesAreRecords` where the caller knows the text holds no quote (else it is looked for here).
   */
  read(text: Buffer, from: number, to: number, width: number, slot: Int32Array, k: number, out: Float64Array, rest: Buffer, linesAreRecords = false): number {
    const cuts = this.cuts(text, from, to, out, linesAreRecords);
    if (cuts.length <= 2) return readFloatFields(text, from, to, width, slot, k, out, rest);
    const runs = cuts.length - 1;
    while (this.helpers.length < runs - 1) this.helpers.push(newHelper());
    // Runs 1… to the helpers, each from its first row (the line breaks, records, before it).
    const handed: { helper: Helper; from: number; to: number; first: number; posted: boolean }[] = [];
    let row = 0;
    for (let r = 1; r < runs; r++) {
      row += lineBreaks(text, cuts[r - 1], cuts[r]);
      const helper = this.helpers[r - 1];
      const run = { helper, from: cuts[r], to: cuts[r + 1], first: row, posted: false };
      if (helper.rest.length < run.to - run.from) helper.rest = sharedBuffer(Math.ceil((run.to - run.from) * 1.25));
      // Not over a helper that could not load (it said so in the same word).
      const state = Atomics.load(helper.control, STATE);
      if (state !== LOAD_FAILED && Atomics.compareExchange(helper.control, STATE, state, BUSY) === state) {
        const job: RangeJob = { text, from: run.from, to: run.to, width, slot, k, out: out.subarray(row * k), rest: helper.rest };
        helper.worker.postMessage(job);
        run.posted = true;
      }
      handed.push(run);
    }
    let length = readFloatFields(text, cuts[0], cuts[1], width, slot, k, out, rest);
    // Every helper is waited for, even once a run has given up: none may write into `out` after this returns.
    for (const { helper, from: start, to: end, first, posted } of handed) {
      if (!posted || waitFor(helper) !== DONE) {
        // A helper that could not load or failed: its run is parsed here, and later parts on this thread alone.
        this.broken = true;
        if (length >= 0) {
          const own = readFloatFields(text, start, end, width, slot, k, out.subarray(first * k), rest.subarray(length));
          length = own < 0 ? -1 : length + own;
        }
        continue;
      }
      const result = Atomics.load(helper.control, RESULT);
      if (length < 0 || result < 0) {
        length = -1;
        continue;
      }
      helper.rest.copy(rest, length, 0, result);
      length += result;
    }
    return length;
  }

  /** Stops the helpers. */
  close(): void {
    for (const helper of this.helpers.splice(0)) void helper.worker.terminate();
  }

  /** Where the records [from, to) are cut for the team: [from, …, to], or [from, to] to parse them here. */
  private cuts(text: Buffer, from: number, to: number, out: Float64Array, linesAreRecords: boolean): number[] {
    const whole = [from, to];
    if (this.threads < 2 || this.broken || to - from < this.from) return whole;
    if (!(text.buffer instanceof SharedArrayBuffer) || !(out.buffer instanceof SharedArrayBuffer)) return whole;
    if (!linesAreRecords && text.subarray(from, to).includes(QUOTE)) return whole;
    const cuts = [from];
    for (let r = 1; r < this.threads; r++) {
      const at = text.indexOf(LF, from + Math.floor(((to - from) * r) / this.threads));
      if (at < 0 || at + 1 >= to) break;
      if (at + 1 > cuts[cuts.length - 1]) cuts.push(at + 1);
    }
    cuts.push(to);
    return cuts;
  }
}

/** Records' bytes below which a part is parsed on one thread (a round trip to a helper costs ~0.1 ms). */
export const TEAM_FROM = 4 << 20;

/** A run of records for a helper: `text` and `out` on shared memory, `rest` its own shared buffer. */
export interface RangeJob {
  text: Uint8Array;
  from: number;
  to: number;
  width: number;
  slot: Int32Array;
  k: number;
  out: Float64Array;
  rest: Uint8Array;
}

// A helper's control words (Int32, shared): its state, and its job's result (`readFloatFields`' return).
export const [STATE, RESULT] = [0, 1];
export const [BUSY, DONE, FAILED] = [1, 2, 3];

interface Helper {
  worker: Worker;
  control: Int32Array;
  rest: Buffer;
}

const QUOTE = 0x22;
const LF = 0x0a;

function newHelper(): Helper {
  const control = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  return { worker: moduleWorker(import.meta.url, 'float_fields_worker', { control }), control, rest: sharedBuffer(0) };
}

/** A Buffer on shared memory, which the helpers see (zero-filled, as untouched pages cost nothing until written). */
export function sharedBuffer(bytes: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(bytes));
}

/** The helper's state once it is not busy: DONE, FAILED or LOAD_FAILED. */
function waitFor(helper: Helper): number {
  let state;
  while ((state = Atomics.load(helper.control, STATE)) === BUSY) Atomics.wait(helper.control, STATE, BUSY);
  return state;
}

