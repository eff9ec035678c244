/** The WhatsApp Cloud API simulator: send endpoint, fault injection and signed webhooks to the app. */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { serverLifecycle } from '../shared/listen';
import { randomAlnum, randomDigits } from '../shared/random';
import { type AccountDeliveries, accountDeliveries } from './account-webhooks';
import { errorDetails, errorTitles } from './errors';
import { addMedia, handleMedia, mediaPathId } from './media-route';
import { BODY_LIMIT_BYTES, messagesMiddleware, withDirectMessages } from './messages-door';
import { handlePhoneNumber, phoneNumberPathId } from './phone-number-route';
import { CloudState, type RefusalTiming, refusalStatus } from './state';
import { handleTemplateList, templateMethods, templatesPathId } from './templates';
import type {
  CloudApiOptions,
  CloudApiStats,
  DeliverInboundBatchOptions,
  DeliverInboundOptions,
  DeliverNumberChangeOptions,
  DeliverStatusOptions,
  DeliverValueErrorsOptions,
  FailNextOptions,
  PhoneHealth,
  PhoneNumber,
  SendAttempt,
  SentMessage,
  SignOptions,
  TemplateDefinition,
  WebhookDelivery,
} from './types';
import { handleUpload, type UploadedMedia, uploadPathId } from './upload-route';
import { makeWamid } from './wamid';
import { envelope, errorsValue, inboundValue, numberChangeValue, statusValue } from './webhook-payloads';
import { postSigned, postWebhook, type SignedWebhook, signedWebhook } from './webhook-sender';

/** A running (or startable) Cloud API simulator. */
export interface CloudApiSimulator extends AccountDeliveries {
  start(port?: number): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  /** Base URL (the Graph root, e.g. `http://127.0.0.1:1234`); throws before start. */
  url(): string;
  readonly app: Express;
  readonly version: string;
  addPhoneNumber(p: {
    phoneNumberId: string;
    accessToken: string;
    displayPhoneNumber: string;
    wabaId?: string;
    health?: Partial<PhoneHealth>;
  }): PhoneNumber;
  /** Changes what `GET /{phone-number-id}` reports for a number. */
  setPhoneHealth(phoneNumberId: string, health: Partial<PhoneHealth>): void;
  setWebhook(w: { url: string }): void;
  setThroughput(perSec: number): void;
  failNext(f: FailNextOptions): void;
  failAsync(f: { to: string; code: number; times?: number }): void;
  /** Makes sends to `phone` answer with another `wa_id` (as for some Brazilian and Mexican numbers). */
  setWaId(phone: string, waId: string): void;
  /** Stores a file a customer sends to `phoneNumberId` (use its id as `mediaId` of an inbound media message). */
  addMedia(media: { phoneNumberId: string; bytes: Buffer; mimeType: string }): string;
  /** How many media downloads were served. */
  mediaDownloads(): number;
  sent(): SentMessage[];
  /** Files uploaded through `POST /{phone-number-id}/media`, oldest first. */
  uploadedMedia(): UploadedMedia[];
  attempts(): SendAttempt[];
  markedRead(): Array<{ phoneNumberId: string; messageId: string; receivedAt: number }>;
  stats(): CloudApiStats;
  deliverInbound(o: DeliverInboundOptions): Promise<WebhookDelivery & { messageId: string }>;
  /** Several customers' messages in one `value` (one contact per sender), as Meta may batch them. */
  deliverInboundBatch(o: DeliverInboundBatchOptions): Promise<WebhookDelivery & { messageIds: string[] }>;
  /**
   * `deliverInboundBatch` in two steps: the webhook built and signed now (the customers' windows
   * start now), POSTed later by `postPrepared` (a load generator builds its requests ahead).
   */
  prepareInboundBatch(o: DeliverInboundBatchOptions): SignedWebhook & { messageIds: string[] };
  postPrepared(webhook: SignedWebhook): Promise<WebhookDelivery>;
  /** The `system` message `user_changed_number`: the customer's number changed from `from` to `to`. */
  deliverNumberChange(o: DeliverNumberChangeOptions): Promise<WebhookDelivery & { messageId: string }>;
  /** A value with `errors` only (e.g. 130429, 131000): about the number or account, not one message. */
  deliverValueErrors(o: DeliverValueErrorsOptions): Promise<WebhookDelivery>;
  deliverStatus(o: DeliverStatusOptions): Promise<WebhookDelivery>;
  deliverRaw(body: unknown, sign?: SignOptions): Promise<WebhookDelivery>;
  /** Adds a template to an account (waba id); its id is made up when not given. Sends of an account with templates are checked strictly. */
  addTemplate(wabaId: string, t: Omit<TemplateDefinition, 'id'> & { id?: string }): TemplateDefinition;
  /** Changes a template's status and, with a webhook set, sends `message_template_status_update` (waba-wire.md §1.4). */
  setTemplateStatus(
    wabaId: string,
    name: string,
    language: string,
    status: string,
    options?: { webhook?: boolean; reason?: string },
  ): Promise<WebhookDelivery | undefined>;
  /** From now on free-form sends outside a customer's 24-hour window fail after acceptance with 131047. */
  enforceWindow(on: boolean): void;
  /** When a window refusal's failed status goes (see RefusalTiming; `beforeAnswer`: the answer's signal). */
  windowRefusals(timing: RefusalTiming, beforeAnswer?: () => Promise<void>): void;
  /** Delivers the held window refusals, in order. */
  releaseRefusals(): Promise<Array<WebhookDelivery | undefined>>;
  /** Sends Meta's GET verification to the webhook; returns status, body and the challenge used. */
  verifyWebhook(verifyToken: string): Promise<{ status: number; body: string; challenge: string }>;
}

