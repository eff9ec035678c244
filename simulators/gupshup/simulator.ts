/** The GupShup gateway simulator: the classic send and template-list API, strict checks, v2 callbacks to the app. */

import { randomBytes, randomUUID } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { postRaw } from '../shared/http-post';
import { serverLifecycle } from '../shared/listen';
import { GupshupCustomerWindows } from './customer-window';
import { checkTemplateSend, listedTemplate } from './templates';
import type {
  DeliverEventOptions,
  DeliverIncomingOptions,
  GupshupApp,
  GupshupCall,
  GupshupDelivery,
  GupshupFailNext,
  GupshupRefusalTiming,
  GupshupSent,
  GupshupTemplate,
} from './types';
import { GupshupRefusal, jsonField, validateSessionMessage } from './validate';

/** A running (or startable) GupShup simulator. */
export interface GupshupSimulator {
  start(port?: number): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  url(): string;
  readonly app: Express;
  addApp(a: GupshupApp): void;
  addTemplate(t: Omit<GupshupTemplate, 'id'> & { id?: string }): GupshupTemplate;
  /** A list entry taken as is (GupShup's legacy entries carry nulls): listed, never sendable. */
  addListedAsIs(appName: string, entry: Record<string, unknown>): void;
  /** The app's callback URL (v2 format); the line's secret is part of it. */
  setWebhook(w: { url: string }): void;
  failNext(f: GupshupFailNext): void;
  sent(): GupshupSent[];
  calls(): GupshupCall[];
  deliverIncoming(o: DeliverIncomingOptions): Promise<GupshupDelivery & { id: string }>;
  deliverEvent(o: DeliverEventOptions): Promise<GupshupDelivery>;
  /** Changes a template's status and tells the app (a v2 `template-event`, as GupShup does after Meta's review). */
  setTemplateStatus(id: string, status: string): Promise<GupshupDelivery>;
  /** From now on session messages outside the customer's 24-hour window are accepted, then fail (a `failed` event). */
  enforceWindow(on: boolean): void;
  /** When a window refusal's failed event goes (default right after the answer). */
  windowRefusals(timing: GupshupRefusalTiming): void;
  /** Delivers the held window refusals, in order. */
  releaseRefusals(): Promise<GupshupDelivery[]>;
}

/** Options of `createGupshupSimulator`. */
export interface GupshupSimulatorOptions {
  /** The simulator's clock (ms) for the 24-hour window and callback timestamps (default Date.now): a test's manual clock. */
  now?: () => number;
  /**
   * The code of a session message refused for the closed window: GupShup's own 1005 ("user inactive
   * for session message", waba-wire.md §5.6) by default; a Cloud-API app may pass Meta's 131047 through.
   */
  windowRefusalCode?: number;
}

/** WhatsApp ids in GupShup's v2 examples are legacy base64-ish strings (`gBEG…`, `ABEG…`). */
const whatsappId = (inbound = false) =>
  `${inbound ? 'ABEG' : 'gBEG'}${randomBytes(18).toString('base64url').slice(0, 24)}`;

const SEND_PATHS = new Set(['/wa/api/v1/msg', '/sm/api/v1/msg']);
const TEMPLATE_PATH = '/wa/api/v1/template/msg';

