import { createPortalClientFactory, type PortalClientFactory } from '../../bitrix/portal-client';
import { createGuardedNodeAgents, createOutboundAgent } from '../../lib/connect-guard';
import type { PortalStore } from '../../store/portal-store';
import type { Harness } from './harness';

/**
 * The harness portal's clients as production builds them (the connect-time guard on), its address
 * `portal.test` resolved by the test's resolver: while `answer()` is a private address every call
 * is refused by the guard itself (nothing connected). A public answer cannot reach the simulator
 * on 127.0.0.1, so once `answer()` is undefined the name "answers public" and the calls go to the
 * simulator through the harness's own clients: what the guarded pool does after the flip.
 */
export function rebindingPortalClients(
  h: Harness,
  answer: () => string | undefined,
): { bitrix: PortalClientFactory; close(): Promise<void> } {
  const resolve = async () => [answer() ?? '127.0.0.1'];
  const dispatcher = createOutboundAgent({ allowPrivate: false, resolve });
  // The stored portal as a name (the install's check found public), not the simulator's literal IP.
  const portals = new Proxy(h.rt.portals, {
    get(target, name, receiver) {
      if (name !== 'get') return Reflect.get(target, name, receiver);
      return async (memberId: string) => {
        const portal = await target.get(memberId);
        if (!portal) return portal;
        const endpoint = new URL(portal.clientEndpoint);
        endpoint.hostname = 'portal.test';
        return { ...portal, clientEndpoint: endpoint.toString() };
      };
    },
  }) satisfies PortalStore;
  const nodeAgents = createGuardedNodeAgents(resolve);
  const { config } = h.rt;
  const guarded = createPortalClientFactory({
    ...h.rt,
    portals,
    clientId: config.B24_CLIENT_ID,
    clientSecret: config.B24_CLIENT_SECRET,
    defaultDrainPerSec: config.B24_REST_DRAIN_PER_SEC,
    defaultBurst: config.B24_REST_BURST,
    appCode: config.B24_APP_CODE ?? config.B24_CLIENT_ID,
    guard: { dispatcher, nodeAgents },
  });
  const bitrix = Object.assign((memberId: string) => (answer() ? guarded(memberId) : h.rt.bitrix(memberId)), {
    probe: h.rt.bitrix.probe,
  });
  const close = async () => {
    nodeAgents.httpAgent.destroy();
    nodeAgents.httpsAgent.destroy();
    await dispatcher.close();
  };
  return { bitrix, close };
}
