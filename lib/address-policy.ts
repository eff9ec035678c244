import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Dispatcher } from 'undici';
import { AppError } from './errors/app-error';

/** Resolves a host name to every address it has (injectable: unit tests do no DNS). */
export type LookupAll = (host: string) => Promise<string[]>;

/** Which addresses the app may be asked to call (portals, file URLs handed to providers). */
export interface AddressPolicy {
  /**
   * Why the app must not call `url` — not http(s), or a host that is (or resolves to) a loopback,
   * private, link-local… address — or undefined when it may. A DNS failure other than "no such
   * host" throws a retryable error: a later try can tell.
   */
  refusal(url: string): Promise<string | undefined>;
  /**
   * The connection pool that applies the policy again when connecting (lib/connect-guard.ts: a name
   * may answer the check one address and the connection another); undefined: the default pool
   * (ALLOW_PRIVATE_ADDRESSES). Required, so a module taking the policy cannot leave it out.
   */
  readonly dispatcher: Dispatcher | undefined;
}

export interface AddressPolicyOptions {
  /** ALLOW_PRIVATE_ADDRESSES: local simulators, a portal on the LAN (nothing is looked up then). */
  allowPrivate: boolean;
  lookup?: LookupAll;
  /** The guarded pool requests to these addresses go through (composed by the runtime; default none). */
  dispatcher?: Dispatcher;
}

/** Every address the system resolver (getaddrinfo, as sockets use) gives for `host`. */
export const systemLookup: LookupAll = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

// [network, prefix length] of the IPv4 ranges that are not the public internet.
const blockedV4: Array<[string, number]> = [
  ['0.0.0.0', 8], // "this network", 0.0.0.0 included (reaches the local host on Linux)
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1): never routed on the internet, so a local network's if used
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function blockedIPv4(ip: string): boolean {
  const value = v4ToInt(ip);
  return blockedV4.some(([base, bits]) => {
    const size = 2 ** (32 - bits);
    return Math.floor(value / size) === Math.floor(v4ToInt(base) / size);
  });
}

/** The 8 hextets of an IPv6 address (`::` expanded, a dotted IPv4 tail converted). */
function hextets(ip: string): number[] {
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const v = v4ToInt(dotted);
    text = `${text.slice(0, -dotted.length)}${Math.floor(v / 65536).toString(16)}:${(v % 65536).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((h) => Number.parseInt(h, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function blockedIPv6(ip: string): boolean {
  const h = hextets(ip.replace(/%.*$/, ''));
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, last = 0] = h;
  const embeddedV4 = `${g >> 8}.${g & 255}.${last >> 8}.${last & 255}`;
  const zeroHead = a === 0 && b === 0 && c === 0 && d === 0 && e === 0;
  if (zeroHead && f === 0 && g === 0 && last <= 1) return true; // :: unspecified, ::1 loopback
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d): judge the IPv4 inside.
  if (zeroHead && (f === 0xffff || f === 0)) return blockedIPv4(embeddedV4);
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) return blockedIPv4(embeddedV4);
  // SIIT IPv4-translated (::ffff:0:a.b.c.d): the IPv4 inside again.
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0xffff && f === 0) return blockedIPv4(embeddedV4);
  // Local-use NAT64 (64:ff9b:1::/48, RFC 8215): the operator's own translator, whose prefix length
  // (so where the IPv4 sits) is not known here; it may reach any IPv4, private ones included.
  if (a === 0x64 && b === 0xff9b && c === 1) return true;
  // 6to4 (2002:AABB:CCDD::/48 carries the IPv4 AA.BB.CC.DD): judge that IPv4.
  if (a === 0x2002) return blockedIPv4(`${b >> 8}.${b & 255}.${c >> 8}.${c & 255}`);
  // Teredo (2001:0:SSSS:SSSS:flags:port:CCCC:CCCC): the server's IPv4, and the client's stored
  // inverted; either not public means the address leads into a private network.
  if (a === 0x2001 && b === 0) {
    const client = `${(g >> 8) ^ 255}.${(g & 255) ^ 255}.${(last >> 8) ^ 255}.${(last & 255) ^ 255}`;
    return blockedIPv4(`${c >> 8}.${c & 255}.${d >> 8}.${d & 255}`) || blockedIPv4(client);
  }
  if (a === 0x2001 && b === 0xdb8) return true; // documentation 2001:db8::/32
  if (a === 0x3fff && b < 0x1000) return true; // documentation 3fff::/20 (RFC 9637)
  if (a === 0x2001 && b === 2 && c === 0) return true; // benchmarking 2001:2::/48
  if (a === 0x100 && b === 0 && c === 0 && d === 0) return true; // discard-only 100::/64
  if ((a & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((a & 0xffc0) === 0xfe80 || (a & 0xffc0) === 0xfec0) return true; // link-local, old site-local
  return (a & 0xff00) === 0xff00; // multicast
}

/** True when `ip` (a literal IPv4 or IPv6 address) is loopback, private, link-local or otherwise not public. */
export function isNonPublicAddress(ip: string): boolean {
  const family = isIP(ip.replace(/%.*$/, ''));
  if (family === 4) return blockedIPv4(ip);
  if (family === 6) return blockedIPv6(ip);
  return true;
}

const dnsNotFound = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA']);

/** The app's address policy; with `allowPrivate` every http(s) URL passes and nothing is looked up. */
export function createAddressPolicy(options: AddressPolicyOptions): AddressPolicy {
  const lookup = options.lookup ?? systemLookup;
  return {
    dispatcher: options.dispatcher,
    async refusal(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return 'not a URL';
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'not an http(s) URL';
      if (options.allowPrivate) return undefined;
      // WHATWG URL has already turned 2130706433, 0x7f.1 and friends into dotted IPv4.
      const host = parsed.hostname.replace(/^\[|\]$/g, '');
      let addresses: string[];
      if (isIP(host)) addresses = [host];
      else {
        try {
          addresses = await lookup(host);
        } catch (error) {
          const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : '';
          if (dnsNotFound.has(code)) return `${host} does not resolve`;
          throw new AppError('dns_unavailable', `cannot resolve ${host} now`, { retryable: true, cause: error });
        }
      }
      // Every address counts: a name with one public and one private address could be pointed at either.
      if (addresses.length === 0) return `${host} does not resolve`;
      const bad = addresses.find(isNonPublicAddress);
      return bad ? `${host} is a private, loopback or link-local address (${bad})` : undefined;
    },
  };
}
