import type { MessageTemplate } from './message-template';

/** What a provider can do; an action checks these before sending anything. */
export type Capability =
  | 'text'
  | 'media'
  | 'location'
  | 'contacts'
  | 'reaction'
  | 'template'
  | 'interactive_buttons'
  | 'interactive_list'
  | 'mark_read'
  | 'edit'
  | 'delete'
  | 'forward'
  | 'check_number'
  /** Free-form messages only within 24 hours of the customer's last one (waba-wire.md §2); others ignore the window. */
  | 'customer_window'
  /** Files can be uploaded and sent by id (private files, e.g. from the portal). */
  | 'media_upload'
  /** Sends may go to a business-scoped user id (BSUID) instead of a phone number. */
  | 'recipient_user_id';

export interface ButtonSpec {
  id: string;
  title: string;
}
export interface ListRowSpec {
  id: string;
  title: string;
  description?: string;
}

/** How WhatsApp shows a file (waba-wire.md §4: a `.webp` is a sticker, never an image). */
export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** A file to upload to the provider's media store (Cloud API `POST /{phone-number-id}/media`). */
export interface MediaUpload {
  /** The file's bytes as downloaded, in order (one Blob is built from them, without a joined copy). */
  chunks: Uint8Array<ArrayBuffer>[];
  mimeType: string;
  filename: string;
}

/** Provider-neutral message content. */
export type OutboundContent =
  | { type: 'text'; body: string; previewUrl?: boolean }
  | {
      type: 'media';
      kind: MediaKind;
      /** A public link the provider fetches itself; or `mediaId`, a file uploaded to the provider (exactly one). */
      link?: string;
      mediaId?: string;
      caption?: string;
      filename?: string;
    }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | {
      type: 'contacts';
      contacts: Array<{
        formattedName: string;
        firstName?: string;
        lastName?: string;
        phones: string[];
        emails: string[];
        company?: string;
      }>;
    }
  | { type: 'reaction'; messageId: string; emoji: string }
  | {
      type: 'template';
      name: string;
      language: string;
      components: Array<{
        type: 'header' | 'body' | 'button';
        subType?: 'quick_reply' | 'url' | 'copy_code';
        index?: number;
        parameters: Array<
          /** `name`: the variable of a NAMED template (`parameter_name`). */
          | { type: 'text' | 'payload' | 'coupon_code'; text: string; name?: string }
          /** A media header (image, video or document) by URL or by an uploaded media id. */
          | { type: 'image' | 'video' | 'document'; link: string }
          | { type: 'image' | 'video' | 'document'; id: string }
        >;
      }>;
    }
  | { type: 'buttons'; header?: string; body: string; footer?: string; buttons: ButtonSpec[] }
  | {
      type: 'list';
      header?: string;
      body: string;
      footer?: string;
      button: string;
      sectionTitle?: string;
      rows: ListRowSpec[];
    };

export interface OutboundMessage {
  /** E.164 digits without '+', or a BSUID where the provider has `recipient_user_id`. */
  to: string;
  content: OutboundContent;
  /** Provider message id this one replies to. */
  replyTo?: string;
  /**
   * When the whole exchange must be over (app clock ms): the line slot's in-flight lease, counted
   * from before the slot was taken (LineSender.withSlot). Absent: the provider's own timeout alone.
   */
  deadlineAt?: number;
}

export interface SentMessage {
  providerMessageId: string;
  /** What the customer's WhatsApp number is, when the provider says so. */
  waId?: string;
}

/** What a provider knows about a phone number. */
export interface NumberCheck {
  exists: boolean;
}

/** A line's state as its provider reports it; a field the provider does not report is absent. */
export interface LineStatus {
  /** True when the provider can send from the number now. */
  connected: boolean;
  /** The provider's own word for the state (Graph `status`, Green-API `stateInstance`). */
  state?: string;
  displayPhoneNumber?: string;
  /** The number's approved business name. */
  verifiedName?: string;
  /** GREEN / YELLOW / RED / UNKNOWN (Cloud API). */
  qualityRating?: string;
  /** TIER_250, TIER_2K… (Cloud API; per business portfolio). */
  messagingLimit?: string;
  /** Throughput level: STANDARD (80 messages/s) or higher (Cloud API). */
  throughput?: string;
}

/**
 * A WhatsApp provider bound to one line. The optional methods exist only where the provider can
 * (unofficial gateways); actions check the matching capability (`edit`, `delete`, `forward`,
 * `check_number`) through `needs`, so a missing one is a clear `unsupported_by_provider`.
 */
export interface WhatsAppProvider {
  readonly kind: string;
  readonly capabilities: ReadonlySet<Capability>;
  send(message: OutboundMessage): Promise<SentMessage>;
  /**
   * What the provider must look up before a send (GupShup: a template's id from its list), run
   * before the send step is marked in flight: a failed look-up leaves nothing "maybe sent".
   * Returns the content to send (absent: send it as it is).
   */
  prepare?(content: OutboundContent): Promise<OutboundContent>;
  /** Replaces the text of a sent message in the chat with `to`. */
  edit?(request: { to: string; messageId: string; text: string }): Promise<SentMessage>;
  /** Deletes a sent message for everyone in the chat with `to`. */
  delete?(request: { to: string; messageId: string }): Promise<void>;
  /** Forwards messages of the chat with `from` to the chat with `to`; one id per forwarded message. */
  forward?(request: { to: string; from: string; messageIds: string[] }): Promise<SentMessage[]>;
  /** Whether `phone` (E.164 digits) has WhatsApp. */
  checkNumber?(phone: string): Promise<NumberCheck>;
  /** Uploads a file to the provider's media store; its id sends it (`media_upload`). */
  uploadMedia?(file: MediaUpload): Promise<{ mediaId: string }>;
  /** The number's state, name, quality and limit, as far as the provider reports them. */
  lineStatus(): Promise<LineStatus>;
  /** The line's message templates (Cloud API: its WhatsApp Business Account's, every page); absent without an account id. */
  listTemplates?(): Promise<MessageTemplate[]>;
  /**
   * Points the line's own notifications at `url` with `token` (Green-API's setSettings). Absent
   * where the webhook is set once per app outside (the Cloud API: Meta's app console).
   */
  setWebhook?(webhook: { url: string; token: string }): Promise<void>;
}

/** Which capability a content type needs. */
export function capabilityFor(content: OutboundContent): Capability {
  switch (content.type) {
    case 'text':
      return 'text';
    case 'media':
      return 'media';
    case 'location':
      return 'location';
    case 'contacts':
      return 'contacts';
    case 'reaction':
      return 'reaction';
    case 'template':
      return 'template';
    case 'buttons':
      return 'interactive_buttons';
    case 'list':
      return 'interactive_list';
  }
}
