/** Types of the GupShup gateway simulator (waba-wire.md §5). */

/** A GupShup app: its name, the account API key that may use it, and its business number. */
export interface GupshupApp {
  appName: string;
  apiKey: string;
  /** Business number, digits with country code. */
  source: string;
}

/** A template button as GupShup keeps it in `containerMeta` (Meta's button kinds). */
export interface GupshupTemplateButton {
  type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE';
  text: string;
  /** URL buttons: the link, with `{{1}}` when a send appends a suffix. */
  url?: string;
}

/** A template of an app, as the template list shows it (§5.7). */
export interface GupshupTemplate {
  /** GupShup's template id (UUID). */
  id: string;
  appName: string;
  elementName: string;
  languageCode: string;
  category: string;
  /** APPROVED, PENDING, REJECTED, PAUSED… */
  status: string;
  /** The header's kind: TEXT (a text header, or none) or a media header (default TEXT). */
  templateType?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT';
  /** A text header, with at most one `{{1}}`. */
  header?: string;
  /** The body text with its positional variables (`{{1}}`, `{{2}}`…). */
  data: string;
  footer?: string;
  buttons?: GupshupTemplateButton[];
}

/** A message the gateway accepted. */
export interface GupshupSent {
  appName: string;
  path: string;
  destination: string;
  /** The parsed `message` JSON (sessions) or `template` JSON (templates). */
  message: Record<string, unknown>;
  /** Template sends: the parsed `postbackTexts`. */
  postbackTexts?: Array<{ index: number; text: string }>;
  /** Template sends: the parsed media header (`message` form field). */
  headerMedia?: Record<string, unknown>;
  messageId: string;
  /** The WhatsApp id the message gets once "sent" (events after `enqueued` name it). */
  whatsappId: string;
  receivedAt: number;
}

/** Every request, accepted or not. */
export interface GupshupCall {
  method: string;
  path: string;
  httpStatus: number;
  form: Record<string, string>;
  error?: string;
}

/** An injected failure of the next matching send. */
export interface GupshupFailNext {
  status: number;
  message?: string;
  times?: number;
  /** Which requests fail: sends (default) or the template list. */
  on?: 'send' | 'list';
}

/** What a customer sends, for `deliverIncoming`. */
export type GupshupIncoming =
  | { type: 'text'; text: string }
  | { type: 'button_reply'; title: string; postbackText?: string; index?: number }
  | { type: 'list_reply'; title: string; postbackText?: string; description?: string; index?: number }
  | { type: 'quick_reply'; text: string; postbackText?: string }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | {
      type: 'image' | 'video' | 'audio' | 'file' | 'sticker';
      url: string;
      contentType: string;
      caption?: string;
      name?: string;
    };

export interface DeliverIncomingOptions {
  appName: string;
  from: string;
  name?: string;
  content: GupshupIncoming;
  /** GupShup id of the message this one replies to (the send's messageId). */
  replyTo?: string;
  /** Replace the callback URL's token (to test refusals). */
  url?: string;
}

/** When the failed event of a session message outside the customer's window goes: after the answer, or when the test releases it. */
export type GupshupRefusalTiming = 'after-answer' | 'held';

export interface DeliverEventOptions {
  /** The send's messageId (GupShup id). */
  messageId: string;
  type: 'enqueued' | 'sent' | 'delivered' | 'read' | 'failed';
  /** failed: GupShup's (or Meta's) code and reason. */
  code?: number;
  reason?: string;
}

/** The app's answer to a callback. */
export interface GupshupDelivery {
  status: number;
  body: string;
}
