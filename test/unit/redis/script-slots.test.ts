import { inOneSlot, run } from '../../../redis/scripts';

/** The check every script call makes before it reaches Redis: pure, on key lists (no client at all). */
describe('a script whose keys span hash slots is refused before it reaches Redis', () => {
  it('keys of one tag pass; keys of two tags, or a tag and none, do not', () => {
    expect(inOneSlot(['w:{p:a}:cb:pending', 'w:{p:a}:cb:due'])).toBe(true);
    expect(inOneSlot(['w:{p:a}:cb:pending', 'w:{p:b}:cb:due'])).toBe(false);
    expect(inOneSlot(['w:{p:a}:cb:pending', 'w:cb:due'])).toBe(false);
    expect(inOneSlot(['w:cb:due'])).toBe(true);
  });

  it('reads a tag as Redis Cluster does: the first {…} with something inside, else the whole key', () => {
    // The first tag counts, not a later one.
    expect(inOneSlot(['x{p:a}{p:b}', 'y{p:a}{p:c}'])).toBe(true);
    expect(inOneSlot(['x{p:b}{p:a}', 'y{p:a}'])).toBe(false);
    // An empty {} is no tag: the whole key is hashed, so only the same key shares its slot.
    expect(inOneSlot(['{}a', '{}a'])).toBe(true);
    expect(inOneSlot(['{}a{p:a}', 'b{p:a}'])).toBe(false);
    // A tag that only starts like the first key's, or is never closed, is another slot.
    expect(inOneSlot(['x{p:a}', 'y{p:ab}'])).toBe(false);
    expect(inOneSlot(['x{p:a}', 'y{p:a'])).toBe(false);
    expect(inOneSlot(['x{p:a}', 'y{}{p:a}'])).toBe(false);
  });

  it('run refuses keys in two slots with a clear error, before any command is sent', async () => {
    // Cast: the refusal comes before the client is touched, so none is needed (and none is faked).
    const noClient = null as never;
    await expect(
      run(noClient, 'callback-enqueue-3', ['w:{p:a}:cb:pending', 'w:{p:b}:cb:due', 'w:{p:a}:cb:indexed'], []),
    ).rejects.toThrow(/one hash slot/);
  });
});
