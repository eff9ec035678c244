/** The Green-API simulator: the REST methods the app uses, fault injection, and webhooks to the app. */

import { randomBytes } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { postRaw } from '../shared/http-post';
import { serverLifecycle } from '../shared/listen';
import { defaultErrorBody, parseJson } from './answers';
import type {
  DeliverIncomingOptions,
  DeliverOutgoingStatusOptions,
  GreenApiCall,
  GreenApiDelivery,
  GreenApiFailNext,
  GreenApiInstance,
  GreenApiOptions,
  GreenApiSent,
} from './types';
import { ValidationFailed, type ValidBody, validateBody } from './validate';

/** A running (or startable) Green-API simulator. */
export interface GreenApiSimulator {
  start(port?: number): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  /** Base URL (the instance's apiUrl); throws before start. */
  url(): string;
  readonly app: Express;
  addInstance(i: { idInstance: string; apiTokenInstance: string; wid?: string }): GreenApiInstance;
  /** Where notifications go, and the webhookUrlToken sent as `Authorization: Bearer`. */
  setWebhook(w: { url: string; token?: string }): void;
  setHasWhatsapp(phone: string, has: boolean): void;
  /** The webhook an instance was given through setSettings, if any. */
  instanceWebhook(idInstance: string): { url: string; token?: string } | undefined;
  /** What getStateInstance answers for the instance (default `authorized`). */
  setState(idInstance: string, state: string): void;
  failNext(f: GreenApiFailNext): void;
  /** Messages created by send methods and forwards, oldest first. */
  sent(): GreenApiSent[];
  /** Every request, accepted or not. */
  calls(): GreenApiCall[];
  /** Ids deleted with deleteMessage, and edits by id. */
  deleted(): string[];
  edits(): Array<{ idMessage: string; message: string }>;
  deliverIncoming(o: DeliverIncomingOptions): Promise<GreenApiDelivery & { idMessage: string }>;
  deliverStatus(o: DeliverOutgoingStatusOptions): Promise<GreenApiDelivery>;
}

const PATH_RE = /^\/waInstance(\d+)\/([A-Za-z]+)\/([^/]+)\/?$/;
const MESSAGE_METHODS = new Set(['sendMessage', 'sendFileByUrl', 'sendLocation', 'sendContact']);

/** Green-API ids look like `BAE5F4886F6F2D05` (sent) or 32 hex characters (incoming). */
const newId = (incoming = false) =>
  incoming ? randomBytes(16).toString('hex').toUpperCase() : `BAE5${randomBytes(6).toString('hex').toUpperCase()}`;

/** An HTTP answer: text for strings, no body for undefined, JSON otherwise. */
interface Answer {
  status: number;
  payload: unknown;
}

