import type { BitrixPortalSimulator } from '../../simulators/bitrix24';
import { switchConnectorOff } from '../../simulators/bitrix24/methods/imconnector';
import { rest, startPortal } from './bitrix-helpers';
import { startReceiver } from './receiver';

const ICON = { DATA_IMAGE: 'data:image/svg+xml,%3Csvg%2F%3E' };
const register = (sim: BitrixPortalSimulator, extra: Record<string, unknown> = {}) =>
  rest(sim, 'imconnector.register', { ID: 'acme_wa', NAME: 'Acme', ICON, PLACEMENT_HANDLER: 'https://a/s', ...extra });
const item = (text: string) => ({
  user: { id: '79990001122', name: 'Anna', phone: '+79990001122' },
  message: { id: `wamid.${text}`, date: 1767000000, text },
  chat: { id: '79990001122' },
});

describe('Bitrix24 simulator: imconnector (strict)', () => {
  let sim: BitrixPortalSimulator;
  beforeEach(async () => {
    ({ sim } = await startPortal());
  });
  afterEach(async () => {
    await sim.stop();
  });

  it('register answers its own failures inside HTTP 200 and refuses a dot in the id', async () => {
    expect((await register(sim, { ICON: undefined })).json.result).toMatchObject({
      result: false,
      error: 'ICON_REQUIRED',
    });
    expect((await register(sim, { ID: 'acme.wa' })).json.result).toMatchObject({
      result: false,
      error: 'APPLICATION_REGISTRATION_ERROR_POINT',
    });
    expect(await register(sim)).toEqual({ status: 200, json: expect.objectContaining({ result: { result: true } }) });
  });

  it('unknown connector, missing ACTIVE, data.set and send.messages before activate → the documented errors', async () => {
    const unknown = await rest(sim, 'imconnector.activate', { CONNECTOR: 'nope', LINE: 1, ACTIVE: 1 });
    expect(unknown).toMatchObject({ status: 400, json: { error: 'IMCONNECTOR_NO_CORRECT_PROVIDER' } });
    await register(sim);
    const noActive = await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: 1 });
    expect(noActive).toMatchObject({ status: 400, json: { error: 'ERROR_ARGUMENT' } });
    const early = await rest(sim, 'imconnector.connector.data.set', {
      CONNECTOR: 'acme_wa',
      LINE: 1,
      DATA: { ID: 'x' },
    });
    expect(early).toMatchObject({ status: 400, json: { error: 'NOT_ACTIVE_LINE' } });
    const send = await rest(sim, 'imconnector.send.messages', { CONNECTOR: 'acme_wa', LINE: 1, MESSAGES: [item('a')] });
    expect(send).toMatchObject({ status: 400, json: { error: 'NOT_ACTIVE_LINE' } });
    const noLine = await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: 7, ACTIVE: 1 });
    expect(noLine).toMatchObject({ status: 400, json: { error: 'NOT_ACTIVE_LINE' } });
  });

  it('after activate + data.set, messages reach the chat in order and name the session', async () => {
    await register(sim);
    await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: 1, ACTIVE: 1 });
    await rest(sim, 'imconnector.connector.data.set', { CONNECTOR: 'acme_wa', LINE: 1, DATA: { ID: 'x', NAME: 'n' } });
    const sent = await rest(sim, 'imconnector.send.messages', {
      CONNECTOR: 'acme_wa',
      LINE: 1,
      MESSAGES: [item('one'), item('two')],
    });
    const result = sent.json.result as { DATA: { RESULT: Array<{ SUCCESS: boolean; session: { CHAT_ID: string } }> } };
    expect(result.DATA.RESULT.map((r) => r.SUCCESS)).toEqual([true, true]);
    const chat = sim.openLineChat('acme_wa', 1, '79990001122');
    expect(chat?.messages.map((m) => m.text)).toEqual(['one', 'two']);
    expect(result.DATA.RESULT[0]?.session.CHAT_ID).toBe(String(chat?.chatId));
    const empty = await rest(sim, 'imconnector.send.messages', {
      CONNECTOR: 'acme_wa',
      LINE: 1,
      MESSAGES: [{ ...item(''), message: { id: 'm', date: 1, files: [{ url: `${sim.url()}/nothing`, name: 'f' }] } }],
    });
    expect(empty.json.result).toMatchObject({
      DATA: { RESULT: [{ SUCCESS: false, ERRORS: ['ERROR_IMCONNECTOR_NOT_ALL_THE_REQUIRED_DATA'] }] },
    });
  });

  it('a line switched off (activate ACTIVE=0) or unknown: send.messages and status.delivery answer 400 NOT_ACTIVE_LINE', async () => {
    await register(sim);
    await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: 1, ACTIVE: 1 });
    expect(
      (await rest(sim, 'imconnector.send.messages', { CONNECTOR: 'acme_wa', LINE: 1, MESSAGES: [item('a')] })).status,
    ).toBe(200);
    await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: 1, ACTIVE: 0 });
    const delivery = {
      im: { chat_id: 1, message_id: 1 },
      message: { id: ['wamid.x'], date: 1767000000 },
      chat: { id: '79990001122' },
    };
    for (const LINE of [1, 42]) {
      const send = await rest(sim, 'imconnector.send.messages', { CONNECTOR: 'acme_wa', LINE, MESSAGES: [item('b')] });
      expect(send).toMatchObject({ status: 400, json: { error: 'NOT_ACTIVE_LINE' } });
      const confirm = await rest(sim, 'imconnector.send.status.delivery', {
        CONNECTOR: 'acme_wa',
        LINE,
        MESSAGES: [delivery],
      });
      expect(confirm).toMatchObject({ status: 400, json: { error: 'NOT_ACTIVE_LINE' } });
    }
    // Nothing of the refused calls reached the chat.
    expect(sim.openLineChat('acme_wa', 1, '79990001122')?.messages.map((m) => m.text)).toEqual(['a']);
  });

  it('a method of a scope the app was not granted answers 401 insufficient_scope (batch commands too)', async () => {
    await sim.stop();
    ({ sim } = await startPortal({ scope: ['crm', 'bizproc', 'imopenlines', 'imconnector'] }));
    const add = await rest(sim, 'im.message.add', { DIALOG_ID: 'chat1', MESSAGE: 'x', SYSTEM: 'Y' });
    expect(add).toMatchObject({ status: 401, json: { error: 'insufficient_scope' } });
    const inBatch = await rest(sim, 'batch', { halt: 0, cmd: { a: 'im.message.add?DIALOG_ID=chat1&MESSAGE=x' } });
    expect(JSON.stringify(inBatch.json)).toContain('insufficient_scope');
    // Granted scopes work as before.
    expect((await register(sim)).json).toMatchObject({ result: { result: true } });
  });
  it('ACTIVE=0 on a switched-on line sends ONIMCONNECTORSTATUSDELETE (lowercase keys) before it answers; again on an off line, none', async () => {
    const app = await startReceiver();
    try {
      await register(sim);
      await rest(sim, 'event.bind', { event: 'ONIMCONNECTORSTATUSDELETE', handler: `${app.url}/events` });
      await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: 1, ACTIVE: 1 });
      await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: 1, ACTIVE: 0 });
      expect(sim.state.openLines.switchOffEvents).toEqual([{ connector: 'acme_wa', line: 1, statuses: [200] }]);
      const [received] = await app.waitFor(1);
      const event = new URLSearchParams(received?.raw ?? '');
      expect([event.get('event'), event.get('data[connector]'), event.get('data[line]')]).toEqual([
        'ONIMCONNECTORSTATUSDELETE',
        'acme_wa',
        '1',
      ]);
      await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: 1, ACTIVE: 0 });
      expect(sim.state.openLines.switchOffEvents).toHaveLength(1);
    } finally {
      await app.stop();
    }
  });
  it('held switch-off events (a late event queue) go out only when released, oldest first', async () => {
    const app = await startReceiver();
    try {
      await register(sim);
      await rest(sim, 'event.bind', { event: 'ONIMCONNECTORSTATUSDELETE', handler: `${app.url}/events` });
      sim.state.openLines.lines.set(2, 'Open line 2');
      sim.state.openLines.holdSwitchOffEvents = true;
      for (const line of [1, 2]) {
        await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: line, ACTIVE: 1 });
        await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: line, ACTIVE: 0 });
      }
      expect(sim.state.openLines.switchOffEvents).toEqual([]);
      expect(await sim.state.openLines.releaseSwitchOffEvents()).toBe(2);
      const received = await app.waitFor(2);
      expect(received.map((r) => new URLSearchParams(r.raw).get('data[line]'))).toEqual(['1', '2']);
      expect(sim.state.openLines.switchOffEvents.map((e) => e.line)).toEqual([1, 2]);
      expect(await sim.state.openLines.releaseSwitchOffEvents()).toBe(0);
    } finally {
      await app.stop();
    }
  });
  it("imconnector.status answers STATUS from the line's activation: on after ACTIVE=1, off after ACTIVE=0 and after an admin's switch-off; no LINE is line 0 (off)", async () => {
    await register(sim);
    const status = async (line?: number) =>
      (await rest(sim, 'imconnector.status', { CONNECTOR: 'acme_wa', ...(line === undefined ? {} : { LINE: line }) }))
        .json.result;
    expect(await status(1)).toEqual({
      LINE: '1',
      CONNECTOR: 'acme_wa',
      ERROR: false,
      CONFIGURED: false,
      STATUS: false,
    });
    await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: 1, ACTIVE: 1 });
    expect(await status(1)).toMatchObject({ CONFIGURED: true, STATUS: true });
    expect(await status()).toMatchObject({ LINE: '0', STATUS: false });
    await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: 1, ACTIVE: 0 });
    expect(await status(1)).toMatchObject({ CONFIGURED: false, STATUS: false });
    await rest(sim, 'imconnector.activate', { CONNECTOR: 'acme_wa', LINE: 1, ACTIVE: 1 });
    await switchConnectorOff(sim.state, 'acme_wa', 1, 'admin-off');
    expect(await status(1)).toMatchObject({ STATUS: false });
    expect(sim.state.openLines.switchOffEvents.map((e) => e.line)).toEqual([1, 1]);
    const missing = await rest(sim, 'imconnector.status', { LINE: 1 });
    expect(missing).toMatchObject({ status: 400, json: { error: 'ERROR_ARGUMENT' } });
  });
});
