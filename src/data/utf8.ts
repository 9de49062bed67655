import { isUtf8 } from 'node:buffer';

/**
 * Where a text stops being UTF-8: the offset of the first byte that starts no valid character (a stray
 * continuation byte, a Latin-1 'é', a sequence cut short, overlong or a surrogate), or -1.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const c = bytes[i];
    const more = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (more < 0 || i + more >= bytes.length || (more > 0 && !isUtf8(bytes.subarray(i, i + more + 1)))) return i;
    i += more + 1;
  }
  return -1;
}
