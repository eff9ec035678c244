import { type ErrorRequestHandler, type Request, type Response, Router } from 'express';
import { endpoints } from '../../config/endpoints';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors/app-error';
import type { Logger } from '../../lib/logger';
import type { Metrics } from '../../lib/metrics';
import { normalizePhone } from '../../lib/phone';
import type { RedisClient } from '../../redis/connect';
import type { RedisKeys } from '../../redis/keys';
import type { ApiToken, ApiTokenStore } from '../../store/api-token-store';
import type { LineStore } from '../../store/line-store';
import { type PortalStore, portalLanguage } from '../../store/portal-store';
import { answerError, answerOk, badParameter, errorAnswerOf, type Lang } from '../api/api-answers';
import { type ApiCheckDeps, checkMessageStatus, checkPhone, checkStatus } from '../api/api-checks';
import { takeApiRequest } from '../api/api-rate-limit';
import { parseParameters, requestParameters } from '../api/api-request';
import { type ApiMethodName, apiMethods, isApiMethod } from '../api/api-schemas';
import { type ApiSendDeps, apiSend } from '../api/api-sends';
import { buildOpenApiDocument, type OpenApiOptions } from '../api/openapi';

export type WebhookApiDoorDeps = ApiSendDeps & ApiCheckDeps & WebhookApiOwnDeps;

interface WebhookApiOwnDeps {
  apiTokens: Pick<ApiTokenStore, 'findByToken' | 'touch'>;
  portals: Pick<PortalStore, 'get'>;
  lines: Pick<LineStore, 'get' | 'lastWebhookAt'>;
  redis: RedisClient;
  keys: RedisKeys;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, 'apiRequests'>;
  defaultPhoneRegion: string;
  /** Named component schemas added to the OpenAPI document (e.g. outbound event payloads). */
  openApiExtraSchemas?: OpenApiOptions['extraSchemas'];
}

const invalidToken = () => new AppError('invalid_token', 'unknown or revoked token', { kind: 'unauthorized' });

/** The request path with its token masked: tokens never reach a log. */
const maskedPath = (req: Request) => req.path.replace(/(\/rest\/webhook\/wa\/)[^/]+/, '$1***');

