import { encodeButtonId as buttonId } from '../../../waits/button-id';
import { PACK_SEPARATOR, toStored } from '../../../waits/stored-wait';
import { fromStored } from '../../../waits/stored-wait-read';
import { defaultReplyOptions, type Wait } from '../../../waits/wait-schema';

const wait: Wait = {
  id: 'abc',
  memberId: 'm1',
  lineId: 'main',
  phone: '79161234567',
  waId: '',
  kind: 'robot',
  purpose: 'reply',
  eventToken: 'wf.1|A1_2_3_4|tok.sig',
  workflowId: 'wf.1',
  documentId: 'DEAL_5',
  stageAtStart: 'NEW',
  status: 'open',
  createdAt: 1763900000000,
  deadline: 1763986400000,
  messageId: 'wamid.X',
  buttons: [
    { id: buttonId('abc', 1), title: 'Да' },
    { id: buttonId('abc', 2), title: 'Нет' },
  ],
  options: {
    ...defaultReplyOptions,
    mode: 'keywords',
    keywords: [{ keyword: 'да', answer: 'yes' }],
    stopOnOperator: true,
  },
  deliveryTarget: '',
  reasks: 1,
  baseReturn: { status: 'sent', message_id: 'wamid.X', error: '' },
  lang: 'ru',
};

/** Through the JSON string Redis holds, as the store does it. */
const roundTrip = (w: Wait) => fromStored(w.memberId, w.id, JSON.stringify(toStored(w)));

