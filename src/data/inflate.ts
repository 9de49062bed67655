import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { NATIVE_ADDON, nativeGzipInflater } from '../numeric/native.ts';

/** Which inflater reads a gzip file: ISA-L's igzip (native/gzip_inflate.c) or Node's zlib. */
export type Inflater = 'isa-l' | 'zlib';

/** ISA-L's where the addon was built with it and the library loads, else zlib. */
export function inflaterInUse(): Inflater {
  return nativeGzipInflater() ? 'isa-l' : 'zlib';
}

/**
 * A gzip file inflated on a worker thread while the caller works on what has come out so far, without
 * waiting on the event loop: `readTable` stays synchronous (tests and `ads convert` call it so) and
 * `readDatasetAsync` lets the loop turn between parts, yet inflating (one core) overlaps with checking and
 * parsing the text (the others). The compressed file is streamed from disk, and at most
 * SLOTS pieces of inflated text wait for the reader: the whole text is never in memory.
 *
 * The worker is plain JavaScript evaluated from a string (no module to resolve, the same from the
 * TypeScript sources and from the build). It inflates with ISA-L's igzip where the addon has it, else with
 * Node's own zlib, as `gunzipSync` does; either way a broken stream is told and named as zlib tells it
 * (test/inflate.test.ts holds both against `gunzipSync`).
 */

/** Bytes per inflated piece: zlib's output chunk. */
const PIECE = 1 << 20;
/**
 * Slots of PIECE bytes in the ring the worker fills ahead of the reader (back-pressure: 48 MB, more than a
 * part of `readTable`, so that inflating goes on while a part is parsed).
 */
const SLOTS = 48;

// Shared counters: events (any change below), pieces posted, pieces taken, the stream's state, and a stop flag
// (the reader gave up).
const [EVENTS, POSTED, TAKEN, STATE, STOP] = [0, 1, 2, 3, 4];
/** States after 0, running. */
const [ENDED, FAILED] = [1, 2];

/**
 * The worker: inflates the file into ring slot (piece number mod SLOTS), piece length in `lengths`, and waits
 * while every slot holds a piece not taken yet. The ring is one SharedArrayBuffer, allocated once: no buffer
 * per piece to allocate, move and collect. With `native` (the addon's path, where ISA-L was found: see
 * native/gzip_inflate.c), ISA-L's igzip inflates the file read in pieces straight into the slots, its errors
 * named as zlib names them; else Node's zlib stream does, into a piece copied into the slot.
 */
const WORKER = `
const { workerData } = require('node:worker_threads');
const { closeSync, createReadStream, openSync, readSync } = require('node:fs');
const { createGunzip } = require('node:zlib');
const { path, port, control, ring, lengths, consumed, piece, slots, native } = workerData;
let posted = 0;
let finished = false;
function event() {
  Atomics.add(control, ${EVENTS}, 1);
  Atomics.notify(control, ${EVENTS});
}
function finish(state) {
  finished = true;
  Atomics.store(control, ${STATE}, state);
  event();
  port.close();
}
function fail(err) {
  if (finished) return;
  port.postMessage({ code: err && err.code, message: String(err && err.message) });
  finish(${FAILED});
}
process.on('uncaughtException', fail);
/** Waits for a free slot; false where the reader gave up. */
function slotFree() {
  for (let taken; posted - (taken = Atomics.load(control, ${TAKEN})) >= slots && !Atomics.load(control, ${STOP}); ) {
    Atomics.wait(control, ${TAKEN}, taken);
  }
  return !Atomics.load(control, ${STOP});
}
function post(slot, length, inflatedFrom) {
  lengths[slot] = length;
  consumed[slot] = inflatedFrom;
  Atomics.store(control, ${POSTED}, ++posted);
  event();
}
// ISA-L's errors (negative) as zlib words them; status 2 is a stream cut short, 3 a library this cannot use.
const ISAL_ERRORS = { '-1': 'invalid block type', '-2': 'invalid literal/length or distance code', '-3': 'invalid distance too far back', '-4': 'incorrect header check', '-5': 'unknown compression method', '-6': 'incorrect data check' };
function inflateWithIsal() {
  const addon = require(native);
  const inflater = addon.gzipInflater();
  const input = Buffer.allocUnsafe(piece);
  const result = new Float64Array(2);
  const fd = openSync(path, 'r');
  try {
    let [at, end, last, read] = [0, 0, false, 0];
    for (;;) {
      if (!slotFree()) return finish(${FAILED});
      const slot = posted % slots;
      const out = ring.subarray(slot * piece, (slot + 1) * piece);
      let made = 0;
      let status = 0;
      while (made < piece && status === 0) {
        if (at === end && !last) {
          end = readSync(fd, input, 0, piece, null);
          at = 0;
          last = end === 0;
        }
        status = addon.gzipInflate(inflater, input.subarray(at, end), last, out.subarray(made), result);
        at += result[0];
        read += result[0];
        made += result[1];
      }
      if (made > 0) post(slot, made, read);
      if (status === 1) return finish(${ENDED});
      if (status === 2) return fail({ code: 'Z_BUF_ERROR', message: 'unexpected end of file' });
      if (status === 3) return fail({ code: 'ADS_ISAL', message: 'this libisal keeps bytes past the end of a gzip member, which this reader cannot use; ADS_NATIVE=0 inflates with zlib' });
      if (status < 0) return fail({ code: 'Z_DATA_ERROR', message: ISAL_ERRORS[status] || 'igzip error ' + status });
    }
  } catch (err) {
    fail(err);
  } finally {
    closeSync(fd);
  }
}
function inflateWithZlib() {
  const input = createReadStream(path, { highWaterMark: piece });
  const gunzip = createGunzip({ chunkSize: piece });
  input.on('error', fail);
  gunzip.on('error', fail);
  gunzip.on('data', (chunk) => {
    if (finished) return;
    if (!slotFree()) {
      input.destroy();
      gunzip.destroy();
      finish(${FAILED});
      return;
    }
    const slot = posted % slots;
    ring.set(chunk, slot * piece);
    post(slot, chunk.length, gunzip.bytesWritten);
  });
  gunzip.on('end', () => {
    if (!finished) finish(${ENDED});
  });
  input.pipe(gunzip);
}
if (native) inflateWithIsal();
else inflateWithZlib();
`;