/** A path segment decoded, or as it came when it is no valid percent-encoding (`%ZZ`): never a throw. */
function decodedOrRaw(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The `Idempotency-Key` header stands for `idempotency_key`; both given, they must agree (400 naming it). */
function withIdempotencyHeader(raw: Record<string, unknown>, header: string | undefined): Record<string, unknown> {
  if (header === undefined) return raw;
  if (raw.idempotency_key !== undefined && raw.idempotency_key !== header)
    throw badParameter('idempotency_key', 'differs from the Idempotency-Key header');
  return { ...raw, idempotency_key: header };
}

/** The language of the portal a request's token belongs to, when it names one (else English). */
async function languageOfRequest(deps: WebhookApiDoorDeps, req: Request): Promise<Lang> {
  const token = /^\/rest\/webhook\/wa\/([^/]+)\//.exec(req.path)?.[1];
  const found = token ? await deps.apiTokens.findByToken(decodedOrRaw(token)).catch(() => null) : null;
  const portal = found ? await deps.portals.get(found.memberId).catch(() => null) : null;
  return portal ? portalLanguage(portal) : 'en';
}

/**
 * The webhook API for outside systems: `GET|POST /rest/webhook/wa/{token}/{method}`. Token (401),
 * the token's limits (429), the method's parameters (400 naming the field), then the method.
 */
export function createWebhookApiDoor(deps: WebhookApiDoorDeps): Router {
  const router = Router();

  async function handle(req: Request, res: Response, setLang: (lang: Lang) => void): Promise<void> {
    const method = String(req.params.method ?? '');
    const token = await deps.apiTokens.findByToken(String(req.params.token ?? ''));
    if (!token) throw invalidToken();
    const portal = await deps.portals.get(token.memberId);
    if (!portal) throw invalidToken();
    const lang = portalLanguage(portal);
    setLang(lang);
    if (!isApiMethod(method))
      throw new AppError('unknown_method', `${method}: one of ${Object.keys(apiMethods).join(', ')}`, {
        kind: 'not_found',
      });
    await takeApiRequest(deps, token, method);
    const now = deps.clock.now();
    await deps.apiTokens.touch(token, now);
    const line = await deps.lines.get(token.memberId, token.lineId);
    if (!line) throw new AppError('line_not_found', `line ${token.lineId}`, { kind: 'not_found' });
    const raw = withIdempotencyHeader(requestParameters(req), req.get('Idempotency-Key'));
    const region = portal.phoneRegion ?? deps.defaultPhoneRegion;
    const phoneOf = (value: string) => {
      const phone = normalizePhone(value, region);
      if (!phone) throw badParameter('phone_number', `"${value}" is not a valid phone number`);
      return phone.digits;
    };
    answerOk(res, await run(method, raw, { token, line, lang, phoneOf, now }));
  }

  async function run(
    method: ApiMethodName,
    raw: Record<string, unknown>,
    ctx: {
      token: ApiToken;
      line: NonNullable<Awaited<ReturnType<WebhookApiDoorDeps['lines']['get']>>>;
      lang: Lang;
      phoneOf: (value: string) => string;
      now: number;
    },
  ): Promise<unknown> {
    const { line, lang, now } = ctx;
    const memberId = line.memberId;
    switch (method) {
      case 'sendText': {
        const params = parseParameters(apiMethods.sendText.request, raw);
        const phone = ctx.phoneOf(params.phone_number);
        return apiSend(deps, { method, params }, { memberId, line, lang, phone, now });
      }
      case 'sendFile': {
        const params = parseParameters(apiMethods.sendFile.request, raw);
        const phone = ctx.phoneOf(params.phone_number);
        return apiSend(deps, { method, params }, { memberId, line, lang, phone, now });
      }
      case 'sendTemplate': {
        const params = parseParameters(apiMethods.sendTemplate.request, raw);
        const phone = ctx.phoneOf(params.phone_number);
        return apiSend(deps, { method, params }, { memberId, line, lang, phone, now });
      }
      case 'checkPhone': {
        const params = parseParameters(apiMethods.checkPhone.request, raw);
        return checkPhone(deps, line, ctx.phoneOf(params.phone_number));
      }
      case 'checkStatus':
        parseParameters(apiMethods.checkStatus.request, raw);
        return checkStatus(deps, line, lang);
      case 'checkMessageStatus': {
        const params = parseParameters(apiMethods.checkMessageStatus.request, raw);
        return checkMessageStatus(deps, line, params.message_id, lang);
      }
    }
  }

  const handler = async (req: Request, res: Response) => {
    let lang: Lang = 'en';
    // Known method names only: a label per made-up name would grow the metric without bound.
    const method = isApiMethod(String(req.params.method)) ? String(req.params.method) : 'unknown';
    try {
      await handle(req, res, (l) => {
        lang = l;
      });
      deps.metrics.apiRequests.inc({ method, code: 'ok' });
    } catch (error) {
      const { status, body } = errorAnswerOf(error, lang);
      deps.metrics.apiRequests.inc({ method, code: body.code });
      if (status >= 500) deps.log.error({ err: error, path: maskedPath(req), code: body.code }, 'API request failed');
      else deps.log.info({ path: maskedPath(req), code: body.code, status }, 'API request refused');
      answerError(res, error, lang);
    }
  };
  router.get(endpoints.webhookApi, handler);
  router.post(endpoints.webhookApi, handler);
  router.get(endpoints.openApi, (_req, res) => {
    res.json(buildOpenApiDocument({ extraSchemas: deps.openApiExtraSchemas }));
  });
  return router;
}

/**
 * Failures before the door ran (body too large, bad JSON, a media type it does not read) on an API
 * path get the API's own answer shape, in the portal's language when the token names one.
 */
export function createWebhookApiErrorHandler(deps: WebhookApiDoorDeps): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (!req.path.startsWith('/rest/webhook/wa/')) {
      next(error);
      return;
    }
    // Whatever happens while finding the language, the caller gets an answer (English at worst).
    void languageOfRequest(deps, req)
      .catch((): Lang => 'en')
      .then((lang) => {
        deps.log.info({ path: maskedPath(req), code: errorAnswerOf(error, lang).body.code }, 'API request refused');
        answerError(res, error, lang);
      })
      .catch((failure: unknown) => next(failure));
  };
}
