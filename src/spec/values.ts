/** Plain JSON-like values, handled without mutating them: specs are shared between sweep points. */

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A copy of `target` with the value at `keys` replaced; missing (or non-object) parents become objects. */
export function setAt(target: unknown, keys: readonly string[], value: unknown): unknown {
  if (keys.length === 0) return value;
  const [head, ...rest] = keys;
  const parent = isObject(target) ? target : {};
  return { ...parent, [head]: setAt(parent[head], rest, value) };
}
