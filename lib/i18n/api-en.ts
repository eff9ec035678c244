// English answers of the webhook API (its own codes; action codes use 'error.<code>'):
// the `// --- api` section of the catalogue, spread into en.ts.
export const apiEn = {
  'api.invalid_token': 'Unknown or revoked token',
  'api.unknown_method': 'No such method',
  'api.bad_parameter': 'Invalid parameter',
  'api.rate_limited': 'Too many requests: retry later',
  'api.message_not_found': 'No such message on this line',
  'api.line_not_found': "The token's line is no longer connected",
  'api.payload_too_large': 'Request body is too large',
  'api.unsupported_media_type': 'Send a form or JSON body',
  'api.unavailable': 'Temporarily unavailable: retry later',
  'api.internal_error': 'Internal error',
  'api.idempotency_key_reused': 'This idempotency_key was used for another request, which stands: use a new key',
} as const;
