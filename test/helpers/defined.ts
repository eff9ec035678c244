/**
 * The value, or a thrown error naming what is missing. A type guard for tests under
 * `noUncheckedIndexedAccess` (`expect(x).toBeDefined()` does not narrow): use it where an entry
 * the test relies on (the first request, a stream entry, a map value) must be there.
 */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} missing`);
  return value;
}
