import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../../app/create-app';
import { endpoints } from '../../../config/endpoints';
import { contact, envelope, JSON_TYPE, signed, text } from '../../helpers/cloud-webhooks';
import { createHarness, type Harness } from '../../helpers/harness';
import { postRaw } from '../../helpers/raw-http';
import { FORM } from '../../helpers/robot-door-served';

describe("createApp's own listener: the plain calls and webhooks are served by the direct paths", () => {
  let h: Harness;
  let server: Server;
  let url: string;
  /** Each answered request, and whether Express handled it (Express' app sets `res.locals` on every request it takes). */
  const answered: Array<{ request: string; express: boolean }> = [];

  beforeAll(async () => {
    h = await createHarness({ startWorkers: false });
    server = await new Promise<Server>((resolve) => {
      const s = createApp(h.rt).listen(0, '127.0.0.1', () => resolve(s));
    });
    // A second listener, after createApp's: it sees every request only once it is answered.
    server.on('request', (req, res) => {
      res.once('finish', () => answered.push({ request: `${req.method} ${req.url}`, express: 'locals' in res }));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`; // listening on an IP: an AddressInfo
  });
  afterAll(async () => {
    server.close();
    await h.close();
  });
  beforeEach(() => {
    answered.length = 0;
  });

  const robotCall = (token: string) =>
    `workflow_id=wf-1&code=wa_send_text&document_id%5B0%5D=crm&document_id%5B1%5D=CCrmDocumentDeal` +
    `&document_id%5B2%5D=DEAL_1&event_token=evt-wiring-${token}&properties%5Btext%5D=Hi` +
    `&auth%5Bmember_id%5D=${h.memberId}&auth%5Bapplication_token%5D=${h.portal.currentTokens().applicationToken}`;

  it.each([
    ['a signed webhook', true],
    ['a webhook with a bad signature (refused: the Express door answers)', false],
  ])('%s', async (_name, good) => {
    const post = signed(envelope({ contacts: [contact], messages: [text(`wamid.wiring-${good}`)] }));
    const headers = good ? post.headers : { 'content-type': JSON_TYPE, 'x-hub-signature-256': 'sha256=00' };
    const response = await postRaw(`${url}${endpoints.whatsappWebhook}`, { ...post, headers });
    expect(response.status).toBe(good ? 200 : 401);
    expect(answered).toEqual([{ request: `POST ${endpoints.whatsappWebhook}`, express: !good }]);
  });

  it.each([
    ['a robot call', true],
    ['a robot call with a forged token (refused: the Express door answers)', false],
  ])('%s', async (_name, good) => {
    const body = robotCall(String(good));
    const response = await postRaw(`${url}${endpoints.robot}`, {
      headers: { 'content-type': FORM },
      body: good ? body : body.replace(/application_token%5D=[^&]+/, 'application_token%5D=forged'),
    });
    expect(response.status).toBe(good ? 200 : 401);
    expect(answered).toEqual([{ request: `POST ${endpoints.robot}`, express: !good }]);
  });
});
