/**
 * Waits for every promise, then rejects with the first rejection (in the given order) if any did.
 * Unlike Promise.all, nothing is left running untracked when one fails early: the caller's
 * `await` (and whatever waits for the caller, e.g. a worker's stop()) covers all of them.
 */
export async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value); // none rejected: all fulfilled
}
