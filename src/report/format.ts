import type { Difference, Summary } from './aggregate.ts';

/** How numbers read in the report, shared by the Markdown and HTML renderings and the figures' labels. */

/** mean ± SD (n=…); the SD is left out where it is undefined (a single run). */
export function fmtSummary(s: Summary | null, digits = 1): string {
  if (!s) return '–';
  const sd = Number.isFinite(s.sd) ? ` ± ${s.sd.toFixed(digits)}` : '';
  return `${s.mean.toFixed(digits)}${sd} (n=${s.n})`;
}

/** +mean [low, high]; the interval is left out where it is undefined (a single pair). */
export function fmtDifference(d: Difference | null, digits = 1): string {
  if (!d) return '–';
  const ci = Number.isFinite(d.low) ? ` [${d.low.toFixed(digits)}, ${d.high.toFixed(digits)}]` : '';
  return `${d.mean >= 0 ? '+' : ''}${d.mean.toFixed(digits)}${ci}`;
}

/** Decimals a metric deserves: percentages and counts to 0.1, losses to 1e-4, anything else (correlations, F1, mAP) to 1e-3. */
export function digitsFor(path: string): number {
  const leaf = path.slice(path.lastIndexOf('.') + 1);
  if (leaf.startsWith('percent') || leaf === 'n' || leaf.startsWith('n_') || leaf === 'count' || leaf.endsWith('epoch') || leaf === 'epochs') return 1;
  if (leaf.endsWith('loss')) return 4;
  return 3;
}

/** A metric's name in prose: `percent_replicating.{rep}.split.dependency.percent` → `percent replicating, dependency`. */
export function metricName(template: string): string {
  const parts = template.split('.').filter((p) => p !== '{rep}');
  const [section, ...rest] = parts;
  if (section === 'percent_replicating' && rest[rest.length - 1] === 'percent') {
    return rest.length === 3 && rest[0] === 'split' ? `percent replicating, ${rest[1]}` : 'percent replicating';
  }
  if (section === 'moa' && rest.length >= 3 && rest[2].endsWith('_f1')) return `${rest[2].replace('_f1', '-F1')} (${rest[1]})`;
  if (section === 'map' && rest.length >= 2) return `${rest[rest.length - 1] === 'mean_map' ? 'mean mAP' : rest[rest.length - 1]} (${rest.slice(0, -1).join(' ')})`.replace(/_/g, ' ');
  const leaf = rest[rest.length - 1] === 'mean' ? rest.slice(0, -1) : rest;
  return `${section}: ${leaf.join(' ')}`.replace(/_/g, ' ');
}
