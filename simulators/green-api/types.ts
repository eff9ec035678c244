/** Public types of the Green-API simulator. */

/** Options of `createGreenApiSimulator`. */
export interface GreenApiOptions {
  /** Numbers (digits) that have no WhatsApp; every other number has. */
  numbersWithoutWhatsapp?: string[];
}

/** An instance (one connected WhatsApp account) known to the simulator. */
export interface GreenApiInstance {
  idInstance: string;
  apiTokenInstance: string;
  /** The account's own number, `wid` in webhooks. */
  wid: string;
  /** What getStateInstance answers: authorized, notAuthorized, blocked, starting, yellowCard. */
  state: string;
}

/** One request to a method (accepted or not). */
export interface GreenApiCall {
  idInstance: string;
  method: string;
  body: unknown;
  httpStatus: number;
  receivedAt: number;
  /** Ids of messages it created (send, forward). */
  idMessages: string[];
}

/** One message sent (or forwarded) through the API. */
export interface GreenApiSent {
  idInstance: string;
  method: string;
  chatId: string;
  body: Record<string, unknown>;
  idMessage: string;
  receivedAt: number;
}

/** An injected failure for the next requests. */
export interface GreenApiFailNext {
  status: number;
  /** Answer body (JSON value or text); a Green-API-like default per status otherwise. */
  body?: unknown;
  times?: number;
  method?: string;
}

/** Options of `deliverIncoming`. */
export interface DeliverIncomingOptions {
  idInstance: string;
  from: string;
  text: string;
  senderName?: string;
  idMessage?: string;
  /** Id of a message the customer quotes (sent as a `quotedMessage`). */
  quotedId?: string;
  timestamp?: number;
  /** Overrides the configured webhook token (null = no Authorization header). */
  token?: string | null;
}

/** Options of `deliverStatus`. */
export interface DeliverOutgoingStatusOptions {
  idInstance: string;
  idMessage: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | 'noAccount';
  description?: string;
  timestamp?: number;
}

/** Result of a webhook POST to the app (`status` 0 when unreachable). */
export interface GreenApiDelivery {
  status: number;
  body: string;
}
