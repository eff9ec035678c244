/**
 * REDIS_URL, read once: a single Redis (`redis://`, `rediss://`, handed to ioredis as is) or a
 * Redis Cluster, `redis+cluster://[user:password@]host:port,host:port,…` (`rediss+cluster://` for
 * TLS) — any reachable masters; the client discovers the rest of the cluster from them.
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'cluster';
      nodes: Array<{ host: string; port: number }>;
      username?: string;
      password?: string;
      tls: boolean;
    };

const clusterScheme = /^(rediss?)\+cluster:\/\/(.*)$/;

/** Parses REDIS_URL; throws an Error whose message says what is wrong with it. */
export function parseRedisUrl(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) return { kind: 'single', url };
  const match = clusterScheme.exec(url);
  if (!match) throw new Error('must start with redis://, rediss://, redis+cluster:// or rediss+cluster://');
  const [, scheme, rest = ''] = match;
  const at = rest.lastIndexOf('@');
  const credentials = at >= 0 ? rest.slice(0, at) : '';
  const hostList = (at >= 0 ? rest.slice(at + 1) : rest).replace(/\/+$/, '');
  if (hostList.includes('/') || hostList.includes('?'))
    throw new Error('a cluster URL takes no database or options: redis+cluster://host:port,host:port');
  const nodes = hostList.split(',').map((entry) => {
    const node = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(entry.trim());
    const port = Number(node?.[2]);
    if (!node?.[1] || !Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`cluster node "${entry}" is not host:port`);
    return { host: node[1].replace(/^\[|\]$/g, ''), port };
  });
  const colon = credentials.indexOf(':');
  const username = decodeURIComponent(colon >= 0 ? credentials.slice(0, colon) : credentials);
  const password = colon >= 0 ? decodeURIComponent(credentials.slice(colon + 1)) : '';
  return {
    kind: 'cluster',
    nodes,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    tls: scheme === 'rediss',
  };
}

/** True when the BullMQ prefix has a non-empty `{…}` hash tag: every queue key then lives in one slot. */
export function hasHashTag(prefix: string): boolean {
  // As Redis reads a key: the first `{`, the first `}` after it, something in between.
  const open = prefix.indexOf('{');
  return open >= 0 && prefix.indexOf('}', open + 1) > open + 1;
}

/**
 * The BullMQ prefix when QUEUE_PREFIX is not set. Single Redis keeps `bull`, the prefix every
 * deployment so far has its jobs under (changing it strands them); a cluster gets `{bull}`: BullMQ's
 * scripts touch several keys of a queue at once, which Redis Cluster allows only within one slot.
 */
export function defaultQueuePrefix(target: RedisTarget): string {
  return target.kind === 'cluster' ? '{bull}' : 'bull';
}
