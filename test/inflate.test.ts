import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { GzipFailure, type Inflater, inflatedPieces, inflaterInUse } from '../src/data/inflate.ts';
import { stream } from '../src/random/streams.ts';

/**
 * The worker that inflates a CSV.gz (src/data/inflate.ts), with each inflater it has: ISA-L's igzip
 * (native/gzip_inflate.c, where the addon was built with it and libisal.so.2 loads) and Node's zlib. The
 * oracle is Node's `gunzipSync` on the same bytes: the same text, or the same failure (zlib's code and words).
 */

const dir = mkdtempSync(join(tmpdir(), 'ads-inflate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const write = (bytes: Uint8Array) => {
  const path = join(dir, `f${files++}.gz`);
  writeFileSync(path, bytes);
  return path;
};

/** CSV-like text of `lines` lines of random decimals: several of the ring's 1 MB pieces once compressed. */
function text(lines: number, seed: number): Buffer {
  const rs = stream(seed, 'test/inflate');
  return Buffer.from(Array.from({ length: lines }, (_, i) => `${i},${Array.from({ length: 12 }, () => rs.normal().toFixed(6)).join(',')}\n`).join(''));
}

/** Everything the inflater gives, or how it failed. */
function inflate(path: string, inflater: Inflater): { text: Buffer } | { code: string | undefined; message: string } {
  const pieces: Buffer[] = [];
  try {
    for (const piece of inflatedPieces(path, inflater)) pieces.push(Buffer.from(piece.bytes));
  } catch (err) {
    if (!(err instanceof GzipFailure)) throw err;
    return { code: err.code, message: err.message };
  }
  return { text: Buffer.concat(pieces) };
}

/** What Node's zlib makes of the whole file at once. */
function oracle(bytes: Uint8Array): { text: Buffer } | { code: string | undefined; message: string } {
  try {
    return { text: gunzipSync(bytes) };
  } catch (err) {
    const { code, message } = err as { code?: string; message: string };
    return { code, message };
  }
}

const big = text(60_000, 1);
const small = text(300, 2);
const gz = gzipSync(big, { level: 6 });
const member = gzipSync(small);

const cases: [string, Buffer][] = [
  ['a file of several pieces', gz],
  ['stored blocks (level 0) and a fixed-Huffman member', Buffer.concat([gzipSync(small, { level: 0 }), gzipSync(small, { level: 1, strategy: constants.Z_FIXED })])],
  ['two members one after the other (cat a.gz b.gz)', Buffer.concat([gz, member])],
  ['a member, then zero bytes of padding', Buffer.concat([member, Buffer.alloc(700)])],
  ['an empty member', gzipSync(Buffer.alloc(0))],
  ['a stream cut short inside its data', gz.subarray(0, gz.length >> 1)],
  ['a stream cut short inside its trailer', member.subarray(0, member.length - 3)],
  ['a wrong CRC-32 in the trailer', Buffer.concat([member.subarray(0, member.length - 8), Buffer.from([1, 2, 3, 4]), member.subarray(member.length - 4)])],
  ['a second member that is not gzip', Buffer.concat([member, Buffer.from('not gzip at all')])],
  ['a header with an unknown compression method', Buffer.concat([member.subarray(0, 2), Buffer.from([7]), member.subarray(3)])],
];

const isal = inflaterInUse() === 'isa-l';
const inflaters: [Inflater, string][] = [
  ['zlib', ''],
  ['isa-l', isal ? '' : ' [skipped: no ISA-L inflater (the addon is not built with libisal-dev, libisal.so.2 does not load, or ADS_NATIVE=0)]'],
];

describe.each(inflaters)('the %s inflater%s', (inflater, skipped) => {
  it.skipIf(!!skipped).each(cases)('%s: the same text as zlib, or the same failure', (_, bytes) => {
    const expected = oracle(bytes);
    const got = inflate(write(bytes), inflater);
    if ('text' in expected) {
      expect('text' in got).toBe(true);
      expect((got as { text: Buffer }).text.equals(expected.text)).toBe(true);
    } else {
      expect(got).toEqual(expected);
    }
  });

  it.skipIf(!!skipped)('a byte flipped in the data is corrupt, never other text', () => {
    // Where zlib and igzip both read a flipped byte as data, the CRC-32 catches it; each flip must fail.
    const rs = stream(3, 'test/inflate-flips');
    for (let k = 0; k < 40; k++) {
      const bytes = Buffer.from(member);
      bytes[10 + rs.int(member.length - 18)] ^= 1 << rs.int(8);
      const got = inflate(write(bytes), inflater);
      expect('code' in got && got.code).toMatch(/^Z_(DATA|BUF)_ERROR$/);
    }
  });

  it.skipIf(!!skipped)('counts the compressed bytes behind each piece, up to the whole file', () => {
    const path = write(gz);
    let last = 0;
    let pieces = 0;
    for (const piece of inflatedPieces(path, inflater)) {
      expect(piece.consumed).toBeGreaterThanOrEqual(last);
      last = piece.consumed;
      pieces++;
    }
    expect(pieces).toBeGreaterThan(2);
    expect(last).toBe(gz.length);
  });
});
