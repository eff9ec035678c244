import { z } from 'zod';
import type { PortalClient } from '../bitrix/portal-client';
import type { Clock } from '../lib/clock';
import { digest } from '../lib/hash';
import type { Logger } from '../lib/logger';
import type { ChatItem } from '../store/open-line-outbox';
import type { OpenLineStore } from '../store/open-line-store';
import { CONNECTOR_ID } from './connector';
import type { MediaRef } from './media-url';

type CustomerItem = Extract<ChatItem, { kind: 'customer' }>;

/**
 * Items of one chat sent in one call: a run of customer messages (ending at one with media, so a
 * file's text fallback follows it at once), or one item of another kind.
 */
export function nextGroup(items: ChatItem[], max = 20): ChatItem[] {
  const [first] = items;
  if (!first) return [];
  if (first.kind !== 'customer') return [first];
  const group: ChatItem[] = [];
  for (const item of items) {
    if (item.kind !== 'customer' || item.openLineId !== first.openLineId || group.length >= max) break;
    group.push(item);
    if (item.media) break;
  }
  return group;
}

const sendAnswerSchema = z
  .object({
    DATA: z
      .object({
        RESULT: z
          .array(
            z
              .object({
                SUCCESS: z.boolean().optional(),
                ERRORS: z.array(z.unknown()).optional(),
                session: z.object({ CHAT_ID: z.coerce.string() }).loose().optional(),
              })
              .loose(),
          )
          .catch([]),
      })
      .loose()
      .optional(),
  })
  .loose();

/**
 * The echo key of a line posted as an employee: the event it sets off must not reach WhatsApp.
 * The text is compared as plain words (BB-codes dropped, whitespace collapsed: the portal may
 * format what it sends back), and only an event by that employee matches.
 */
export function echoIdOf(openLineId: string, chatId: string, employeeId: string, text: string): string {
  const plain = text
    .replace(/\[br\]/gi, ' ')
    .replace(/\[\/?[a-z]+(?:=[^\]]*)?\]/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
  return digest(`${openLineId}|${chatId}|${employeeId}|${plain}`);
}

export interface ChatItemSenderDeps {
  openLines: Pick<OpenLineStore, 'chatIdOf' | 'rememberChat' | 'markEcho'>;
  /** A customer media link signed now (the portal fetches it during the call). */
  signMedia: (ref: MediaRef) => string;
  clock: Clock;
  log: Logger;
}

/**
 * Sends one group of a chat's items to the portal (openlines-wire.md §4, §5.2, §7). Throws what the
 * portal answered for the whole call (the caller retries retryable ones); a single item the portal
 * refused is logged and counts as done (sending it again would be refused again).
 */
export async function sendChatItems(
  deps: ChatItemSenderDeps,
  client: Pick<PortalClient, 'call' | 'memberId'>,
  group: ChatItem[],
): Promise<void> {
  const [first] = group;
  if (!first) return;
  const memberId = client.memberId;
  if (first.kind === 'customer') {
    const customers = group.filter((i): i is CustomerItem => i.kind === 'customer');
    const MESSAGES = customers.map(({ user, message, chat, media }) => {
      if (!media) return { user, message, chat };
      const url = deps.signMedia({ memberId, lineId: media.lineId, mediaId: media.mediaId, name: media.name });
      return { user, message: { ...message, files: [{ url, name: media.name }] }, chat };
    });
    const refused = await sendMessages(deps, client, first.openLineId, MESSAGES);
    // A file the portal could not take (its download failed, nothing else to show): the text instead.
    const fallbacks = customers
      .filter((c, i) => c.media && refused.includes(i))
      .map(({ user, message, chat, media }) => ({ user, message: { ...message, text: media?.fallbackText }, chat }));
    if (fallbacks.length) await sendMessages(deps, client, first.openLineId, fallbacks);
    return;
  }
  if (first.kind === 'business') {
    const portalChatId = await deps.openLines.chatIdOf(memberId, first.openLineId, first.chatId);
    if (portalChatId && (await postSystemLine(client, portalChatId, first.text))) return;
    // No chat yet (or the app may not post in it): as the employee, through the connector.
    await postAsEmployee(deps, client, { ...first, id: `biz-${first.id}`, confirmId: first.id });
    return;
  }
  if (first.kind === 'note') {
    if (await postSystemLine(client, first.portalChatId, first.text)) return;
    if (first.viaConnector) {
      const id = `note-${first.id}`;
      await postAsEmployee(deps, client, { ...first.viaConnector, id, confirmId: id, text: first.text });
      return;
    }
    deps.log.warn({ memberId, chat: first.portalChatId }, 'the app may not post in this chat: note not shown');
    return;
  }
  // A skipped number shows nothing (the dispatcher settles these without a call).
  if (first.kind === 'skip') return;
  await client.call('imconnector.send.status.delivery', {
    CONNECTOR: CONNECTOR_ID,
    LINE: Number(first.openLineId),
    MESSAGES: [
      {
        im: { chat_id: first.portalChatId, message_id: first.portalMessageId },
        // An array even for one id (openlines-wire.md §5.2, trap 6).
        message: { id: first.providerMessageIds, date: first.date },
        chat: { id: first.chatId },
      },
    ],
  });
}

