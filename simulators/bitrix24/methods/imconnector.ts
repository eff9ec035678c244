/**
 * `imconnector.*` and `im.message.add` (openlines-wire.md §2–§5, §7 B), strict: a missing argument is
 * 400 ERROR_ARGUMENT, an unknown connector 400 IMCONNECTOR_NO_CORRECT_PROVIDER, a line not activated
 * (or `data.set` before `activate`) 400 NOT_ACTIVE_LINE; register's own failures come inside HTTP 200.
 */
import type { OpenLineChat } from '../open-lines';
import { deliverEvent } from '../outbound';
import { asDict, type Dict, isDict, param, positiveInt, str } from '../params';
import { RestError } from '../rest-error';
import type { PortalState } from '../state';
import type { MethodContext, MethodTable } from './method-types';

const argument = (name: string) => new RestError('ERROR_ARGUMENT', `Argument '${name}' is null or empty`, 400);
const notActive = () => new RestError('NOT_ACTIVE_LINE', 'Line inactive or does not exist', 400);
const noProvider = () => new RestError('IMCONNECTOR_NO_CORRECT_PROVIDER', 'Connector is not registered', 400);

function required(params: Dict, name: string): string {
  const value = str(param(params, name)).trim();
  if (!value) throw argument(name);
  return value;
}

function connectorOf(ctx: MethodContext, params: Dict): string {
  const id = required(params, 'CONNECTOR').toLowerCase();
  if (!ctx.state.openLines.connectors.has(id)) throw noProvider();
  return id;
}

function lineOf(params: Dict): number {
  const line = positiveInt(param(params, 'LINE'));
  if (line === undefined) throw argument('LINE');
  return line;
}

function lowerDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerDeep);
  if (isDict(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerDeep(v)]));
  return value;
}

/** MESSAGES as a list of lower-cased items (JSON arrays and PHP `{0:…}` maps alike); status items have no user. */
function messagesOf(params: Dict, parts: readonly string[] = ['user', 'message', 'chat']): Dict[] {
  const raw = asDict(param(params, 'MESSAGES'));
  if (!raw || Object.keys(raw).length === 0) throw argument('MESSAGES');
  return Object.values(raw).map((item) => {
    const lowered = lowerDeep(item);
    if (!isDict(lowered) || parts.some((part) => !isDict(lowered[part])))
      throw new RestError('ERROR_ARGUMENT', 'Incorrect structure of the MESSAGES parameter', 400);
    return lowered;
  });
}

function activeStatus(ctx: MethodContext, connector: string, line: number) {
  const status = ctx.state.openLines.statuses.get(ctx.state.openLines.statusKey(connector, line));
  if (!status?.active || !ctx.state.openLines.lines.has(line)) throw notActive();
  return status;
}

function register(ctx: MethodContext, params: Dict): unknown {
  const fail = (error: string, description: string) => ({ result: false, error, error_description: description });
  const id = str(param(params, 'ID')).trim().toLowerCase();
  if (!id) return fail('CONNECTOR_ID_REQUIRED', 'Connector ID is required');
  if (id.includes('.')) return fail('APPLICATION_REGISTRATION_ERROR_POINT', 'A point is not allowed in the ID');
  const name = str(param(params, 'NAME')).trim();
  if (!name) return fail('NAME_REQUIRED', 'Name is required');
  const icon = asDict(param(params, 'ICON'));
  if (!icon || !str(icon.DATA_IMAGE ?? icon.data_image).startsWith('data:image/'))
    return fail('ICON_REQUIRED', 'Icon is required');
  const placementHandler = str(param(params, 'PLACEMENT_HANDLER')).trim();
  if (!placementHandler) return fail('NO_PLACEMENT_HANDLER', 'Placement handler is required');
  const fields = Object.fromEntries(Object.entries(params).map(([k, v]) => [k.toUpperCase(), v]));
  ctx.state.openLines.connectors.set(id, { id, name, placementHandler, fields });
  return { result: true };
}

/**
 * Switching on (or off) sets the status row; switching it off sends ONIMCONNECTORSTATUSDELETE to
 * the handlers, also for the app's own ACTIVE=0 (openlines-wire.md §5.8). The event is delivered
 * before the call is answered: the worst order for the app (its handler runs before its next step);
 * or, while a test holds switch-off events, after the app's next steps (OpenLinesState).
 */
