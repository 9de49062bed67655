/**
 * numpy's legacy `RandomState(seed).permutation(n)` (MT19937 seeded with init_genrand, Fisher–Yates with
 * numpy's masked-rejection bounded integers), bit for bit. Only the reference-compatible percent
 * replicating null uses it: the reference draws its null wells with pandas `sample(1, random_state=s)`,
 * which is `RandomState(s).permutation(len)[0]`, and that choice shapes the null (see percent_replicating).
 */
export function numpyPermutation(seed: number, n: number): Int32Array {
  const next = mt19937(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = boundedInt(next, i);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** Uniform integer in [0, max], numpy's `random_interval`: mask to the next power of two, reject above. */
function boundedInt(next: () => number, max: number): number {
  let mask = max;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  let v: number;
  do v = (next() & mask) >>> 0;
  while (v > max);
  return v;
}

const N = 624;
const M = 397;

/** The MT19937 generator of 32-bit outputs, seeded as numpy's `RandomState(int)` does. */
function mt19937(seed: number): () => number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`numpy seed must be in [0, 2^32): ${seed}`);
  const mt = new Uint32Array(N);
  mt[0] = seed >>> 0;
  for (let i = 1; i < N; i++) {
    const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
    mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
  }
  let pos = N;
  return () => {
    if (pos >= N) {
      for (let i = 0; i < N; i++) {
        const y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
        mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      pos = 0;
    }
    let y = mt[pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
}