/**
 * `im.message.add SYSTEM=Y` (§7 B): false when the app may not post in that chat (ACCESS_ERROR), or
 * may not post at all (the portal did not grant the `im` scope: insufficient_scope).
 */
async function postSystemLine(
  client: Pick<PortalClient, 'call' | 'memberId'>,
  portalChatId: string,
  text: string,
): Promise<boolean> {
  try {
    await client.call('im.message.add', { DIALOG_ID: `chat${portalChatId}`, MESSAGE: text, SYSTEM: 'Y' });
    return true;
  } catch (error) {
    const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : '';
    if (code === 'ACCESS_ERROR' || code === 'ACCESS_DENIED' || code === 'insufficient_scope') return false;
    throw error;
  }
}

/**
 * A line posted through the connector as an employee (§7 A): the operator event this sets off is
 * recognised by its echo mark and not sent to WhatsApp.
 */
async function postAsEmployee(
  deps: ChatItemSenderDeps,
  client: Pick<PortalClient, 'call' | 'memberId'>,
  post: {
    id: string;
    /** What the echo is confirmed to the chat with (the robot message's WhatsApp id). */
    confirmId: string;
    openLineId: string;
    chatId: string;
    text: string;
    user: CustomerItem['user'];
    employeeId: number;
  },
): Promise<void> {
  const echoId = echoIdOf(post.openLineId, post.chatId, String(post.employeeId), post.text);
  await deps.openLines.markEcho(client.memberId, echoId, post.confirmId);
  const message = { id: post.id, date: Math.floor(deps.clock.now() / 1000), text: post.text, user_id: post.employeeId };
  await sendMessages(deps, client, post.openLineId, [{ user: post.user, message, chat: { id: post.chatId } }]);
}

/** send.messages; returns the indexes of the items the portal refused (SUCCESS:false). */
async function sendMessages(
  deps: ChatItemSenderDeps,
  client: Pick<PortalClient, 'call' | 'memberId'>,
  openLineId: string,
  MESSAGES: Array<{ user: unknown; message: { id: string }; chat: { id: string } }>,
): Promise<number[]> {
  const refused: number[] = [];
  const answer = sendAnswerSchema.parse(
    await client.call('imconnector.send.messages', { CONNECTOR: CONNECTOR_ID, LINE: Number(openLineId), MESSAGES }),
  );
  const results = answer.DATA?.RESULT ?? [];
  for (const [i, sent] of MESSAGES.entries()) {
    const result = results[i];
    if (result?.session?.CHAT_ID)
      await deps.openLines.rememberChat(client.memberId, openLineId, sent.chat.id, result.session.CHAT_ID);
    if (result?.SUCCESS === false) refused.push(i);
    if (result?.SUCCESS === false)
      deps.log.error(
        { memberId: client.memberId, openLineId, id: sent.message.id, errors: result.ERRORS },
        'the portal refused a chat message',
      );
  }
  return refused;
}
