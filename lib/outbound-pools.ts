import type { Agent as HttpAgent } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LookupAll } from './address-policy';
import {
  createGuardedNodeAgents,
  createOutboundAgent,
  type GuardedNodeAgents,
  type OutboundAgent,
  type OutboundAgentOptions,
} from './connect-guard';

/**
 * How long a close waits for requests still running before it cuts them. Pools close after the
 * workers have stopped (a BullMQ worker's close waits for its jobs) and the web server has answered
 * its calls, so what still runs is a request nobody waits for: 10 s, as the web server's stop.
 */
export const POOL_CLOSE_GRACE_MS = 10_000;

/**
 * How long a close still waits for a pool it cut. undici does not always end its close after the
 * cut: a pool with requests queued for a free connection parks the close until a drain that never
 * comes (PoolBase's destroy fails the queue but never resolves the parked close). So that wait is
 * bounded: its sockets are destroyed by then, only undici's bookkeeping may still be pending.
 */
export const POOL_CUT_SETTLE_MS = 1_000;

/** How a pool's close ended: every request finished, or some were cut at the grace's end. */
export type PoolCloseOutcome = 'closed' | 'cut';

/**
 * Every connection pool a runtime builds, closed together at its shutdown. Idle keep-alive sockets
 * are unref'd (a process exits past them), but a stopping process should still say goodbye to the
 * servers rather than leave them a half-open socket, and a closed pool refuses new requests with a
 * retryable PoolClosedError instead of opening a connection nobody will close.
 */
export class OutboundPools {
  /** undici's pools (fetch, `batch` posts, providers' named hosts). */
  readonly agents: OutboundAgent[] = [];
  /** Node's (the SDK's axios). */
  readonly nodeAgents: HttpAgent[] = [];
  private closing: Promise<PoolCloseOutcome[]> | undefined;

  constructor(private readonly graceMs = POOL_CLOSE_GRACE_MS) {}

  /** True from the first `close()` on. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** A guarded (or, with allowPrivate, plain) undici pool, closed with the others. */
  undici(options: OutboundAgentOptions): OutboundAgent {
    this.assertOpen();
    const agent = createOutboundAgent(options);
    this.agents.push(agent);
    return agent;
  }

  /** Guarded Node agents, closed with the others. */
  node(resolve?: LookupAll): GuardedNodeAgents {
    this.assertOpen();
    const agents = createGuardedNodeAgents(resolve, () => this.closed);
    this.nodeAgents.push(agents.httpAgent, agents.httpsAgent);
    return agents;
  }

  /**
   * Closes every pool: new requests fail at once, running ones finish (cut after the grace: `graceMs`,
   * default the constructor's). A second call waits for the same close (its `graceMs` is ignored).
   * Resolves to how many pools had requests cut; it ends at most POOL_CUT_SETTLE_MS after the grace.
   */
  async close(graceMs = this.graceMs): Promise<number> {
    this.closing ??= Promise.all([
      ...this.agents.map((agent) => closeUndiciAgent(agent, graceMs)),
      ...this.nodeAgents.map((agent) => closeNodeAgent(agent, graceMs)),
    ]);
    const outcomes = await this.closing;
    return outcomes.filter((outcome) => outcome === 'cut').length;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the outbound pools are closed: a new pool would never be');
  }
}

/** Resolves `'cut'` after `ms`, unless `done` settles first; the timer is cleared either way. */
async function within(done: Promise<unknown>, ms: number): Promise<PoolCloseOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<'cut'>((resolve) => {
    timer = setTimeout(() => resolve('cut'), ms);
  });
  try {
    return await Promise.race([done.then(() => 'closed' as const), cut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * undici's close refuses new requests and waits for the dispatched ones; past the grace they are
 * cut, and the close is waited for POOL_CUT_SETTLE_MS at most (it may never end: see there).
 */
async function closeUndiciAgent(agent: OutboundAgent, graceMs: number): Promise<PoolCloseOutcome> {
  const closed = agent.close();
  const outcome = await within(closed, graceMs);
  if (outcome === 'closed') return outcome;
  // A close that never ends must not reject unhandled either.
  closed.catch(() => undefined);
  await within(agent.cut(), POOL_CUT_SETTLE_MS);
  await within(closed, POOL_CUT_SETTLE_MS);
  return outcome;
}

/** Every socket of one of an Agent's per-host maps (`sockets`, `freeSockets`). */
function socketsOf(byHost: NodeJS.ReadOnlyDict<Duplex[]>): Duplex[] {
  return Object.values(byHost).flatMap((sockets) => sockets ?? []);
}

/**
 * Running requests are let finish rather than cut at once: a REST call cut after it left may have
 * been carried out by the portal with the app never reading the answer (a chat message or a callback
 * then sent twice on the retry). Node's Agent#destroy would cut them too, so: idle sockets are
 * destroyed now; a running request keeps its socket until its answer is read, then the agent, closed,
 * does not keep it (createGuardedNodeAgents) and destroys it; past the grace the rest are destroyed.
 * Done when every socket has closed (the agent forgets a socket on its `close`).
 */
async function closeNodeAgent(agent: HttpAgent, graceMs: number): Promise<PoolCloseOutcome> {
  const idle = socketsOf(agent.freeSockets);
  const running = socketsOf(agent.sockets);
  const closedAll = Promise.all(
    [...idle, ...running].map(
      (socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve()))),
    ),
  );
  for (const socket of idle) socket.destroy();
  const outcome = await within(closedAll, graceMs);
  if (outcome === 'cut') {
    for (const socket of running) socket.destroy();
    await closedAll;
  }
  return outcome;
}
