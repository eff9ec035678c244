/** REST errors the portal answers with. */

/** An error answered as `{"error": code, "error_description": description}` with an HTTP status. */
export class RestError extends Error {
  constructor(
    readonly code: string | number,
    readonly description: string,
    readonly status: number = 400,
  ) {
    super(description);
  }
}

/** Standard portal errors. */
export const restErrors = {
  expiredToken: () => new RestError('expired_token', 'The access token provided has expired.', 401),
  invalidToken: () => new RestError('invalid_token', 'The access token provided is invalid.', 401),
  insufficientScope: () =>
    new RestError(
      'insufficient_scope',
      'The request requires higher privileges than provided by the access token',
      401,
    ),
  noAuth: () => new RestError('NO_AUTH_FOUND', 'Wrong authorization data', 401),
  queryLimit: () => new RestError('QUERY_LIMIT_EXCEEDED', 'Too many requests', 503),
  accessDenied: (reason = '') => new RestError('ACCESS_DENIED', `Access denied!${reason ? ` ${reason}` : ''}`, 403),
  methodNotFound: () => new RestError('ERROR_METHOD_NOT_FOUND', 'Method not found!', 404),
  crmNotFound: () => new RestError('', 'Not found', 400),
  crmBadId: () => new RestError('', 'ID is not defined or invalid.', 400),
  validation: (text: string) => new RestError('ERROR_ACTIVITY_VALIDATION_FAILURE', text, 400),
};
