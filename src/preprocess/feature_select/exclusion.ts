/** A feature an operation removes, and the evidence, as `tables/features.json` records it. */
export interface Exclusion {
  readonly feature: string;
  readonly detail: string;
}

/** A statistic in an exclusion's detail: 4 significant digits, no trailing zeros. */
export function stat(v: number): string {
  return Number(v.toPrecision(4)).toString();
}
