import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { Clock } from '../../lib/clock';
import { type FetchInit, fetchThrough } from '../../lib/connect-guard';
import { ActionError } from '../../lib/errors/app-error';
import { errorMessage } from '../../lib/errors/classify-error';
import { say } from '../../lib/i18n/catalogue';
import type { Logger } from '../../lib/logger';
import { fetchFailure } from '../fetch-failure';
import type { Capability, LineStatus, OutboundMessage, SentMessage, WhatsAppProvider } from '../provider';
import { capabilityFor } from '../provider';
import { sendBudgetMs } from '../provider-http';
import { retryAfterMs } from '../retry-after';
import { type GupshupCall, gupshupEnvelope, gupshupMessage, gupshupTemplateFields } from './gupshup-body';
import { mapGupshupHttpError } from './gupshup-errors';
import { fromGupshupTemplate, gupshupTemplateListSchema, readGupshupTemplates } from './gupshup-templates';

/** GupShup's public API host. */
export const GUPSHUP_DEFAULT_URL = 'https://api.gupshup.io';

/**
 * What the classic gateway API sends (waba-wire.md §5.1, §5.2). No reactions, read receipts,
 * number checks or uploads: those end with `unsupported_by_provider`. GupShup is a route to the
 * official API, so Meta's 24-hour window applies to its free-form messages (§2, §5.6: 1004–1008).
 */
const capabilities: ReadonlySet<Capability> = new Set<Capability>([
  'text',
  'media',
  'location',
  'contacts',
  'template',
  'interactive_buttons',
  'interactive_list',
  'customer_window',
]);

const submittedSchema = z.object({ status: z.literal('submitted'), messageId: z.string().min(1) }).loose();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A GupShup app's credentials: its name, the account API key and the business number (digits). */
export interface GupshupLine {
  apiUrl?: string;
  appName: string;
  apiKey: string;
  source: string;
}

/** GupShup's WhatsApp gateway API (`apikey` header, form-encoded sends, its own v2 webhooks). */
export function createGupshupProvider(
  /** `dispatcher`: the pool that applies the address policy when connecting (a line may name its API host). */
  options: { timeoutMs?: number; clock: Clock; log?: Pick<Logger, 'warn'>; dispatcher: Dispatcher | undefined },
  line: GupshupLine,
): WhatsAppProvider {
  const base = (line.apiUrl ?? GUPSHUP_DEFAULT_URL).replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 15000;

  /** One request (over within `budgetMs`, body included); the JSON answer of a 2xx, else the mapped refusal. */
  async function call(path: string, form?: Record<string, string>, budgetMs = timeoutMs): Promise<unknown> {
    let response: Response;
    try {
      const init: FetchInit = {
        method: form ? 'POST' : 'GET',
        headers: {
          apikey: line.apiKey,
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
        signal: AbortSignal.timeout(budgetMs),
      };
      response = await fetchThrough(options.dispatcher, `${base}${path}`, init);
    } catch (error) {
      throw fetchFailure(error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new ActionError('provider_unavailable', errorMessage(error), { retryable: true, outcomeUnknown: true });
    }
    let json: unknown = null;
    try {
      json = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      json = null;
    }
    if (!response.ok) {
      const said = z.object({ message: z.string() }).loose().safeParse(json);
      const mapped = mapGupshupHttpError(
        response.status,
        said.success ? said.data.message : text.trim().slice(0, 300),
        retryAfterMs(
          response.headers.get('retry-after') ?? response.headers.get('x-rate-limit-retry-after-seconds'),
          options.clock.now(),
        ),
      );
      throw response.status >= 500 ? mapped.withUnknownOutcome() : mapped;
    }
    return json;
  }

  /** The app's templates as GupShup lists them (§5.7). */
  async function listed() {
    let answer: unknown;
    try {
      answer = await call(`/sm/api/v1/template/list/${encodeURIComponent(line.appName)}`);
    } catch (error) {
      // A read sends nothing: a send that needed it (a template by name) did not go.
      throw error instanceof ActionError ? error.withKnownOutcome() : error;
    }
    const list = gupshupTemplateListSchema.safeParse(answer);
    if (!list.success) throw new ActionError('provider_error', 'template list: unexpected answer');
    return readGupshupTemplates(list.data.templates, (template, problem) =>
      options.log?.warn({ app: line.appName, template, problem }, 'GupShup template left out: cannot be read'),
    );
  }

  /** GupShup sends templates by its own id: a UUID is taken as is, a Meta name is looked up (§5.7). */
  async function templateId(name: string, language: string): Promise<string> {
    if (UUID.test(name)) return name;
    const found = (await listed()).find((t) => t.elementName === name && t.languageCode === language);
    const named = { name, language, app: line.appName };
    if (!found)
      throw new ActionError('template_not_found', `${name} (${language}) on GupShup app ${line.appName}`, {
        says: say('wabaMedia.gupshupTemplate', { ...named, state: say('wabaMedia.gupshupTemplate.not_found') }),
      });
    if (found.status.toUpperCase() !== 'APPROVED')
      throw new ActionError('template_not_found', `${name} (${language}) is ${found.status.toLowerCase()}`, {
        says: say('wabaMedia.gupshupTemplate', { ...named, state: found.status.toUpperCase() }),
      });
    return found.id;
  }

  async function requestFor(message: OutboundMessage): Promise<GupshupCall> {
    if (!line.source)
      throw new ActionError('invalid_parameter', 'the GupShup line has no source number (lines add … --source)', {
        says: say('wabaMedia.gupshupNoSource'),
      });
    const envelope = gupshupEnvelope(message, line);
    const c = message.content;
    if (c.type === 'template') {
      const id = await templateId(c.name, c.language);
      return { path: '/wa/api/v1/template/msg', form: { ...envelope, ...gupshupTemplateFields(c, { id }) } };
    }
    const json = gupshupMessage(c);
    if (!json)
      throw new ActionError('unsupported_by_provider', `gupshup: ${capabilityFor(c)}`, {
        says: say('error.detail.unsupported', { provider: 'gupshup', capability: capabilityFor(c) }),
      });
    return { path: '/wa/api/v1/msg', form: { ...envelope, message: JSON.stringify(json) } };
  }

  return {
    kind: 'gupshup',
    capabilities,
    async prepare(content) {
      if (content.type !== 'template' || UUID.test(content.name)) return content;
      return { ...content, name: await templateId(content.name, content.language) };
    },
    async send(message: OutboundMessage): Promise<SentMessage> {
      const request = await requestFor(message);
      const budgetMs = sendBudgetMs(timeoutMs, message.deadlineAt, options.clock.now());
      const answer = submittedSchema.safeParse(await call(request.path, request.form, budgetMs));
      // A 2xx took the message even when its answer cannot be read.
      if (!answer.success) throw new ActionError('provider_error', 'unexpected answer', { outcomeUnknown: true });
      // The GupShup id (a UUID): its events name it, and the customer's replies quote it as `gsId`.
      return { providerMessageId: answer.data.messageId };
    },
    async listTemplates() {
      return (await listed()).map(fromGupshupTemplate);
    },
    async lineStatus(): Promise<LineStatus> {
      // No state endpoint on the classic API: the app's template list answering is the sign that the
      // API key and the app name work. Quality and limits are Meta's and GupShup shows them in its console.
      await listed();
      return { connected: true, state: 'CONNECTED', displayPhoneNumber: line.source, verifiedName: line.appName };
    },
  };
}
