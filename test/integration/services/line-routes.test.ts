import { Redis } from 'ioredis';
import { randomId } from '../../../lib/hash';
import { createSecretBox } from '../../../lib/secret-box';
import type { RedisClient } from '../../../redis/connect';
import { createKeys, type RedisKeys } from '../../../redis/keys';
import { ConfigCache } from '../../../store/config-cache';
import { type Line, LineStore } from '../../../store/line-store';
import { PortalStore } from '../../../store/portal-store';
import { createManualClock } from '../../helpers/manual-clock';

const WRITES = new Set(['set', 'del', 'multi', 'hset', 'hdel', 'sadd', 'srem', 'evalsha', 'eval']);

/**
 * The same real Redis connection, but the process "dies" once it has issued `writes` write commands:
 * the next one throws before it is sent (a removal cut short at that step).
 */
function dyingAfter(redis: Redis, writes: number): RedisClient {
  let issued = 0;
  return new Proxy(redis, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        if (WRITES.has(name) && ++issued > writes) throw new Error('the process died here');
        return value.apply(target, args);
      };
    },
  });
}

/**
 * The same real Redis connection; `before` runs once, just before the first script call is sent (a
 * removal's "delete the route if unchanged" step): another request's work lands in that gap.
 */
function beforeFirstScript(redis: Redis, before: () => Promise<void>): RedisClient {
  let pending = true;
  return new Proxy(redis, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || (name !== 'evalsha' && name !== 'eval')) return value;
      return async (...args: unknown[]) => {
        if (pending) {
          pending = false;
          await before();
        }
        return value.apply(target, args);
      };
    },
  });
}

/**
 * Processes serving webhooks: each its own connection and in-process copies (routes, lines). A
 * number must lead every one of them to the same line, or to none.
 */
describe('number → line routes across processes (real Redis)', () => {
  const url = process.env.TEST_REDIS_URL ?? '';
  const connections: Redis[] = [];
  afterAll(() => {
    for (const connection of connections) connection.disconnect();
  });
  const box = createSecretBox(Buffer.alloc(32, 9));
  const clock = createManualClock();

  function setup() {
    const keys: RedisKeys = createKeys(`lr${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const process = (wrap: (redis: Redis) => RedisClient = (redis) => redis) => {
      const redis = new Redis(url);
      connections.push(redis);
      const client = wrap(redis);
      const cache = new ConfigCache(client, keys, { clock });
      return {
        redis,
        lines: new LineStore(client, keys, box, cache),
        portals: new PortalStore(client, keys, box, cache),
      };
    };
    return { keys, process };
  }
  /** The portals of the lines: their lines are then read under their config version (and kept). */
  const installed = async (portals: PortalStore) => {
    for (const memberId of ['m1', 'm2'])
      await portals.save({
        memberId,
        domain: `${memberId}.bitrix24.ru`,
        clientEndpoint: `https://${memberId}.bitrix24.ru/rest/`,
        serverEndpoint: 'https://oauth.bitrix.info/rest/',
        applicationToken: 'app-1',
        accessToken: 'access-1',
        refreshToken: 'refresh-1',
        expiresAt: clock.now() + 3600_000,
        scope: '',
        userId: 1,
        languageId: 'en',
        installedAt: 0,
      });
  };
  const line = (memberId: string, id: string, phoneNumberId: string): Line => ({
    id,
    memberId,
    provider: 'cloud',
    phoneNumberId,
    accessToken: `token-${id}`,
    name: id,
    createdAt: 1,
  });
  const where = async (store: LineStore, phoneNumberId: string) => {
    const found = await store.findByPhoneNumberId(phoneNumberId);
    return found ? `${found.memberId}|${found.id}` : null;
  };

  it('a removal cut short after its first step: no process serves the line, remembered route or not; the number can be connected again', async () => {
    const { process } = setup();
    const [a, fresh] = [process(), process()];
    await installed(a.portals);
    await a.lines.add(line('m1', 'sales', 'pn1'));
    expect(await where(a.lines, 'pn1')).toBe('m1|sales');
    const dying = process((redis) => dyingAfter(redis, 1));
    await expect(dying.lines.remove('m1', 'sales')).rejects.toThrow(/died/);
    expect([await where(a.lines, 'pn1'), await where(fresh.lines, 'pn1')]).toEqual([null, null]);
    // What the removal left behind does not hold the number: another portal connects it.
    await fresh.lines.add(line('m2', 'moved', 'pn1'));
    expect([await where(a.lines, 'pn1'), await where(fresh.lines, 'pn1')]).toEqual(['m2|moved', 'm2|moved']);
  });

  it('a remembered route is read again after a few seconds: two adds of one number that raced end up agreed', async () => {
    const { keys, process } = setup();
    const [a, b] = [process(), process()];
    await installed(a.portals);
    await a.lines.add(line('m1', 'sales', 'pn2'));
    expect(await where(a.lines, 'pn2')).toBe('m1|sales');
    // The second add passed its owner check before the first set the route (the check is a separate GET):
    await a.redis.del(keys.lineByNumber('pn2'));
    await b.lines.add(line('m2', 'x', 'pn2'));
    expect(await where(b.lines, 'pn2')).toBe('m2|x');
    // Within those seconds a remembered route may still answer; a fresh read (connecting a line) does not.
    expect(await where(a.lines, 'pn2')).toBe('m1|sales');
    expect((await a.lines.findByPhoneNumberId('pn2', { fresh: true }))?.memberId).toBe('m2');
    clock.advance(5000);
    expect(await where(a.lines, 'pn2')).toBe('m2|x');
  });

  it('a line given another number is no longer found by its old one, remembered or not; the old number is free', async () => {
    const { process } = setup();
    const [a, fresh] = [process(), process()];
    await installed(a.portals);
    await a.lines.add(line('m1', 'sales', 'pn3'));
    expect(await where(a.lines, 'pn3')).toBe('m1|sales');
    await a.lines.add(line('m1', 'sales', 'pn4'));
    expect([await where(a.lines, 'pn3'), await where(fresh.lines, 'pn3')]).toEqual([null, null]);
    expect([await where(a.lines, 'pn4'), await where(fresh.lines, 'pn4')]).toEqual(['m1|sales', 'm1|sales']);
    await fresh.lines.add(line('m2', 'other', 'pn3'));
    expect([await where(a.lines, 'pn3'), await where(fresh.lines, 'pn3')]).toEqual(['m2|other', 'm2|other']);
  });

  it('a line saved again (renamed) while it is being removed keeps its route: its webhooks still find it', async () => {
    const { process } = setup();
    const [a, fresh] = [process(), process()];
    await installed(a.portals);
    const sales = { ...line('m1', 'sales', 'pn5'), wabaId: '555' };
    await a.lines.add(sales);
    // The rename read the line before the removal and saves it after the removal's first step.
    const removing = process((redis) => beforeFirstScript(redis, () => a.lines.add({ ...sales, name: 'renamed' })));
    await removing.lines.remove('m1', 'sales');
    expect((await fresh.lines.get('m1', 'sales'))?.name).toBe('renamed');
    expect(await where(fresh.lines, 'pn5')).toBe('m1|sales');
    expect((await fresh.lines.findByWabaId('555')).map((found) => found.id)).toEqual(['sales']);
  });
});