/** Creates a simulated WhatsApp Cloud API (Graph) server. */
export function createCloudApiSimulator(options: CloudApiOptions): CloudApiSimulator {
  const state = new CloudState(options);
  const version = options.version ?? 'v25.0';
  const app = express();
  // No ETag (a hash of every answer) or X-Powered-By: per-send work the bench's simulator process
  // spent on the same two cores as the workers, and headers every sender had to parse (issue 10).
  app.set('etag', false);
  app.disable('x-powered-by');
  const lifecycle = serverLifecycle(withDirectMessages(state, app), 'Cloud API');

  app.use(express.raw({ type: () => true, limit: BODY_LIMIT_BYTES }));
  app.use(messagesMiddleware(state));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const id = req.method === 'GET' ? mediaPathId(state, req.path) : undefined;
    if (id === undefined) return next();
    handleMedia(state, id, lifecycle.url(), req, res);
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const id = req.method === 'GET' ? templatesPathId(req.path) : undefined;
    if (id === undefined) return next();
    handleTemplateList(state, id, req, res);
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const id = req.method === 'POST' ? uploadPathId(req.path) : undefined;
    if (id === undefined) return next();
    handleUpload(state, id, req, res).catch(next);
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    const id = req.method === 'GET' ? phoneNumberPathId(req.path) : undefined;
    if (id === undefined) return next();
    handlePhoneNumber(state, id, req, res);
  });
  app.use((req: Request, res: Response) => {
    res.status(400).json({
      error: {
        message: `Unsupported ${req.method.toLowerCase()} request.`,
        type: 'GraphMethodException',
        code: 100,
        fbtrace_id: randomAlnum(23),
      },
    });
  });

  const phoneOf = (id: string): PhoneNumber => {
    const p = state.phones.get(id);
    if (!p) throw new Error(`Unknown phone number id ${id}`);
    return p;
  };
  const webhookUrl = (): string => {
    if (!state.webhookUrl) throw new Error('No webhook set: call setWebhook first');
    return state.webhookUrl;
  };
  const post = (payload: unknown, sign?: SignOptions) =>
    postWebhook(webhookUrl(), payload, sign?.signWith ?? options.appSecret, sign?.signature);

  const sim: CloudApiSimulator = {
    app,
    version,
    ...lifecycle,
    addPhoneNumber(p) {
      const phone: PhoneNumber = {
        ...p,
        displayPhoneNumber: p.displayPhoneNumber.replace(/\D/g, ''),
        wabaId: p.wabaId ?? randomDigits(15),
        health: {
          verifiedName: 'Test Shop',
          qualityRating: 'GREEN',
          messagingLimit: 'TIER_2K',
          status: 'CONNECTED',
          ...p.health,
        },
      };
      state.phones.set(p.phoneNumberId, phone);
      return phone;
    },
    setWebhook: ({ url }) => {
      state.webhookUrl = url;
    },
    setPhoneHealth(phoneNumberId, health) {
      const phone = phoneOf(phoneNumberId);
      phone.health = { ...phone.health, ...health };
    },
    setThroughput: (perSec) => {
      state.window.perSec = perSec;
    },
    failNext: (f) => state.inject(f),
    uploadedMedia: () => [...state.uploads.values()],
    failAsync: ({ to, code, times }) =>
      void state.asyncFailures.set(to.replace(/\D/g, ''), { code, remaining: times ?? Infinity }),
    setWaId: (phone, waId) => void state.waIds.set(phone.replace(/\D/g, ''), waId.replace(/\D/g, '')),
    addMedia: (media) => addMedia(state, media),
    mediaDownloads: () => state.mediaDownloads,
    sent: () => [...state.sent],
    attempts: () => [...state.attempts],
    markedRead: () => [...state.markedRead],
    stats: () => ({ ...state.stats }),
    async deliverInbound(o) {
      const { messageIds, ...res } = await sim.deliverInboundBatch({ ...o, messages: [o] });
      return { ...res, messageId: messageIds[0] ?? '' };
    },
    async deliverInboundBatch(o) {
      const { messageIds, ...webhook } = sim.prepareInboundBatch(o);
      return { ...(await sim.postPrepared(webhook)), messageIds };
    },
    prepareInboundBatch(o) {
      const phone = phoneOf(o.phoneNumberId);
      const items = state.inboundItems(o.phoneNumberId, o.messages);
      const payload = envelope(phone, inboundValue({ phone, items }));
      const webhook = signedWebhook(payload, o.signWith ?? options.appSecret, o.signature);
      return { ...webhook, messageIds: items.map((i) => i.id) };
    },
    postPrepared: (webhook) => postSigned(webhookUrl(), webhook),
    async deliverNumberChange(o) {
      const phone = phoneOf(o.phoneNumberId);
      const from = o.from.replace(/\D/g, '');
      const to = o.to.replace(/\D/g, '');
      const name = o.name ?? state.names.get(from) ?? 'Иван';
      state.names.set(to, name);
      const messageId = o.id ?? makeWamid(from, true);
      const timestamp = o.timestamp ?? Math.floor(Date.now() / 1000);
      const res = await post(envelope(phone, numberChangeValue({ from, to, name, id: messageId, timestamp })), o);
      return { ...res, messageId };
    },
    ...accountDeliveries(phoneOf, (payload) => post(payload)),
    deliverValueErrors(o) {
      const errors = o.errors.map((e) => ({
        code: e.code,
        title: e.title ?? errorTitles[e.code] ?? 'Unknown error',
        details: e.details ?? errorDetails[e.code] ?? 'Unknown error',
      }));
      return post(envelope(phoneOf(o.phoneNumberId), errorsValue(errors)), o);
    },
    deliverStatus(o) {
      const phone = phoneOf(o.phoneNumberId);
      const first =
        o.status === 'sent' || ((o.status === 'delivered' || o.status === 'read') && !state.pricedOnce.has(o.wamid));
      if (o.status === 'delivered' || o.status === 'read') state.pricedOnce.add(o.wamid);
      const errors = (o.errors ?? []).map((e) => ({
        code: e.code,
        title: e.title ?? errorTitles[e.code] ?? 'Unknown error',
        details: e.details ?? errorDetails[e.code] ?? 'Unknown error',
      }));
      const recipient = o.recipientId.replace(/\D/g, '');
      const value = statusValue({
        name: state.names.get(recipient) ?? recipient,
        wamid: o.wamid,
        status: o.status,
        recipientId: recipient,
        timestamp: o.timestamp ?? Math.floor(Date.now() / 1000),
        withPricing: first,
        errors,
      });
      return post(envelope(phone, value), o);
    },
    deliverRaw: (body, sign) => post(body, sign),
    ...templateMethods(state, post),
    async verifyWebhook(verifyToken) {
      const challenge = randomDigits(10);
      const u = new URL(webhookUrl());
      u.searchParams.set('hub.mode', 'subscribe');
      u.searchParams.set('hub.challenge', challenge);
      u.searchParams.set('hub.verify_token', verifyToken);
      try {
        const res = await fetch(u, { signal: AbortSignal.timeout(10000) });
        return { status: res.status, body: await res.text(), challenge };
      } catch (err) {
        return { status: 0, body: err instanceof Error ? err.message : String(err), challenge };
      }
    },
  };

  state.refuse = async (r) => (state.webhookUrl ? sim.deliverStatus(refusalStatus(r, state.now())) : undefined);
  state.afterAccepted = (phoneNumberId, waId, wamid, windowClosed) => {
    if (windowClosed) {
      // The test's order (RefusalTiming); `before-answer` already went in the send route.
      if (state.refusalTiming === 'held') state.heldRefusals.push({ phoneNumberId, waId, wamid });
      else if (state.refusalTiming === 'after-answer') void state.refuse({ phoneNumberId, waId, wamid });
      return;
    }
    const failure = state.asyncFailures.get(waId);
    if (!failure || failure.remaining <= 0 || !state.webhookUrl) return;
    failure.remaining--;
    setTimeout(() => {
      void sim.deliverStatus({
        phoneNumberId,
        wamid,
        status: 'failed',
        recipientId: waId,
        errors: [{ code: failure.code }],
      });
    }, 20);
  };
  return sim;
}
