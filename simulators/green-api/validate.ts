/** Request body checks of the simulated Green-API methods (what the real one refuses with 400). */

/** A refused request: the Green-API-style `Validation failed` text. */
export class ValidationFailed extends Error {}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const CHAT_ID = /^\d{5,20}@(c\.us|g\.us)$/;
/** Upper bound of 20-digit phone numbers: 1e20 is the double that 99999999999999999999 rounds to. */
const MAX_PHONE = 1e20;

function str(body: Obj, field: string, max?: number, optional = false): string | undefined {
  const v = body[field];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v === '') throw new ValidationFailed(`'${field}' is required and must be a string`);
  if (max !== undefined && [...v].length > max)
    throw new ValidationFailed(`'${field}' length must be less than or equal to ${max} characters long`);
  return v;
}

function chatId(body: Obj, field = 'chatId'): string {
  const v = str(body, field) ?? '';
  if (!CHAT_ID.test(v))
    throw new ValidationFailed(`'${field}' with value '${v}' fails to match the required pattern: /^\\d+@(c|g)\\.us$/`);
  return v;
}

function num(body: Obj, field: string, min: number, max: number): number {
  const v = body[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationFailed(`'${field}' must be a number`);
  if (v < min || v > max) throw new ValidationFailed(`'${field}' must be between ${min} and ${max}`);
  return v;
}

/** What a valid request is about: the chat, and the messages it refers to. */
export interface ValidBody {
  chatId?: string;
  refersTo: string[];
  fromChatId?: string;
}

/** Validates the body of `method`; throws ValidationFailed; unknown methods are the caller's 404. */
export function validateBody(method: string, raw: unknown): ValidBody {
  if (!isObj(raw)) throw new ValidationFailed('body must be a JSON object');
  const body = raw;
  switch (method) {
    case 'sendMessage':
      str(body, 'message', 20000);
      str(body, 'quotedMessageId', undefined, true);
      return { chatId: chatId(body), refersTo: [] };
    case 'sendFileByUrl': {
      const url = str(body, 'urlFile') ?? '';
      if (!/^https?:\/\/[^\s/]+/i.test(url)) throw new ValidationFailed(`'urlFile' must be a valid uri`);
      const name = str(body, 'fileName') ?? '';
      if (!/\.[A-Za-z0-9]{1,8}$/.test(name)) throw new ValidationFailed(`'fileName' must have an extension`);
      str(body, 'caption', 20000, true);
      return { chatId: chatId(body), refersTo: [] };
    }
    case 'sendLocation':
      num(body, 'latitude', -90, 90);
      num(body, 'longitude', -180, 180);
      str(body, 'nameLocation', undefined, true);
      str(body, 'address', undefined, true);
      return { chatId: chatId(body), refersTo: [] };
    case 'sendContact': {
      const contact = body.contact;
      if (!isObj(contact)) throw new ValidationFailed(`'contact' is required`);
      num(contact, 'phoneContact', 10000, MAX_PHONE);
      for (const f of ['firstName', 'middleName', 'lastName', 'company']) str(contact, f, 1000, true);
      return { chatId: chatId(body), refersTo: [] };
    }
    case 'editMessage':
      str(body, 'message', 20000);
      return { chatId: chatId(body), refersTo: [str(body, 'idMessage') ?? ''] };
    case 'deleteMessage':
      return { chatId: chatId(body), refersTo: [str(body, 'idMessage') ?? ''] };
    case 'forwardMessages': {
      const messages = body.messages;
      if (
        !Array.isArray(messages) ||
        messages.length === 0 ||
        !messages.every((m) => typeof m === 'string' && m !== '')
      ) {
        throw new ValidationFailed(`'messages' must be a non-empty array of message ids`);
      }
      return { chatId: chatId(body), fromChatId: chatId(body, 'chatIdFrom'), refersTo: messages as string[] };
    }
    case 'setSettings':
      validateSettings(body);
      return { refersTo: [] };
    case 'checkWhatsapp':
      num(body, 'phoneNumber', 10000, MAX_PHONE);
      return { refersTo: [] };
    default:
      throw new ValidationFailed(`unknown method ${method}`);
  }
}

/** setSettings' string fields (webhookUrl may be '' to turn webhooks off) and its yes/no switches. */
const SETTINGS_STRINGS = new Set(['webhookUrl', 'webhookUrlToken']);
const SETTINGS_SWITCHES = new Set([
  'markIncomingMessagesReaded',
  'markIncomingMessagesReadedOnReply',
  'outgoingWebhook',
  'outgoingMessageWebhook',
  'outgoingAPIMessageWebhook',
  'incomingWebhook',
  'deviceWebhook',
  'stateWebhook',
  'pollMessageWebhook',
  'incomingCallWebhook',
  'editedMessageWebhook',
  'deletedMessageWebhook',
  'keepOnlineStatus',
]);

function validateSettings(body: Obj): void {
  if (Object.keys(body).length === 0) throw new ValidationFailed('at least one setting is required');
  for (const [field, value] of Object.entries(body)) {
    if (SETTINGS_STRINGS.has(field)) {
      if (typeof value !== 'string') throw new ValidationFailed(`'${field}' must be a string`);
      if (field === 'webhookUrl' && value !== '' && !/^https?:\/\/[^\s/]+/i.test(value))
        throw new ValidationFailed(`'webhookUrl' must be a valid uri`);
    } else if (SETTINGS_SWITCHES.has(field)) {
      if (value !== 'yes' && value !== 'no') throw new ValidationFailed(`'${field}' must be one of [yes, no]`);
    } else if (field === 'delaySendMessagesMilliseconds') {
      num(body, field, 500, 600000);
    } else throw new ValidationFailed(`'${field}' is not allowed`);
  }
}
