import { type AddressPolicy, createAddressPolicy, type LookupAll } from '../lib/address-policy';
import type { GuardedNodeAgents, OutboundAgent } from '../lib/connect-guard';
import { OutboundPools } from '../lib/outbound-pools';
import { SEND_POOL_OPTIONS } from '../providers/provider-http';

export interface OutboundConnectionsOptions {
  allowPrivate: boolean;
  /** Whether the pools apply the address policy again when connecting (RuntimeOptions.guardConnections). */
  guarded: boolean;
  resolve: LookupAll | undefined;
}

/** The address policy and the pools that apply it when connecting, all owned by the runtime's `pools`. */
export interface OutboundConnections {
  pools: OutboundPools;
  portalPools: {
    /** The portals' guarded pools (`batch`'s, the SDK's axios'): undefined when unguarded. */
    guard: { dispatcher: OutboundAgent; nodeAgents: GuardedNodeAgents } | undefined;
    /** The portals' `batch` posts' pool, guarded or not (guard.dispatcher when guarded). */
    batchPool: OutboundAgent;
  };
  /** The Cloud API sends' pool: WA_GRAPH_URL is configuration, so never guarded. */
  sendPool: OutboundAgent;
  addresses: AddressPolicy;
}

/**
 * The same policy again when connecting (DNS rebinding): pools for the addresses it checks, unless
 * ALLOW_PRIVATE_ADDRESSES (simulators, demo, bench: then plain pools, nothing looked up).
 * `batch` keeps its 64 connections per portal; files, hooks, Green-API keep the global pool's shape.
 *
 * What `pools` closes: the `batch` and Cloud API send pools always; guarded, also the SDK's Node
 * agents and the address policy's pool (files, event deliveries, a tenant-named Green-API host).
 * Not pools of the runtime's, so not closed: the global `fetch`'s (OAuth refresh, Cloud API calls
 * other than sends, GupShup, Green-API's default and CLI-set hosts; unguarded also files and event
 * deliveries) and, unguarded, Node's globalAgent, which the SDK's axios then uses.
 */
export function createOutboundConnections(options: OutboundConnectionsOptions): OutboundConnections {
  const { guarded, resolve } = options;
  const pools = new OutboundPools();
  const batchPool = pools.undici({ allowPrivate: !guarded, resolve, connections: 64 });
  const sendPool = pools.undici({ allowPrivate: true, ...SEND_POOL_OPTIONS });
  const guard = guarded ? { dispatcher: batchPool, nodeAgents: pools.node(resolve) } : undefined;
  /** Every address the app is asked to call (install's portal, robots' file URLs, event subscribers); B24_OAUTH_URL is config, not asked. */
  const addresses = createAddressPolicy({
    allowPrivate: options.allowPrivate,
    dispatcher: guarded ? pools.undici({ allowPrivate: false, resolve, keepAliveTimeout: 4_000 }) : undefined,
  });
  return { pools, portalPools: { guard, batchPool }, sendPool, addresses };
}