/** Creates a simulated GupShup gateway. */
export function createGupshupSimulator(options: GupshupSimulatorOptions = {}): GupshupSimulator {
  const now = options.now ?? Date.now;
  const apps = new Map<string, GupshupApp>();
  const windows = new GupshupCustomerWindows(now);
  const templates = new Map<string, GupshupTemplate>();
  const sent: GupshupSent[] = [];
  const calls: GupshupCall[] = [];
  let injected: Array<GupshupFailNext & { times: number }> = [];
  let webhook: { url: string } | undefined;
  const app = express();
  const lifecycle = serverLifecycle(app, 'GupShup');
  app.use(express.urlencoded({ extended: false, limit: '5mb' }));

  const refuse = (res: Response, status: number, message: string) =>
    res.status(status).json({ status: 'error', message });

  /** The app the API key may use, by name; null when the key is wrong (GupShup answers 401). */
  function authorised(req: Request, appName: string | undefined): GupshupApp | null {
    const key = req.header('apikey');
    const found = appName === undefined ? undefined : apps.get(appName);
    return found && key === found.apiKey ? found : null;
  }

  /** The next injected failure for this kind of request, used up. */
  function takeFault(on: 'send' | 'list'): GupshupFailNext | undefined {
    const fault = injected.find((f) => f.times > 0 && (f.on ?? 'send') === on);
    if (!fault) return undefined;
    fault.times -= 1;
    injected = injected.filter((f) => f.times > 0);
    return fault;
  }
  const asIs = new Map<string, Array<Record<string, unknown>>>();

  app.get('/sm/api/v1/template/list/:appName', (req, res) => {
    const call: GupshupCall = { method: 'GET', path: req.path, httpStatus: 200, form: {} };
    calls.push(call);
    const found = authorised(req, String(req.params.appName));
    if (!found) {
      call.httpStatus = 401;
      refuse(res, 401, 'Authentication Failed');
      return;
    }
    const fault = takeFault('list');
    if (fault) {
      call.httpStatus = fault.status;
      refuse(res, fault.status, fault.message ?? 'Injected failure');
      return;
    }
    const list = [...templates.values()].filter((t) => t.appName === found.appName).map(listedTemplate);
    res.json({ status: 'success', templates: [...list, ...(asIs.get(found.appName) ?? [])] });
  });

  app.post([...SEND_PATHS, TEMPLATE_PATH], (req, res) => {
    const form: Record<string, string> = {};
    for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>))
      if (typeof v === 'string') form[k] = v;
    const call: GupshupCall = { method: 'POST', path: req.path, httpStatus: 200, form };
    calls.push(call);
    const answer = (status: number, message: string) => {
      call.httpStatus = status;
      call.error = message;
      refuse(res, status, message);
    };
    const found = authorised(req, form['src.name']);
    if (!found) return answer(401, 'Authentication Failed');
    if (!req.is('application/x-www-form-urlencoded')) return answer(400, 'Invalid content type');
    const fault = takeFault('send');
    if (fault) return answer(fault.status, fault.message ?? 'Injected failure');
    try {
      if (form.channel !== 'whatsapp') throw new GupshupRefusal('Invalid channel');
      if (form.source !== found.source) throw new GupshupRefusal('Invalid source: not the number of this app');
      if (!/^\d{6,15}$/.test(form.destination ?? '')) throw new GupshupRefusal('Invalid destination');
      const record: GupshupSent = {
        appName: found.appName,
        path: req.path,
        destination: form.destination ?? '',
        message: {},
        messageId: randomUUID(),
        whatsappId: whatsappId(),
        receivedAt: now(),
      };
      if (req.path === TEMPLATE_PATH) {
        const template = jsonField(form, 'template');
        const id = typeof template === 'object' && template !== null && 'id' in template ? template.id : undefined;
        const known = typeof id === 'string' ? templates.get(id) : undefined;
        if (!known || known.appName !== found.appName) throw new GupshupRefusal('Template Not Found');
        const checked = checkTemplateSend(form, known);
        record.message = checked.template;
        if (checked.postbackTexts) record.postbackTexts = checked.postbackTexts;
        if (checked.headerMedia) record.headerMedia = checked.headerMedia;
      } else {
        record.message = validateSessionMessage(jsonField(form, 'message'));
      }
      sent.push(record);
      res.status(req.path === TEMPLATE_PATH ? 202 : 200).json({ status: 'submitted', messageId: record.messageId });
      // Outside the customer's window only a template goes: a session message is accepted, then fails.
      const fate =
        req.path === TEMPLATE_PATH
          ? 'sent'
          : windows.sessionMessage(found.appName, record.destination, record.messageId);
      // The app may be gone (teardown): a refusal nobody takes is dropped, not an unhandled rejection.
      if (fate === 'refuse')
        void Promise.resolve(record.messageId)
          .then(refuseForWindow)
          .catch(() => undefined);
    } catch (error) {
      if (!(error instanceof GupshupRefusal)) throw error;
      answer(400, error.message);
    }
  });
  app.use((_req, res) => {
    refuse(res, 404, 'Not Found');
  });

  const post = (payload: unknown, url?: string): Promise<GupshupDelivery> => {
    const target = url ?? webhook?.url;
    if (!target) throw new Error('No webhook set: call setWebhook first');
    return postRaw(target, JSON.stringify(payload), { 'Content-Type': 'application/json' });
  };

  const refuseForWindow = (messageId: string) =>
    deliverEvent({
      messageId,
      type: 'failed',
      code: options.windowRefusalCode ?? 1005,
      reason: 'Message sending failed as the user is inactive for session message',
    });

  function deliverEvent(o: DeliverEventOptions): Promise<GupshupDelivery> {
    const message = sent.find((s) => s.messageId === o.messageId);
    if (!message) throw new Error(`Unknown message ${o.messageId}`);
    const byGupshupId = o.type === 'enqueued' || o.type === 'failed';
    const inner =
      o.type === 'enqueued'
        ? { whatsappMessageId: message.whatsappId, type: message.path === TEMPLATE_PATH ? 'template' : 'session' }
        : o.type === 'failed'
          ? { code: o.code ?? 1002, reason: o.reason ?? 'Number Does Not Exists On WhatsApp' }
          : { ts: Math.floor(now() / 1000) };
    return post({
      app: message.appName,
      timestamp: now(),
      version: 2,
      type: 'message-event',
      payload: {
        id: byGupshupId ? message.messageId : message.whatsappId,
        ...(byGupshupId ? {} : { gsId: message.messageId }),
        type: o.type,
        destination: message.destination,
        payload: inner,
      },
    });
  }

  return {
    app,
    ...lifecycle,
    setTemplateStatus(id, status) {
      const t = templates.get(id);
      if (!t) throw new Error(`Unknown template ${id}`);
      templates.set(id, { ...t, status });
      const { elementName, languageCode } = t;
      const payload = { type: 'status-update', id, status: status.toLowerCase(), elementName, languageCode };
      const app = t.appName;
      return post({ app, timestamp: now(), version: 2, type: 'template-event', payload });
    },
    enforceWindow: (on) => {
      windows.enforced = on;
    },
    windowRefusals: (timing) => {
      windows.timing = timing;
    },
    async releaseRefusals() {
      const out: GupshupDelivery[] = [];
      for (const id of windows.takeHeld()) out.push(await refuseForWindow(id));
      return out;
    },
    deliverEvent,
    addApp: (a) => void apps.set(a.appName, { ...a, source: a.source.replace(/\D/g, '') }),
    addTemplate(t) {
      const template = { ...t, id: t.id ?? randomUUID() };
      templates.set(template.id, template);
      return template;
    },
    addListedAsIs: (appName, entry) => void asIs.set(appName, [...(asIs.get(appName) ?? []), entry]),
    setWebhook: (w) => {
      webhook = w;
    },
    failNext: (f) => void injected.push({ ...f, times: f.times ?? 1 }),
    sent: () => [...sent],
    calls: () => [...calls],
    async deliverIncoming(o) {
      const from = o.from.replace(/\D/g, '');
      const id = whatsappId(true);
      const at = windows.noteInbound(o.appName, from);
      const { type, ...inner } = o.content;
      const replied = o.replyTo ? sent.find((s) => s.messageId === o.replyTo) : undefined;
      const payload: Record<string, unknown> =
        type === 'button_reply' || type === 'list_reply'
          ? {
              ...inner,
              // `id` is the message-level msgid, `reply` the title and 1-based index (§5.4).
              id: String(replied?.message.msgid ?? 'qr'),
              reply: `${o.content.title} ${'index' in inner && inner.index !== undefined ? inner.index : 1}`,
            }
          : type === 'quick_reply'
            ? { ...inner, type: 'button' }
            : inner;
      delete payload.index;
      const body = {
        app: o.appName,
        timestamp: at,
        version: 2,
        type: 'message',
        payload: {
          id,
          source: from,
          type,
          payload,
          sender: { phone: from, name: o.name ?? 'Иван', country_code: from.slice(0, 1), dial_code: from.slice(1) },
          ...(replied ? { context: { id: replied.whatsappId, gsId: replied.messageId } } : {}),
        },
      };
      return { ...(await post(body, o.url)), id };
    },
  };
}
