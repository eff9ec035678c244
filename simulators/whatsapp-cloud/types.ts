/** Public types of the WhatsApp Cloud API simulator. */

/** Options of `createCloudApiSimulator`. */
export interface CloudApiOptions {
  appSecret: string;
  /** The simulator's clock (ms) for the 24-hour window (default Date.now): a test's manual clock. */
  now?: () => number;
  /** Enforce the 24-hour window from the start (else `enforceWindow(true)`). */
  enforceWindow?: boolean;
  version?: string;
  throughputPerSec?: number;
  throttleHttpStatus?: 400 | 429;
}

/** A business phone number known to the simulator. */
export interface PhoneNumber {
  phoneNumberId: string;
  accessToken: string;
  displayPhoneNumber: string;
  wabaId: string;
  /** What `GET /{phone-number-id}` reports (waba-wire.md §3.1). */
  health: PhoneHealth;
}

/** A number's health and limits as Graph reports them. */
export interface PhoneHealth {
  verifiedName: string;
  qualityRating: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
  messagingLimit: string;
  status: string;
}

/** One accepted send. */
export interface SentMessage {
  phoneNumberId: string;
  body: Record<string, unknown>;
  wamid: string;
  to: string;
  receivedAt: number;
}

/** One request to `/messages` (accepted or not). */
export interface SendAttempt {
  phoneNumberId: string;
  body: unknown;
  receivedAt: number;
  httpStatus: number;
  errorCode?: number;
  wamid?: string;
}

/** Counters of `sim.stats()`. */
export interface CloudApiStats {
  accepted: number;
  throttled: number;
  rejected: number;
}

/** An injected failure for the next sends. */
export interface FailNextOptions {
  code: number;
  times?: number;
  phoneNumberId?: string;
  httpStatus?: number;
  details?: string;
  /** How many sends (of that number) pass before the failure starts (default 0). */
  after?: number;
  /**
   * Accept the message (`sent()` has it, it is delivered) and answer the error all the same, as a
   * 5xx after acceptance does: the sender cannot tell that it went out. Only with a 5xx answer.
   */
  afterAccept?: boolean;
}

/** Inbound message content for `deliverInbound`. */
export type InboundMessage =
  | { type: 'text'; text: string }
  | { type: 'button_reply'; id: string; title: string }
  | { type: 'list_reply'; id: string; title: string; description?: string }
  | { type: 'button'; payload: string; text: string }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string; url?: string }
  | { type: 'reaction'; messageId: string; emoji?: string }
  | {
      type: 'image' | 'video' | 'audio' | 'document' | 'sticker';
      mediaId?: string;
      mimeType?: string;
      caption?: string;
      filename?: string;
      voice?: boolean;
    };

/** Options of `deliverInbound`. */
export interface DeliverInboundOptions {
  phoneNumberId: string;
  from: string;
  name?: string;
  message: InboundMessage;
  contextId?: string;
  id?: string;
  omitFrom?: boolean;
  timestamp?: number;
  signWith?: string;
  signature?: string | null;
}

/** Options of `deliverInboundBatch`: several customers' messages in one webhook `value`. */
export interface DeliverInboundBatchOptions extends SignOptions {
  phoneNumberId: string;
  messages: Array<Omit<DeliverInboundOptions, 'phoneNumberId' | 'signWith' | 'signature'>>;
}

/** Options of `deliverNumberChange`: the customer's number changed from `from` to `to`. */
export interface DeliverNumberChangeOptions extends SignOptions {
  phoneNumberId: string;
  from: string;
  to: string;
  name?: string;
  id?: string;
  timestamp?: number;
}

/** Options of `deliverValueErrors`: errors about the number or account (`value.errors[]`). */
export interface DeliverValueErrorsOptions extends SignOptions {
  phoneNumberId: string;
  errors: Array<{ code: number; title?: string; details?: string }>;
}

/** Options of `deliverStatus`. */
export interface DeliverStatusOptions {
  phoneNumberId: string;
  wamid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | 'played';
  recipientId: string;
  errors?: Array<{ code: number; title?: string; details?: string }>;
  timestamp?: number;
  signWith?: string;
  signature?: string | null;
}

/** Signing overrides for raw deliveries. */
export interface SignOptions {
  signWith?: string;
  signature?: string | null;
}

/** Result of a webhook POST to the app (`status` 0 when unreachable). */
export interface WebhookDelivery {
  status: number;
  body: string;
  rawBody: string;
}

/** A message template as Graph lists it (waba-wire.md §1.1): UPPERCASE types, example values left out. */
export interface TemplateDefinition {
  id: string;
  name: string;
  language: string;
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED… */
  status: string;
  category: string;
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components: Array<{
    type: string;
    format?: string;
    text?: string;
    buttons?: Array<{ type: string; text: string; url?: string; phone_number?: string }>;
  }>;
}
