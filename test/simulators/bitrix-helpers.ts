/** Helpers for Bitrix24 simulator tests. */
import {
  type BitrixPortalOptions,
  type BitrixPortalSimulator,
  createBitrixPortalSimulator,
} from '../../simulators/bitrix24';
import { postJson } from './receiver';

/** Starts a portal simulator with test credentials. */
export async function startPortal(
  extra: Partial<BitrixPortalOptions> = {},
): Promise<{ sim: BitrixPortalSimulator; url: string }> {
  const sim = createBitrixPortalSimulator({ clientId: 'local.sim.1', clientSecret: 'secret', ...extra });
  const { url } = await sim.start(0);
  return { sim, url };
}

/** Calls a REST method with the current access token (or `auth` given). */
export function rest(sim: BitrixPortalSimulator, method: string, params: Record<string, unknown> = {}, auth?: string) {
  return postJson(`${sim.url()}/rest/${method}.json`, { ...params, auth: auth ?? sim.currentTokens().accessToken });
}

/** A valid robot registration. */
export function robotFields(code: string, handler: string): Record<string, unknown> {
  return {
    CODE: code,
    HANDLER: handler,
    NAME: { ru: 'Отправить', en: 'Send' },
    USE_SUBSCRIPTION: 'Y',
    PROPERTIES: {
      text: { Name: 'Text', Type: 'string', Required: 'Y' },
      tags: { Name: 'Tags', Type: 'string', Multiple: 'Y' },
    },
    RETURN_PROPERTIES: { answer: { Name: 'Answer', Type: 'string' } },
  };
}
