import { injectRestFault, pendingRestFaults, type RestFault } from '../../simulators/bitrix24/rest-faults';
import { type CloudApiSimulator, createCloudApiSimulator } from '../../simulators/whatsapp-cloud';
import { rest, startPortal } from './bitrix-helpers';
import { postJson } from './receiver';

const TOKEN = 'EAAG-test-token';
const PHONE_ID = '200000000000002';
const text = (body: string) => ({ messaging_product: 'whatsapp', to: '79161234567', type: 'text', text: { body } });

describe('fault injection: the Cloud API answers a 5xx after accepting a message', () => {
  let sim: CloudApiSimulator;
  let send: (body: unknown) => ReturnType<typeof postJson>;
  beforeEach(async () => {
    sim = createCloudApiSimulator({ appSecret: 's3cret' });
    const { url } = await sim.start(0);
    sim.addPhoneNumber({ phoneNumberId: PHONE_ID, accessToken: TOKEN, displayPhoneNumber: '79001112233' });
    send = (body) => postJson(`${url}/v25.0/${PHONE_ID}/messages`, body, { Authorization: `Bearer ${TOKEN}` });
  });
  afterEach(() => sim.stop());

  it('afterAccept: the message is sent, the sender gets the 500, the attempt keeps the wamid', async () => {
    sim.failNext({ code: 131000, afterAccept: true });
    const first = await send(text('one'));
    expect(first.status).toBe(500);
    expect(first.json.error).toEqual(expect.objectContaining({ code: 131000 }));
    const [accepted] = sim.sent();
    expect(accepted?.body.text).toEqual({ body: 'one' });
    expect(sim.attempts()).toEqual([
      expect.objectContaining({ httpStatus: 500, errorCode: 131000, wamid: accepted?.wamid }),
    ]);
    // A plain 500 refuses: nothing is sent.
    sim.failNext({ code: 131000 });
    expect((await send(text('two'))).status).toBe(500);
    expect(sim.sent()).toHaveLength(1);
    expect((await send(text('three'))).status).toBe(200);
    expect(sim.sent()).toHaveLength(2);
  });

  it('is strict: only a 5xx can come after acceptance, and times is a positive integer', () => {
    expect(() => sim.failNext({ code: 130429, afterAccept: true })).toThrow(/afterAccept needs a 5xx/);
    expect(() => sim.failNext({ code: 100, httpStatus: 400, afterAccept: true })).toThrow(/afterAccept needs a 5xx/);
    expect(() => sim.failNext({ code: 131000, times: 0 })).toThrow(/positive integer/);
    expect(() => sim.failNext({ code: 1, httpStatus: 503, afterAccept: true })).not.toThrow();
  });
});

describe('fault injection: portal REST bursts', () => {
  it('the next calls (of a method) answer QUERY_LIMIT_EXCEEDED or expired_token, then the portal answers again', async () => {
    const { sim } = await startPortal();
    try {
      injectRestFault(sim.state, { code: 'QUERY_LIMIT_EXCEEDED', times: 2, method: 'batch' });
      injectRestFault(sim.state, { code: 'expired_token', times: 1 });
      expect(pendingRestFaults(sim.state)).toBe(3);
      const refusedToken = await rest(sim, 'app.info');
      expect(refusedToken.status).toBe(401);
      expect(refusedToken.json).toEqual({ error: 'expired_token', error_description: expect.any(String) });
      for (let i = 0; i < 2; i += 1) {
        const limited = await rest(sim, 'batch', { cmd: { a: 'app.info' } });
        expect(limited.status).toBe(503);
        expect(limited.json.error).toBe('QUERY_LIMIT_EXCEEDED');
      }
      expect(pendingRestFaults(sim.state)).toBe(0);
      expect((await rest(sim, 'batch', { cmd: { a: 'app.info' } })).status).toBe(200);
      expect(sim.stats().queryLimitExceeded).toBe(2);
    } finally {
      await sim.stop();
    }
  });

  it('is strict about what it injects', async () => {
    const { sim } = await startPortal();
    try {
      expect(() => injectRestFault(sim.state, { code: 'QUERY_LIMIT_EXCEEDED', times: 1.5 })).toThrow(
        /positive integer/,
      );
      // Cast on purpose: a code outside the type (from JavaScript, or a careless cast) is refused too.
      const typo = { code: 'QUERY_LIMIT', times: 1 } as unknown as RestFault;
      expect(() => injectRestFault(sim.state, typo)).toThrow(/unknown code/);
    } finally {
      await sim.stop();
    }
  });
});
