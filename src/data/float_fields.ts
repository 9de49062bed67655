/**
 * The feature columns of checked CSV records parsed straight into a row-major float64 block, the other
 * columns' fields copied aside for polars: the load of a CSV of features is mostly this. A part of
 * 1,068 rows × 1,700 features (33 MB) takes 110–120 ms here against polars' 170 ms for the same part, and
 * polars' columns then had to be copied into the row-major matrix, a value at a time.
 *
 * Only plain decimals are taken here (`-?digits[.digits][(e|E)[+|-]digits]`, at most 19 significant digits
 * and a decimal exponent within ±44, or an empty field: missing). Any other field in a feature column of the
 * part (quoted, `NaN`, `inf`, `+1`, `.5`, a word, `-0`, which polars reads as the integer 0) makes
 * `readFloatFields` give up, and the caller reads the part with polars as before: what such values become,
 * and which are errors, stays polars' rule alone.
 *
 * Every value is the double nearest to the decimal (ties to even), as polars' and JavaScript's parsers give
 * it; see `parseDecimal`.
 *
 * Where the native addon is built, its C twin of `readFloatFieldsInJs` (native/float_fields.c: the same walk
 * over records and fields, and the same nearest double, rounded another way) parses instead, about four times
 * as fast; the JavaScript here stays the rule, and reads any part the C hands back (a value its rounding
 * cannot decide).
 */

import { FLOAT_FIELDS_HARD, nativeFloatFields } from '../numeric/native.ts';
import { plainFieldEnd } from './csv.ts';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const E_UPPER = 0x45;
const E_LOWER = 0x65;

/** 10^0 … 10^22: every one exactly a double. */
const POWERS = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);
/** 10^-k, rounded: for the quotient's low part and a first guess of its high part (see `nearest`). */
const INVERSES = POWERS.map((p) => 1 / p);
/** Significant digits that fit the exact double-double of `nearest` (10^19 < 2^64). */
const MAX_DIGITS = 19;
/** The largest |decimal exponent| taken: two steps of an exact power of ten (10^22) at most. */
const MAX_EXPONENT = 44;
/** Dekker's splitter for float64: 2^27 + 1. */
const SPLITTER = 134217729;
/** Relative error bound of the double-double quotient or product (a few units of 2^-106), with room. */
const RELATIVE_ERROR = 2 ** -98;

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** Where the last `parseDecimal` stopped: the first byte that is not part of the number. */
let stop = 0;

/** `readFloatFieldsInJs`, natively where the addon is built (same values, same result). */
export function readFloatFields(text: Buffer, from: number, to: number, width: number, slot: Int32Array, k: number, out: Float64Array, rest: Buffer): number {
  const native = nativeFloatFields();
  const read = native ? native(text, from, to, width, slot, k, out, rest) : FLOAT_FIELDS_HARD;
  return read === FLOAT_FIELDS_HARD ? readFloatFieldsInJs(text, from, to, width, slot, k, out, rest) : read;
}

/**
 * Parses records [from, to) of `text` (whole records, as `CsvChecker.take` found them: `width` fields each)
 * into `out`: row r's value of the column at slot[f] ≥ 0 (its field f) at out[r·k + slot[f]]. The other
 * fields (slot −1), quoted or not, are copied as they are into `rest` (from its start: a CSV of those
 * columns' records, without a header; `rest` needs room for to − from bytes), so that polars reads only
 * them. Returns the bytes written to `rest`, or −1 as soon as a parsed field is not a plain decimal (see the
 * module's comment), `out` and `rest` then holding part of the values.
 */
export function readFloatFieldsInJs(text: Buffer, from: number, to: number, width: number, slot: Int32Array, k: number, out: Float64Array, rest: Buffer): number {
  let i = from;
  let row = 0;
  let o = 0;
  while (i < to) {
    let copied = false;
    const base = row * k;
    for (let f = 0; f < width; f++) {
      const s = slot[f];
      const last = f === width - 1;
      if (s >= 0) {
        const b = text[i];
        if (i >= to || b === COMMA || b === LF || (b === CR && last && (i + 1 === to || text[i + 1] === LF))) {
          out[base + s] = NaN;
        } else {
          const v = parseDecimal(text, i, to);
          if (v !== v) return -1;
          out[base + s] = v;
          i = stop;
        }
      } else {
        const start = i;
        if (text[i] === QUOTE) {
          // A quoted field: up to the quote not doubled (commas and line breaks inside are its text).
          for (i++; i < to; i++) {
            if (text[i] === QUOTE) {
              if (text[i + 1] === QUOTE) i++;
              else break;
            }
          }
          i++;
        }
        i = plainFieldEnd(text, i, to);
        // A record's last field may end in CR (a CRLF line end), which polars does not count as its text.
        const end = last && i > start && text[i - 1] === CR ? i - 1 : i;
        if (copied) rest[o++] = COMMA;
        o += text.copy(rest, o, start, end);
        copied = true;
      }
      // The checker counted the fields; a record that does not end where it should is not read here.
      if (!last) {
        if (text[i] !== COMMA) return -1;
      } else if (i < to) {
        if (s >= 0 && text[i] === CR) i++;
        if (i < to && text[i] !== LF) return -1;
      }
      i++;
    }
    rest[o++] = LF;
    row++;
  }
  return o;
}

