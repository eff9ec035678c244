import type { RequestHandler } from 'express';
import type { Logger } from '../../lib/logger';

/** Peers already warned about (bounded: a flood of peers must not grow it without end). */
const MAX_PEERS_NOTED = 1000;

/**
 * Warns once per peer that sends X-Forwarded-For without being trusted (TRUST_PROXY): its clients'
 * own addresses are then unknown to the app, so they all share the peer's one per-address window
 * of the settings page's sign-in. Behind a proxy on a public address, or a hop that rewrites the
 * source address, that is a set-up to fix (name the proxy in TRUST_PROXY), and nothing else says so.
 */
export function warnUntrustedForwardedFor(log: Logger): RequestHandler {
  const noted = new Set<string>();
  return (req, _res, next) => {
    const peer = req.socket.remoteAddress;
    if (peer && req.headers['x-forwarded-for'] !== undefined && !noted.has(peer)) {
      // Express' compiled TRUST_PROXY (proxy-addr): whether this peer's X-Forwarded-For is believed.
      const trusts: unknown = req.app.get('trust proxy fn');
      if (typeof trusts === 'function' && trusts(peer, 0) !== true) {
        if (noted.size >= MAX_PEERS_NOTED) noted.clear();
        noted.add(peer);
        log.warn(
          { peer },
          'X-Forwarded-For from a peer TRUST_PROXY does not trust: ignored (its clients share its address; name the proxy in TRUST_PROXY if it is yours)',
        );
      }
    }
    next();
  };
}
