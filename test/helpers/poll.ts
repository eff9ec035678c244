/**
 * Polls until `check` returns a value (not undefined/false/null) or fails after `timeoutMs`.
 * Dependency-free (the harness's `eventually` loads the whole app): for simulator tests.
 */
export async function pollUntil<T>(
  check: () => T | Promise<T>,
  timeoutMs: number,
  what: string,
  everyMs = 10,
): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value as Exclude<T, false | undefined | null>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