/**
 * The double nearest to the plain decimal that starts at text[start] and ends before `end` or the first byte
 * that cannot continue it (left in `stop`), ties to even; NaN where it is not one (see the module's comment).
 *
 * The significant digits m (≤ 19) and the decimal exponent e (|e| ≤ 44) give x = m·10^e. Up to 15 digits m
 * is exact as a double, and so is 10^|e| up to 22, and one IEEE operation then rounds the exact result
 * correctly (Clinger's fast path). Past either, see `nearest`. Digits are read four at a time where four in a row are
 * digits (one 32-bit word, converted without a branch per digit: a digit at a time, each waiting on the
 * last, costs more than the rest of a load).
 */
function parseDecimal(text: Buffer, start: number, end: number): number {
  let i = start;
  const negative = text[i] === MINUS;
  if (negative) i++;
  // m = high·10^lowDigits + low: high exact (≤ 15 digits), the digits past it in low. (Locals, not module
  // state or a helper's result: a double kept outside a function's locals is a heap allocation per store.)
  let high = 0;
  let highDigits = 0;
  let low = 0;
  let lowDigits = 0;
  let exponent = 0;
  let integer = true;
  const first = i;
  while (i < end && text[i] === ZERO) i++;
  // The integer digits, then (after a point) the fraction's.
  for (;;) {
    // Four bytes at a time: the digits they start with (all four, or the last few of a run, without a
    // loop over them); the last bytes before `end` one at a time.
    for (; i + 4 <= end; ) {
      const w = text[i] | (text[i + 1] << 8) | (text[i + 2] << 16) | (text[i + 3] << 24);
      // Zero in each byte that is a digit (0x30…0x39: high nibble 3, and 3 still after adding 6).
      const t = ((w & 0xf0f0f0f0) | (((w + 0x06060606) & 0xf0f0f0f0) >>> 4)) ^ 0x33333333;
      // Digits before the first byte that is not one (the lowest nonzero byte of t).
      const n = t === 0 ? 4 : (31 - Math.clz32(t & -t)) >> 3;
      if (n === 0) break;
      // Those n digits as the last of four (led by '0's), bytes d0 d1 d2 d3 (first digit lowest) →
      // d0·10 + d1 and d2·10 + d3 → their value.
      let v = (n === 4 ? w : (w << (32 - 8 * n)) | (0x30303030 >>> (8 * n))) - 0x30303030;
      v = (v * 10 + (v >>> 8)) & 0x00ff00ff;
      v = (v & 0xff) * 100 + (v >>> 16);
      if (lowDigits === 0 && highDigits + n <= 15) {
        high = high * POWERS[n] + v;
        highDigits = high === 0 ? 0 : highDigits + n;
      } else {
        low = low * POWERS[n] + v;
        lowDigits += n;
      }
      i += n;
      if (n < 4) break;
    }
    for (; i < end && i + 4 > end; i++) {
      const d = text[i] - ZERO;
      if (d < 0 || d > 9) break;
      if (lowDigits === 0 && highDigits < 15) {
        high = high * 10 + d;
        highDigits = high === 0 ? 0 : highDigits + 1;
      } else {
        low = low * 10 + d;
        lowDigits++;
      }
    }
    if (highDigits + lowDigits > MAX_DIGITS) return NaN;
    if (integer) {
      if (i === first) return NaN;
      if (!(i < end && text[i] === DOT)) break;
      integer = false;
      const fraction = ++i;
      if (highDigits === 0) while (i < end && text[i] === ZERO) i++;
      exponent = fraction;
    } else {
      // exponent held where the fraction starts; a point needs a digit after it.
      if (i === exponent) return NaN;
      exponent -= i;
      break;
    }
  }
  if (i < end && (text[i] === E_LOWER || text[i] === E_UPPER)) {
    i++;
    integer = false;
    let sign = 1;
    if (text[i] === MINUS || text[i] === PLUS) sign = text[i++] === MINUS ? -1 : 1;
    const expStart = i;
    let e = 0;
    for (; i < end; i++) {
      const x = text[i] - ZERO;
      if (x < 0 || x > 9 || e > 1000) break;
      e = e * 10 + x;
    }
    if (i === expStart) return NaN;
    exponent += sign * e;
  }
  stop = i;
  if (highDigits === 0) {
    // "-0" is the integer 0 to polars (an integer column), "-0.0" or "-0e1" negative zero: left to polars.
    if (negative && integer) return NaN;
    return negative ? -0 : 0;
  }
  if (exponent < -MAX_EXPONENT || exponent > MAX_EXPONENT) return NaN;
  let x: number;
  if (lowDigits === 0 && exponent >= -22 && exponent <= 22) {
    x = exponent < 0 ? high / POWERS[-exponent] : high * POWERS[exponent];
  } else {
    x = nearest(high, POWERS[lowDigits], low, exponent);
    if (x !== x) x = Number(text.toString('latin1', negative ? start + 1 : start, i));
  }
  return negative ? -x : x;
}