/** Creates a simulated Green-API server. */
export function createGreenApiSimulator(options: GreenApiOptions = {}): GreenApiSimulator {
  const instances = new Map<string, GreenApiInstance>();
  const noWhatsapp = new Set((options.numbersWithoutWhatsapp ?? []).map((p) => p.replace(/\D/g, '')));
  const messages = new Map<string, { idInstance: string; chatId: string }>();
  const sent: GreenApiSent[] = [];
  const calls: GreenApiCall[] = [];
  const deleted: string[] = [];
  const edits: Array<{ idMessage: string; message: string }> = [];
  let injected: Array<GreenApiFailNext & { times: number }> = [];
  let webhook: { url: string; token?: string } | undefined;
  /** Per-instance webhooks set through setSettings (they win over `setWebhook`'s). */
  const instanceHooks = new Map<string, { url: string; token?: string }>();
  const app = express();
  const lifecycle = serverLifecycle(app, 'Green-API');
  app.use(express.raw({ type: () => true, limit: '20mb' }));

  /** Runs one method call against the simulated accounts: its effects, and the HTTP answer. */
  function answerFor(call: GreenApiCall, token: string): Answer {
    const { idInstance, method, body, receivedAt } = call;
    const instance = instances.get(idInstance);
    if (!instance) return { status: 403, payload: 'Forbidden' };
    if (instance.apiTokenInstance !== token) return { status: 401, payload: 'Unauthorized' };
    const fault = injected.find((f) => f.times > 0 && (f.method === undefined || f.method === method));
    if (fault) {
      fault.times -= 1;
      injected = injected.filter((f) => f.times > 0);
      return { status: fault.status, payload: fault.body ?? defaultErrorBody(fault.status) };
    }
    let valid: ValidBody;
    try {
      if (body === undefined) throw new ValidationFailed('Unexpected end of JSON input');
      valid = validateBody(method, body);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      if (error.message.startsWith('unknown method')) return { status: 404, payload: 'Not Found' };
      return { status: 400, payload: { code: 400, description: `Validation failed. Details: ${error.message}` } };
    }
    // validateBody accepted `body`, so it is a JSON object.
    const json = body as Record<string, unknown>;
    for (const id of valid.refersTo) {
      const known = messages.get(id);
      const chat = method === 'forwardMessages' ? valid.fromChatId : valid.chatId;
      if (!known || known.idInstance !== idInstance || known.chatId !== chat) {
        return { status: 400, payload: { code: 400, description: `message ${id} not found in chat ${chat ?? ''}` } };
      }
    }
    const record = (chatId: string, idMessage: string) => {
      messages.set(idMessage, { idInstance, chatId });
      sent.push({ idInstance, method, chatId, body: json, idMessage, receivedAt });
      call.idMessages.push(idMessage);
    };
    if (MESSAGE_METHODS.has(method)) {
      const idMessage = newId();
      record(valid.chatId ?? '', idMessage);
      return { status: 200, payload: { idMessage } };
    }
    if (method === 'editMessage') {
      edits.push({ idMessage: String(json.idMessage), message: String(json.message) });
      return { status: 200, payload: { idMessage: String(json.idMessage) } };
    }
    if (method === 'deleteMessage') {
      deleted.push(String(json.idMessage));
      messages.delete(String(json.idMessage));
      return { status: 200, payload: undefined };
    }
    if (method === 'forwardMessages') {
      const ids = valid.refersTo.map(() => newId());
      for (const id of ids) record(valid.chatId ?? '', id);
      return { status: 200, payload: { messages: ids } };
    }
    if (method === 'setSettings') {
      // The instance's own notification address (per instance, as the console sets it).
      const next = { ...(instanceHooks.get(idInstance) ?? { url: '' }) };
      if (typeof json.webhookUrl === 'string') next.url = json.webhookUrl;
      if (typeof json.webhookUrlToken === 'string') next.token = json.webhookUrlToken || undefined;
      instanceHooks.set(idInstance, next);
      return { status: 200, payload: { saveSettings: true } };
    }
    const phone = String(json.phoneNumber);
    return { status: 200, payload: { existsWhatsapp: !noWhatsapp.has(phone) } };
  }

  // getStateInstance is the one GET method the app uses: the account's authorisation state.
  app.get(/^\/waInstance(\d+)\/getStateInstance\/([^/]+)\/?$/, (req: Request, res: Response) => {
    const [, idInstance = '', rawToken = ''] = /^\/waInstance(\d+)\/getStateInstance\/([^/]+)/.exec(req.path) ?? [];
    const instance = instances.get(idInstance);
    calls.push({
      idInstance,
      method: 'getStateInstance',
      body: undefined,
      httpStatus: 200,
      receivedAt: Date.now(),
      idMessages: [],
    });
    if (!instance) res.status(403).type('text/plain').send('Forbidden');
    else if (instance.apiTokenInstance !== decodeURIComponent(rawToken))
      res.status(401).type('text/plain').send('Unauthorized');
    else res.json({ stateInstance: instance.state });
  });
  app.use((req: Request, res: Response) => {
    const receivedAt = Date.now();
    const [, idInstance, method, rawToken] = (req.method === 'POST' ? PATH_RE.exec(req.path) : null) ?? [];
    if (idInstance === undefined || method === undefined || rawToken === undefined) {
      res.status(404).type('text/plain').send('Not Found');
      return;
    }
    const token = decodeURIComponent(rawToken);
    const call: GreenApiCall = {
      idInstance,
      method,
      body: parseJson(req.body),
      httpStatus: 200,
      receivedAt,
      idMessages: [],
    };
    calls.push(call);
    const { status, payload } = answerFor(call, token);
    call.httpStatus = status;
    if (typeof payload === 'string') res.status(status).type('text/plain').send(payload);
    else if (payload === undefined) res.status(status).end();
    else res.status(status).json(payload);
  });

  const post = async (
    idInstance: string,
    payload: unknown,
    token: string | null | undefined,
  ): Promise<GreenApiDelivery> => {
    const own = instanceHooks.get(idInstance);
    const target = own?.url ? own : webhook;
    if (!target) throw new Error('No webhook set: call setWebhook (or setSettings for the instance) first');
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    const bearer = token === undefined ? target.token : token;
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    return postRaw(target.url, JSON.stringify(payload), headers);
  };
  const instanceData = (idInstance: string) => {
    const instance = instances.get(idInstance);
    if (!instance) throw new Error(`Unknown instance ${idInstance}`);
    return { idInstance: Number(idInstance), wid: `${instance.wid}@c.us`, typeInstance: 'whatsapp' };
  };

  return {
    app,
    ...lifecycle,
    addInstance(i) {
      const instance: GreenApiInstance = {
        idInstance: i.idInstance,
        apiTokenInstance: i.apiTokenInstance,
        wid: (i.wid ?? '79001112233').replace(/\D/g, ''),
        state: 'authorized',
      };
      instances.set(i.idInstance, instance);
      return instance;
    },
    setWebhook: (w) => {
      webhook = w;
    },
    setHasWhatsapp: (phone, has) =>
      void (has ? noWhatsapp.delete(phone.replace(/\D/g, '')) : noWhatsapp.add(phone.replace(/\D/g, ''))),
    setState(idInstance, state) {
      const instance = instances.get(idInstance);
      if (!instance) throw new Error(`Unknown instance ${idInstance}`);
      instance.state = state;
    },
    instanceWebhook: (idInstance) => {
      const hook = instanceHooks.get(idInstance);
      return hook && { ...hook };
    },
    failNext: (f) => void injected.push({ ...f, times: f.times ?? 1 }),
    sent: () => [...sent],
    calls: () => [...calls],
    deleted: () => [...deleted],
    edits: () => [...edits],
    async deliverIncoming(o) {
      const from = o.from.replace(/\D/g, '');
      const chatId = `${from}@c.us`;
      const idMessage = o.idMessage ?? newId(true);
      messages.set(idMessage, { idInstance: o.idInstance, chatId });
      const name = o.senderName ?? 'Иван';
      const messageData = o.quotedId
        ? {
            typeMessage: 'quotedMessage',
            extendedTextMessageData: {
              text: o.text,
              stanzaId: o.quotedId,
              participant: instanceData(o.idInstance).wid,
            },
            quotedMessage: {
              stanzaId: o.quotedId,
              participant: instanceData(o.idInstance).wid,
              typeMessage: 'textMessage',
            },
          }
        : { typeMessage: 'textMessage', textMessageData: { textMessage: o.text } };
      const payload = {
        typeWebhook: 'incomingMessageReceived',
        instanceData: instanceData(o.idInstance),
        timestamp: o.timestamp ?? Math.floor(Date.now() / 1000),
        idMessage,
        senderData: { chatId, chatName: name, sender: chatId, senderName: name, senderContactName: name },
        messageData,
      };
      return { ...(await post(o.idInstance, payload, o.token)), idMessage };
    },
    deliverStatus(o) {
      const known = messages.get(o.idMessage);
      return post(
        o.idInstance,
        {
          typeWebhook: 'outgoingMessageStatus',
          chatId: known?.chatId ?? '',
          instanceData: instanceData(o.idInstance),
          timestamp: o.timestamp ?? Math.floor(Date.now() / 1000),
          idMessage: o.idMessage,
          status: o.status,
          ...(o.description ? { description: o.description } : {}),
          sendByApi: true,
        },
        undefined,
      );
    },
  };
}
