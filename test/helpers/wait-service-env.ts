import { createHmac } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Callback, CallbackOutbox, callbackSchema } from '../../bitrix/callback-outbox';
import { randomId } from '../../lib/hash';
import { createLogger } from '../../lib/logger';
import { createMetrics } from '../../lib/metrics';
import type { InboundMessage } from '../../providers/inbound-message';
import type { CallInfo } from '../../queues/call-info';
import { createKeys } from '../../redis/keys';
import { OrdinaryMessages } from '../../store/inbound-stream';
import type { Line } from '../../store/line-store';
import { MessageStore } from '../../store/message-store';
import { encodeButtonId } from '../../waits/button-id';
import { defaultReplyOptions, type ReplyOptions } from '../../waits/wait-schema';
import { createWaitService } from '../../waits/wait-service';
import { WaitStore } from '../../waits/wait-store';
import { createManualClock } from './manual-clock';

/** The portal of the wait-service tests. */
export const M = 'm1';
/** The customer. */
export const PHONE = '79161234567';
export const HOUR = 3600_000;
/** The line the customer writes on. */
export const line: Line = {
  id: 'main',
  memberId: M,
  provider: 'cloud',
  phoneNumberId: '100',
  accessToken: 'token',
  name: 'Main',
  createdAt: 0,
};

/** One wait service over a real Redis (own key prefix), a hand-moved clock and stages the test sets. */
export function setupWaitService() {
  const url = process.env.TEST_REDIS_URL;
  if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
  const redis = new Redis(url);
  const keys = createKeys(`wsv${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
  const clock = createManualClock();
  const stageOf = new Map<string, string>();
  const stages = { read: jest.fn(async (_memberId: string, documentId: string) => stageOf.get(documentId) ?? 'NEW') };
  const sendReask = jest.fn(async () => undefined);
  // The portal zone of the waits these tests end: UTC, so times read as written.
  const timeZoneOf = jest.fn(async (_memberId: string, _version?: string) => '');
  const store = new WaitStore(redis, keys);
  const outbox = new CallbackOutbox(redis, keys, clock);
  const messages = new MessageStore(redis, keys);
  const service = createWaitService({
    timeZoneOf,
    store,
    stages,
    messages,
    outbox,
    ordinary: new OrdinaryMessages(redis, keys),
    sendReask,
    clock,
    sign: (value) => createHmac('sha256', 'wait-service-test').update(value).digest('base64url').slice(0, 22),
    log: createLogger('silent'),
    metrics: createMetrics(),
  });
  let calls = 0;
  /** Opens a reply wait (buttons Yes/No unless told) and links its sent message, as an action does. */
  async function open(
    o: { titles?: string[]; options?: Partial<ReplyOptions>; kind?: 'robot' | 'activity'; timeoutMs?: number } = {},
  ) {
    calls += 1;
    const n = calls;
    const call: CallInfo = {
      kind: o.kind ?? 'robot',
      code: 'wa_send_buttons',
      eventToken: `wf.${n}|A${n}_1_2_3|tok.sig`,
      workflowId: `wf.${n}`,
      documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${n}`],
      callKey: `call${n}`,
      timeoutDurationSec: 0,
    };
    const waitId = service.idFor(call, 'reply');
    const buttons = (o.titles ?? ['Yes', 'No']).map((title, i) => ({ id: encodeButtonId(waitId, i + 1), title }));
    const options = { ...defaultReplyOptions, ...o.options };
    const wait = await service.open({
      line,
      call,
      phone: PHONE,
      lang: 'en',
      purpose: 'reply',
      timeoutMs: o.timeoutMs ?? HOUR,
      buttons,
      options,
    });
    const messageId = `wamid.out${n}`;
    await service.attach(M, wait.id, messageId, { status: 'sent', message_id: messageId });
    return { wait, messageId, documentId: `DEAL_${n}`, eventToken: call.eventToken };
  }
  /** The callbacks queued in the outbox, by event token. */
  async function callbacks(): Promise<Map<string, Callback>> {
    const raw = await redis.hgetall(keys.callbackPending(M));
    const parsed = Object.values(raw).map((json) => callbackSchema.parse(JSON.parse(json)));
    return new Map(parsed.map((c) => [c.eventToken, c]));
  }
  const status = async (waitId: string) => (await store.get(M, waitId))?.status;
  return {
    redis,
    keys,
    clock,
    stageOf,
    stages,
    sendReask,
    timeZoneOf,
    store,
    outbox,
    messages,
    service,
    open,
    callbacks,
    status,
  };
}

let seq = 0;
/** A fresh inbound message id. */
function nextId(): string {
  seq += 1;
  return `wamid.in${seq}`;
}
/** The customer types text. */
export const text = (body: string, extra: Partial<InboundMessage> = {}): InboundMessage => ({
  id: nextId(),
  from: PHONE,
  type: 'text',
  text: { body },
  ...extra,
});
/** The customer taps a button. */
export const tap = (id: string, title: string): InboundMessage => ({
  id: nextId(),
  from: PHONE,
  type: 'interactive',
  interactive: { type: 'button_reply', button_reply: { id, title } },
});

/** What a wait-service test works with. */
export type WaitServiceEnv = ReturnType<typeof setupWaitService>;

/**
 * A wait on a message to PHONE that Meta answered with `waId`, another id than the number sent to
 * (the send records it on the message; linking the wait reads it from there).
 */
export async function openWaitOnAliasedSend(env: WaitServiceEnv, waId: string, messageId = 'wamid.out1') {
  await env.messages.recordSend({
    memberId: M,
    phone: PHONE,
    providerMessageId: messageId,
    callKey: 'call1',
    step: 0,
    sentAt: env.clock.now(),
    waId,
  });
  return env.open();
}
