import { createGreenApiSimulator } from '../../simulators/green-api';
import { createCloudApiSimulator } from '../../simulators/whatsapp-cloud';

describe('Cloud API simulator: GET /{phone-number-id}?fields=… (waba-wire.md §3.1)', () => {
  const sim = createCloudApiSimulator({ appSecret: 'secret-1' });
  let base = '';
  beforeAll(async () => {
    base = `${(await sim.start(0)).url}/v25.0`;
    sim.addPhoneNumber({ phoneNumberId: '200000000000002', accessToken: 'tok', displayPhoneNumber: '79001112233' });
  });
  afterAll(() => sim.stop());
  const get = async (path: string, token = 'tok') => {
    const response = await fetch(`${base}/${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers the asked fields (formatted number) plus id', async () => {
    sim.setPhoneHealth('200000000000002', { qualityRating: 'RED', messagingLimit: 'TIER_250' });
    const answer = await get(
      '200000000000002?fields=display_phone_number,verified_name,quality_rating,whatsapp_business_manager_messaging_limit,status',
    );
    expect(answer).toEqual({
      status: 200,
      body: {
        display_phone_number: '+7 900 111-22-33',
        verified_name: 'Test Shop',
        quality_rating: 'RED',
        whatsapp_business_manager_messaging_limit: 'TIER_250',
        status: 'CONNECTED',
        id: '200000000000002',
      },
    });
  });

  it('refuses an unknown field, a bad token and a number the token does not own', async () => {
    const field = await get('200000000000002?fields=quality,status');
    expect(field.status).toBe(400);
    expect(field.body.error).toMatchObject({
      code: 100,
      message: expect.stringContaining('nonexisting field (quality)'),
    });
    expect((await get('200000000000002', 'nope')).body.error).toMatchObject({ code: 190 });
    expect((await get('200000000000009')).body.error).toMatchObject({ code: 100, error_subcode: 33 });
  });
});

describe('Green-API simulator: getStateInstance', () => {
  it('answers the instance state; a wrong token is 401', async () => {
    const sim = createGreenApiSimulator();
    const { url } = await sim.start(0);
    try {
      sim.addInstance({ idInstance: '1101000001', apiTokenInstance: 'tok' });
      const state = async (token: string) => {
        const response = await fetch(`${url}/waInstance1101000001/getStateInstance/${token}`);
        return { status: response.status, text: await response.text() };
      };
      expect(await state('tok')).toEqual({ status: 200, text: '{"stateInstance":"authorized"}' });
      sim.setState('1101000001', 'blocked');
      expect((await state('tok')).text).toBe('{"stateInstance":"blocked"}');
      expect((await state('bad')).status).toBe(401);
    } finally {
      await sim.stop();
    }
  });
});