async function activate(ctx: MethodContext, params: Dict): Promise<unknown> {
  const connector = connectorOf(ctx, params);
  const line = lineOf(params);
  const raw = param(params, 'ACTIVE');
  if (raw === undefined || raw === null) throw argument('ACTIVE');
  const on = !['', '0', 'false', 'N'].includes(str(raw));
  if (!ctx.state.openLines.lines.has(line)) throw notActive();
  if (!on) {
    await switchConnectorOff(ctx.state, connector, line, 'deactivate');
    return true;
  }
  const key = ctx.state.openLines.statusKey(connector, line);
  const before = ctx.state.openLines.statuses.get(key);
  const calls = [...(before?.calls ?? []), 'activate'];
  ctx.state.openLines.statuses.set(key, { connector, line, active: true, data: before?.data ?? {}, calls });
  return true;
}

/**
 * The connector switched off on an open line: the core's `Status::delete` drops the status row with
 * the channel data (openlines-wire.md §3.1), so `imconnector.status` answers STATUS false there, and
 * ONIMCONNECTORSTATUSDELETE goes to the handlers when it was on (§5.8). `call` names who did it in
 * the line's calls: `deactivate` (the app's ACTIVE=0) or `admin-off` (Contact Center).
 */
export async function switchConnectorOff(
  state: PortalState,
  connector: string,
  line: number,
  call: string,
): Promise<void> {
  const key = state.openLines.statusKey(connector, line);
  const before = state.openLines.statuses.get(key);
  const calls = [...(before?.calls ?? []), call];
  state.openLines.statuses.set(key, { connector, line, active: false, data: {}, calls });
  if (!before?.active) return;
  await state.openLines.switchedOff(async () => {
    const deliveries = await deliverEvent(state, 'ONIMCONNECTORSTATUSDELETE', { connector, line: String(line) });
    state.openLines.switchOffEvents.push({ connector, line, statuses: deliveries.map((d) => d.status) });
  });
}

function dataSet(ctx: MethodContext, params: Dict): unknown {
  const connector = connectorOf(ctx, params);
  const line = lineOf(params);
  const data = asDict(param(params, 'DATA'));
  if (!data) throw argument('DATA');
  const status = activeStatus(ctx, connector, line);
  // Merges, skipping empty values (the core's array_merge).
  for (const [k, v] of Object.entries(data)) if (str(v)) status.data[k.toUpperCase()] = str(v);
  status.calls.push('data.set');
  return true;
}

function status(ctx: MethodContext, params: Dict): unknown {
  const connector = connectorOf(ctx, params);
  const line = positiveInt(param(params, 'LINE')) ?? 0;
  const row = ctx.state.openLines.statuses.get(ctx.state.openLines.statusKey(connector, line));
  const on = Boolean(row?.active && ctx.state.openLines.lines.has(line));
  // Kept with the line's calls, so a test sees the order activate → data.set → status.
  if (row) row.calls.push('status');
  return { LINE: String(line), CONNECTOR: connector, ERROR: false, CONFIGURED: on, STATUS: on };
}

async function download(url: string): Promise<{ bytes: number; contentType: string } | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return null;
    const body = Buffer.from(await response.arrayBuffer());
    return { bytes: body.length, contentType: response.headers.get('content-type') ?? '' };
  } catch {
    return null;
  }
}

