import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Which peers may tell the app a client's address in X-Forwarded-For (Express' `trust proxy`): the
 * address the settings page's per-address window counts (and the logs show) is the nearest one in
 * the chain not sent by a trusted peer. Trusting every peer (`true`) lets any internet client name
 * its own address and slip its window, so the default trusts the peers a proxy of one's own
 * usually has: this host, a link-local or a private network (loopback 127/8, ::1; linklocal
 * 169.254/16, fe80::/10; uniquelocal 10/8, 172.16/12, 192.168/16, fc00::/7). Not safe everywhere:
 * a hop that rewrites the client's source address to a private one (Docker's userland proxy, a
 * Kubernetes NodePort service with `externalTrafficPolicy: Cluster`, some TCP balancers) hands the
 * client's own X-Forwarded-For to a trusted peer; there, name the proxy's exact address instead.
 * (Trusting only loopback would be safe there but would put every client of a proxy on a private
 * network into the proxy's one window: the lock-out the windows must not allow.)
 */
export const DEFAULT_TRUST_PROXY = 'loopback, linklocal, uniquelocal';

/** What Express takes for `trust proxy`: all or nothing, a hop count, or the trusted addresses and subnets. */
export type TrustProxy = boolean | number | string[];

/** proxy-addr's names for address ranges. */
const presets = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Why one comma-separated entry is not an address, a subnet (`addr/bits`) or a preset name; null when it is. */
function entryProblem(entry: string): string | null {
  if (presets.has(entry)) return null;
  const [address = '', bits, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined)
    return `"${entry}" is not an IP address, a subnet (addr/bits) or loopback, linklocal, uniquelocal`;
  if (bits === undefined) return null;
  const max = family === 4 ? 32 : 128;
  // proxy-addr also reads a dotted IPv4 netmask; prefix lengths alone are enough to say any subnet.
  // A /0 trusts every address (say `true` for that); Express refuses it at start-up anyway.
  if (!/^\d{1,3}$/.test(bits) || Number(bits) < 1 || Number(bits) > max)
    return `"${entry}": the prefix length must be 1–${max}`;
  return null;
}

/**
 * TRUST_PROXY: `true`/`false`, a hop count (`1`: trust the one proxy in front, whatever its
 * address), or a comma-separated list of addresses, subnets and preset names.
 */
export const trustProxySchema = z
  .string()
  .default(DEFAULT_TRUST_PROXY)
  .transform((value, ctx): TrustProxy => {
    const text = value.trim();
    if (text === 'true') return true;
    if (text === 'false') return false;
    if (/^\d+$/.test(text)) return Number(text);
    const entries = text
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    if (entries.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'empty: say false to trust no proxy' });
      return z.NEVER;
    }
    for (const entry of entries) {
      const problem = entryProblem(entry);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
    }
    return entries;
  });
