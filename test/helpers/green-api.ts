import { createGreenApiSimulator, type GreenApiSimulator } from '../../simulators/green-api';
import { greenApiWebhookPath } from '../../config/endpoints';
import type { Harness } from './harness';

/** The test Green-API instance and its line. */
export const GREEN = { lineId: 'green', idInstance: '1101000001', apiTokenInstance: 'ga-api-token-1', webhookToken: 'ga-webhook-token-0123456789', wid: '79005556677' };

/** A connected Green-API line with its simulator. */
export interface GreenApiLine {
  sim: GreenApiSimulator;
  lineId: string;
  idInstance: string;
  close(): Promise<void>;
}

/** Starts a Green-API simulator and connects it to the harness portal as line `green` (webhooks to the app's door). */
export async function connectGreenApiLine(h: Harness, options: { numbersWithoutWhatsapp?: string[] } = {}): Promise<GreenApiLine> {
  const sim = createGreenApiSimulator({ numbersWithoutWhatsapp: options.numbersWithoutWhatsapp });
  const { url } = await sim.start(0);
  sim.addInstance({ idInstance: GREEN.idInstance, apiTokenInstance: GREEN.apiTokenInstance, wid: GREEN.wid });
  await h.rt.lines.add({
    id: GREEN.lineId, memberId: h.memberId, provider: 'green-api', phoneNumberId: GREEN.idInstance, accessToken: GREEN.apiTokenInstance,
    apiUrl: url, webhookToken: GREEN.webhookToken, name: 'Green line', createdAt: Date.now(),
  });
  sim.setWebhook({ url: `${h.appUrl}${greenApiWebhookPath(GREEN.lineId)}`, token: GREEN.webhookToken });
  return { sim, lineId: GREEN.lineId, idInstance: GREEN.idInstance, close: () => sim.stop() };
}
