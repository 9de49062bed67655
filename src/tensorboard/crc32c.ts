/**
 * CRC-32C (Castagnoli), the checksum of TFRecord framing, and the "masked" form TFRecord stores.
 * TensorBoard rejects a record whose masked CRCs do not match, so this must be bit-exact.
 */

/** Reflected Castagnoli polynomial (0x1EDC6F41 bit-reversed). */
const POLY = 0x82f63b78;

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc32c(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * TFRecord stores CRCs rotated and offset, because a CRC of data that itself contains CRCs
 * is weak; the mask is fixed by the format (tensorflow/core/lib/hash/crc32c.h).
 */
export function maskedCrc32c(data: Uint8Array): number {
  const c = crc32c(data);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}
