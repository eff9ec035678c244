import { Redis } from 'ioredis';
import { buildEvent, type EventType } from '../../hooks/event-schemas';
import { HookEmitter } from '../../hooks/hook-emitter';
import { HookStore } from '../../hooks/hook-store';
import { type AddressPolicy, createAddressPolicy } from '../../lib/address-policy';
import { randomId } from '../../lib/hash';
import { createLogger } from '../../lib/logger';
import { createMetrics } from '../../lib/metrics';
import { createSecretBox } from '../../lib/secret-box';
import { createKeys } from '../../redis/keys';
import { HookDeliverer } from '../../workers/hook-deliverer';
import { createManualClock } from './manual-clock';

/** The portal of the hook tests. */
export const M = 'hooks-portal';

/**
 * Outbound events over a real Redis (own key prefix) and a hand-moved clock: the store, the emitter
 * and a started deliverer. Private addresses are allowed (the receivers run on 127.0.0.1) unless a
 * policy is given.
 */
export async function setupHooks(o: { addresses?: AddressPolicy; timeoutMs?: number } = {}) {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
  const redis = new Redis(url);
  const subscriber = new Redis(url);
  const keys = createKeys(`hk${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
  const clock = createManualClock();
  const metrics = createMetrics();
  const allowPrivate = o.addresses === undefined;
  const addresses = o.addresses ?? createAddressPolicy({ allowPrivate: true });
  const hooks = new HookStore({ redis, keys, box: createSecretBox(Buffer.alloc(32, 7)), addresses, allowPrivate });
  const emitter = new HookEmitter(redis, keys);
  const log = createLogger('silent');
  const deliverer = new HookDeliverer({ redis, subscriber, keys, hooks, log, metrics, clock, timeoutMs: o.timeoutMs });
  await deliverer.start();
  let seq = 0;
  /** Emits a test event of `type` (a fresh id unless given). */
  async function emit(type: EventType = 'message.received', id = `e${++seq}`) {
    const source = { id, memberId: M, line: 'main', occurredAt: clock.now() };
    const event =
      type === 'message.received'
        ? buildEvent(type, source, {
            message_id: `wamid.${id}`,
            from: '79161234567',
            contact_name: 'Анна',
            type: 'text',
            text: `hello ${id}`,
            reply_to: '',
          })
        : type === 'message.status'
          ? buildEvent(type, source, {
              message_id: `wamid.${id}`,
              status: 'delivered',
              recipient: '79161234567',
              error_code: '',
              error_title: '',
            })
          : buildEvent(type, source, {
              wait_id: id,
              status: 'answered',
              reason: 'reply',
              purpose: 'reply',
              phone: '79161234567',
              document_id: 'DEAL_1',
              message_id: 'wamid.out',
              return_values: { status: 'answered', answer: 'Да' },
            });
    return { event, emitted: await emitter.emit(event, clock.now()) };
  }
  /** Moves the clock to the subscription's next try and wakes the deliverer. */
  async function toNextTry(subscriptionId: string) {
    const state = await hooks.state(M, subscriptionId);
    clock.set(Math.max(clock.now(), state?.nextAt ?? 0));
    deliverer.wake();
  }
  return {
    redis,
    keys,
    clock,
    metrics,
    hooks,
    emitter,
    deliverer,
    emit,
    toNextTry,
    /** Subscribes `url` (every type unless told) with a known secret. */
    subscribe: (url: string, events: EventType[] = [], secret = 'a-test-secret-of-32-characters!!') =>
      hooks.add({ memberId: M, url, events, secret, now: clock.now() }),
    async close() {
      await deliverer.stop();
      redis.disconnect();
    },
  };
}
