/** The GupShup gateway simulator: the classic send and template-list API, strict checks, v2 callbacks to the app. */

import { randomBytes, randomUUID } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { postRaw } from '../shared/http-post';
import { serverLifecycle } from '../shared/listen';
import type {
  DeliverEventOptions,
  DeliverIncomingOptions,
  GupshupApp,
  GupshupCall,
  GupshupDelivery,
  GupshupFailNext,
  GupshupSent,
  GupshupTemplate,
} from './types';
import { GupshupRefusal, jsonField, validatePostbacks, validateSessionMessage } from './validate';

/** A running (or startable) GupShup simulator. */
export interface GupshupSimulator {
  start(port?: number): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  url(): string;
  readonly app: Express;
  addApp(a: GupshupApp): void;
  addTemplate(t: Omit<GupshupTemplate, 'id'> & { id?: string }): GupshupTemplate;
  /** The app's callback URL (v2 format); the line's secret is part of it. */
  setWebhook(w: { url: string }): void;
  failNext(f: GupshupFailNext): void;
  sent(): GupshupSent[];
  calls(): GupshupCall[];
  deliverIncoming(o: DeliverIncomingOptions): Promise<GupshupDelivery & { id: string }>;
  deliverEvent(o: DeliverEventOptions): Promise<GupshupDelivery>;
}

/** WhatsApp ids in GupShup's v2 examples are legacy base64-ish strings (`gBEG…`, `ABEG…`). */
const whatsappId = (inbound = false) =>
  `${inbound ? 'ABEG' : 'gBEG'}${randomBytes(18).toString('base64url').slice(0, 24)}`;

const SEND_PATHS = new Set(['/wa/api/v1/msg', '/sm/api/v1/msg']);
const TEMPLATE_PATH = '/wa/api/v1/template/msg';

/** Creates a simulated GupShup gateway. */
export function createGupshupSimulator(): GupshupSimulator {
  const apps = new Map<string, GupshupApp>();
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

  app.get('/sm/api/v1/template/list/:appName', (req, res) => {
    const call: GupshupCall = { method: 'GET', path: req.path, httpStatus: 200, form: {} };
    calls.push(call);
    const found = authorised(req, String(req.params.appName));
    if (!found) {
      call.httpStatus = 401;
      refuse(res, 401, 'Authentication Failed');
      return;
    }
    const list = [...templates.values()]
      .filter((t) => t.appName === found.appName)
      .map((t) => ({
        id: t.id,
        elementName: t.elementName,
        languageCode: t.languageCode,
        category: t.category,
        status: t.status,
        templateType: 'TEXT',
        data: Array.from({ length: t.paramCount }, (_, i) => `{{${i + 1}}}`).join(' '),
      }));
    res.json({ status: 'success', templates: list });
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
    const fault = injected.find((f) => f.times > 0);
    if (fault) {
      fault.times -= 1;
      injected = injected.filter((f) => f.times > 0);
      return answer(fault.status, fault.message ?? 'Injected failure');
    }
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
        receivedAt: Date.now(),
      };
      if (req.path === TEMPLATE_PATH) {
        const template = jsonField(form, 'template');
        if (typeof template !== 'object' || template === null || Array.isArray(template))
          throw new GupshupRefusal('template must be a JSON object');
        const { id, params } = template as Record<string, unknown>;
        const known = typeof id === 'string' ? templates.get(id) : undefined;
        if (!known || known.appName !== found.appName) throw new GupshupRefusal('Template Not Found');
        if (!Array.isArray(params) || !params.every((p) => typeof p === 'string'))
          throw new GupshupRefusal('template.params must be an array of strings');
        if (params.length !== known.paramCount)
          throw new GupshupRefusal(`Template params mismatch: expected ${known.paramCount}, got ${params.length}`);
        record.message = template as Record<string, unknown>;
        if (form.postbackTexts !== undefined)
          record.postbackTexts = validatePostbacks(jsonField(form, 'postbackTexts'), known.quickReplies ?? 0);
        if (form.message !== undefined) validateSessionMessage(jsonField(form, 'message'));
      } else {
        record.message = validateSessionMessage(jsonField(form, 'message'));
      }
      sent.push(record);
      res.status(req.path === TEMPLATE_PATH ? 202 : 200).json({ status: 'submitted', messageId: record.messageId });
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

  return {
    app,
    ...lifecycle,
    addApp: (a) => void apps.set(a.appName, { ...a, source: a.source.replace(/\D/g, '') }),
    addTemplate(t) {
      const template = { ...t, id: t.id ?? randomUUID() };
      templates.set(template.id, template);
      return template;
    },
    setWebhook: (w) => {
      webhook = w;
    },
    failNext: (f) => void injected.push({ ...f, times: f.times ?? 1 }),
    sent: () => [...sent],
    calls: () => [...calls],
    async deliverIncoming(o) {
      const from = o.from.replace(/\D/g, '');
      const id = whatsappId(true);
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
        timestamp: Date.now(),
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
    deliverEvent(o) {
      const message = sent.find((s) => s.messageId === o.messageId);
      if (!message) throw new Error(`Unknown message ${o.messageId}`);
      const byGupshupId = o.type === 'enqueued' || o.type === 'failed';
      const inner =
        o.type === 'enqueued'
          ? { whatsappMessageId: message.whatsappId, type: message.path === TEMPLATE_PATH ? 'template' : 'session' }
          : o.type === 'failed'
            ? { code: o.code ?? 1002, reason: o.reason ?? 'Number Does Not Exists On WhatsApp' }
            : { ts: Math.floor(Date.now() / 1000) };
      return post({
        app: message.appName,
        timestamp: Date.now(),
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
    },
  };
}
