import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP, type LookupFunction, type NetConnectOpts } from 'node:net';
import type { Duplex } from 'node:stream';
import { Agent, buildConnector, type Dispatcher, Pool, fetch as undiciFetch } from 'undici';
import { isNonPublicAddress, type LookupAll, systemLookup } from './address-policy';
import { AppError } from './errors/app-error';

/**
 * The address policy at connect time. `AddressPolicy.refusal` checks a URL before a request, but
 * the request resolves the name again: a name answering a public address to the check and
 * 127.0.0.1 to the connection (DNS rebinding, TTL 0) would reach internal services. The dispatchers
 * built here resolve the name once, in the socket's own lookup, and refuse when any answer is not
 * public, so the address checked is the address connected to. Literal IP hosts (a redirect's
 * Location included) skip every lookup in Node, so the connectors check them before connecting.
 */

/** A connection the address policy refused: not retryable for a queue job; the callback and open-line dispatchers try again slowly (workers/portal-address-refusal.ts). */
export class AddressRefusedError extends AppError {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    const what = host === address ? host : `${host} resolves to ${address}`;
    super('address_refused', `not connected: ${what}, a private, loopback or link-local address`, {
      retryable: false,
      kind: 'forbidden',
    });
  }
}

/**
 * A request on a pool its runtime has closed (the process is stopping): nothing was sent, and a
 * retry (the job's next attempt, in this or another process) can succeed.
 */
export class PoolClosedError extends AppError {
  constructor(readonly pool: string) {
    super('pool_closed', `not sent: the ${pool} connection pool is closed (the process is stopping)`, {
      retryable: true,
      kind: 'unavailable',
    });
  }
}

/** The `type` error an error is or carries in its first causes (fetch and axios wrap it), if any. */
function causeOfType<T extends Error>(error: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof type) return current;
    current = current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

/** The PoolClosedError an error is or carries as its cause (fetch and axios wrap it), if any. */
export function poolClosedIn(error: unknown): PoolClosedError | undefined {
  return causeOfType(error, PoolClosedError);
}

/** The AddressRefusedError an error is or carries as its cause (fetch and axios wrap it), if any. */
export function addressRefusalIn(error: unknown): AddressRefusedError | undefined {
  return causeOfType(error, AddressRefusedError);
}

/** The refusal for the first non-public address of `addresses`; undefined when all are public (or none: the lookup answers ENOTFOUND itself). */
function refusalOf(host: string, addresses: string[]): AddressRefusedError | undefined {
  const bad = addresses.find(isNonPublicAddress);
  return bad === undefined ? undefined : new AddressRefusedError(host, bad);
}

/**
 * A `net.connect` lookup that resolves with `resolve` (the system resolver by default) and fails
 * with an AddressRefusedError when any answer is not public: every answer counts, as a name with a
 * public and a private address could be connected to either. A resolver error is passed on as is
 * (its `code`, ENOTFOUND…, is what callers already read).
 */
export function guardedLookup(resolve: LookupAll = systemLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (answers) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const addresses = family === 0 ? answers : answers.filter((address) => isIP(address) === family);
        const refused = refusalOf(hostname, addresses);
        if (refused) return callback(refused, '', 0);
        const [first] = addresses;
        if (first === undefined) {
          const missing = Object.assign(new Error(`${hostname} does not resolve`), { code: 'ENOTFOUND', hostname });
          return callback(missing, '', 0);
        }
        if (options.all)
          callback(
            null,
            addresses.map((address) => ({ address, family: isIP(address) })),
          );
        else callback(null, first, isIP(first));
      },
      (error: unknown) =>
        callback(error instanceof Error ? error : new Error(`cannot resolve ${hostname}: ${String(error)}`), '', 0),
    );
  };
}

/** A literal IP host (IPv6 without brackets, as Node and undici hand it) the policy refuses. */
function literalRefusal(host: string | undefined | null): AddressRefusedError | undefined {
  if (!host) return undefined;
  const bare = host.replace(/^\[|\]$/g, '');
  return isIP(bare) !== 0 && isNonPublicAddress(bare) ? new AddressRefusedError(bare, bare) : undefined;
}

/** An undici connector that refuses non-public literal hosts and resolves names through guardedLookup. */
function guardedConnector(resolve: LookupAll): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(resolve) });
  return (target, callback) => {
    const refused = literalRefusal(target.hostname);
    if (refused) {
      // undici expects the callback after connect returns, as a socket's error would come.
      queueMicrotask(() => callback(refused, null));
      return;
    }
    return connect(target, callback);
  };
}

export interface OutboundAgentOptions {
  /** ALLOW_PRIVATE_ADDRESSES: a plain Agent, nothing looked up or checked beyond what undici does. */
  allowPrivate: boolean;
  /** The resolver (default: the system's, as refusal() uses); tests inject one to simulate rebinding. */
  resolve?: LookupAll;
  keepAliveTimeout?: number;
  connections?: number;
}

/**
 * An undici Agent that, once closed, fails a new request with a PoolClosedError: undici's own
 * ClientClosedError ("The client is closed") would read as a network failure that may have sent
 * the request. Requests already dispatched run on: `close()` waits for them; `cut()` ends them.
 */
