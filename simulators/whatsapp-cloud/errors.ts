/** Graph API error bodies, titles and HTTP statuses of WhatsApp error codes. */
import { randomAlnum } from '../shared/random';

/** Title of each known error code (used as `(#code) title`). */
export const errorTitles: Record<number, string> = {
  1: 'API Unknown',
  2: 'API Service',
  4: 'API Too Many Calls',
  100: 'Invalid parameter',
  190: 'Access token has expired',
  368: 'Temporarily blocked for policies violations',
  80007: 'Rate limit issues',
  130429: 'Rate limit hit',
  131000: 'Something went wrong',
  131026: 'Message undeliverable',
  131047: 'Re-engagement message',
  131051: 'Unsupported message type',
  131056: '(Business Account, Consumer Account) pair rate limit hit',
  132000: 'Number of parameters does not match the expected number of params',
  132001: 'Template name does not exist in the translation',
  131031: 'Business Account locked',
  131048: 'Spam rate limit hit',
  131049: 'Meta chose not to deliver',
  131050: 'Unable to deliver marketing messages',
  131052: 'Media download error',
  131053: 'Media upload error',
  132005: 'Translated text too long',
  132007: 'Format character policy violated',
  132008: 'Template Parameter Format Mismatch',
  132012: 'Parameter format does not match format in the created template',
  132015: 'Template is Paused',
  132016: 'Template is Disabled',
  132068: 'Flow is blocked',
  132069: 'Flow is throttled',
};

/** Default `error_data.details` of each known error code. */
export const errorDetails: Record<number, string> = {
  1: 'Invalid request or possible server error.',
  2: 'Temporary due to downtime or due to being overloaded.',
  4: 'The app has reached its API call rate limit.',
  100: 'Invalid parameter',
  190: 'Your access token has expired.',
  368: 'The WhatsApp Business Account associated with the app has been restricted or disabled for violating a platform policy.',
  80007: 'The WhatsApp Business Account has reached its rate limit.',
  130429: 'Cloud API message throughput has been reached.',
  131000: 'Message failed to send due to an unknown error.',
  131026: 'Message undeliverable.',
  131047:
    'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  131051: 'Unsupported message type.',
  131056:
    'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
  132000:
    'The number of variable parameter values included in the request did not match the number of variable parameters defined in the template.',
  132001: 'The template does not exist in the specified language or the template has not been approved.',
  131031: 'The WhatsApp Business Account associated with the app has been locked.',
  131048:
    'Message failed to send because there are restrictions on how many messages can be sent from this phone number.',
  131049: 'This message was not delivered to maintain healthy ecosystem engagement.',
  131050: 'The user has stopped marketing messages from your business.',
  131052: 'Unable to download the media sent by the user.',
  131053: 'Unable to upload the media used in the message.',
  132005: 'Translated text is too long.',
  132007: 'Template content violates a WhatsApp policy.',
  132008: 'Variable parameter values formatted incorrectly.',
  132012: 'Variable parameter values formatted incorrectly.',
  132015: 'Template is paused due to low quality so it cannot be sent in a template message.',
  132016: 'Template has been paused too many times due to low quality and is now permanently disabled.',
  132068: 'Flow is in blocked state.',
  132069: 'Flow is in throttled state and 10 messages using this flow were already sent in the last hour.',
};

const THROTTLING = new Set([130429, 131056, 80007, 4]);

/** True for throttling codes whose HTTP status is configurable. */
export function isThrottling(code: number): boolean {
  return THROTTLING.has(code);
}

/** HTTP status of an error code: 190→401, 368→403, 131000→500, throttling→configured, else 400. */
export function httpStatusOf(code: number, throttleStatus: number): number {
  if (code === 190) return 401;
  if (code === 368) return 403;
  if (code === 131000) return 500;
  if (isThrottling(code)) return throttleStatus;
  return 400;
}

/** A Graph API error answer. */
export interface GraphError {
  status: number;
  code: number;
  body: { error: Record<string, unknown> };
}

/** Builds `{"error":{message,type,code,error_data,fbtrace_id}}`. */
export function graphError(
  code: number,
  status: number,
  opts: { details?: string; message?: string; type?: string; subcode?: number } = {},
): GraphError {
  const title = errorTitles[code] ?? 'Unknown error';
  const error: Record<string, unknown> = {
    message: opts.message ?? `(#${code}) ${title}`,
    type: opts.type ?? 'OAuthException',
    code,
  };
  if (opts.subcode !== undefined) error.error_subcode = opts.subcode;
  error.error_data = { messaging_product: 'whatsapp', details: opts.details ?? errorDetails[code] ?? title };
  error.fbtrace_id = randomAlnum(23);
  return { status, code, body: { error } };
}

/** `(#100) Invalid parameter` with details naming the parameter. */
export function invalidParam(details: string): GraphError {
  return graphError(100, 400, { details });
}