/** Why the gzip stream could not be inflated: zlib's code (Z_BUF_ERROR for a stream cut short) and message. */
export class GzipFailure extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** An inflated piece of text (a view of the ring, valid until the next is asked for: copy what must stay). */
export interface InflatedPiece {
  readonly bytes: Uint8Array;
  /** Compressed bytes inflated so far, for an estimate of the whole text's size. */
  readonly consumed: number;
}

/**
 * The gzip file at `path`, inflated piece by piece, in order, as the caller asks for them: between two
 * pieces the caller may do anything, even let the event loop turn (the worker goes on inflating into the
 * ring meanwhile). A broken stream throws `GzipFailure`. Closing the generator early (`return`, or an
 * exception in a `for … of`) stops the worker. `inflater`: ISA-L's where found, else Node's zlib (tests ask for each).
 */
export function* inflatedPieces(path: string, inflater: Inflater = inflaterInUse()): Generator<InflatedPiece, void, undefined> {
  const control = new Int32Array(new SharedArrayBuffer(5 * Int32Array.BYTES_PER_ELEMENT));
  const ring = new Uint8Array(new SharedArrayBuffer(SLOTS * PIECE));
  const lengths = new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const consumed = new Float64Array(new SharedArrayBuffer(SLOTS * Float64Array.BYTES_PER_ELEMENT));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER, {
    eval: true,
    // Not the parent's flags: the worker needs no TypeScript loader.
    execArgv: [],
    workerData: { path, port: port2, control, ring, lengths, consumed, piece: PIECE, slots: SLOTS, native: inflater === 'isa-l' ? NATIVE_ADDON : null },
    transferList: [port2],
  });
  worker.unref();
  try {
    for (let taken = 0; ; ) {
      const events = Atomics.load(control, EVENTS);
      if (taken < Atomics.load(control, POSTED)) {
        const slot = taken % SLOTS;
        yield { bytes: ring.subarray(slot * PIECE, slot * PIECE + lengths[slot]), consumed: consumed[slot] };
        Atomics.store(control, TAKEN, ++taken);
        Atomics.notify(control, TAKEN);
        continue;
      }
      const state = Atomics.load(control, STATE);
      if (state === ENDED) return;
      if (state === FAILED) {
        const { code, message } = receiveMessageOnPort(port1)!.message as { code?: string; message: string };
        throw new GzipFailure(code, message);
      }
      Atomics.wait(control, EVENTS, events);
    }
  } finally {
    Atomics.store(control, STOP, 1);
    Atomics.notify(control, TAKEN);
    port1.close();
    void worker.terminate();
  }
}
