/** A feature an operation removes, and the evidence, as `tables/features.json` records it. */
export interface Exclusion {
  readonly feature: string;
  readonly detail: string;
}
