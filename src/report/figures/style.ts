/** Colours that stay with a representation across every figure, from the Okabe–Ito colour-blind-safe palette. */
const KNOWN: Record<string, string> = { anomaly: '#D55E00', cellprofiler: '#0072B2' };
const OTHERS = ['#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];

export function representationColor(reps: readonly string[]): { domain: string[]; range: string[] } {
  let next = 0;
  return { domain: [...reps], range: reps.map((r) => KNOWN[r] ?? OTHERS[next++ % OTHERS.length]) };
}
