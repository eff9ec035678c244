import fc from 'fast-check';
import { endpoints, greenApiWebhookPath } from '../../config/endpoints';
import { bitrixJsonBody, formBody, greenApiBody, whatsappBody } from '../helpers/fuzz-bodies';
import { GREEN } from '../helpers/green-api';
import { APP_SECRET, createHarness, type Harness, LINE } from '../helpers/harness';
import { postRaw, type RawPost, type RawResponse, signBytes } from '../helpers/raw-http';

/** Deterministic and bounded: the same 200 bodies per door on every run, a few seconds in all. */
const RUNS = { seed: 20_260_509, numRuns: 200 };
const FORM_TYPES = [
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
];

/** A 4xx is a JSON `{error, error_description}`; anything below 500 is fine, 5xx never. */
function answered(response: RawResponse): boolean {
  if (response.status >= 500) return false;
  if (response.status < 400) return true;
  const body: unknown = JSON.parse(response.text);
  return typeof body === 'object' && body !== null && Object.keys(body).join() === 'error,error_description';
}

/**
 * Posts every generated body and returns the ones answered wrongly, each with its status and the
 * head of the body. Collected rather than asserted per run: no shrinking (each step would be
 * another request, some of them 20,000 levels deep), and a failure prints a line, not megabytes.
 */
async function fuzz<T>(url: string, bodies: fc.Arbitrary<T>, post: (value: T) => RawPost): Promise<string[]> {
  const wrong: string[] = [];
  await fc.assert(
    fc.asyncProperty(bodies, async (value) => {
      const sent = post(value);
      const response = await postRaw(url, sent);
      if (answered(response)) return;
      const head = Buffer.from(sent.body).subarray(0, 160).toString('utf8');
      wrong.push(`${response.status} ${response.text.slice(0, 100)} <- ${JSON.stringify(sent.headers)} ${head}`);
    }),
    RUNS,
  );
  return wrong;
}

describe('doors under fuzzed bodies: never a 5xx, never an unhandled rejection, still answering', () => {
  let h: Harness;
  let unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => {
    unhandled.push(reason);
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    h = await createHarness({ startWorkers: false });
    // A Green-API line, so a notification with the right token gets past the token to the queue.
    await h.rt.lines.add({
      id: GREEN.lineId,
      memberId: h.memberId,
      provider: 'green-api',
      phoneNumberId: GREEN.idInstance,
      accessToken: GREEN.apiTokenInstance,
      apiUrl: 'http://127.0.0.1:9',
      webhookToken: GREEN.webhookToken,
      name: 'Green line',
      createdAt: h.rt.clock.now(),
    });
  });
  afterEach(async () => {
    expect(unhandled).toEqual([]);
    unhandled = [];
    expect((await fetch(`${h.appUrl}${endpoints.health}`)).status).toBe(200);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await h.close();
  });

  const auth = () => ({ member_id: h.memberId, application_token: h.portal.currentTokens().applicationToken });
  /** What a form may start with: nothing, a valid auth block, a valid robot call or CRM event (then random fields). */
  const formPrefixes = () => {
    const authForm = `auth[member_id]=${auth().member_id}&auth[application_token]=${auth().application_token}`;
    const documentId = 'document_id[]=crm&document_id[]=CCrmDocumentDeal&document_id[]=DEAL_1';
    return [
      '',
      authForm,
      `${authForm}&workflow_id=wf-fuzz&code=wa_send_text&${documentId}&event_token=evt-fuzz`,
      `${authForm}&event=ONCRMDEALUPDATE&data[FIELDS][ID]=7`,
    ];
  };

  it.each([endpoints.robot, endpoints.events, endpoints.install])('form and JSON bodies on %s', async (path) => {
    const bodies = fc.oneof(
      fc.tuple(fc.constantFrom(...FORM_TYPES), formBody(formPrefixes())),
      fc.tuple(fc.constant('application/json'), bitrixJsonBody(auth())),
    );
    const wrong = await fuzz(`${h.appUrl}${path}`, bodies, ([type, body]) => ({
      headers: { 'content-type': type },
      body,
    }));
    expect(wrong).toEqual([]);
  });

  it('signed WhatsApp webhooks', async () => {
    const wrong = await fuzz(`${h.appUrl}${endpoints.whatsappWebhook}`, whatsappBody(LINE.phoneNumberId), (body) => ({
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBytes(APP_SECRET, body) },
      body,
    }));
    expect(wrong).toEqual([]);
  });

  it('Green-API notifications, with the line token and without', async () => {
    const bodies = fc.tuple(greenApiBody(GREEN.idInstance), fc.boolean());
    const wrong = await fuzz(`${h.appUrl}${greenApiWebhookPath(GREEN.lineId)}`, bodies, ([body, rightToken]) => ({
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${rightToken ? GREEN.webhookToken : 'wrong'}`,
      },
      body,
    }));
    expect(wrong).toEqual([]);
  });
});
