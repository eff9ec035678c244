import type { Dispatcher } from 'undici';
import type { Clock } from '../lib/clock';
import { hostMatchesAny } from '../lib/host-pattern';
import type { Logger } from '../lib/logger';
import { createCloudApiProvider } from '../providers/cloud-api/cloud-api-provider';
import { createGreenApiProvider } from '../providers/green-api/green-api-provider';
import { createGupshupProvider } from '../providers/gupshup/gupshup-provider';
import type { WhatsAppProvider } from '../providers/provider';
import type { Line } from '../store/line-store';

export interface ProviderFactoryOptions {
  graphUrl: string;
  graphVersion: string;
  /** GupShup's API host for lines that name none. */
  gupshupUrl?: string;
  clock: Clock;
  /** Where a provider reports what it left out (GupShup: a template it cannot read). */
  log?: Pick<Logger, 'warn'>;
  /**
   * The guarded pool (it applies the address policy when connecting; undefined with
   * ALLOW_PRIVATE_ADDRESSES) for the API hosts a portal admin may name: a Green-API host set on the
   * settings page, or one of GREEN_API_HOSTS. The rest is the operator's and keeps the default
   * pool: WA_GRAPH_URL, GUPSHUP_API_URL, and hosts only the CLI set (GupShup lines, a Green-API
   * host outside GREEN_API_HOSTS with `apiUrlBy` 'cli'), as the CLI is not limited.
   */
  dispatcher: Dispatcher | undefined;
  /** The Cloud API sends' pool (the runtime's: closed with it). */
  sendPool: Dispatcher;
  /** GREEN_API_HOSTS: which Green-API hosts the settings page accepts, so which a tenant may have named. */
  greenApiHosts: readonly string[];
}

/**
 * Whether a Green-API line's host goes through the guarded pool (unless ALLOW_PRIVATE_ADDRESSES,
 * which builds none): when a portal admin set it (the settings page; a record from before
 * `apiUrlBy` counts as the page's), whatever GREEN_API_HOSTS says now (a host saved under a wider
 * list stays a tenant's name), or when the host is one a portal admin may type. No apiUrl: the
 * provider's own default host, a constant, is not. `lines add` states its outcome from this rule.
 */
export function isGreenApiHostGuarded(
  line: Pick<Line, 'apiUrl' | 'apiUrlBy'>,
  greenApiHosts: readonly string[],
): boolean {
  if (line.apiUrl === undefined) return false;
  if (line.apiUrlBy !== 'cli') return true;
  return hostMatchesAny(new URL(line.apiUrl).hostname, greenApiHosts);
}

/** The pool of a Green-API line: the guarded one (undefined with ALLOW_PRIVATE_ADDRESSES) for a guarded host. */
function greenApiDispatcher(options: ProviderFactoryOptions, line: Line): Dispatcher | undefined {
  return isGreenApiHostGuarded(line, options.greenApiHosts) ? options.dispatcher : undefined;
}

/** The provider a line talks through (Cloud API, Green-API or GupShup), bound to its credentials. */
export function createProviderFactory(options: ProviderFactoryOptions): (line: Line) => WhatsAppProvider {
  return (line) => {
    if (line.provider === 'green-api')
      return createGreenApiProvider(
        { clock: options.clock, dispatcher: greenApiDispatcher(options, line) },
        { apiUrl: line.apiUrl, idInstance: line.phoneNumberId, apiTokenInstance: line.accessToken },
      );
    if (line.provider === 'gupshup')
      return createGupshupProvider(
        // Only the CLI adds GupShup lines, and GUPSHUP_API_URL is configuration: the default pool.
        { clock: options.clock, log: options.log, dispatcher: undefined },
        {
          apiUrl: line.apiUrl ?? options.gupshupUrl,
          appName: line.phoneNumberId,
          apiKey: line.accessToken,
          // lines add requires it for GupShup; a line stored without one fails its sends at the gateway.
          source: line.source ?? '',
        },
      );
    return createCloudApiProvider(
      { graphUrl: options.graphUrl, version: options.graphVersion, clock: options.clock, sendPool: options.sendPool },
      line,
    );
  };
}
