import type { Clock } from '../lib/clock';
import { createCloudApiProvider } from '../providers/cloud-api/cloud-api-provider';
import { createGreenApiProvider } from '../providers/green-api/green-api-provider';
import type { WhatsAppProvider } from '../providers/provider';
import type { Line } from '../store/line-store';

export interface ProviderFactoryOptions {
  graphUrl: string;
  graphVersion: string;
  clock: Clock;
}

/** The provider a line talks through (Cloud API or Green-API), bound to its credentials. */
export function createProviderFactory(options: ProviderFactoryOptions): (line: Line) => WhatsAppProvider {
  return (line) =>
    line.provider === 'green-api'
      ? createGreenApiProvider(
          { clock: options.clock },
          { apiUrl: line.apiUrl, idInstance: line.phoneNumberId, apiTokenInstance: line.accessToken },
        )
      : createCloudApiProvider(
          { graphUrl: options.graphUrl, version: options.graphVersion, clock: options.clock },
          line,
        );
}
