import { type AddressPolicy, createAddressPolicy, type LookupAll } from '../lib/address-policy';
import type { GuardedNodeAgents, OutboundAgent } from '../lib/connect-guard';
import { OutboundPools } from '../lib/outbound-pools';

export interface OutboundConnectionsOptions {
  allowPrivate: boolean;
  /** Whether the pools apply the address policy again when connecting (RuntimeOptions.guardConnections). */
  guarded: boolean;
  resolve: LookupAll | undefined;
}

/** The address policy and the pools that apply it when connecting, all owned by the runtime's `pools`. */
export interface OutboundConnections {
  pools: OutboundPools;
  /** The portals' pools (`batch`'s, the SDK's axios'): undefined when unguarded (the default pools). */
  guard: { dispatcher: OutboundAgent; nodeAgents: GuardedNodeAgents } | undefined;
  addresses: AddressPolicy;
}

/**
 * The same policy again when connecting (DNS rebinding): pools for the addresses it checks, unless
 * ALLOW_PRIVATE_ADDRESSES (simulators, demo, bench: then the default pools, nothing looked up).
 * `batch` keeps its 64 connections per portal; files, hooks, Green-API keep the global pool's shape.
 */
export function createOutboundConnections(options: OutboundConnectionsOptions): OutboundConnections {
  const { guarded, resolve } = options;
  const pools = new OutboundPools();
  const guard = guarded
    ? {
        dispatcher: pools.undici({ allowPrivate: false, resolve, connections: 64 }),
        nodeAgents: pools.node(resolve),
      }
    : undefined;
  /** Every address the app is asked to call (install's portal, robots' file URLs, event subscribers); B24_OAUTH_URL is config, not asked. */
  const addresses = createAddressPolicy({
    allowPrivate: options.allowPrivate,
    dispatcher: guarded ? pools.undici({ allowPrivate: false, resolve, keepAliveTimeout: 4_000 }) : undefined,
  });
  return { pools, guard, addresses };
}
