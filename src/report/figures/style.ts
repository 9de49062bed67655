/** Colours that stay with a representation across every figure, from the Okabe–Ito colour-blind-safe palette. */
const KNOWN: Record<string, string> = {
  anomaly: '#D55E00',
  anomaly_abs: '#E69F00',
  anomaly_squared: '#CC79A7',
  latent: '#A6761D',
  cellprofiler: '#0072B2',
  spherized: '#56B4E9',
  early_fusion: '#009E73',
  late_fusion: '#6A3D9A',
};
/** For names the report has not met yet. */
const OTHERS = ['#999999', '#666666', '#333333'];

export function representationColor(reps: readonly string[]): { domain: string[]; range: string[] } {
  let next = 0;
  return { domain: [...reps], range: reps.map((r) => KNOWN[r] ?? OTHERS[next++ % OTHERS.length]) };
}
