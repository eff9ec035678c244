import { RecentMap } from '../../../lib/recent-map';

describe('RecentMap', () => {
  it('keeps an entry for less than its ttl, drops it after (and when the clock went back)', () => {
    const map = new RecentMap<string, number>({ maxEntries: 10, ttlMs: 5000 });
    map.set('a', 1, 1000);
    expect(map.get('a', 1000)).toBe(1);
    expect(map.get('a', 5999)).toBe(1);
    expect(map.get('a', 6000)).toBeUndefined();
    expect(map.size).toBe(0);
    map.set('b', 2, 1000);
    expect(map.get('b', 999)).toBeUndefined();
    expect(map.size).toBe(0);
  });

  it('beyond its bound the entry stored longest ago goes; storing again renews its place', () => {
    const map = new RecentMap<string, number>({ maxEntries: 2, ttlMs: 5000 });
    map.set('a', 1, 0);
    map.set('b', 2, 0);
    map.set('a', 3, 1);
    map.set('c', 4, 2);
    expect([map.get('a', 2), map.get('b', 2), map.get('c', 2)]).toEqual([3, undefined, 4]);
    map.delete('a');
    expect(map.get('a', 2)).toBeUndefined();
    expect(map.size).toBe(1);
  });

  it('refuses limits that would make it forget everything at once, with a clear error', () => {
    expect(() => new RecentMap({ maxEntries: 0, ttlMs: 1000 })).toThrow(/maxEntries must be a positive integer, got 0/);
    expect(() => new RecentMap({ maxEntries: 1.5, ttlMs: 1000 })).toThrow(/maxEntries/);
    expect(() => new RecentMap({ maxEntries: 10, ttlMs: 0 })).toThrow(/ttlMs must be above 0, got 0/);
    expect(() => new RecentMap({ maxEntries: 10, ttlMs: -5 })).toThrow(/ttlMs/);
    expect(() => new RecentMap({ maxEntries: 10, ttlMs: Number.NaN })).toThrow(/ttlMs/);
    expect(new RecentMap({ maxEntries: 1, ttlMs: 1 }).size).toBe(0);
  });
});
