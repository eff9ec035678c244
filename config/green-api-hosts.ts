/**
 * Green-API's own domains: its console hands out hosts under both (api.green-api.com,
 * 7103.api.greenapi.com; docs "Using GREEN-API hosts"). GREEN_API_HOSTS' default and the re-add
 * rule for instance hosts (cli/line-readd.ts) both follow this list.
 */
export const GREEN_API_DOMAINS: readonly string[] = ['green-api.com', 'greenapi.com'];

/** GREEN_API_HOSTS' default: any name under Green-API's domains. */
export const GREEN_API_HOSTS_DEFAULT = GREEN_API_DOMAINS.map((domain) => `*.${domain}`).join(',');

/**
 * A Green-API host serving one range of instances (`7103.api.green-api.com`, `7103.api.greenapi.com`),
 * not a relay: a URL's hostname (without port; a trailing dot is the same name), case-insensitive.
 */
export function isGreenApiInstanceHost(hostname: string): boolean {
  const match = /^\d+\.api\.(.+?)\.?$/.exec(hostname.toLowerCase());
  return match?.[1] !== undefined && GREEN_API_DOMAINS.includes(match[1]);
}
