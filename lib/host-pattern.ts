/** True when `host` is `pattern`, or (for `*.example.com`) a name under example.com; case-insensitive. */
export function hostMatches(host: string, pattern: string): boolean {
  const h = host.toLowerCase();
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
  return h === p;
}

/** True when `host` matches one of `patterns` (GREEN_API_HOSTS: the hosts a portal admin may name). */
export function hostMatchesAny(host: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => hostMatches(host, pattern));
}
