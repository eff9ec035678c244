/** `POST /:version/:phoneNumberId/messages`: auth, validation, fault injection, throughput, answer. */
import { type GraphError, graphError, httpStatusOf, invalidParam } from './errors';
import type { CloudState } from './state';
import { checkTemplateSend } from './templates';
import { type ValidRequest, validateRequest } from './validate-message';
import { InvalidParam } from './validate-util';
import { makeWamid } from './wamid';

const PATH_RE = /^\/(v\d+\.\d+)\/([^/]+)\/messages\/?$/;

/** Phone number id of a `/messages` path, or undefined. */
export function messagesPathId(path: string): string | undefined {
  return PATH_RE.exec(path)?.[2];
}

function parseBody(raw: unknown): unknown {
  if (!Buffer.isBuffer(raw) || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** A message's media id that this number never uploaded (`/media`) nor received, if any. */
function unknownMediaId(state: CloudState, phoneNumberId: string, body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { type } = body as Record<string, unknown>;
  const media = typeof type === 'string' ? (body as Record<string, unknown>)[type] : undefined;
  if (typeof media !== 'object' || media === null || !('id' in media) || typeof media.id !== 'string') return undefined;
  // Uploaded by the number, or received by it (inbound media ids are the number's too).
  const owner = state.uploads.get(media.id)?.phoneNumberId ?? state.media.get(media.id)?.phoneNumberId;
  return owner === phoneNumberId ? undefined : media.id;
}

/** Checks the token and the body: the error to answer, or the valid request. */
function checkRequest(
  state: CloudState,
  phoneNumberId: string,
  authorization: string,
  body: unknown,
): { error: GraphError } | { valid: ValidRequest } {
  const auth = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
  if (!auth) {
    return {
      error: graphError(2500, 400, {
        message: 'An active access token must be used to query information about the current user.',
        details: 'Missing access token',
      }),
    };
  }
  const phone = state.phones.get(phoneNumberId);
  const knownToken = [...state.phones.values()].some((p) => p.accessToken === auth);
  if (!knownToken) {
    return {
      error: graphError(190, 401, {
        message: 'Error validating access token: Session has expired or the access token is invalid.',
        subcode: 463,
      }),
    };
  }
  if (!phone || phone.accessToken !== auth) {
    return {
      error: graphError(100, 400, {
        message: `Unsupported post request. Object with ID '${phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
        type: 'GraphMethodException',
        subcode: 33,
      }),
    };
  }
  try {
    const valid = validateRequest(body);
    const unknownMedia = unknownMediaId(state, phoneNumberId, body);
    if (unknownMedia !== undefined)
      return {
        error: graphError(131053, 400, { details: `Media id ${unknownMedia} was not uploaded for this number.` }),
      };
    return { valid };
  } catch (err) {
    if (err instanceof InvalidParam) return { error: invalidParam(err.details) };
    throw err;
  }
}

/** An injected failure or a throughput refusal for a send, if any; `afterAccept`: answered after accepting it. */
function sendRefusal(
  state: CloudState,
  phoneNumberId: string,
): { error: GraphError; afterAccept: boolean } | undefined {
  const injected = state.takeInjected(phoneNumberId);
  if (injected) {
    const status = injected.httpStatus ?? httpStatusOf(injected.code, state.throttleStatus);
    const error = graphError(injected.code, status, { details: injected.details });
    return { error, afterAccept: injected.afterAccept === true };
  }
  if (!state.window.tryTake(phoneNumberId))
    return { error: graphError(130429, state.throttleStatus), afterAccept: false };
  return undefined;
}

/** Answers a request: the HTTP status and the JSON body (called once, maybe after a signal). */
export type AnswerJson = (status: number, payload: unknown) => void;

/**
 * Handles one `/messages` request, whichever way it came in (messages-door.ts): its path's phone
 * number id, its Authorization header and its raw body (a Buffer, or undefined without one).
 */
export function handleMessages(
  state: CloudState,
  phoneNumberId: string,
  authorization: string,
  rawBody: unknown,
  answer: AnswerJson,
): void {
  const receivedAt = Date.now();
  const body = parseBody(rawBody);
  const reply = (status: number, payload: unknown, errorCode?: number, wamid?: string) => {
    state.attempts.push({ phoneNumberId, body, receivedAt, httpStatus: status, errorCode, wamid });
    answer(status, payload);
  };
  const fail = (e: GraphError) => {
    if (e.code === 130429) state.stats.throttled++;
    else state.stats.rejected++;
    reply(e.status, e.body, e.code);
  };
  const checked = checkRequest(state, phoneNumberId, authorization, body);
  if ('error' in checked) {
    fail(checked.error);
    return;
  }
  const valid = checked.valid;
  if (valid.kind === 'read') {
    state.markedRead.push({ phoneNumberId, messageId: valid.messageId, receivedAt });
    reply(200, { success: true });
    return;
  }
  const phone = state.phones.get(phoneNumberId);
  const templateBody = (body as Record<string, unknown>).template;
  // A template is checked against the account's definition at once (132001/132015/132000…), as Graph does.
  const templateError =
    valid.type === 'template' && phone && isObject(templateBody)
      ? checkTemplateSend(state, phone.wabaId, templateBody)
      : undefined;
  if (templateError) {
    fail(templateError);
    return;
  }
  const refusal = sendRefusal(state, phoneNumberId);
  if (refusal && !refusal.afterAccept) {
    fail(refusal.error);
    return;
  }
  const waId = state.waIds.get(valid.waId) ?? valid.waId;
  const wamid = makeWamid(waId, false);
  state.stats.accepted++;
  // validateRequest accepted `body`, so it is a JSON object.
  state.sent.push({ phoneNumberId, body: body as Record<string, unknown>, wamid, to: waId, receivedAt });
  const accepted = {
    messaging_product: 'whatsapp',
    // Sent to a BSUID: Meta names the user by `user_id`, no `wa_id` (whatsapp-wire.md §4.2).
    contacts: [valid.byUserId ? { input: valid.to, user_id: valid.to } : { input: valid.to, wa_id: waId }],
    messages: [{ id: wamid }],
  };
  // Outside the customer's window only a template goes: anything else is accepted, then fails (131047).
  const windowClosed = state.enforceWindow && valid.type !== 'template' && !state.windowOpen(phoneNumberId, waId);
  if (windowClosed && !refusal && state.refusalTiming === 'before-answer') {
    // The failed status beats the answer: delivered first, then the answer waits for the test's signal.
    void state
      .refuse({ phoneNumberId, waId, wamid })
      .then(() => state.beforeAnswer())
      .then(
        () => reply(200, accepted, undefined, wamid),
        () => reply(500, graphError(1, 500).body, 1, wamid),
      );
    return;
  }
  // Accepted, and answered with the injected 5xx all the same (the attempt keeps the wamid).
  if (refusal) reply(refusal.error.status, refusal.error.body, refusal.error.code, wamid);
  else reply(200, accepted, undefined, wamid);
  state.afterAccepted(phoneNumberId, waId, wamid, windowClosed);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
