import { ActionError } from '../lib/errors/app-error';
import { say } from '../lib/i18n/catalogue';
import type { WhatsAppProvider } from '../providers/provider';

type Optional = 'edit' | 'delete' | 'forward' | 'checkNumber';

/**
 * The provider's optional method, bound; a provider without it ends the action with
 * `unsupported_by_provider` (never a silent success), even if `needs` was bypassed.
 */
export function providerMethod<K extends Optional>(
  provider: WhatsAppProvider,
  name: K,
  capability: string,
): NonNullable<WhatsAppProvider[K]> {
  const method = provider[name];
  if (!method)
    throw new ActionError('unsupported_by_provider', `${provider.kind}: ${capability}`, {
      says: say('error.detail.unsupported', { provider: provider.kind, capability }),
    });
  return method.bind(provider) as NonNullable<WhatsAppProvider[K]>;
}

/** Message ids given one per line or comma-separated (send_file's `message_ids`). */
export function splitIds(values: string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}
