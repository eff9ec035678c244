/** The operator's side of an open-line chat: typing a message (ONIMCONNECTORMESSAGEADD) and the files it links. */
import type { Express, Request, Response } from 'express';
import { randomHex } from '../shared/random';
import type { OpenLineChat } from './open-lines';
import { deliverEvent } from './outbound';
import type { PortalState } from './state';
import type { DeliveryResult } from './types';

/** What `sim.operatorWrites` takes. */
export interface OperatorMessageInput {
  connector: string;
  line: number;
  /** The connector's chat id (what the app sent as `chat.id`). */
  chatId: string;
  text?: string;
  files?: Array<{ name: string; bytes: Buffer; contentType: string }>;
  /** The operator (a portal user id). */
  userId?: number;
}

/** The event's `data` and where it went. */
export interface OperatorMessageResult {
  data: Record<string, unknown>;
  messageId: number;
  deliveries: DeliveryResult[];
}

/** Serves the public short links of operators' files: `/~<id>` redirects to `/pub/im.file.php?FILE_ID=<id>&SIGN=…`. */
export function mountOperatorFiles(app: Express, state: PortalState): void {
  app.get(/^\/~([a-f0-9]+)$/, (req: Request, res: Response) => {
    const id = String(req.params[0] ?? '');
    res.redirect(302, `/pub/im.file.php?FILE_ID=${id}&SIGN=${randomHex(8)}`);
  });
  app.get('/pub/im.file.php', (req: Request, res: Response) => {
    const file = state.openLines.files.get(String(req.query.FILE_ID ?? ''));
    if (!file) {
      res.status(404).send('File not found');
      return;
    }
    res.setHeader('Content-Type', file.contentType);
    res.send(file.bytes);
  });
}

/**
 * An operator writes in the customer's chat: the message is saved and ONIMCONNECTORMESSAGEADD goes to
 * the handlers bound to it. The core refuses before saving when the connector is not active on the line.
 */
export async function operatorWrites(state: PortalState, input: OperatorMessageInput): Promise<OperatorMessageResult> {
  const ol = state.openLines;
  const status = ol.statuses.get(ol.statusKey(input.connector, input.line));
  if (!status?.active) throw new Error(`connector ${input.connector} is not active on line ${input.line}`);
  const chat: OpenLineChat = ol.chatFor(input.connector, input.line, input.chatId, {});
  const files = (input.files ?? []).map((f) => {
    const id = randomHex(12);
    ol.files.set(id, f);
    const image = f.contentType.startsWith('image/');
    const ext = f.name.includes('.') ? f.name.slice(f.name.lastIndexOf('.') + 1) : 'bin';
    return {
      name: f.name,
      type: image ? 'image' : 'file',
      link: `${state.baseUrl()}/~${id}${image ? `#img.${ext}` : ''}`,
      size: String(f.bytes.length),
    };
  });
  const text = input.text ?? '';
  const saved = ol.addMessage(chat, {
    author: 'operator',
    text,
    files: files.map((f, i) => ({
      name: f.name,
      url: f.link,
      bytes: Number(f.size),
      contentType: input.files?.[i]?.contentType ?? '',
    })),
    connectorMid: [],
  });
  const message: Record<string, unknown> = { user_id: String(input.userId ?? 27), text };
  if (files.length) message.files = files;
  const data = {
    CONNECTOR: input.connector,
    LINE: String(input.line),
    MESSAGES: [
      {
        im: { chat_id: String(chat.chatId), message_id: String(saved.id) },
        message,
        chat: { id: input.chatId },
      },
    ],
  };
  const deliveries = await deliverEvent(state, 'ONIMCONNECTORMESSAGEADD', data);
  return { data, messageId: saved.id, deliveries };
}
