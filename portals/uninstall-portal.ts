import type { Logger } from '../lib/logger';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../redis/keys';
import type { ApiTokenStore } from '../store/api-token-store';
import { forgetPortalData } from '../store/forget-portal';
import type { LineStore } from '../store/line-store';
import type { PortalStore } from '../store/portal-store';

export interface UninstallPortalDeps {
  redis: RedisClient;
  keys: RedisKeys;
  portals: Pick<PortalStore, 'remove'>;
  lines: Pick<LineStore, 'removeAll'>;
  /** Webhook-API tokens: their global lookup keys go with them. */
  apiTokens: Pick<ApiTokenStore, 'removeAll'>;
  log: Logger;
}

/** ONAPPUNINSTALL: tokens, lines, waits, callbacks and messages of the portal are forgotten. */
export async function uninstallPortal(deps: UninstallPortalDeps, memberId: string): Promise<void> {
  await deps.lines.removeAll(memberId);
  await deps.apiTokens.removeAll(memberId);
  await deps.portals.remove(memberId);
  const removed = await forgetPortalData(deps.redis, deps.keys, memberId);
  deps.log.info({ memberId, removed }, 'portal uninstalled: tokens, lines, waits and callbacks forgotten');
}