describe('stored wait', () => {
  it('round-trips through the compact form, typed', () => {
    const back = roundTrip(wait);
    // Empty return values are not stored (the outcomes fill every key they report).
    expect(back).toEqual({ ...wait, baseReturn: { status: 'sent', message_id: 'wamid.X' } });
    expect(back.options.reaskMax).toBe(1);
    expect(back.buttons.map((b) => b.id)).toEqual(['w:abc:1', 'w:abc:2']);
  });

  it('keeps a wa_id that differs from the number', () => {
    expect(roundTrip({ ...wait, waId: '551187654321' }).waId).toBe('551187654321');
  });

  it('stores the workflow id only when the token does not start with it', () => {
    const stored = toStored({ ...wait, workflowId: 'wf.other' });
    expect(stored.wf).toBe('wf.other');
    expect(roundTrip({ ...wait, workflowId: 'wf.other' }).workflowId).toBe('wf.other');
    expect(toStored(wait).wf).toBeUndefined();
    expect(roundTrip(wait).workflowId).toBe('wf.1');
  });

  it('stores short names, base-36 times and no plain-send return values; all of it comes back', () => {
    const plain: Wait = {
      ...wait,
      kind: 'activity',
      lang: 'en',
      options: { ...defaultReplyOptions },
      reasks: 0,
      baseReturn: { status: 'sent', message_id: 'wamid.X', delivery_status: 'sent', error: '' },
    };
    const json = JSON.stringify(toStored(plain));
    expect(json).not.toMatch(/"(token|line|phone|created|deadline|options|ret|titles|msg)"/);
    expect(json).toContain(`~${plain.createdAt.toString(36)}~${plain.deadline.toString(36)}~en~Да~Нет"`);
    expect(json).not.toContain('"b"');
    // An open wait stores no status (none = open).
    expect(json).not.toContain('"status"');
    expect(json).not.toContain('delivery_status');
    expect(roundTrip(plain)).toEqual({
      ...plain,
      baseReturn: { status: 'sent', message_id: 'wamid.X', delivery_status: 'sent' },
    });
    // Other return values are kept whole, an empty set too.
    const other = { ...plain, baseReturn: { status: 'sent', message_id: 'wamid.X', delivered_at: 'x' } };
    expect(roundTrip(other).baseReturn).toEqual(other.baseReturn);
    expect(roundTrip({ ...plain, baseReturn: { message_id: 'wamid.X' } }).baseReturn).toEqual({
      message_id: 'wamid.X',
    });
  });

  it('reads a long-form wait an older release stored and patched by this one (mixed names)', () => {
    const mixed = JSON.stringify({
      line: 'main',
      phone: '79161234567',
      kind: 'activity',
      purpose: 'reply',
      token: 'wf.9|A1_2_3_4|tok.sig',
      doc: 'DEAL_5',
      status: 'open',
      created: '1763900000000',
      deadline: '1763986400000',
      options: { mode: 'any' },
      lang: 'en',
      m: 'wamid.Y',
    });
    const back = fromStored('m1', 'abc', mixed);
    expect(back).toMatchObject({ kind: 'activity', lang: 'en', messageId: 'wamid.Y', deadline: 1763986400000 });
    expect(back.options.mode).toBe('any');
    expect(back.baseReturn).toEqual({ status: 'sent', delivery_status: 'sent', message_id: 'wamid.Y' });
  });

  it('leaves out what the key carries, derived button ids and the defaults', () => {
    const json = JSON.stringify(toStored({ ...wait, options: { ...defaultReplyOptions } }));
    expect(json).not.toContain('m1');
    expect(json).not.toContain('"abc"');
    expect(json).not.toContain('w:');
    // No default is stored, not even the mode.
    expect(json).not.toContain('"o"');
    expect(json).not.toContain('reaskMax');
    // The defaults come back on load.
    expect(fromStored('m1', 'abc', json).options).toEqual(defaultReplyOptions);
  });

  it('loads a delivery wait (no buttons, no options) with the default options', () => {
    const delivery: Wait = {
      ...wait,
      purpose: 'delivery',
      buttons: [],
      options: { ...defaultReplyOptions },
      deliveryTarget: 'read',
      reasks: 0,
    };
    const stored = toStored(delivery);
    expect(stored.b).toBeUndefined();
    expect(stored.reasks).toBeUndefined();
    expect(roundTrip(delivery)).toEqual({ ...delivery, baseReturn: { status: 'sent', message_id: 'wamid.X' } });
  });

  it('refuses buttons whose ids are not the ones the wait id derives (they would not survive the round trip)', () => {
    expect(() => toStored({ ...wait, buttons: [{ id: 'b:1', title: 'Да' }] })).toThrow(/button 1/);
  });

  it('still loads a wait stored before the workflow id was (and one the alias script touched)', () => {
    const old = JSON.stringify({
      line: 'main',
      phone: '79161234567',
      wa: '551187654321',
      kind: 'robot',
      purpose: 'reply',
      token: 'wf.9|A1_2_3_4|tok.sig',
      doc: 'DEAL_5',
      stage: 'NEW',
      status: 'open',
      created: '1763900000000',
      deadline: '1763986400000',
      msg: 'wamid.X',
      titles: ['Да', 'Нет'],
      options: { mode: 'button' },
      ret: { status: 'sent' },
      lang: 'ru',
      reaskFor: 'wamid.in',
      waf: 'p:main:551187654321',
    });
    const back = fromStored('m1', 'abc', old);
    expect(back.workflowId).toBe('wf.9');
    expect(back.waId).toBe('551187654321');
    expect(back.options).toEqual(defaultReplyOptions);
    expect(back.buttons).toEqual([
      { id: 'w:abc:1', title: 'Да' },
      { id: 'w:abc:2', title: 'Нет' },
    ]);
    expect(back.baseReturn).toEqual({ status: 'sent', message_id: 'wamid.X' });
  });

  it('keeps the fields one by one when a value or a title holds the packing separator', () => {
    const titled: Wait = { ...wait, buttons: [{ id: buttonId('abc', 1), title: `A${PACK_SEPARATOR}B` }] };
    expect(toStored(titled).b).toEqual([`A${PACK_SEPARATOR}B`]);
    expect(roundTrip(titled).buttons).toEqual(titled.buttons);
    const odd: Wait = { ...wait, stageAtStart: `C1:A${PACK_SEPARATOR}B` };
    expect(toStored(odd).z).toBeUndefined();
    expect(toStored(odd).s).toBe(odd.stageAtStart);
    expect(roundTrip(odd)).toEqual({ ...roundTrip(wait), stageAtStart: odd.stageAtStart });
  });

  it('reads the short form of the release before the packed field (t, l, d, … and a status)', () => {
    const before = JSON.stringify({
      t: wait.eventToken,
      l: 'main',
      p: wait.phone,
      d: 'DEAL_5',
      s: 'NEW',
      status: 'open',
      c: wait.createdAt.toString(36),
      e: wait.deadline.toString(36),
      m: 'wamid.X',
      b: ['Да', 'Нет'],
      g: 'en',
    });
    expect(fromStored('m1', 'abc', before)).toMatchObject({
      eventToken: wait.eventToken,
      lineId: 'main',
      documentId: 'DEAL_5',
      stageAtStart: 'NEW',
      status: 'open',
      createdAt: wait.createdAt,
      deadline: wait.deadline,
      lang: 'en',
      kind: 'robot',
    });
  });

  it('stores an ended status, and reads a packed field of the wrong shape as an error', () => {
    expect(roundTrip({ ...wait, status: 'answered' }).status).toBe('answered');
    const bad = JSON.stringify({ ...toStored(wait), z: 'only~three' });
    expect(() => fromStored('m1', 'abc', bad)).toThrow(/2 parts/);
  });

  it('rejects a stored status outside the one status list', () => {
    const bad = JSON.stringify({ ...toStored(wait), status: 'paused' });
    expect(() => fromStored('m1', 'abc', bad)).toThrow();
  });
});