export class OutboundAgent extends Agent {
  /** Its per-origin pools: Agent#close forgets them at once, so a destroy after it would reach none. */
  private readonly pools: Set<Pool>;

  constructor(options: Agent.Options) {
    const pools = new Set<Pool>();
    super({ ...options, factory: (origin, poolOptions) => trackedPool(pools, origin, poolOptions) });
    this.pools = pools;
  }

  override dispatch(options: Agent.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    // A handler of undici's newer API (no onError) gets undici's own ClientClosedError the usual way.
    if ((!this.closed && !this.destroyed) || typeof handler.onError !== 'function')
      return super.dispatch(options, handler);
    handler.onError(new PoolClosedError('outbound'));
    return false;
  }

  /** Ends the requests still running (they fail with undici's ClientDestroyedError), closing or not. */
  async cut(): Promise<void> {
    await Promise.all([...this.pools].map((pool) => pool.destroy()));
    await this.destroy();
  }
}

/** A Pool for `origin` (undici's default factory, which keeps Client for `connections: 1`, no caller here uses), tracked in `pools`. */
function trackedPool(pools: Set<Pool>, origin: string | URL, options: object): Pool {
  // The Agent closes an origin's pool once its last connection goes: those are dropped as new ones come.
  for (const pool of pools) if (pool.closed || pool.destroyed) pools.delete(pool);
  // Cast: undici types the factory's options as a bare object; they are the Agent's Pool options.
  const pool = new Pool(origin, options as Pool.Options);
  pools.add(pool);
  return pool;
}

/**
 * The undici Agent for addresses a portal, a portal user or an API caller can name. Keep-alive
 * sockets are reused: the guard costs a lookup per new connection only.
 */
export function createOutboundAgent(options: OutboundAgentOptions): OutboundAgent {
  const pool = {
    keepAliveTimeout: options.keepAliveTimeout ?? 30_000,
    ...(options.connections === undefined ? {} : { connections: options.connections }),
  };
  if (options.allowPrivate) return new OutboundAgent(pool);
  return new OutboundAgent({ ...pool, connect: guardedConnector(options.resolve ?? systemLookup) });
}

/** Node's http(s) agents for clients that take them (axios, so b24jssdk's REST calls). */
export interface GuardedNodeAgents {
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
}

/**
 * The same guard for Node's http and https agents: each new socket resolves through guardedLookup,
 * a literal non-public host is refused before connecting (axios follows redirects with these agents).
 * Once `closed()` is true (lib/outbound-pools.ts) a new socket fails with a PoolClosedError.
 */
export function createGuardedNodeAgents(
  resolve: LookupAll = systemLookup,
  closed: () => boolean = () => false,
): GuardedNodeAgents {
  const lookup = guardedLookup(resolve);
  type Connect = (
    options: NetConnectOpts,
    callback: (error: Error | null, socket?: Duplex) => void,
  ) => Duplex | undefined;
  const guard =
    (create: Connect): Connect =>
    (options, callback) => {
      if (closed()) return void callback(new PoolClosedError('portal REST'));
      const refused = literalRefusal('host' in options ? options.host : undefined);
      // No socket returned and the callback given the error: Node fails the request with it (Agent#createSocket).
      if (refused) return void callback(refused);
      return create({ ...options, lookup }, callback);
    };
  // As Node's globalAgent, which the SDK used before: idle sockets closed after 5 s and the most
  // recent reused first, so a socket the portal is about to close is seldom picked (ECONNRESET).
  const pool = { keepAlive: true, timeout: 5_000, scheduling: 'lifo' as const };
  const httpAgent = new HttpAgent(pool);
  const httpsAgent = new HttpsAgent(pool);
  // Agent#createConnection is the one hook Node gives before the socket exists; `lookup` is the socket's own.
  // Casts: @types/node declares createConnection without the callback form Agent#createSocket uses.
  httpAgent.createConnection = guard(httpAgent.createConnection.bind(httpAgent) as Connect);
  httpsAgent.createConnection = guard(httpsAgent.createConnection.bind(httpsAgent) as Connect);
  // Once closed, a socket whose request ends is not kept for reuse: Node destroys it (Agent#keepSocketAlive).
  for (const agent of [httpAgent, httpsAgent]) {
    const keep = agent.keepSocketAlive.bind(agent);
    agent.keepSocketAlive = (socket) => !closed() && keep(socket);
  }
  return { httpAgent, httpsAgent };
}

/**
 * `fetch` through `dispatcher`, or the global fetch without one. With a pool it is undici's own
 * fetch, of the pool's version and module: Node's bundled fetch rebuilds an error it does not
 * recognise as an Error (another realm, e.g. a test VM) as `new Error(String(error))`, and the
 * refusal would reach callers as a bare "fetch failed".
 */
export function fetchThrough(
  dispatcher: Dispatcher | undefined,
  url: string | URL,
  init: FetchInit,
): Promise<Response> {
  if (dispatcher === undefined) return fetch(url, init);
  // Cast: undici's Response is the class behind Node's global one; only its types lag the DOM lib's (iterators' Symbol.dispose).
  return undiciFetch(url, { ...init, dispatcher }) as unknown as Promise<Response>;
}

/** What the app's fetches pass: a subset both the global and undici's fetch type alike. */
export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  signal?: AbortSignal;
  redirect?: 'follow' | 'manual' | 'error';
}
