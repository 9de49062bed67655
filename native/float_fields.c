/*
 * src/data/float_fields.ts's `readFloatFieldsInJs` in C: the feature columns of checked CSV records parsed into
 * a row-major float64 block, the other fields copied aside. Parsing the features is most of a CSV load's work;
 * here it runs about four times as fast (18 against 80 ns a value of 17 digits). The JavaScript stays the
 * rule. The walk over records and fields is its statements in the same order, so the same fields are taken,
 * rejected or copied aside; each value is the nearest double, as there, but rounded another way (see
 * `parseDecimal`), and any correctly rounded answer is the same double. test/float_fields.test.ts holds the
 * two, and each against JavaScript's `Number` and polars.
 *
 * Reads past `to` that the JavaScript makes (a byte after a field's last, which may lie outside the part but
 * inside the buffer) read the buffer here too; past the buffer's end JavaScript reads `undefined`, here −1.
 * Writes past `out` or `rest` are dropped, as a typed array drops them.
 *
 * One case is left to JavaScript: a value the 128-bit product cannot round (the Eisel–Lemire algorithm's
 * rare undecided case). There this returns FLOAT_FIELDS_HARD and the caller reads the whole part in
 * JavaScript, whose own parser decides it.
 */
#include "float_fields.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define LF 0x0a
#define CR 0x0d
#define QUOTE 0x22
#define COMMA 0x2c
#define MINUS 0x2d
#define PLUS 0x2b
#define DOT 0x2e
#define ZERO 0x30
#define E_UPPER 0x45
#define E_LOWER 0x65

#define MAX_DIGITS 19
#define MAX_EXPONENT 44

