/**
 * qs turns PHP lists longer than 20 items into objects keyed "0", "1", …; this turns
 * such objects back into arrays so `properties[files][25]` stays a list.
 */
export function normalizeFormArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeFormArrays);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k))) {
      return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => normalizeFormArrays(v));
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, normalizeFormArrays(v)]));
  }
  return value;
}
