import type { CallParams, PortalClient } from '../bitrix/portal-client';
import type { Logger } from '../lib/logger';
import type { OpenLineOutbox } from '../store/open-line-outbox';

/** The chat's lease ran out and another dispatcher took it: this one must not send its items. */
export class LeaseLostError extends Error {
  constructor(chatKey: string) {
    super(`open-line chat ${chatKey}: lease lost`);
  }
}

/**
 * Keeps a claimed chat's lease while its group is being sent: renewed every leaseMs/3 (a REST
 * token wait or a slow portal can outlast the lease) and checked before each portal call; a lost
 * lease stops the sending (another dispatcher has the chat) instead of sending its items twice.
 */
export function holdChatLease(
  deps: { outbox: Pick<OpenLineOutbox, 'extend'>; log: Logger; leaseMs: number },
  memberId: string,
  chatKey: string,
  token: string,
) {
  const { outbox, log, leaseMs } = deps;
  let lost = false;
  let renewing: Promise<unknown> = Promise.resolve();
  const renew = async (): Promise<void> => {
    if (lost) return;
    if (!(await outbox.extend(memberId, chatKey, token, leaseMs))) lost = true;
  };
  const timer = setInterval(() => {
    renewing = renew().catch((error: unknown) => log.warn({ memberId, chatKey, err: error }, 'chat lease not renewed'));
  }, leaseMs / 3);
  return {
    /** The portal client whose every call first makes sure the lease is still this dispatcher's. */
    guard(client: PortalClient): Pick<PortalClient, 'call' | 'memberId'> {
      return {
        memberId: client.memberId,
        async call<T>(method: string, params?: CallParams): Promise<T> {
          await renew();
          if (lost) throw new LeaseLostError(chatKey);
          return client.call<T>(method, params);
        },
      };
    },
    async release(): Promise<void> {
      clearInterval(timer);
      await renewing;
    },
  };
}
