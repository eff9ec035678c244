import type { Logger } from '../lib/logger';
import type { OutboundPools } from '../lib/outbound-pools';

export interface RuntimeCloseOptions {
  /**
   * How long the pools let requests still running finish before cutting them (default:
   * POOL_CLOSE_GRACE_MS): what is left of the process's shutdown budget, so a web process's stop and
   * its pools' grace fit in one budget rather than one after the other.
   */
  poolGraceMs?: number;
}

/**
 * The runtime's `close()`: its queues, then its pools. The pools close even when the queues' close
 * fails (Redis down at shutdown); its error still comes out. The first call does the work; later
 * ones get the same promise (and log nothing again).
 */
export function runtimeCloser(deps: {
  queues: { close(): Promise<void> };
  pools: OutboundPools;
  log: Pick<Logger, 'warn'>;
}): (options?: RuntimeCloseOptions) => Promise<void> {
  let closing: Promise<void> | undefined;
  const closeOnce = async (options: RuntimeCloseOptions): Promise<void> => {
    try {
      await deps.queues.close();
    } finally {
      const cut = await deps.pools.close(options.poolGraceMs);
      if (cut > 0) deps.log.warn({ pools: cut }, 'connection pools closed with requests still running');
    }
  };
  return (options = {}) => {
    closing ??= closeOnce(options);
    return closing;
  };
}
