import { z } from 'zod';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors/app-error';
import type { Logger } from '../../lib/logger';
import { CONNECTOR_ID } from '../../openlines/connector';
import { numberSwitchOffCheck } from '../../openlines/switch-off-check';
import { openLineOperatorJobId, type Queues } from '../../queues/create-queues';
import type { OpenLineStore } from '../../store/open-line-store';
import type { OperatorChatOrder } from '../../store/operator-chat-order';

/** Connector events this door takes (openlines-wire.md §5). */
export const openLineEvents = new Set([
  'ONIMCONNECTORMESSAGEADD',
  'ONIMCONNECTORSTATUSDELETE',
  'ONIMCONNECTORLINEDELETE',
]);

/** A PHP form list arrives as `{0: …, 1: …}` (or an array from JSON): both become an array. */
const listOf = <T extends z.ZodType>(item: T) =>
  z.union([z.array(item), z.record(z.string(), item).transform((map) => Object.values(map))]);

const scalar = z.union([z.string(), z.number()]).transform(String);

const operatorMessageSchema = z.object({
  im: z.object({ chat_id: scalar, message_id: scalar }),
  message: z
    .object({
      user_id: scalar.optional(),
      text: z.string().optional(),
      files: listOf(z.object({ name: z.string(), link: z.string(), type: z.string().optional() }).loose()).optional(),
    })
    .loose(),
  chat: z.object({ id: scalar }),
});

const messageAddSchema = z.object({
  data: z.object({ CONNECTOR: z.string(), LINE: scalar, MESSAGES: listOf(operatorMessageSchema) }).loose(),
});

export interface OpenLineEventDeps {
  queues: Pick<Queues, 'enqueueOpenLineOperator' | 'enqueueSwitchOffCheck'>;
  openLines: Pick<OpenLineStore, 'list' | 'detach' | 'nextSwitchOffCheck'>;
  /** Numbers each operator message in its chat at receipt: they reach WhatsApp in this order. */
  operatorOrder: Pick<OperatorChatOrder, 'numberAtReceipt'>;
  clock: Clock;
  log: Logger;
}

/** Handles one verified connector event: operator messages are queued; a deleted line is forgotten. */
export async function takeOpenLineEvent(
  deps: OpenLineEventDeps,
  memberId: string,
  event: string,
  body: unknown,
): Promise<string> {
  if (event === 'ONIMCONNECTORMESSAGEADD') {
    const parsed = messageAddSchema.safeParse(body);
    if (!parsed.success)
      throw new AppError('bad_event', 'data[CONNECTOR], data[LINE] and data[MESSAGES] are required', {
        kind: 'bad_input',
      });
    const { CONNECTOR, LINE, MESSAGES } = parsed.data.data;
    // Only our connector's messages are ours to send (the core delivers to the registering app only).
    if (CONNECTOR.toLowerCase() !== CONNECTOR_ID) return 'ignored';
    // One event's messages are numbered in the order of its payload.
    for (const m of MESSAGES) {
      const jobId = openLineOperatorJobId(memberId, LINE, m.im.message_id);
      const chatSeq = await deps.operatorOrder.numberAtReceipt(memberId, m.chat.id, m.im.message_id, jobId);
      await deps.queues.enqueueOpenLineOperator({
        memberId,
        openLineId: LINE,
        chatId: m.chat.id,
        portalChatId: m.im.chat_id,
        portalMessageId: m.im.message_id,
        operatorId: m.message.user_id ?? '',
        text: m.message.text ?? '',
        files: (m.message.files ?? []).map((f) => ({ name: f.name, link: f.link, type: f.type })),
        receivedAt: deps.clock.now(),
        chatSeq,
      });
    }
    return 'queued';
  }
  if (event === 'ONIMCONNECTORLINEDELETE') {
    const line = z.object({ data: scalar }).safeParse(body);
    if (!line.success) throw new AppError('bad_event', 'data (the line id) is required', { kind: 'bad_input' });
    for (const attachment of await deps.openLines.list(memberId))
      if (attachment.openLineId === line.data.data) await deps.openLines.detach(memberId, attachment.lineId);
    deps.log.info({ memberId, openLineId: line.data.data }, 'open line deleted: its WhatsApp line is detached');
    return 'detached';
  }
  // The connector was switched off on an open line, by an admin or by our own detach or move
  // (openlines-wire.md §5.8); our own event can come late, after the line was attached there again.
  // A door asks no portal: it only numbers a check for the attachment that names that open line
  // (a moved line's old open line finds none) and queues it; the check asks `imconnector.status`
  // and writes the answer unless a newer event's check has been numbered since
  // (openlines/confirm-switch-off.ts). `active` is left as it is until then.
  const off = z.object({ data: z.object({ connector: z.string(), line: scalar }).loose() }).safeParse(body);
  if (!off.success)
    throw new AppError('bad_event', 'data[connector] and data[line] are required', { kind: 'bad_input' });
  if (off.data.data.connector.toLowerCase() !== CONNECTOR_ID) return 'ignored';
  const openLineId = off.data.data.line;
  // A failed enqueue is logged and thrown (5xx): the maintenance sweep, or the next refusal of a
  // customer message there, queues it again.
  const numbered = await numberSwitchOffCheck(deps, memberId, openLineId);
  deps.log.info(
    { memberId, openLineId, check: numbered?.checkSeq ?? null },
    'connector switched off on an open line: checking with the portal',
  );
  return numbered ? 'checking' : 'noted';
}
