/**
 * The part of the protobuf wire format the event files need: an encoder only, built from
 * functions that each return one encoded field, and `message` to join them.
 * proto3 leaves fields at their default value off the wire; callers express that with
 * `cond && field(...)`, which `message` skips, so the choice stays visible at each call site.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

export type Part = Uint8Array | false | undefined;

function concat(parts: readonly Part[]): Uint8Array {
  const present = parts.filter((p): p is Uint8Array => p instanceof Uint8Array);
  const out = new Uint8Array(present.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of present) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The body of a message: its fields in order, skipping the `false`/`undefined` ones. */
export function message(...fields: Part[]): Uint8Array {
  return concat(fields);
}

/**
 * Base-128 varint of an integer. Negative values are sign-extended to 64 bits (10 bytes),
 * as protobuf does for int32/int64/enum; BigInt keeps steps above 2^31 exact.
 */
export function varint(value: number | bigint): Uint8Array {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`varint needs a safe integer, got ${value}`);
  }
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (v >= 0x80n) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Uint8Array.from(bytes);
}

function key(field: number, wireType: number): Uint8Array {
  return varint((field << 3) | wireType);
}

/** int32, int64, uint*, bool and enum fields. */
export function varintField(field: number, value: number | bigint | boolean): Uint8Array {
  return concat([key(field, WIRE_VARINT), varint(typeof value === 'boolean' ? Number(value) : value)]);
}

export function doubleField(field: number, value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, value, true);
  return concat([key(field, WIRE_FIXED64), out]);
}

export function floatField(field: number, value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setFloat32(0, value, true);
  return concat([key(field, WIRE_FIXED32), out]);
}

/** string (UTF-8), bytes and embedded-message fields. */
export function bytesField(field: number, value: Uint8Array | string): Uint8Array {
  const body = typeof value === 'string' ? utf8.encode(value) : value;
  return concat([key(field, WIRE_LEN), varint(body.length), body]);
}

/** An embedded message, written even when empty (presence matters for message fields). */
export function messageField(field: number, ...fields: Part[]): Uint8Array {
  return bytesField(field, message(...fields));
}

/** `repeated double` in proto3's default packed form: one length-delimited run of fixed64s. */
export function packedDoubleField(field: number, values: ArrayLike<number>): Uint8Array {
  const body = new Uint8Array(values.length * 8);
  const view = new DataView(body.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return bytesField(field, body);
}
