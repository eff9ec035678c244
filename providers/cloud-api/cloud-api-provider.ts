import { z } from 'zod';
import type { Clock } from '../../lib/clock';
import { ActionError } from '../../lib/errors/app-error';
import { fetchFailure } from '../fetch-failure';
import type { Capability, OutboundMessage, SentMessage, WhatsAppProvider } from '../provider';
import { retryAfterMs } from '../retry-after';
import { cloudApiBody } from './cloud-api-body';
import { mapCloudApiError } from './cloud-api-errors';

const successSchema = z.object({
  messages: z.array(z.object({ id: z.string() })).min(1),
  contacts: z.array(z.object({ wa_id: z.string().optional() })).optional(),
});
const errorSchema = z.object({
  error: z
    .object({
      message: z.string().default(''),
      code: z.coerce.number(),
      error_data: z.object({ details: z.string().optional() }).loose().optional(),
    })
    .loose(),
});

const capabilities: ReadonlySet<Capability> = new Set<Capability>([
  'text',
  'media',
  'location',
  'contacts',
  'reaction',
  'template',
  'interactive_buttons',
  'interactive_list',
  'mark_read',
]);

export interface CloudApiLine {
  phoneNumberId: string;
  accessToken: string;
}

/** The official WhatsApp Cloud API (Graph): no edit, delete or forward. */
export function createCloudApiProvider(
  options: { graphUrl: string; version: string; timeoutMs?: number; clock: Clock },
  line: CloudApiLine,
): WhatsAppProvider {
  const url = `${options.graphUrl}/${options.version}/${encodeURIComponent(line.phoneNumberId)}/messages`;
  return {
    kind: 'cloud',
    capabilities,
    async send(message: OutboundMessage): Promise<SentMessage> {
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${line.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(cloudApiBody(message)),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15000),
        });
      } catch (error) {
        throw fetchFailure(error);
      }
      const json: unknown = await response.json().catch(() => null);
      if (response.ok) {
        // A 2xx is an accepted message even when its answer cannot be read.
        const ok = successSchema.safeParse(json);
        if (!ok.success)
          throw new ActionError('provider_error', `unexpected answer (HTTP ${response.status})`, {
            retryable: false,
            outcomeUnknown: true,
          });
        const [first] = ok.data.messages;
        if (!first) throw new ActionError('provider_error', 'answer names no message', { outcomeUnknown: true });
        return { providerMessageId: first.id, waId: ok.data.contacts?.[0]?.wa_id };
      }
      // Graph rarely sends Retry-After; when it (or a proxy in front of it) does, it is honoured.
      const after = retryAfterMs(response.headers.get('retry-after'), options.clock.now());
      const failure = errorSchema.safeParse(json);
      // A 4xx refuses the message; after a 5xx nobody can tell whether it went out.
      const serverFailed = response.status >= 500;
      if (failure.success) {
        const { code, message: text, error_data } = failure.data.error;
        const mapped = mapCloudApiError(code, text, error_data?.details, after);
        throw serverFailed ? mapped.withUnknownOutcome() : mapped;
      }
      const transient = serverFailed || response.status === 429;
      throw new ActionError(transient ? 'provider_unavailable' : 'provider_error', `HTTP ${response.status}`, {
        retryable: transient,
        retryAfterMs: after,
        outcomeUnknown: serverFailed,
      });
    },
  };
}
