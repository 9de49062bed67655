import seedrandom from 'seedrandom';

/**
 * Named random streams derived from one root seed. Each consumer (split, weight init, shuffling, null
 * sampling, folds, simulation) asks for its own stream by name, so adding a draw in one stage never
 * shifts the numbers another stage sees.
 */
export interface RandomStream {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** A fresh 32-bit integer seed, for libraries that take one (tfjs initializers). */
  seed(): number;
}

export function stream(rootSeed: number, name: string): RandomStream {
  const rng = seedrandom(`${rootSeed}/${name}`);
  let spare: number | null = null;
  return {
    next: () => rng(),
    int: (n) => Math.floor(rng() * n),
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = rng();
      const v = rng();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    seed: () => rng.int32() >>> 0,
  };
}

/** Fisher–Yates shuffle of 0..n-1. */
export function permutation(rs: RandomStream, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rs.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