async function sendMessages(ctx: MethodContext, params: Dict): Promise<unknown> {
  const connector = connectorOf(ctx, params);
  const line = lineOf(params);
  const items = messagesOf(params);
  activeStatus(ctx, connector, line);
  const RESULT: unknown[] = [];
  // One after another, in the order given: the portal orders by arrival (openlines-wire.md §9.3).
  for (const item of items) {
    // messagesOf checked that each part is an object: asDict only narrows the type.
    const user = asDict(item.user) ?? {};
    const message = asDict(item.message) ?? {};
    const chatPart = asDict(item.chat) ?? {};
    const userId = str(user.id);
    const externalChatId = str(chatPart.id);
    if (!userId || !externalChatId) {
      RESULT.push({ SUCCESS: false, ERRORS: ['ERROR_IMCONNECTOR_NOT_ALL_THE_REQUIRED_DATA'] });
      continue;
    }
    // Each file is downloaded during the call; one that fails is dropped silently (§4).
    const files: OpenLineChat['messages'][number]['files'] = [];
    for (const file of Object.values(asDict(message.files) ?? {})) {
      const f = asDict(file);
      const url = str(f?.url);
      const got = url ? await download(url) : null;
      if (got) files.push({ name: str(f?.name), url, ...got });
    }
    const text = str(message.text);
    if (!text && files.length === 0) {
      RESULT.push({ SUCCESS: false, ERRORS: ['ERROR_IMCONNECTOR_NOT_ALL_THE_REQUIRED_DATA'] });
      continue;
    }
    const chat = ctx.state.openLines.chatFor(connector, line, externalChatId, user);
    chat.user = { ...chat.user, ...user };
    const mid = str(message.id);
    // Posted as an employee (message.user_id): an operator's message, which the core sends back to
    // the connector as ONIMCONNECTORMESSAGEADD (openlines-wire.md §7 A).
    const employee = positiveInt(message.user_id);
    const author = employee ? 'operator' : 'customer';
    const saved = ctx.state.openLines.addMessage(chat, { author, text, files, connectorMid: mid ? [mid] : [] });
    if (employee) echoLater(ctx, connector, line, chat, saved.id, employee, text);
    RESULT.push({
      user: String(chat.chatId + 500),
      message: { id: mid, date: {}, text, files: [] },
      chat: { id: externalChatId },
      SUCCESS: true,
      session: { ID: String(chat.sessionId), CHAT_ID: String(chat.chatId) },
    });
  }
  return { SUCCESS: true, DATA: { RESULT } };
}

function echoLater(
  ctx: MethodContext,
  connector: string,
  line: number,
  chat: OpenLineChat,
  messageId: number,
  userId: number,
  text: string,
): void {
  const data = {
    CONNECTOR: connector,
    LINE: String(line),
    MESSAGES: [
      {
        im: { chat_id: String(chat.chatId), message_id: String(messageId) },
        message: { user_id: String(userId), text },
        chat: { id: chat.externalChatId },
      },
    ],
  };
  setTimeout(() => void deliverEvent(ctx.state, 'ONIMCONNECTORMESSAGEADD', data), 10);
}

function statusDelivery(ctx: MethodContext, params: Dict): unknown {
  const connector = connectorOf(ctx, params);
  const line = lineOf(params);
  activeStatus(ctx, connector, line);
  for (const item of messagesOf(params, ['im', 'message', 'chat'])) {
    const im = asDict(item.im);
    const ids = asDict(asDict(item.message)?.id);
    // message.id must be an array, even for one id (§5.2, trap 6).
    if (!im || !ids) throw new RestError('ERROR_ARGUMENT', 'Incorrect structure of the MESSAGES parameter', 400);
    const chat = ctx.state.openLines.chatById(positiveInt(im.chat_id) ?? 0);
    const target = chat?.messages.find((m) => m.id === positiveInt(im.message_id));
    if (!target) continue;
    target.connectorMid = Object.values(ids).map(str);
    target.delivered = true;
  }
  return { SUCCESS: true, DATA: [] };
}

/** `im.message.add` into an open-line chat (`DIALOG_ID=chat<id>`); SYSTEM=Y is a grey line no connector gets. */
function imMessageAdd(ctx: MethodContext, params: Dict): unknown {
  const dialog = required(params, 'DIALOG_ID');
  const text = str(param(params, 'MESSAGE'));
  if (!text) throw argument('MESSAGE');
  const chatId = /^chat(\d+)$/i.exec(dialog)?.[1];
  const chat = chatId ? ctx.state.openLines.chatById(Number(chatId)) : undefined;
  if (!chat) throw new RestError('ACCESS_ERROR', 'You do not have access to the specified dialog', 400);
  const system = str(param(params, 'SYSTEM')).toUpperCase() === 'Y';
  return ctx.state.openLines.addMessage(chat, {
    author: system ? 'system' : 'operator',
    text,
    files: [],
    connectorMid: [],
  }).id;
}

/** The open-line methods. */
export const imconnectorMethods: MethodTable = {
  'imconnector.register': register,
  'imconnector.activate': activate,
  'imconnector.status': status,
  'imconnector.connector.data.set': dataSet,
  'imconnector.send.messages': sendMessages,
  'imconnector.send.status.delivery': statusDelivery,
  'im.message.add': imMessageAdd,
};
