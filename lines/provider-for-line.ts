import type { Dispatcher } from 'undici';
import type { Clock } from '../lib/clock';
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
   * The pool for API hosts a line names (Green-API, GupShup): it applies the address policy when
   * connecting. The Cloud API's host is configuration (WA_GRAPH_URL) and keeps its own pool.
   */
  dispatcher?: Dispatcher;
}

/** The provider a line talks through (Cloud API, Green-API or GupShup), bound to its credentials. */
export function createProviderFactory(options: ProviderFactoryOptions): (line: Line) => WhatsAppProvider {
  return (line) => {
    if (line.provider === 'green-api')
      return createGreenApiProvider(
        { clock: options.clock, dispatcher: options.dispatcher },
        { apiUrl: line.apiUrl, idInstance: line.phoneNumberId, apiTokenInstance: line.accessToken },
      );
    if (line.provider === 'gupshup')
      return createGupshupProvider(
        { clock: options.clock, log: options.log, dispatcher: options.dispatcher },
        {
          apiUrl: line.apiUrl ?? options.gupshupUrl,
          appName: line.phoneNumberId,
          apiKey: line.accessToken,
          // lines add requires it for GupShup; a line stored without one fails its sends at the gateway.
          source: line.source ?? '',
        },
      );
    return createCloudApiProvider(
      { graphUrl: options.graphUrl, version: options.graphVersion, clock: options.clock },
      line,
    );
  };
}
