import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { signInWithinLimits } from '../../../app/settings/session-rate-limit';
import { randomId } from '../../../lib/hash';
import type { PageUser } from '../../../portals/page-auth';
import { createKeys } from '../../../redis/keys';
import { createManualClock } from '../../helpers/manual-clock';

describe('settings sign-in: remembering the client address', () => {
  it('a failed write of the known mark does not fail a sign-in the portal verified (it is only a help for later ones)', async () => {
    const url = process.env.TEST_REDIS_URL;
    if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
    const real = new Redis(url);
    try {
      // The window script runs on the real Redis; only the mark's SET fails (a blip between the two calls).
      const redis = new Proxy(real, {
        get(target, name, receiver) {
          if (name === 'set') return async () => Promise.reject(new Error('Connection is closed.'));
          const value: unknown = Reflect.get(target, name, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const warnings: unknown[] = [];
      // Only the portal's member_id is read of the verified user here.
      const user = { portal: { memberId: 'known-mark-m1' }, session: 's' } as unknown as PageUser;
      const signedIn = await signInWithinLimits(
        {
          redis,
          keys: createKeys(`skm${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`),
          clock: createManualClock(Date.now()),
          clientAddressKey: randomBytes(32),
          log: { warn: (...args: unknown[]) => void warnings.push(args) },
        },
        { address: '203.0.113.9', memberId: 'known-mark-m1' },
        async () => user,
      );
      expect(signedIn).toBe(user);
      expect(warnings).toHaveLength(1);
    } finally {
      real.disconnect();
    }
  });
});
