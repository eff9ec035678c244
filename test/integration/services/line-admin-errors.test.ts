import { Redis } from 'ioredis';
import { classifyError } from '../../../lib/errors/classify-error';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { createSecretBox } from '../../../lib/secret-box';
import { createLineAdmin } from '../../../lines/line-admin';
import { createKeys } from '../../../redis/keys';
import { LineStore } from '../../../store/line-store';

// What a failed line save is reported as: the admin's input only when the number is taken.
describe('line admin: store failures on save (real Redis)', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? '');
  afterAll(() => redis.disconnect());

  function adminOver(client: Redis) {
    const keys = createKeys(`la${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const box = createSecretBox(Buffer.alloc(32, 5));
    const lines = new LineStore(client, keys, box);
    const changed: string[] = [];
    const admin = createLineAdmin({
      // cast: requirePortal only tests that the portal exists; its fields are not read here.
      portals: { get: async (memberId) => ({ memberId }) as never },
      lines,
      providerFor: () => {
        throw new Error('no provider call expected');
      },
      clock: { now: () => 1_000 },
      publicUrl: 'http://127.0.0.1:1',
      box,
      detachOpenLine: async () => null,
      log: createLogger('silent'),
      onLinesChanged: async (memberId) => {
        changed.push(memberId);
      },
      // No template cache or health record here: these tests add lines, never re-add them to another account.
      forgetAccount: async () => undefined,
    });
    return { admin, changed };
  }
  const draft = { provider: 'cloud' as const, phoneNumberId: '300000000000099', accessToken: 'EAAG-x' };

  it('a number another line has: 400 line_conflict naming that line', async () => {
    const { admin } = adminOver(redis);
    await admin.add('m1', { ...draft, id: 'first' });
    const refused = await admin.add('m1', { ...draft, id: 'second' }).catch((error: unknown) => error);
    expect(classifyError(refused)).toMatchObject({ code: 'line_conflict', kind: 'bad_input' });
    expect(String(refused)).toMatch(/already connected as line first/);
  });

  it('Redis down: a retryable unavailability, not line_conflict', async () => {
    const down = new Redis(process.env.TEST_REDIS_URL ?? '', { enableOfflineQueue: false, lazyConnect: true });
    const { admin, changed } = adminOver(down);
    const failed = await admin.add('m1', { ...draft, id: 'third' }).catch((error: unknown) => error);
    const failure = classifyError(failed);
    expect(failure.code).not.toBe('line_conflict');
    expect(failure).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(changed).toEqual([]);
    down.disconnect();
  });
});
