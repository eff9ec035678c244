/** Validation of `interactive` messages (reply buttons and lists) with Meta's limits. */
import { InvalidParam, needArr, needObj, needStr, type Obj, optStr, pathOf } from './validate-util';

const OTHER_INTERACTIVE = new Set([
  'cta_url',
  'flow',
  'product',
  'product_list',
  'catalog_message',
  'location_request_message',
  'address_message',
  'call_permission_request',
]);

function header(h: unknown, listOnly: boolean): void {
  if (h === undefined) return;
  const o = needObj(h, ['interactive', 'header']);
  const type = needStr(o.type, ['interactive', 'header', 'type']);
  if (type === 'text') {
    needStr(o.text, ['interactive', 'header', 'text'], 60);
    return;
  }
  if (listOnly || !['image', 'video', 'document'].includes(type)) {
    throw new InvalidParam(
      `Param ${pathOf(['interactive', 'header', 'type'])} must be one of {${listOnly ? 'TEXT' : 'TEXT, IMAGE, VIDEO, DOCUMENT'}} - got "${type}".`,
    );
  }
  const media = needObj(o[type], ['interactive', 'header', type]);
  if (typeof media.id !== 'string' && !/^https?:\/\//i.test(String(media.link ?? ''))) {
    throw new InvalidParam(`Param ${pathOf(['interactive', 'header', type])} must have either id or a http(s) link.`);
  }
}

function footer(f: unknown): void {
  if (f === undefined) return;
  needStr(needObj(f, ['interactive', 'footer']).text, ['interactive', 'footer', 'text'], 60);
}

function buttons(i: Obj): void {
  header(i.header, false);
  needStr(needObj(i.body, ['interactive', 'body']).text, ['interactive', 'body', 'text'], 1024);
  footer(i.footer);
  const action = needObj(i.action, ['interactive', 'action']);
  const list = needArr(action.buttons, ['interactive', 'action', 'buttons'], 1, 3);
  const ids = new Set<string>();
  const titles = new Set<string>();
  list.forEach((b, n) => {
    const base = ['interactive', 'action', 'buttons', n];
    const btn = needObj(b, base);
    if (btn.type !== 'reply')
      throw new InvalidParam(`Param ${pathOf([...base, 'type'])} must be one of {REPLY} - got "${String(btn.type)}".`);
    const reply = needObj(btn.reply, [...base, 'reply']);
    const id = needStr(reply.id, [...base, 'reply', 'id'], 256);
    const title = needStr(reply.title, [...base, 'reply', 'title'], 20);
    if (ids.has(id)) throw new InvalidParam('Buttons must have unique ids.');
    if (titles.has(title)) throw new InvalidParam('Buttons must have unique titles.');
    ids.add(id);
    titles.add(title);
  });
}

function list(i: Obj): void {
  header(i.header, true);
  needStr(needObj(i.body, ['interactive', 'body']).text, ['interactive', 'body', 'text'], 4096);
  footer(i.footer);
  const action = needObj(i.action, ['interactive', 'action']);
  needStr(action.button, ['interactive', 'action', 'button'], 20);
  const sections = needArr(action.sections, ['interactive', 'action', 'sections'], 1, 10);
  let rows = 0;
  const rowIds = new Set<string>();
  sections.forEach((s, n) => {
    const base = ['interactive', 'action', 'sections', n];
    const section = needObj(s, base);
    if (sections.length > 1) needStr(section.title, [...base, 'title'], 24);
    else optStr(section.title, [...base, 'title'], 24);
    const sectionRows = needArr(section.rows, [...base, 'rows'], 1, 10);
    sectionRows.forEach((r, k) => {
      const rb = [...base, 'rows', k];
      const row = needObj(r, rb);
      const id = needStr(row.id, [...rb, 'id'], 200);
      needStr(row.title, [...rb, 'title'], 24);
      optStr(row.description, [...rb, 'description'], 72);
      if (rowIds.has(id)) throw new InvalidParam('Row IDs must be unique across all sections.');
      rowIds.add(id);
    });
    rows += sectionRows.length;
  });
  if (rows > 10) throw new InvalidParam('Total row count exceeded max allowed count: 10');
}

/** Validates the `interactive` object of a send. */
export function validateInteractive(v: unknown): void {
  const i = needObj(v, ['interactive']);
  const type = needStr(i.type, ['interactive', 'type']);
  if (type === 'button') buttons(i);
  else if (type === 'list') list(i);
  else if (!OTHER_INTERACTIVE.has(type)) {
    throw new InvalidParam(
      `Param ${pathOf(['interactive', 'type'])} must be one of {BUTTON, LIST, ${[...OTHER_INTERACTIVE].join(', ').toUpperCase()}} - got "${type}".`,
    );
  }
}
