import { actions } from '../../actions';
import { greenApiWebhookPath } from '../../config/endpoints';
import { createGreenApiSimulator, type GreenApiSimulator } from '../../simulators/green-api';
import { createHarness, type Harness, waitForRegistration } from './harness';
import { lineRobotStarter } from './line-robots';
import { CUSTOMER } from './waits';

/** The test Green-API instance and its line. */
export const GREEN = {
  lineId: 'green',
  idInstance: '1101000001',
  apiTokenInstance: 'ga-api-token-1',
  webhookToken: 'ga-webhook-token-0123456789',
  wid: '79005556677',
};

/** A connected Green-API line with its simulator. */
export interface GreenApiLine {
  sim: GreenApiSimulator;
  lineId: string;
  idInstance: string;
  close(): Promise<void>;
}

/** Starts a Green-API simulator and connects it to the harness portal as line `green` (webhooks to the app's door). */
export async function connectGreenApiLine(
  h: Harness,
  options: { numbersWithoutWhatsapp?: string[] } = {},
): Promise<GreenApiLine> {
  const sim = createGreenApiSimulator({ numbersWithoutWhatsapp: options.numbersWithoutWhatsapp });
  const { url } = await sim.start(0);
  sim.addInstance({ idInstance: GREEN.idInstance, apiTokenInstance: GREEN.apiTokenInstance, wid: GREEN.wid });
  await h.rt.lines.add({
    id: GREEN.lineId,
    memberId: h.memberId,
    provider: 'green-api',
    phoneNumberId: GREEN.idInstance,
    accessToken: GREEN.apiTokenInstance,
    apiUrl: url,
    webhookToken: GREEN.webhookToken,
    name: 'Green line',
    createdAt: Date.now(),
  });
  sim.setWebhook({ url: `${h.appUrl}${greenApiWebhookPath(GREEN.lineId)}`, token: GREEN.webhookToken });
  return { sim, lineId: GREEN.lineId, idInstance: GREEN.idInstance, close: () => sim.stop() };
}

/** A harness with every action registered and a Green-API line (+79990000000 has no WhatsApp). */
export async function greenApiHarness(): Promise<{ h: Harness; green: GreenApiLine }> {
  const h = await createHarness();
  const green = await connectGreenApiLine(h, { numbersWithoutWhatsapp: ['79990000000'] });
  await waitForRegistration(h, actions.length);
  return { h, green };
}

/**
 * Runs robots and activities on the Green-API line. `harness` and `line` are read at call time, so a
 * test file can create them in `beforeAll`.
 */
export function greenApiRunner(harness: () => Harness, line: () => GreenApiLine) {
  const { start } = lineRobotStarter(harness, GREEN.lineId);
  /** Runs a robot to its end: its return values, its log line and what the simulator accepted for it. */
  async function run(code: string, properties: Record<string, string | string[]>) {
    const green = line();
    const before = green.sim.sent().length;
    const done = await harness().portal.waitForRun((await start(code, properties)).eventToken, 10_000);
    return { values: done.returnValues ?? {}, log: done.logMessage ?? '', sent: green.sim.sent().slice(before) };
  }
  /** Sends a text first, so edit/delete/forward have a message to work on. */
  async function sentText(text: string): Promise<string> {
    const r = await run('wa_send_text', { phone: CUSTOMER, text });
    expect(r.values).toMatchObject({ status: 'sent' });
    return String(r.values.message_id);
  }
  return { start, run, sentText };
}
