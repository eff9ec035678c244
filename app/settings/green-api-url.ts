import type { AddressPolicy } from '../../lib/address-policy';
import { AppError } from '../../lib/errors/app-error';
import { hostMatchesAny } from '../../lib/host-pattern';

/** What decides which Green-API hosts a page form may name. */
export interface GreenApiUrlDeps {
  addresses: AddressPolicy;
  config: { GREEN_API_HOSTS: string[]; ALLOW_PRIVATE_ADDRESSES: boolean };
}

/**
 * Checks the Green-API host a portal admin typed on the settings page before the app calls it with
 * the instance's token: the app would otherwise call any address a tenant names (cloud metadata,
 * the internal network) and tell from the answer what is there, or send the token in clear. Only
 * https hosts of GREEN_API_HOSTS (plain http only with ALLOW_PRIVATE_ADDRESSES: local simulators),
 * and never one resolving to a private address. The CLI (the operator) is not limited.
 */
export async function checkGreenApiUrl(deps: GreenApiUrlDeps, url: string): Promise<void> {
  const refuse = (why: string) => new AppError('green_api_url_refused', `apiUrl: ${why}`, { kind: 'bad_input' });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw refuse('not a URL');
  }
  const plainHttpAllowed = deps.config.ALLOW_PRIVATE_ADDRESSES && parsed.protocol === 'http:';
  if (parsed.protocol !== 'https:' && !plainHttpAllowed) throw refuse('only https URLs');
  if (parsed.username || parsed.password) throw refuse('no user or password in the URL');
  const host = parsed.hostname.toLowerCase();
  if (!hostMatchesAny(host, deps.config.GREEN_API_HOSTS))
    throw refuse(`${host} is not a Green-API host (GREEN_API_HOSTS)`);
  const refusal = await deps.addresses.refusal(url);
  if (refusal) throw refuse(refusal);
}
