import { isIPv4, isIPv6 } from 'node:net';

/** An IPv6 address' eight groups as numbers (the zone and an embedded IPv4 tail read too). */
function groupsOf(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    // The regex has exactly four groups, so the slice has four numbers.
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const zeros = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => Number.parseInt(group, 16));
}

/**
 * The network a client address stands for in the settings page's windows: an IPv4 address itself
 * (an IPv4-mapped IPv6 one too: a dual-stack socket reports `::ffff:a.b.c.d`), an IPv6 one's /64.
 * One host is given a whole /64 and may pick any address in it (privacy addresses change daily):
 * counted per address, it would slip the per-address window at will, and a signed-in admin's
 * device would lose its known mark with each new address.
 */
export function clientNetworkOf(address: string): string {
  // A proxy may write the client's port too (`a.b.c.d:port`, `[v6]:port`): each port would be a new client.
  const bare =
    /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(address)?.[1] ?? /^\[([^\]]+)\](?::\d+)?$/.exec(address)?.[1] ?? address;
  if (isIPv4(bare) || !isIPv6(bare)) return bare;
  const groups = groupsOf(bare);
  // IPv4-mapped, however spelt (`::ffff:a.b.c.d`, `0:0:0:0:0:ffff:…`, the hex form): the IPv4 address.
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
