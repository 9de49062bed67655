/** Edit distance (insertions, deletions, substitutions), two rows at a time. */
export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/**
 * The candidate the user most likely meant, if any is close: within a third of the name's length (at least 2
 * edits, so swapped letters match), or containing / contained in it (`epochs` → `max_epochs`).
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const distance = levenshtein(lower, c);
    const near = distance <= Math.max(2, Math.floor(name.length / 3)) || (lower.length > 2 && (c.includes(lower) || lower.includes(c)));
    if (near && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** `; did you mean "latent"?` when one is close, else the allowed names, so the message always shows a way out. */
export function suggestion(name: string, candidates: readonly string[], render: (c: string) => string = (c) => c): string {
  const near = closest(name, candidates);
  if (near !== undefined) return `; did you mean "${render(near)}"?`;
  return candidates.length ? `; expected one of: ${candidates.join(', ')}` : '';
}
