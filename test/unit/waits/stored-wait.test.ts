import { encodeButtonId as buttonId } from '../../../waits/button-id';
import { fromStored, toStored } from '../../../waits/stored-wait';
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
    expect(roundTrip({ ...wait, waId: '551112345678' }).waId).toBe('551112345678');
  });

  it('stores the workflow id, never derives it from the token', () => {
    const stored = toStored({ ...wait, workflowId: 'wf.other' });
    expect(stored.wf).toBe('wf.other');
    expect(roundTrip({ ...wait, workflowId: 'wf.other' }).workflowId).toBe('wf.other');
  });

  it('leaves out what the key carries, derived button ids and the defaults', () => {
    const json = JSON.stringify(toStored({ ...wait, options: { ...defaultReplyOptions } }));
    expect(json).not.toContain('m1');
    expect(json).not.toContain('"abc"');
    expect(json).not.toContain('w:');
    // Only the mode stays (the previous release requires it): no other default is stored.
    expect(json).toContain('"options":{"mode":"button"}');
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
    expect(stored.titles).toBeUndefined();
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
      wa: '551112345678',
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
      waf: 'p:main:551112345678',
    });
    const back = fromStored('m1', 'abc', old);
    expect(back.workflowId).toBe('wf.9');
    expect(back.waId).toBe('551112345678');
    expect(back.options).toEqual(defaultReplyOptions);
    expect(back.buttons).toEqual([
      { id: 'w:abc:1', title: 'Да' },
      { id: 'w:abc:2', title: 'Нет' },
    ]);
    expect(back.baseReturn).toEqual({ status: 'sent', message_id: 'wamid.X' });
  });

  it('rejects a stored status outside the one status list', () => {
    const bad = JSON.stringify({ ...toStored(wait), status: 'paused' });
    expect(() => fromStored('m1', 'abc', bad)).toThrow();
  });
});
