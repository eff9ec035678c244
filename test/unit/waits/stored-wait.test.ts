import { encodeButtonId as buttonId } from '../../../waits/button-id';
import { fromStored, toStored } from '../../../waits/stored-wait';
import type { Wait } from '../../../waits/wait-schema';

const wait: Wait = {
  id: 'abc', memberId: 'm1', lineId: 'main', phone: '79161234567', waId: '', kind: 'robot', purpose: 'reply',
  eventToken: 'wf.1|A1_2_3_4|tok.sig', workflowId: 'wf.1', documentId: 'DEAL_5', stageAtStart: 'NEW', status: 'open',
  createdAt: 1763900000000, deadline: 1763986400000, messageId: 'wamid.X',
  buttons: JSON.stringify([{ id: buttonId('abc', 1), title: 'Да' }, { id: buttonId('abc', 2), title: 'Нет' }]),
  options: JSON.stringify({ mode: 'keywords', keywords: [{ keyword: 'да', answer: 'yes' }], regex: '', reaskText: '', reaskMax: 1, afterReask: 'ignore', stopOnOperator: true }),
  deliveryTarget: '', reasks: 1, baseReturn: JSON.stringify({ status: 'sent', message_id: 'wamid.X', error: '' }), lang: 'ru',
};

describe('stored wait', () => {
  it('round-trips through the compact form', () => {
    const stored = toStored(wait);
    const back = fromStored('m1', 'abc', JSON.parse(JSON.stringify(stored)));
    expect(back).toMatchObject({ ...wait, options: expect.any(String), baseReturn: expect.any(String) });
    expect(JSON.parse(back.options)).toEqual({ mode: 'keywords', keywords: [{ keyword: 'да', answer: 'yes' }], stopOnOperator: true });
    expect(JSON.parse(back.baseReturn)).toEqual({ status: 'sent', message_id: 'wamid.X' });
  });

  it('keeps a wa_id that differs from the number', () => {
    const back = fromStored('m1', 'abc', JSON.parse(JSON.stringify(toStored({ ...wait, waId: '551112345678' }))));
    expect(back.waId).toBe('551112345678');
  });

  it('leaves out what the key carries and the defaults', () => {
    const json = JSON.stringify(toStored({ ...wait, options: JSON.stringify({ mode: 'button', keywords: [], reaskMax: 1 }) }));
    expect(json).not.toContain('m1');
    expect(json).not.toContain('w:abc');
    expect(json).not.toContain('keywords');
    expect(json).not.toContain('reaskMax');
  });
});
