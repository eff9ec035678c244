import { SESSION_REQUEST_LIMITS } from '../../app/settings/session-rate-limit';
import { createHarness, type Harness } from '../helpers/harness';
import { createManualClock } from '../helpers/manual-clock';
import { requestSession } from '../helpers/settings-page';

const { perAddress } = SESSION_REQUEST_LIMITS;

describe('TRUST_PROXY: only a trusted peer names the client address', () => {
  let h: Harness;
  beforeAll(async () => {
    // The proxy is on 10/8; the test connects from 127.0.0.1, a peer the app does not trust.
    h = await createHarness({
      clock: createManualClock(Date.now()),
      startWorkers: false,
      connectLine: false,
      appConfig: { TRUST_PROXY: ['10.0.0.0/8'] },
    });
    h.portal.setRestLimit({ drainPerSec: 2, burst: 100 });
  });
  afterAll(async () => h.close());

  it("an untrusted peer's X-Forwarded-For does not change the address its window counts", async () => {
    const authId = String(h.portal.pageOpening({ url: `${h.appUrl}/b24/settings` }).fields.AUTH_ID);
    const fields = { member_id: h.memberId, AUTH_ID: authId };
    const statuses: number[] = [];
    // Each request names another address: all are the peer's own.
    for (let i = 1; i <= perAddress.limit; i += 1)
      statuses.push((await requestSession(h, `203.0.113.${i}`, fields)).status);
    expect(statuses).toEqual(Array(perAddress.limit).fill(200));
    expect(await requestSession(h, '198.51.100.77', fields)).toMatchObject({
      status: 429,
      retryAfter: String(perAddress.windowMs / 1000),
    });
  });
});
