/** Strict checks of GupShup send requests (waba-wire.md §5.1, §5.2): a wrong request is refused as GupShup does. */

/** A refused request: HTTP 400 `{"status":"error","message":…}`. */
export class GupshupRefusal extends Error {}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function need(condition: boolean, message: string): asserts condition {
  if (!condition) throw new GupshupRefusal(message);
}

function text(v: unknown, what: string, max: number): void {
  need(typeof v === 'string' && v.length > 0, `${what} is required`);
  need(v.length <= max, `${what} is longer than ${max} characters`);
}

/** An optional string field: absent is fine, null is refused (GupShup rejects null captions). */
function optionalText(m: Json, key: string, max: number): void {
  if (!(key in m)) return;
  need(typeof m[key] === 'string', `${key} must be a string`);
  need((m[key] as string).length <= max, `${key} is longer than ${max} characters`);
}

/** Parses a JSON form field, or refuses. */
export function jsonField(form: Record<string, string>, key: string): unknown {
  const raw = form[key];
  need(raw !== undefined && raw !== '', `${key} is required`);
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new GupshupRefusal(`${key} is not valid JSON`);
  }
}

/** Checks a media message: by `id` or by its link field, and a caption only where the type takes one. */
function media(m: Json, type: string): void {
  const linkKey = type === 'image' ? 'originalUrl' : 'url';
  const hasLink = typeof m[linkKey] === 'string' && /^https?:\/\//.test(m[linkKey] as string);
  need(hasLink || typeof m.id === 'string', `${type}: ${linkKey} (http/https) or id is required`);
  if (type === 'image') need(!hasLink || typeof m.previewUrl === 'string', 'image: previewUrl is required');
  if (type === 'audio' || type === 'sticker') need(!('caption' in m), `${type} takes no caption`);
  else optionalText(m, 'caption', 1024);
  if (type === 'file') optionalText(m, 'filename', 240);
}

/** Validates the `message` JSON of a session message. */
export function validateSessionMessage(m: unknown): Json {
  need(isObject(m), 'message must be a JSON object');
  const type = m.type;
  switch (type) {
    case 'text':
      text(m.text, 'text', 4096);
      return m;
    case 'image':
    case 'video':
    case 'audio':
    case 'file':
    case 'sticker':
      media(m, type);
      return m;
    case 'location':
      need(
        typeof m.latitude === 'number' && typeof m.longitude === 'number',
        'location: latitude and longitude are numbers',
      );
      return m;
    case 'contact': {
      need(isObject(m.contact), 'contact: contact object is required');
      const name = m.contact.name;
      need(isObject(name) && typeof name.formatted_name === 'string', 'contact: name.formatted_name is required');
      need(Array.isArray(m.contact.phones), 'contact: phones is required');
      return m;
    }
    case 'quick_reply': {
      text(m.msgid, 'msgid', 200);
      need(isObject(m.content) && m.content.type === 'text', 'quick_reply: content of type text is required');
      text(m.content.text, 'content.text', 1024);
      optionalText(m.content, 'header', 60);
      optionalText(m.content, 'caption', 60);
      const options = m.options;
      need(Array.isArray(options) && options.length >= 1 && options.length <= 3, 'quick_reply: 1 to 3 options');
      for (const o of options) {
        need(isObject(o) && o.type === 'text', 'quick_reply: options are of type text');
        text(o.title, 'option title', 20);
        optionalText(o, 'postbackText', 256);
      }
      return m;
    }
    case 'list': {
      text(m.msgid, 'msgid', 200);
      text(m.body, 'body', 4096);
      optionalText(m, 'title', 60);
      optionalText(m, 'footer', 60);
      const buttons = m.globalButtons;
      need(Array.isArray(buttons) && buttons.length === 1 && isObject(buttons[0]), 'list: one global button');
      text(buttons[0].title, 'globalButtons title', 20);
      const items = m.items;
      need(Array.isArray(items) && items.length >= 1 && items.length <= 10, 'list: 1 to 10 items');
      let rows = 0;
      for (const item of items) {
        need(isObject(item) && Array.isArray(item.options), 'list: items have options');
        text(item.title, 'item title', 24);
        for (const o of item.options) {
          need(isObject(o) && o.type === 'text', 'list: options are of type text');
          text(o.title, 'option title', 24);
          optionalText(o, 'description', 72);
          optionalText(o, 'postbackText', 200);
          rows += 1;
        }
      }
      need(rows >= 1 && rows <= 10, 'list: 1 to 10 options in all');
      return m;
    }
    default:
      throw new GupshupRefusal(`Invalid message type ${String(type)}`);
  }
}

/** Validates `postbackTexts` of a template send: each index names a quick-reply button (0-based among all buttons). */
export function validatePostbacks(raw: unknown, quickReplies: number[]): Array<{ index: number; text: string }> {
  need(Array.isArray(raw), 'postbackTexts must be an array');
  return raw.map((p) => {
    need(isObject(p) && typeof p.index === 'number' && typeof p.text === 'string', 'postbackTexts: {index, text}');
    need(quickReplies.includes(p.index), `postbackTexts: no quick-reply button ${p.index}`);
    return { index: p.index, text: p.text };
  });
}
