import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { Clock } from '../../lib/clock';
import { type FetchInit, fetchThrough } from '../../lib/connect-guard';
import { ActionError } from '../../lib/errors/app-error';
import { errorMessage } from '../../lib/errors/classify-error';
import { say } from '../../lib/i18n/catalogue';
import { fetchFailure } from '../fetch-failure';
import type { Capability, OutboundMessage, SentMessage, WhatsAppProvider } from '../provider';
import { capabilityFor } from '../provider';
import { sendBudgetMs } from '../provider-http';
import { retryAfterMs } from '../retry-after';
import { chatIdOf, greenApiCall } from './green-api-body';
import { mapGreenApiError } from './green-api-errors';

/** Green-API's public host; each instance may live on its own (`apiUrl` in the console). */
export const GREEN_API_DEFAULT_URL = 'https://api.green-api.com';

/**
 * `interactive_buttons` and `interactive_list` are rendered as numbered text (see numberedText):
 * declared so that send_buttons / send_list run, and the reply "1" or a title is the answer.
 * No reactions or templates: those actions end with `unsupported_by_provider`.
 */
const capabilities: ReadonlySet<Capability> = new Set<Capability>([
  'text',
  'media',
  'location',
  'contacts',
  'interactive_buttons',
  'interactive_list',
  'edit',
  'delete',
  'forward',
  'check_number',
]);

const idMessageSchema = z.object({ idMessage: z.string().min(1) }).loose();
const forwardSchema = z.object({ messages: z.array(z.string()) }).loose();
const checkSchema = z.object({ existsWhatsapp: z.boolean() }).loose();
const stateSchema = z.object({ stateInstance: z.string() }).loose();
const settingsSchema = z.object({ saveSettings: z.literal(true) }).loose();

/** A Green-API instance's credentials (idInstance + apiTokenInstance) and API host. */
export interface GreenApiLine {
  apiUrl?: string;
  idInstance: string;
  apiTokenInstance: string;
}

/** Green-API (an unofficial WhatsApp gateway): text, files, location, contacts, edit, delete, forward, number check. */
export function createGreenApiProvider(
  /** `dispatcher`: the pool that applies the address policy when connecting (the API host is the line's). */
  options: { timeoutMs?: number; clock: Clock; dispatcher: Dispatcher | undefined },
  line: GreenApiLine,
): WhatsAppProvider {
  const base = (line.apiUrl ?? GREEN_API_DEFAULT_URL).replace(/\/+$/, '');
  const urlOf = (method: string) =>
    `${base}/waInstance${encodeURIComponent(line.idInstance)}/${method}/${encodeURIComponent(line.apiTokenInstance)}`;

  /** POSTs `body` to a method, or GETs it when there is none (getStateInstance); over within `budgetMs`. */
  async function call(
    method: string,
    body?: Record<string, unknown>,
    budgetMs = options.timeoutMs ?? 15000,
  ): Promise<unknown> {
    let response: Response;
    try {
      const signal = AbortSignal.timeout(budgetMs);
      const init: FetchInit =
        body === undefined
          ? { method: 'GET', signal }
          : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal };
      response = await fetchThrough(options.dispatcher, urlOf(method), init);
    } catch (error) {
      throw fetchFailure(error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The answer broke off after the gateway took the request: it may have been carried out.
      throw new ActionError('provider_unavailable', errorMessage(error), { retryable: true, outcomeUnknown: true });
    }
    if (!response.ok) {
      const mapped = mapGreenApiError(
        response.status,
        text,
        retryAfterMs(response.headers.get('retry-after'), options.clock.now()),
      );
      // A 4xx refuses the request; after a 5xx nobody can tell whether it was carried out.
      throw response.status >= 500 ? mapped.withUnknownOutcome() : mapped;
    }
    if (!text) return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // A 2xx is a request carried out even when its answer cannot be read.
      throw new ActionError('provider_error', `${method}: answer is not JSON (HTTP ${response.status})`, {
        outcomeUnknown: true,
      });
    }
  }

  const parse = <T>(schema: z.ZodType<T>, method: string, json: unknown): T => {
    const ok = schema.safeParse(json);
    if (!ok.success) throw new ActionError('provider_error', `${method}: unexpected answer`, { outcomeUnknown: true });
    return ok.data;
  };

  return {
    kind: 'green-api',
    capabilities,
    async send(message: OutboundMessage): Promise<SentMessage> {
      const request = greenApiCall(message);
      if (!request) {
        const capability = capabilityFor(message.content);
        throw new ActionError('unsupported_by_provider', `green-api: ${capability}`, {
          says: say('error.detail.unsupported', { provider: 'green-api', capability }),
        });
      }
      const budgetMs = sendBudgetMs(options.timeoutMs ?? 15000, message.deadlineAt, options.clock.now());
      const answer = parse(idMessageSchema, request.method, await call(request.method, request.body, budgetMs));
      return { providerMessageId: answer.idMessage };
    },
    async edit({ to, messageId, text }) {
      const answer = parse(
        idMessageSchema,
        'editMessage',
        await call('editMessage', { chatId: chatIdOf(to), idMessage: messageId, message: text }),
      );
      return { providerMessageId: answer.idMessage };
    },
    async delete({ to, messageId }) {
      await call('deleteMessage', { chatId: chatIdOf(to), idMessage: messageId });
    },
    async forward({ to, from, messageIds }) {
      const answer = parse(
        forwardSchema,
        'forwardMessages',
        await call('forwardMessages', { chatId: chatIdOf(to), chatIdFrom: chatIdOf(from), messages: messageIds }),
      );
      return answer.messages.map((id) => ({ providerMessageId: id }));
    },
    async checkNumber(phone) {
      const answer = parse(
        checkSchema,
        'checkWhatsapp',
        await call('checkWhatsapp', { phoneNumber: Number(phone.replace(/\D/g, '')) }),
      );
      return { exists: answer.existsWhatsapp };
    },
    async lineStatus() {
      // Green-API reports the account's authorisation only; name, quality and limits are Cloud API notions.
      const answer = parse(stateSchema, 'getStateInstance', await call('getStateInstance'));
      return { connected: answer.stateInstance === 'authorized', state: answer.stateInstance };
    },
    async setWebhook({ url, token }) {
      // setSettings: the instance posts incoming messages and outgoing statuses to `url` with
      // `Authorization: Bearer <token>` (webhookUrlToken).
      parse(
        settingsSchema,
        'setSettings',
        await call('setSettings', {
          webhookUrl: url,
          webhookUrlToken: token,
          incomingWebhook: 'yes',
          outgoingWebhook: 'yes',
        }),
      );
    },
  };
}
