import { z } from 'zod';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors/app-error';
import type { Logger } from '../../lib/logger';
import { CONNECTOR_ID } from '../../openlines/connector';
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
  openLines: Pick<OpenLineStore, 'list' | 'detach' | 'markSwitchedOff'>;
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
  // The connector was switched off on a line (also by our own detach or move): nothing is relayed
  // there until it is attached again, or the check below finds it on (openlines-wire.md §5.8). Only an attachment that still names
  // that open line is marked (a moved line's old open line is switched off after the move is stored).
  const off = z.object({ data: z.object({ connector: z.string(), line: scalar }).loose() }).safeParse(body);
  if (!off.success)
    throw new AppError('bad_event', 'data[connector] and data[line] are required', { kind: 'bad_input' });
  if (off.data.data.connector.toLowerCase() !== CONNECTOR_ID) return 'ignored';
  const openLineId = off.data.data.line;
  // Marked off at once (the conservative answer; a door asks no portal). The event may be the late
  // one of the app's own switch-off (a detach or a move away, then the line attached there again):
  // the check asks the portal (`imconnector.status`) and switches it back on when the connector is
  // on there and the attachment is still this one (openlines/confirm-switch-off.ts).
  const marked = await deps.openLines.markSwitchedOff(memberId, openLineId);
  deps.log.info({ memberId, openLineId, marked: marked !== null }, 'connector switched off on an open line');
  if (!marked) return 'noted';
  await deps.queues.enqueueSwitchOffCheck({
    memberId,
    openLineId,
    lineId: marked.lineId,
    attachedAt: marked.attachedAt,
  });
  return 'paused';
}
