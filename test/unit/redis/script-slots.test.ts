import type { RedisClient } from '../../../redis/connect';
import { run } from '../../../redis/scripts';

/** A client that only answers EVALSHA: a script whose keys pass the slot check reaches it. */
function fakeRedis(): { redis: RedisClient; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const client = {
    evalsha: async (...args: unknown[]) => {
      calls.push(args);
      return 1;
    },
  };
  // Only `evalsha` is called on this path; the rest of the client is never touched.
  return { redis: client as unknown as RedisClient, calls };
}

const args = ['id', '{}', 1];

describe('a script whose keys span hash slots is refused before it reaches Redis', () => {
  it('keys of one tag run; keys of two tags, or a tag and none, are refused', async () => {
    const { redis, calls } = fakeRedis();
    await expect(run(redis, 'callback-enqueue-2', ['w:{p:a}:cb:pending', 'w:{p:a}:cb:due'], args)).resolves.toBe(1);
    await expect(run(redis, 'callback-enqueue-2', ['w:{p:a}:cb:pending', 'w:{p:b}:cb:due'], args)).rejects.toThrow(
      /one hash slot/,
    );
    await expect(run(redis, 'callback-enqueue-2', ['w:{p:a}:cb:pending', 'w:cb:due'], args)).rejects.toThrow(
      /one hash slot/,
    );
    expect(calls).toHaveLength(1);
  });

  it('reads a tag as Redis Cluster does: the first {…} with something inside, else the whole key', async () => {
    const { redis, calls } = fakeRedis();
    // The first tag counts, not a later one.
    await expect(run(redis, 'callback-enqueue-2', ['x{p:a}{p:b}', 'y{p:a}{p:c}'], args)).resolves.toBe(1);
    await expect(run(redis, 'callback-enqueue-2', ['x{p:b}{p:a}', 'y{p:a}'], args)).rejects.toThrow(/one hash slot/);
    // An empty {} is no tag: the whole key is hashed, so only the same key shares its slot.
    await expect(run(redis, 'callback-enqueue-2', ['{}a', '{}a'], args)).resolves.toBe(1);
    await expect(run(redis, 'callback-enqueue-2', ['{}a{p:a}', 'b{p:a}'], args)).rejects.toThrow(/one hash slot/);
    expect(calls).toHaveLength(2);
  });
});
