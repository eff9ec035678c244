import { z } from 'zod';
import { endpoints } from '../../config/endpoints';
import { eventPayloadSchemas } from '../../hooks/event-schemas';
import { apiError, apiMethodNames, apiMethods, errorAnswer, sendResult } from './api-schemas';

type JsonSchema = Record<string, unknown>;
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** The API's base path with `{token}` in OpenAPI's form. */
export function methodPath(method: string): string {
  return endpoints.webhookApi.replace(':token', '{token}').replace(':method', method);
}

/** Every schema of a registry as OpenAPI components, referring to each other by `#/components/schemas/<id>`. */
function componentsOf(entries: Array<[string, z.ZodType]>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of entries) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}` });
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema, $id, ...rest } = schema as JsonSchema; // toJSONSchema's output is a plain JSON object
    void $schema;
    void $id;
    out[id] = rest;
  }
  return out;
}

const idOf = (schema: z.ZodType): string => {
  const id = schema.meta()?.id;
  if (typeof id !== 'string') throw new Error('every API schema names itself with .meta({ id })');
  return id;
};

function errorResponse(description: string, headers?: Record<string, unknown>) {
  return {
    description,
    content: { 'application/json': { schema: ref('ErrorAnswer') } },
    ...(headers ? { headers } : {}),
  };
}

const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before the next request', schema: { type: 'integer', minimum: 1 } },
};

/** The header form of `idempotency_key` (both given: they must agree). */
const idempotencyHeader = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Stands for the idempotency_key parameter (both given: they must agree, else 400)',
  schema: { type: 'string', minLength: 1, maxLength: 200 },
};

/** The signed outbound events' bodies (what a subscribed URL receives), as components. */
const outboundEventSchemas: Record<string, z.ZodType> = {
  MessageReceivedEvent: eventPayloadSchemas['message.received'],
  MessageStatusEvent: eventPayloadSchemas['message.status'],
  WaitEndedEvent: eventPayloadSchemas['wait.ended'],
};

export interface OpenApiOptions {
  /** Named component schemas to add (e.g. outbound event payloads), by their component name. */
  extraSchemas?: Record<string, z.ZodType>;
}

/** OpenAPI 3.1 of the webhook API, generated from the zod schemas that validate its requests. */
export function buildOpenApiDocument(options: OpenApiOptions = {}) {
  const requestSchemas = apiMethodNames.map((m) => apiMethods[m].request);
  const resultSchemas = [...new Set(apiMethodNames.map((m) => apiMethods[m].result))];
  const components = {
    ...componentsOf(
      requestSchemas.map((s) => [idOf(s), s]),
      'input',
    ),
    ...componentsOf(
      [...resultSchemas, apiError, errorAnswer].map((s) => [idOf(s), s]),
      'output',
    ),
    ...componentsOf(Object.entries({ ...outboundEventSchemas, ...options.extraSchemas }), 'output'),
  };
  const paths: Record<string, unknown> = {};
  for (const method of apiMethodNames) {
    const { request, result, summary } = apiMethods[method];
    const requestId = idOf(request);
    const requestJson = components[requestId] ?? {};
    // An object schema from toJSONSchema: `properties` maps names to schemas, `required` lists names.
    const properties = (requestJson.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((requestJson.required ?? []) as string[]);
    const ok = {
      description: 'Done',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: { ok: { const: true }, result: ref(idOf(result)) },
            required: ['ok', 'result'],
          },
        },
      },
    };
    const responses = {
      '200': ok,
      '400': errorResponse('A parameter is wrong (error.field names it), or the provider refused the message'),
      '401': errorResponse('Unknown or revoked token'),
      '404': errorResponse('Unknown method, or (checkMessageStatus) unknown message'),
      '413': errorResponse('Request body too large'),
      ...(result === sendResult
        ? {
            '422': errorResponse(
              'idempotency_key_reused: the key was used for a different request (another method, number or content); error.message_id names the first, which stands',
            ),
          }
        : {}),
      '429': errorResponse("Over the token's request limit", retryAfter),
      '503': errorResponse('Temporarily unavailable (storage or provider): retry later', retryAfter),
    };
    paths[methodPath(method)] = {
      parameters: [
        { name: 'token', in: 'path', required: true, description: 'The API token', schema: { type: 'string' } },
        ...(result === sendResult ? [idempotencyHeader] : []),
      ],
      get: {
        operationId: `${method}Get`,
        summary,
        parameters: Object.entries(properties).map(([name, schema]) => ({
          name,
          in: 'query',
          required: required.has(name),
          schema,
        })),
        responses,
      },
      post: {
        operationId: method,
        summary,
        requestBody: {
          required: required.size > 0,
          content: {
            'application/json': { schema: ref(requestId) },
            'application/x-www-form-urlencoded': { schema: ref(requestId) },
          },
        },
        responses,
      },
    };
  }
  paths[endpoints.openApi] = {
    get: {
      operationId: 'openApi',
      summary: 'This document',
      responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: {} } } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'WhatsApp robots for Bitrix24: webhook API',
      version: '1',
      description:
        'Send WhatsApp messages through a portal line and learn what happened. Answers: {ok: true, result} or {ok: false, error: {code, message}}.',
    },
    paths,
    components: { schemas: components },
  };
}