/* 10^0 … 10^22, each exactly a double (float_fields.ts's POWERS), and 10^0 … 10^8 as integers. */
static double POWERS[23];
static const uint64_t TENS[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

void floatFieldsInit(void) {
  double p = 1;
  for (int k = 0; k < 23; k++) {
    POWERS[k] = p;
    p *= 10;
  }
}

/* The input as JavaScript indexes it: a byte, or −1 (undefined) past the buffer. */
typedef struct {
  const uint8_t *text;
  int64_t length;
} Text;

static inline int at(const Text *t, int64_t i) { return i >= 0 && i < t->length ? t->text[i] : -1; }

/*
 * 5^q for q in [−MAX_EXPONENT, MAX_EXPONENT] to 128 bits, high word first, as the Eisel–Lemire algorithm
 * takes them (the table of fast_float and of Rust's core::num::dec2flt): for q ≥ 0, 5^q shifted to have its
 * top bit at 2^127 (exact: 5^44 < 2^128); for q < 0, with z the bits of 5^−q, ⌊2^(z+127) / 5^−q⌋ + 1 when
 * q ≥ −27, else ⌊2^(2z+128) / 5^−q⌋ + 1 cut to its top 128 bits.
 */
static const uint64_t POWERS_OF_FIVE[2 * MAX_EXPONENT + 1][2] = {
    {0xe45c10c42a2b3b05u, 0x8cb89a7db77c506au}, /* 5^-44 */
    {0x8eb98a7a9a5b04e3u, 0x77f3608e92adb242u}, /* 5^-43 */
    {0xb267ed1940f1c61cu, 0x55f038b237591ed3u}, /* 5^-42 */
    {0xdf01e85f912e37a3u, 0x6b6c46dec52f6688u}, /* 5^-41 */
    {0x8b61313bbabce2c6u, 0x2323ac4b3b3da015u}, /* 5^-40 */
    {0xae397d8aa96c1b77u, 0xabec975e0a0d081au}, /* 5^-39 */
    {0xd9c7dced53c72255u, 0x96e7bd358c904a21u}, /* 5^-38 */
    {0x881cea14545c7575u, 0x7e50d64177da2e54u}, /* 5^-37 */
    {0xaa242499697392d2u, 0xdde50bd1d5d0b9e9u}, /* 5^-36 */
    {0xd4ad2dbfc3d07787u, 0x955e4ec64b44e864u}, /* 5^-35 */
    {0x84ec3c97da624ab4u, 0xbd5af13bef0b113eu}, /* 5^-34 */
    {0xa6274bbdd0fadd61u, 0xecb1ad8aeacdd58eu}, /* 5^-33 */
    {0xcfb11ead453994bau, 0x67de18eda5814af2u}, /* 5^-32 */
    {0x81ceb32c4b43fcf4u, 0x80eacf948770ced7u}, /* 5^-31 */
    {0xa2425ff75e14fc31u, 0xa1258379a94d028du}, /* 5^-30 */
    {0xcad2f7f5359a3b3eu, 0x096ee45813a04330u}, /* 5^-29 */
    {0xfd87b5f28300ca0du, 0x8bca9d6e188853fcu}, /* 5^-28 */
    {0x9e74d1b791e07e48u, 0x775ea264cf55347eu}, /* 5^-27 */
    {0xc612062576589ddau, 0x95364afe032a819eu}, /* 5^-26 */
    {0xf79687aed3eec551u, 0x3a83ddbd83f52205u}, /* 5^-25 */
    {0x9abe14cd44753b52u, 0xc4926a9672793543u}, /* 5^-24 */
    {0xc16d9a0095928a27u, 0x75b7053c0f178294u}, /* 5^-23 */
    {0xf1c90080baf72cb1u, 0x5324c68b12dd6339u}, /* 5^-22 */
    {0x971da05074da7beeu, 0xd3f6fc16ebca5e04u}, /* 5^-21 */
    {0xbce5086492111aeau, 0x88f4bb1ca6bcf585u}, /* 5^-20 */
    {0xec1e4a7db69561a5u, 0x2b31e9e3d06c32e6u}, /* 5^-19 */
    {0x9392ee8e921d5d07u, 0x3aff322e62439fd0u}, /* 5^-18 */
    {0xb877aa3236a4b449u, 0x09befeb9fad487c3u}, /* 5^-17 */
    {0xe69594bec44de15bu, 0x4c2ebe687989a9b4u}, /* 5^-16 */
    {0x901d7cf73ab0acd9u, 0x0f9d37014bf60a11u}, /* 5^-15 */
    {0xb424dc35095cd80fu, 0x538484c19ef38c95u}, /* 5^-14 */
    {0xe12e13424bb40e13u, 0x2865a5f206b06fbau}, /* 5^-13 */
    {0x8cbccc096f5088cbu, 0xf93f87b7442e45d4u}, /* 5^-12 */
    {0xafebff0bcb24aafeu, 0xf78f69a51539d749u}, /* 5^-11 */
    {0xdbe6fecebdedd5beu, 0xb573440e5a884d1cu}, /* 5^-10 */
    {0x89705f4136b4a597u, 0x31680a88f8953031u}, /* 5^-9 */
    {0xabcc77118461cefcu, 0xfdc20d2b36ba7c3eu}, /* 5^-8 */
    {0xd6bf94d5e57a42bcu, 0x3d32907604691b4du}, /* 5^-7 */
    {0x8637bd05af6c69b5u, 0xa63f9a49c2c1b110u}, /* 5^-6 */
    {0xa7c5ac471b478423u, 0x0fcf80dc33721d54u}, /* 5^-5 */
    {0xd1b71758e219652bu, 0xd3c36113404ea4a9u}, /* 5^-4 */
    {0x83126e978d4fdf3bu, 0x645a1cac083126eau}, /* 5^-3 */
    {0xa3d70a3d70a3d70au, 0x3d70a3d70a3d70a4u}, /* 5^-2 */
    {0xccccccccccccccccu, 0xcccccccccccccccdu}, /* 5^-1 */
    {0x8000000000000000u, 0x0000000000000000u}, /* 5^0 */
    {0xa000000000000000u, 0x0000000000000000u}, /* 5^1 */
    {0xc800000000000000u, 0x0000000000000000u}, /* 5^2 */
    {0xfa00000000000000u, 0x0000000000000000u}, /* 5^3 */
    {0x9c40000000000000u, 0x0000000000000000u}, /* 5^4 */
    {0xc350000000000000u, 0x0000000000000000u}, /* 5^5 */
    {0xf424000000000000u, 0x0000000000000000u}, /* 5^6 */
    {0x9896800000000000u, 0x0000000000000000u}, /* 5^7 */
    {0xbebc200000000000u, 0x0000000000000000u}, /* 5^8 */
    {0xee6b280000000000u, 0x0000000000000000u}, /* 5^9 */
    {0x9502f90000000000u, 0x0000000000000000u}, /* 5^10 */
    {0xba43b74000000000u, 0x0000000000000000u}, /* 5^11 */
    {0xe8d4a51000000000u, 0x0000000000000000u}, /* 5^12 */
    {0x9184e72a00000000u, 0x0000000000000000u}, /* 5^13 */
    {0xb5e620f480000000u, 0x0000000000000000u}, /* 5^14 */
    {0xe35fa931a0000000u, 0x0000000000000000u}, /* 5^15 */
    {0x8e1bc9bf04000000u, 0x0000000000000000u}, /* 5^16 */
    {0xb1a2bc2ec5000000u, 0x0000000000000000u}, /* 5^17 */
    {0xde0b6b3a76400000u, 0x0000000000000000u}, /* 5^18 */
    {0x8ac7230489e80000u, 0x0000000000000000u}, /* 5^19 */
    {0xad78ebc5ac620000u, 0x0000000000000000u}, /* 5^20 */
    {0xd8d726b7177a8000u, 0x0000000000000000u}, /* 5^21 */
    {0x878678326eac9000u, 0x0000000000000000u}, /* 5^22 */
    {0xa968163f0a57b400u, 0x0000000000000000u}, /* 5^23 */
    {0xd3c21bcecceda100u, 0x0000000000000000u}, /* 5^24 */
    {0x84595161401484a0u, 0x0000000000000000u}, /* 5^25 */
    {0xa56fa5b99019a5c8u, 0x0000000000000000u}, /* 5^26 */
    {0xcecb8f27f4200f3au, 0x0000000000000000u}, /* 5^27 */
    {0x813f3978f8940984u, 0x4000000000000000u}, /* 5^28 */
    {0xa18f07d736b90be5u, 0x5000000000000000u}, /* 5^29 */
    {0xc9f2c9cd04674edeu, 0xa400000000000000u}, /* 5^30 */
    {0xfc6f7c4045812296u, 0x4d00000000000000u}, /* 5^31 */
    {0x9dc5ada82b70b59du, 0xf020000000000000u}, /* 5^32 */
    {0xc5371912364ce305u, 0x6c28000000000000u}, /* 5^33 */
    {0xf684df56c3e01bc6u, 0xc732000000000000u}, /* 5^34 */
    {0x9a130b963a6c115cu, 0x3c7f400000000000u}, /* 5^35 */
    {0xc097ce7bc90715b3u, 0x4b9f100000000000u}, /* 5^36 */
    {0xf0bdc21abb48db20u, 0x1e86d40000000000u}, /* 5^37 */
    {0x96769950b50d88f4u, 0x1314448000000000u}, /* 5^38 */
    {0xbc143fa4e250eb31u, 0x17d955a000000000u}, /* 5^39 */
    {0xeb194f8e1ae525fdu, 0x5dcfab0800000000u}, /* 5^40 */
    {0x92efd1b8d0cf37beu, 0x5aa1cae500000000u}, /* 5^41 */
    {0xb7abc627050305adu, 0xf14a3d9e40000000u}, /* 5^42 */
    {0xe596b7b0c643c719u, 0x6d9ccd05d0000000u}, /* 5^43 */
    {0x8f7e32ce7bea5c6fu, 0xe4820023a2000000u}, /* 5^44 */
};

/*
 * m·10^q rounded to the nearest double, ties to even, for 1 ≤ m < 2^64 and |q| ≤ MAX_EXPONENT; NaN where the
 * 128-bit product cannot tell (the caller then asks JavaScript's parser, as float_fields.ts's `nearest` does
 * where its bound cannot tell). Lemire, "Number parsing at a gigabyte per second" (2021), §5–6, as fast_float
 * and Rust's dec2flt implement it. No subnormal or infinite result is in reach: 10^−44 ≤ m·10^q < 10^64.
 * Any correctly rounded answer is float_fields.ts's answer, however either computes it.
 */
static double eiselLemire(uint64_t m, int64_t q) {
  const int lz = __builtin_clzll(m);
  const uint64_t w = m << lz;
  const uint64_t *five = POWERS_OF_FIVE[q + MAX_EXPONENT];
  __uint128_t product = (__uint128_t)w * five[0];
  uint64_t lo = (uint64_t)product, hi = (uint64_t)(product >> 64);
  /* 52 explicit bits + 3: where the first product's low bits are all ones, the second decides. */
  const uint64_t mask = UINT64_MAX >> 55;
  if ((hi & mask) == mask) {
    const uint64_t second = (uint64_t)(((__uint128_t)w * five[1]) >> 64);
    lo += second;
    if (second > lo) hi++;
  }
  /* The product may be one short of a carry that would cross the halfway point: undecided outside these q. */
  if (lo == UINT64_MAX && (q < -27 || q > 55)) return NAN;
  const int upper = (int)(hi >> 63);
  const int shift = upper + 64 - 52 - 3;
  uint64_t mantissa = hi >> shift;
  int power2 = (int)((((int32_t)q * (152170 + 65536)) >> 16) + 63 + upper - lz + 1023);
  /* Exactly halfway between two doubles (only where 5^q is exact in 64 bits): to even, not up. */
  if (lo <= 1 && q >= -4 && q <= 23 && (mantissa & 3) == 1 && (mantissa << shift) == hi) mantissa &= ~(uint64_t)1;
  mantissa += mantissa & 1;
  mantissa >>= 1;
  if (mantissa >= (uint64_t)2 << 52) {
    mantissa = (uint64_t)1 << 52;
    power2++;
  }
  mantissa &= ~((uint64_t)1 << 52);
  const uint64_t bits = (uint64_t)power2 << 52 | mantissa;
  double x;
  memcpy(&x, &bits, 8);
  return x;
}

/* parseDecimal's outcomes beside a value. */
enum { PARSED, NOT_PLAIN, HARD };

/*
 * float_fields.ts's parseDecimal: the value at text[start] into *value and where it stopped into *stop;
 * NOT_PLAIN where JavaScript returns NaN, HARD where it asks its own parser. Which fields are plain decimals,
 * and where each stops, is decided by the same rules at the same points. The digits are read eight at a
 * time rather than four and kept as one exact integer m (at most 19 digits: m < 2^64) rather than as two
 * doubles, and counted from the first nonzero one, which is what float_fields.ts's highDigits + lowDigits
 * count (leading zeros are skipped before either counts). The value is rounded by Clinger's fast path where
 * m < 10^15 and |q| ≤ 22 and by `eiselLemire` otherwise, where float_fields.ts uses the fast path or its
 * double-double `nearest`: each gives the nearest double, so both give the same.
 */
static int parseDecimal(const Text *t, int64_t start, int64_t end, double *value, int64_t *stop) {
  const uint8_t *text = t->text;
  int64_t i = start;
  const int negative = at(t, i) == MINUS;
  if (negative) i++;
  uint64_t m = 0;
  int digits = 0;
  int64_t exponent = 0;
  int integer = 1;
  const int64_t first = i;
  while (i < end && text[i] == ZERO) i++;
  for (;;) {
    /* A run of digits: eight bytes at a time while eight remain (the digits they start with, without a
       branch per digit), then one at a time. Past 19 digits m wraps, but the count rejects the field below. */
    for (; i + 8 <= end;) {
      uint64_t w;
      memcpy(&w, text + i, 8);
      /* Zero in each byte that is a digit (0x30…0x39: high nibble 3, and 3 still after adding 6). */
      const uint64_t x = ((w & 0xf0f0f0f0f0f0f0f0u) | (((w + 0x0606060606060606u) & 0xf0f0f0f0f0f0f0f0u) >> 4)) ^ 0x3333333333333333u;
      const int n = x == 0 ? 8 : __builtin_ctzll(x) >> 3;
      if (n == 0) break;
      /* Those n digits as the last of eight (led by '0's), the first digit in the lowest byte → their value. */
      uint64_t v = (n == 8 ? w : (w << (64 - 8 * n)) | (0x3030303030303030u >> (8 * n))) - 0x3030303030303030u;
      v = v * 10 + (v >> 8);
      v = (((v & 0x000000ff000000ffu) * (100 + (1000000ull << 32))) + (((v >> 16) & 0x000000ff000000ffu) * (1 + (10000ull << 32)))) >> 32;
      m = m * TENS[n] + v;
      if (digits || v) digits += n;
      i += n;
      if (n < 8) break;
    }
    for (; i < end && i + 8 > end; i++) {
      const int d = text[i] - ZERO;
      if (d < 0 || d > 9) break;
      m = m * 10 + (uint64_t)d;
      if (digits || d) digits++;
    }
    if (digits > MAX_DIGITS) return NOT_PLAIN;
    if (integer) {
      if (i == first) return NOT_PLAIN;
      if (!(i < end && text[i] == DOT)) break;
      integer = 0;
      const int64_t fraction = ++i;
      if (digits == 0)
        while (i < end && text[i] == ZERO) i++;
      exponent = fraction;
    } else {
      if (i == exponent) return NOT_PLAIN;
      exponent -= i;
      break;
    }
  }
  if (i < end && (text[i] == E_LOWER || text[i] == E_UPPER)) {
    i++;
    integer = 0;
    int64_t sign = 1;
    if (at(t, i) == MINUS || at(t, i) == PLUS) sign = at(t, i++) == MINUS ? -1 : 1;
    const int64_t expStart = i;
    int64_t e = 0;
    for (; i < end; i++) {
      const int x = text[i] - ZERO;
      if (x < 0 || x > 9 || e > 1000) break;
      e = e * 10 + x;
    }
    if (i == expStart) return NOT_PLAIN;
    exponent += sign * e;
  }
  *stop = i;
  if (digits == 0) {
    if (negative && integer) return NOT_PLAIN;
    *value = negative ? -0.0 : 0.0;
    return PARSED;
  }
  if (exponent < -MAX_EXPONENT || exponent > MAX_EXPONENT) return NOT_PLAIN;
  double x;
  if (digits <= 15 && exponent >= -22 && exponent <= 22) {
    /* Clinger's fast path: m < 10^15 and 10^|q| are exact as doubles, and one operation rounds once. */
    const double high = (double)m;
    x = exponent < 0 ? high / POWERS[-exponent] : high * POWERS[exponent];
  } else {
    x = eiselLemire(m, exponent);
    if (x != x) return HARD;
  }
  *value = negative ? -x : x;
  return PARSED;
}

/* float_fields.ts's plainFieldEnd. */
static inline int64_t plainFieldEnd(const uint8_t *bytes, int64_t i, int64_t end) {
  for (; i < end; i++) {
    const uint8_t b = bytes[i];
    if (b <= COMMA && (b == COMMA || b == LF)) return i;
  }
  return end;
}

int64_t readFloatFields(const uint8_t *text, int64_t length, int64_t from, int64_t to, int64_t width, const int32_t *slot,
                        int64_t slots, int64_t k, double *out, int64_t outLength, uint8_t *rest, int64_t restLength) {
  const Text t = {text, length};
  /* The part as JavaScript reads it: `to` past the buffer reads nothing there. */
  int64_t i = from;
  int64_t row = 0;
  int64_t o = 0;
  while (i < to) {
    int copied = 0;
    const int64_t base = row * k;
    for (int64_t f = 0; f < width; f++) {
      const int32_t s = f < slots ? slot[f] : -1;
      const int last = f == width - 1;
      if (s >= 0) {
        const int b = at(&t, i);
        if (i >= to || b == COMMA || b == LF || (b == CR && last && (i + 1 == to || at(&t, i + 1) == LF))) {
          if (base + s < outLength) out[base + s] = NAN;
        } else {
          double v;
          int64_t stop = i;
          const int outcome = parseDecimal(&t, i, to, &v, &stop);
          if (outcome == HARD) return FLOAT_FIELDS_HARD;
          if (outcome == NOT_PLAIN) return -1;
          if (base + s < outLength) out[base + s] = v;
          i = stop;
        }
      } else {
        const int64_t start = i;
        if (at(&t, i) == QUOTE) {
          for (i++; i < to; i++) {
            if (at(&t, i) == QUOTE) {
              if (at(&t, i + 1) == QUOTE) i++;
              else break;
            }
          }
          i++;
        }
        i = plainFieldEnd(text, i, to);
        const int64_t end = last && i > start && at(&t, i - 1) == CR ? i - 1 : i;
        if (copied) {
          if (o < restLength) rest[o] = COMMA;
          o++;
        }
        /* Buffer.copy: as many bytes as both sides hold, none for an empty or reversed range. */
        int64_t n = (end < length ? end : length) - start;
        if (n > restLength - o) n = restLength - o;
        if (n > 0) {
          memcpy(rest + o, text + start, (size_t)n);
          o += n;
        }
        copied = 1;
      }
      if (!last) {
        if (at(&t, i) != COMMA) return -1;
      } else if (i < to) {
        if (s >= 0 && at(&t, i) == CR) i++;
        if (i < to && at(&t, i) != LF) return -1;
      }
      i++;
    }
    if (o < restLength) rest[o] = LF;
    o++;
    row++;
  }
  return o;
}
