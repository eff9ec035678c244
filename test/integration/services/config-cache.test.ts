import { Redis } from 'ioredis';
import { z } from 'zod';
import { createTokenRefresher } from '../../../bitrix/refresh-tokens';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { createMetrics } from '../../../lib/metrics';
import { freePort } from '../../../lib/redis-server';
import { createSecretBox } from '../../../lib/secret-box';
import { createKeys } from '../../../redis/keys';
import { ConfigCache } from '../../../store/config-cache';
import { type Line, LineStore } from '../../../store/line-store';
import { type Portal, PortalStore } from '../../../store/portal-store';
import { createManualClock } from '../../helpers/manual-clock';

/**
 * Two "processes": each its own Redis connection and its own in-process cache, as two worker or
 * web processes have. What one writes, the other sees on its very next read.
 */
describe('in-process copies of portals and lines (real Redis, two processes)', () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  const connections: Redis[] = [];
  afterAll(() => {
    for (const connection of connections) connection.disconnect();
  });

  const box = createSecretBox(Buffer.alloc(32, 9));
  const clock = createManualClock();

  function setup() {
    const keys = createKeys(`cc${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const process = () => {
      const redis = new Redis(url);
      connections.push(redis);
      const cache = new ConfigCache(redis, keys, { clock, ttlMs: 60_000 });
      return {
        redis,
        portals: new PortalStore(redis, keys, box, cache),
        lines: new LineStore(redis, keys, box, cache),
      };
    };
    return { keys, a: process(), b: process() };
  }

  const portal = (tokens: Partial<Portal> = {}): Portal => ({
    memberId: 'm1',
    domain: 'p.bitrix24.ru',
    clientEndpoint: 'https://p.bitrix24.ru/rest/',
    serverEndpoint: 'https://oauth.bitrix.info/rest/',
    applicationToken: 'app-1',
    accessToken: 'access-1',
    refreshToken: 'refresh-1',
    expiresAt: clock.now() + 3600_000,
    scope: '',
    userId: 1,
    languageId: 'en',
    installedAt: 0,
    ...tokens,
  });

  const line = (id: string, createdAt: number): Line => ({
    id,
    memberId: 'm1',
    provider: 'cloud',
    phoneNumberId: `pn-${id}-${randomId(3)}`,
    accessToken: `token-${id}`,
    name: id,
    createdAt,
  });

  it('a copy is used while the version holds (a raw change without a new version goes unseen)', async () => {
    const { keys, a } = setup();
    await a.portals.save(portal());
    await a.lines.add(line('sales', 1));
    expect((await a.portals.get('m1'))?.accessToken).toBe('access-1');
    expect((await a.lines.list('m1')).map((l) => l.id)).toEqual(['sales']);
    // Behind the stores' back: the copies still answer, proving nothing was read and decrypted again.
    await a.redis.hdel(keys.lines('m1'), 'sales');
    await a.redis.set(keys.portal('m1'), 'not json');
    expect((await a.portals.get('m1'))?.accessToken).toBe('access-1');
    expect((await a.lines.list('m1')).map((l) => l.id)).toEqual(['sales']);
    // A copy handed out is the caller's own.
    const copy = await a.lines.list('m1');
    if (copy[0]) copy[0].name = 'changed';
    expect((await a.lines.list('m1'))[0]?.name).toBe('sales');
  });

  it('a line removed or added by another process is seen at once; a removed line is never served', async () => {
    const { a, b } = setup();
    await a.portals.save(portal());
    await a.lines.add(line('sales', 1));
    await a.lines.add(line('support', 2));
    expect((await a.lines.list('m1')).map((l) => l.id)).toEqual(['sales', 'support']);
    expect(await b.lines.remove('m1', 'sales')).toBe(true);
    expect((await a.lines.list('m1')).map((l) => l.id)).toEqual(['support']);
    expect(await a.lines.get('m1', 'sales')).toBeNull();
    await b.lines.add(line('vip', 3));
    expect((await a.lines.list('m1')).map((l) => l.id)).toEqual(['support', 'vip']);
    await b.lines.removeAll('m1');
    expect(await a.lines.list('m1')).toEqual([]);
  });

  it('a record read for an older version (a job started before a change) is kept under the version read with it', async () => {
    const { keys, a, b } = setup();
    await a.portals.save(portal({ timeZone: 'Europe/Moscow' }));
    const atStart = await a.portals.configVersion('m1');
    await b.portals.setTimeZone('m1', 'Asia/Tokyo');
    const current = await a.portals.configVersion('m1');
    // The job that started before the change finds the current record (no copy under its version) …
    expect((await a.portals.get('m1', atStart))?.timeZone).toBe('Asia/Tokyo');
    // … and kept it under the version it was read with, not the job's. Behind the store's back (no
    // new version): the callers holding the current version are answered from that copy, no read.
    const stored = z.record(z.string(), z.unknown()).parse(JSON.parse((await a.redis.get(keys.portal('m1'))) ?? '{}'));
    await a.redis.set(keys.portal('m1'), JSON.stringify({ ...stored, timeZone: 'Europe/Paris' }));
    expect((await a.portals.get('m1', current))?.timeZone).toBe('Asia/Tokyo');
    expect((await a.portals.get('m1'))?.timeZone).toBe('Asia/Tokyo');
  });

  it('a number → line route is remembered while its line holds; a line removed or moved elsewhere is found where it is', async () => {
    const { keys, a, b } = setup();
    await a.portals.save(portal());
    await a.portals.save(portal({ memberId: 'm2' }));
    const sales = line('sales', 1);
    await a.lines.add(sales);
    expect((await a.lines.findByPhoneNumberId(sales.phoneNumberId))?.id).toBe('sales');
    // Behind the store's back: the remembered route answers, proving the route was not read again.
    await a.redis.set(keys.lineByNumber(sales.phoneNumberId), 'm1|elsewhere');
    expect((await a.lines.findByPhoneNumberId(sales.phoneNumberId))?.id).toBe('sales');
    await a.redis.set(keys.lineByNumber(sales.phoneNumberId), 'm1|sales');
    // Another process removes the line: never served from the remembered route.
    expect(await b.lines.remove('m1', 'sales')).toBe(true);
    expect(await a.lines.findByPhoneNumberId(sales.phoneNumberId)).toBeNull();
    // … and connects the number on another portal: found there.
    await a.lines.add(sales);
    expect((await a.lines.findByPhoneNumberId(sales.phoneNumberId))?.memberId).toBe('m1');
    expect(await b.lines.remove('m1', 'sales')).toBe(true);
    await b.lines.add({ ...sales, memberId: 'm2', id: 'moved' });
    const moved = await a.lines.findByPhoneNumberId(sales.phoneNumberId);
    expect([moved?.memberId, moved?.id]).toEqual(['m2', 'moved']);
  });

  it("a re-install's new tokens are seen at once, by the refresher too; needs_reinstall and removal as well", async () => {
    const { keys, a, b } = setup();
    await a.portals.save(portal());
    expect((await a.portals.get('m1'))?.accessToken).toBe('access-1');
    // Twice: the second check is answered from the token that matched last (no HMAC).
    expect(await a.portals.authenticate('m1', 'app-1')).toBe(true);
    expect(await a.portals.authenticate('m1', 'app-1')).toBe(true);
    expect(await a.portals.authenticate('m1', 'app-1x')).toBe(false);
    await b.portals.save(portal({ accessToken: 'access-2', refreshToken: 'refresh-2', applicationToken: 'app-2' }));
    expect((await a.portals.get('m1'))?.accessToken).toBe('access-2');
    // The refresher in process A takes B's new tokens instead of spending the refresh token
    // (the OAuth server is not there: reaching it would fail).
    const refresh = createTokenRefresher({
      redis: a.redis,
      keys,
      portals: a.portals,
      clientId: 'id',
      clientSecret: 'secret',
      oauthUrl: `http://127.0.0.1:${await freePort()}`,
      log: createLogger('silent'),
      clock,
      metrics: createMetrics(),
    });
    expect((await refresh('m1', 'access-1')).refreshToken).toBe('refresh-2');
    expect(await a.portals.authenticate('m1', 'app-1')).toBe(false);
    expect(await a.portals.authenticate('m1', 'app-2')).toBe(true);
    expect(await b.portals.setNeedsReinstall('m1', 123)).toBe('changed');
    expect((await a.portals.get('m1'))?.needsReinstall).toBe(123);
    await b.portals.remove('m1');
    expect(await a.portals.get('m1')).toBeNull();
    expect(await a.portals.authenticate('m1', 'app-2')).toBe(false);
  });

  it("a portal's repeated calls skip the keyed HMAC; a wrong token, a re-install and another process do not", async () => {
    const { keys, b } = setup();
    let hmacs = 0;
    const counting = {
      ...box,
      fingerprint: (plain: string) => {
        hmacs++;
        return box.fingerprint(plain);
      },
    };
    const redis = new Redis(url);
    connections.push(redis);
    const portals = new PortalStore(redis, keys, counting, new ConfigCache(redis, keys, { clock, ttlMs: 60_000 }));
    await b.portals.save(portal());
    expect(await portals.authenticate('m1', 'app-1')).toBe(true);
    expect(hmacs).toBe(1);
    expect(await portals.authenticate('m1', 'app-1')).toBe(true);
    expect(await portals.authenticate('m1', 'app-1')).toBe(true);
    expect(hmacs).toBe(1);
    // A different token is never answered from the kept digest: it takes the HMAC, and fails.
    expect(await portals.authenticate('m1', 'app-2')).toBe(false);
    expect(hmacs).toBe(2);
    // Another process re-installs with a new token: the kept digest is of the old version.
    await b.portals.save(portal({ applicationToken: 'app-2' }));
    expect(await portals.authenticate('m1', 'app-1')).toBe(false);
    expect(await portals.authenticate('m1', 'app-2')).toBe(true);
    expect(hmacs).toBe(4);
  });

  it('the application token is checked against a stored fingerprint; an older record gets one on first use', async () => {
    const { keys, a, b } = setup();
    await a.portals.save(portal());
    const raw = await a.redis.get(keys.portal('m1'));
    const stored = JSON.parse(raw ?? '{}') as Record<string, unknown>;
    expect(stored.applicationTokenHash).toBe(box.fingerprint('app-1'));
    expect(raw).not.toContain('app-1');
    // A record from before fingerprints (and before config versions).
    const { applicationTokenHash: _hash, ...older } = stored;
    await a.redis.set(keys.portal('m1'), JSON.stringify(older));
    await a.redis.del(keys.configVersion('m1'));
    expect(await b.portals.authenticate('m1', 'wrong')).toBe(false);
    expect(await b.portals.authenticate('m1', 'app-1')).toBe(true);
    const upgraded = JSON.parse((await a.redis.get(keys.portal('m1'))) ?? '{}') as Record<string, unknown>;
    expect(upgraded.applicationTokenHash).toBe(box.fingerprint('app-1'));
    expect(await a.portals.authenticate('m1', 'app-1')).toBe(true);
    expect(await a.portals.authenticate('unknown', 'app-1')).toBe(false);
    // An unknown portal leaves no key behind.
    expect(await a.redis.exists(keys.configVersion('unknown'))).toBe(0);
  });
});
