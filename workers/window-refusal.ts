import { sentReturnValues } from '../actions/common-properties';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { LineSender } from '../lines/line-sender';
import type { WindowFallbacks } from '../lines/window-fallbacks';
import type { InboundStatus } from '../providers/inbound-message';
import type { RedisKeys } from '../redis/keys';
import type { Line } from '../store/line-store';
import type { MessageStore } from '../store/message-store';
import { storedMessagePatch } from '../waits/stored-wait';
import type { WaitStore } from '../waits/wait-store';

/** The step a late fallback template takes in its call: clear of the action's own steps. */
const LATE_FALLBACK_STEP = 2000;

export interface WindowRefusalDeps {
  windowFallbacks: Pick<WindowFallbacks, 'get'>;
  lineSender: Pick<LineSender, 'sendWaiting'>;
  messages: Pick<MessageStore, 'get' | 'sentStep' | 'recordSend'>;
  waits: { store: Pick<WaitStore, 'findByMessage'> };
  keys: Pick<RedisKeys, 'waitIndexPhoneField'>;
  clock: Clock;
  log: Logger;
}

/**
 * A free-form message WhatsApp accepted and then refused for the closed window (a `failed` status
 * with 131047), sent by a robot that chose "send a template instead": the template goes now, and
 * the wait on the refused message (reply or delivery) moves to it and keeps waiting. True when
 * handled so (the failure then ends no wait); false for any other status.
 */
export function createWindowRefusalHandler(deps: WindowRefusalDeps) {
  return async function onWindowRefused(line: Line, status: InboundStatus): Promise<boolean> {
    if (status.status !== 'failed' || status.errors?.[0]?.code !== 131047) return false;
    const { memberId } = line;
    // Only a refusal that came after the send's record owns the fallback (`fb`, send-record-4.lua);
    // one that beat it is the sender's to answer.
    const ref = (await deps.messages.get(memberId, status.id))?.fallbackRef;
    const fallback = ref ? await deps.windowFallbacks.get(memberId, ref) : null;
    if (!fallback) return false;
    const wait = await deps.waits.store.findByMessage(memberId, status.id);
    const open = wait?.status === 'open' ? wait : null;
    // A retried job finds the template already sent in its step.
    if ((await deps.messages.sentStep(memberId, fallback.callKey, LATE_FALLBACK_STEP)) !== null) return true;
    const sent = await deps.lineSender.sendWaiting(line, { to: fallback.to, content: fallback.content });
    const id = sent.providerMessageId;
    const baseReturn = { ...sentReturnValues(id), sent_as: 'template' };
    await deps.messages.recordSend({
      memberId,
      callKey: fallback.callKey,
      step: LATE_FALLBACK_STEP,
      providerMessageId: id,
      phone: fallback.to,
      waId: sent.waId,
      sentAt: deps.clock.now(),
      wait: open
        ? {
            id: open.id,
            patchJson: JSON.stringify(storedMessagePatch(id, baseReturn)),
            aliasField: sent.waId ? deps.keys.waitIndexPhoneField(line.id, sent.waId) : '',
          }
        : undefined,
    });
    deps.log.info(
      { memberId, line: line.id, refused: status.id, template: fallback.content.name, sent: id, waitId: open?.id },
      'window closed after all (131047): the fallback template sent instead',
    );
    return true;
  };
}
