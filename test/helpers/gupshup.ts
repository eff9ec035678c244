import { gupshupWebhookPath } from '../../config/endpoints';
import type { Harness } from './harness';
import { lineRobotStarter } from './line-robots';

/** The test GupShup app and its line. */
export const GUPSHUP = {
  lineId: 'gs',
  appName: 'OLChatApp',
  apiKey: 'gs-api-key-1',
  source: '79007778899',
  webhookToken: 'gs-callback-secret-0123456789',
};

/**
 * Connects the harness' GupShup simulator as line `gs` of the portal: the line names no API host,
 * so the app's GUPSHUP_API_URL (the simulator, from localAppEnv) is the one used.
 */
export async function connectGupshupLine(h: Harness): Promise<void> {
  h.gupshup.addApp({ appName: GUPSHUP.appName, apiKey: GUPSHUP.apiKey, source: GUPSHUP.source });
  await h.rt.lines.add({
    id: GUPSHUP.lineId,
    memberId: h.memberId,
    provider: 'gupshup',
    phoneNumberId: GUPSHUP.appName,
    accessToken: GUPSHUP.apiKey,
    source: GUPSHUP.source,
    webhookToken: GUPSHUP.webhookToken,
    name: 'GupShup line',
    createdAt: Date.now(),
  });
  h.gupshup.setWebhook({ url: `${h.appUrl}${gupshupWebhookPath(GUPSHUP.lineId, GUPSHUP.webhookToken)}` });
}

/** Starts robots on the GupShup line, each on a new deal in stage NEW (see lineRobotStarter). */
export function gupshupRobotStarter(harness: () => Harness) {
  return lineRobotStarter(harness, GUPSHUP.lineId);
}
