import { z } from 'zod';
import type { InboundEvent } from '../inbound-message';
import { gupshupMetaCode } from './gupshup-errors';

// GupShup's v2 callback (waba-wire.md §5.4, §5.5): {app, timestamp (ms), version, type, payload}.
export const gupshupWebhookSchema = z
  .object({
    app: z.string().min(1),
    timestamp: z.coerce.number().optional(),
    version: z.coerce.number().optional(),
    type: z.string(),
    payload: z.record(z.string(), z.unknown()).default({}),
  })
  .loose();
export type GupshupWebhook = z.infer<typeof gupshupWebhookSchema>;

const messageSchema = z
  .object({
    id: z.string().min(1),
    source: z.string().min(1),
    type: z.string(),
    payload: z.record(z.string(), z.unknown()).default({}),
    sender: z.object({ phone: z.string().optional(), name: z.string().optional() }).loose().optional(),
    context: z.object({ id: z.string().optional(), gsId: z.string().optional() }).loose().optional(),
  })
  .loose();
type GupshupMessage = z.infer<typeof messageSchema>;

const eventSchema = z
  .object({
    id: z.string().min(1),
    gsId: z.string().optional(),
    type: z.string(),
    destination: z.string().optional(),
    payload: z.record(z.string(), z.unknown()).default({}),
  })
  .loose();

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** Cloud API media type of a GupShup one (documents are `file`). */
const mediaTypes: Record<string, string> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'document',
  sticker: 'sticker',
};

/**
 * The message body in the Cloud API's shape (whatsapp-wire.md §1), so waits and open lines read it
 * unchanged. A tap is keyed on `postbackText` (our button id); without one it is the title as text,
 * quoting our message, which the button mode still matches (§5.4 matching rule).
 */
function cloudShape(m: GupshupMessage): Record<string, unknown> {
  const p = m.payload;
  switch (m.type) {
    case 'text':
      return { type: 'text', text: { body: str(p.text) ?? '' } };
    case 'button_reply':
    case 'list_reply': {
      const title = str(p.title) ?? '';
      const id = str(p.postbackText);
      if (!id) return { type: 'text', text: { body: title } };
      const kind = m.type === 'list_reply' ? 'list_reply' : 'button_reply';
      const description = str(p.description);
      return {
        type: 'interactive',
        interactive: { type: kind, [kind]: { id, title, ...(description ? { description } : {}) } },
      };
    }
    case 'quick_reply': {
      // A template's quick-reply button: Cloud API's `button` message (payload + text).
      const text = str(p.text) ?? str(p.title) ?? '';
      const payload = str(p.postbackText);
      return { type: 'button', button: { text, ...(payload ? { payload } : {}) } };
    }
    case 'location':
      return {
        type: 'location',
        location: {
          latitude: num(p.latitude),
          longitude: num(p.longitude),
          name: str(p.name),
          address: str(p.address),
        },
      };
    default: {
      const kind = mediaTypes[m.type];
      if (kind) {
        // The file stays on GupShup's file manager until `urlExpiry`; the open-lines sync fetches it from there.
        const media = {
          url: str(p.url),
          mime_type: str(p.contentType),
          caption: str(p.caption),
          filename: str(p.name),
          url_expiry: num(p.urlExpiry),
        };
        return { type: kind, [kind]: media };
      }
      return { type: m.type, gupshup: p };
    }
  }
}

/**
 * A GupShup v2 callback → the event the Cloud API would have sent. Null for what we do not
 * handle (user-events, billing, `enqueued`). A template review (`template-event`) makes the app's
 * line read its templates again, as Meta's template webhooks do for a Cloud API account.
 */
export function gupshupInboundEvent(hook: GupshupWebhook, nowMs: number): InboundEvent | null {
  const phoneNumberId = hook.app;
  const timestamp = String(Math.floor((hook.timestamp ?? nowMs) / 1000));
  if (hook.type === 'template-event') {
    const id = str(hook.payload.id) ?? '';
    const status = str(hook.payload.status) ?? '';
    const event = { gupshup_template: id, status };
    return { key: `gs:${hook.app}:tpl:${id}:${status}:${timestamp}`, phoneNumberId, kind: 'template', event };
  }
  if (hook.type === 'message') {
    const parsed = messageSchema.safeParse(hook.payload);
    if (!parsed.success) return null;
    const m = parsed.data;
    // Replies quote our message by GupShup id (`gsId`, what the send answered) first (glific does the same).
    const quoted = m.context?.gsId ?? m.context?.id;
    const event = {
      id: m.id,
      from: m.source.replace(/\D/g, ''),
      timestamp,
      ...cloudShape(m),
      ...(quoted ? { context: { id: quoted } } : {}),
    };
    return { key: `gs:${hook.app}:msg:${m.id}`, phoneNumberId, kind: 'message', contactName: m.sender?.name, event };
  }
  if (hook.type === 'message-event') {
    const parsed = eventSchema.safeParse(hook.payload);
    if (!parsed.success) return null;
    const e = parsed.data;
    if (!['sent', 'delivered', 'read', 'failed'].includes(e.type)) return null;
    // sent/delivered/read name the WhatsApp id and carry ours as gsId; failed names ours (§5.5).
    const id = e.type === 'failed' ? e.id : (e.gsId ?? e.id);
    const ts = num(e.payload.ts);
    const code = num(e.payload.code);
    const reason = str(e.payload.reason) ?? '';
    const meta = code === undefined ? undefined : gupshupMetaCode(code);
    const event = {
      id,
      status: e.type,
      timestamp: ts === undefined ? timestamp : String(ts),
      ...(e.destination ? { recipient_id: e.destination.replace(/\D/g, '') } : {}),
      // The error as Meta's code where GupShup's has one, so waits and checkStatus give the same advice.
      ...(code === undefined
        ? {}
        : { errors: [{ code: meta ?? code, title: `GupShup ${code}: ${reason}`, message: reason }] }),
    };
    return { key: `gs:${hook.app}:st:${id}:${e.type}`, phoneNumberId, kind: 'status', event };
  }
  return null;
}
