/** A cap on bytes held at once across the process: `take(n)` waits until n fits, then gives the release. */
export interface ByteBudget {
  take(bytes: number): Promise<() => void>;
  /** Bytes held now (for tests and metrics). */
  held(): number;
}

/**
 * Creates a byte budget of `limit` bytes, served in order. A request larger than the limit still
 * runs, alone (nothing else held), so no file waits forever.
 */
export function createByteBudget(limit: number): ByteBudget {
  let used = 0;
  const queue: Array<{ bytes: number; grant: (release: () => void) => void }> = [];
  const pump = () => {
    for (let next = queue[0]; next && (used === 0 || used + next.bytes <= limit); next = queue[0]) {
      queue.shift();
      used += next.bytes;
      let released = false;
      const { bytes } = next;
      next.grant(() => {
        if (released) return;
        released = true;
        used -= bytes;
        pump();
      });
    }
  };
  return {
    take(bytes) {
      const granted = new Promise<() => void>((grant) => queue.push({ bytes, grant }));
      pump();
      return granted;
    },
    held: () => used,
  };
}