/**
 * (high·scale + low)·10^exponent rounded to the nearest double, or NaN where the double-double error bound
 * cannot tell (the caller then parses exactly). 1 ≤ high < 10^15, scale = 10^j, low < scale, m < 10^19: m is
 * exact as a double-double (Dekker's product of two doubles below 2^53, then the integer remainders, which
 * add exactly), x is formed within RELATIVE_ERROR of m·10^e, and its leading double is the answer when that
 * interval lies inside the double's rounding interval; otherwise (about one value in 2^45, and exact
 * halfway cases) JavaScript's own correctly rounded parser decides.
 */
function nearest(high: number, scale: number, low: number, exponent: number): number {
  // m = high·scale + low exactly, as mh + ml (Dekker's product; both factors < 2^53).
  let mh = high * scale;
  let ml = twoProductError(high, scale, mh);
  let s = mh + low;
  ml += low - (s - mh); // Fast2Sum: |mh| ≥ low
  mh = s;
  s = mh + ml;
  ml = ml - (s - mh);
  mh = s;
  // x = m·10^e as xh + xl, by one exact power of ten (10^±22 at most) at a time: each step within a few
  // units of 2^-104 of its exact result, so two within RELATIVE_ERROR of x.
  const k = exponent > 22 ? 22 : exponent < -22 ? -22 : exponent;
  timesPowerOfTen(mh, ml, k);
  if (k !== exponent) timesPowerOfTen(pair[0], pair[1], exponent - k);
  const xh = pair[0];
  const xl = pair[1];
  // xh's rounding interval: half its ulp each way, a quarter below a power of two (the ulp below is half).
  // (x ≥ 10^-44, so xh is a normal double and its ulp, 2^(E−1075) for the biased exponent E, is one too.)
  bits[0] = xh;
  const hi = words[1];
  const powerOfTwo = (hi & 0xfffff) === 0 && words[0] === 0;
  words[1] = (((hi >>> 20) & 0x7ff) - 53) << 20;
  words[0] = 0;
  const halfUlp = bits[0];
  const room = (xl < 0 && powerOfTwo ? halfUlp / 2 : halfUlp) - RELATIVE_ERROR * xh;
  return Math.abs(xl) < room ? xh : NaN;
}

/** A double-double result (a typed array: no allocation per value). */
const pair = new Float64Array(2);

/**
 * (h + l)·10^k as a double-double in `pair`, |k| ≤ 22, within a few units of 2^-104 of its exact value
 * (|l| ≤ half an ulp of h).
 */
function timesPowerOfTen(h: number, l: number, k: number): void {
  let hi: number;
  let lo: number;
  if (k >= 0) {
    const p = POWERS[k];
    hi = h * p;
    lo = twoProductError(h, p, hi) + l * p;
  } else {
    // Long division by d = 10^−k: a guess hi = h·(1/d) (within 2^-52 of h/d), the remainder
    // (h + l) − hi·d (h − fl(hi·d) exactly, as they are within a factor 2 (Sterbenz), less Dekker's error
    // of that product, plus l: within 2^-104 of h's), times 1/d: a low part within 2^-52 of its own size.
    const d = POWERS[-k];
    const inverse = INVERSES[-k];
    hi = h * inverse;
    const p = hi * d;
    lo = (h - p - twoProductError(hi, d, p) + l) * inverse;
  }
  // Knuth's TwoSum: the sum and its exact rounding error.
  const sum = hi + lo;
  const back = sum - hi;
  pair[0] = sum;
  pair[1] = hi - (sum - back) + (lo - back);
}

/** a·b − p exactly, for p = fl(a·b) (Dekker, no fused multiply-add): the rounding error of the product. */
function twoProductError(a: number, b: number, p: number): number {
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return al * bl - (((p - ah * bh) - al * bh) - ah * bl);
}
