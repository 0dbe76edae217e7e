/**
 * @module http/openapi
 * GET /openapi.json — OpenAPI 3.1 description of the HTTP API (contract "HTTP").
 * Hand-written and small: the shapes that clients rely on, not every internal field.
 */
import { Hono } from 'hono';
import { uptimeOpenApiPaths, uptimeOpenApiSchemas } from './uptime-openapi.js';

const error = { $ref: '#/components/schemas/Error' };
const json = (schema: object) => ({ 'application/json': { schema } });
const errorResponse = (description: string) => ({ description, content: json(error) });
/** A 401 and its challenge (http/auth.ts `unauthorized`). */
const unauthorizedResponse = (description: string) => ({
  ...errorResponse(description),
  headers: {
    'WWW-Authenticate': {
      description: '`Bearer realm="alertgate"`, with `error="invalid_token"` when a bearer token was presented and refused',
      schema: { type: 'string' },
    },
  },
});
/** What every admin endpoint can answer besides its own outcomes (http/admin.ts). */
const adminErrors = { '401': unauthorizedResponse('Bad admin token'), '403': errorResponse('ADMIN_TOKEN not configured') };
/** Every endpoint that reads or writes the store (http/app.ts error handler). */
const storeDown = { '503': errorResponse('Store unavailable; retry later') };
const listParams = (statuses: string[]) => [
  { name: 'team', in: 'query', schema: { type: 'string' } },
  { name: 'status', in: 'query', schema: { type: 'string', enum: statuses } },
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
  { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'nextCursor of the previous page, given with the same team and status' },
];
const page = (item: string) => ({
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: { $ref: `#/components/schemas/${item}` } }, nextCursor: { type: ['string', 'null'] } },
});
const labels = { type: 'object', additionalProperties: { type: 'string' } };
/** `{"status": "<value>"}` of the health and reload answers. */
const status = (value: string) => ({ type: 'object', required: ['status'], properties: { status: { type: 'string', const: value } } });

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'alertgate',
    version: '0.1.0',
    description: 'Alertmanager webhooks → team attribution → dedup → durable Slack and PagerDuty delivery.',
  },
  components: {
    securitySchemes: {
      webhookToken: { type: 'http', scheme: 'bearer', description: 'WEBHOOK_TOKEN' },
      adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: { type: 'string' },
          issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
      Alert: {
        type: 'object',
        required: ['fingerprint', 'team', 'status', 'labels', 'annotations', 'startsAt', 'endsAt', 'groupId', 'groupKey', 'updatedAt'],
        properties: {
          fingerprint: { type: 'string' },
          team: { type: 'string' },
          status: { type: 'string', enum: ['firing', 'resolved'] },
          labels,
          annotations: labels,
          startsAt: { type: 'string', format: 'date-time' },
          endsAt: { type: ['string', 'null'], format: 'date-time' },
          generatorURL: { type: 'string' },
          groupId: { type: 'string' },
          groupKey: { type: 'string' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      ...uptimeOpenApiSchemas,
      Notification: {
        type: 'object',
        required: ['id', 'team', 'groupId', 'groupKey', 'receiver', 'target', 'kind', 'status', 'attempts', 'createdAt', 'group'],
        properties: {
          id: { type: 'integer' },
          team: { type: 'string' },
          groupId: { type: 'string' },
          groupKey: { type: 'string' },
          receiver: { type: 'string', enum: ['slack', 'pagerduty'] },
          target: { type: 'object' },
          kind: { type: 'string', enum: ['new', 'changed', 'resolved', 'repeat'] },
          status: { type: 'string', enum: ['pending', 'failed', 'sent', 'suppressed', 'dead'] },
          reason: { type: ['string', 'null'] },
          attempts: { type: 'integer' },
          lastError: { type: ['string', 'null'] },
          createdAt: { type: 'string', format: 'date-time' },
          nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
          sentAt: { type: ['string', 'null'], format: 'date-time' },
          group: {
            type: 'object',
            description: 'the group as this notification carries it',
            required: ['status', 'alertnames', 'firing', 'resolved'],
            properties: {
              status: { type: 'string', enum: ['firing', 'resolved'] },
              alertnames: { type: 'array', items: { type: 'string' } },
              firing: { type: 'integer' },
              resolved: { type: 'integer' },
            },
          },
        },
      },
      MaintenanceWindow: {
        type: 'object',
        required: ['id', 'team', 'matchers', 'start', 'end', 'reason', 'createdAt', 'active'],
        properties: {
          id: { type: 'string', description: '`<team>.<12 hex digits>`' },
          team: { type: 'string' },
          matchers: { type: 'array', items: { type: 'string' } },
          start: { type: 'string', format: 'date-time' },
          end: { type: 'string', format: 'date-time' },
          reason: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          active: { type: 'boolean', description: 'start <= now < end' },
        },
      },
    },
  },
  paths: {
    '/webhooks/alertmanager': {
      post: {
        summary: 'Alertmanager webhook (version 4)',
        security: [{ webhookToken: [] }],
        requestBody: { required: true, content: json({ type: 'object', description: 'Alertmanager webhook body, version 4' }) },
        responses: {
          '202': { description: 'Durably stored', content: json({ type: 'object', properties: { accepted: { type: 'integer' } } }) },
          '400': errorResponse('Invalid JSON or schema, or a body not valid for its Content-Encoding'),
          '401': unauthorizedResponse('Missing or invalid bearer token'),
          '413': errorResponse('Body over WEBHOOK_MAX_BYTES, as sent or decompressed'),
          '415': errorResponse('Not application/json, or a Content-Encoding other than gzip, x-gzip, deflate or identity'),
          '503': errorResponse('Store unavailable or shutting down; retry'),
        },
      },
    },
    '/v1/alerts': {
      get: { summary: 'Current alert state, newest first by when each alert was first stored', parameters: listParams(['firing', 'resolved']), responses: { '200': { description: 'A page', content: json(page('Alert')) }, '400': errorResponse('Bad query'), ...storeDown } },
    },
    '/v1/notifications': {
      get: {
        summary: 'Delivery log, newest first',
        parameters: listParams(['pending', 'failed', 'sent', 'suppressed', 'dead']),
        responses: { '200': { description: 'A page', content: json(page('Notification')) }, '400': errorResponse('Bad query'), ...storeDown },
      },
    },
    '/v1/notifications/{id}/retry': {
      post: {
        summary: 'Requeue a dead notification',
        security: [{ adminToken: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 }, description: 'in decimal digits' }],
        responses: {
          '202': { description: 'Requeued', content: json({ $ref: '#/components/schemas/Notification' }) },
          '400': errorResponse('Id is not a notification id'),
          ...adminErrors,
          '404': errorResponse('Unknown notification'),
          '409': errorResponse('Not dead, or superseded: a newer notification of the same group and target is pending, failed, sent or dead (`supersededBy`, `supersededByStatus`); suppressed ones do not count'),
          ...storeDown,
        },
      },
    },
    '/-/reload': {
      post: {
        summary: 'Reload configuration (invalid config keeps the old one)',
        security: [{ adminToken: [] }],
        responses: {
          '200': { description: 'Reloaded', content: json(status('reloaded')) },
          '400': errorResponse('Invalid configuration'),
          ...adminErrors,
          '501': errorResponse('Reload not available in this process'),
        },
      },
    },
    '/v1/maintenance': {
      get: {
        summary: 'Ad-hoc maintenance windows, newest first',
        parameters: [
          { name: 'team', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'nextCursor of the previous page, given with the same team' },
        ],
        responses: { '200': { description: 'A page of windows', content: json(page('MaintenanceWindow')) }, '400': errorResponse('Bad query'), ...storeDown },
      },
      post: {
        summary: 'Create a maintenance window: matching alerts are held, not lost',
        security: [{ adminToken: [] }],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['team', 'start', 'end', 'reason'],
            properties: {
              team: { type: 'string' },
              matchers: { type: 'array', items: { type: 'string' }, description: 'Alertmanager matcher strings, all must match' },
              start: { type: 'string', format: 'date-time' },
              end: { type: 'string', format: 'date-time' },
              reason: { type: 'string' },
            },
          }),
        },
        responses: {
          '201': { description: 'The stored window with its id', content: json({ $ref: '#/components/schemas/MaintenanceWindow' }) },
          '400': errorResponse('Invalid window'),
          ...adminErrors,
          '413': errorResponse('Body over 64 KiB, as sent or decompressed'),
          '415': errorResponse('Not application/json, or a Content-Encoding other than gzip, x-gzip, deflate or identity'),
          ...storeDown,
        },
      },
    },
    '/v1/maintenance/{id}': {
      delete: {
        summary: 'Delete a window; groups it held that still fire are delivered at once',
        security: [{ adminToken: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '204': { description: 'Deleted' }, ...adminErrors, '404': errorResponse('Unknown window'), ...storeDown },
      },
    },
    ...uptimeOpenApiPaths,
    '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'Text exposition format' } } } },
    '/healthz': { get: { summary: 'Liveness', responses: { '200': { description: 'Alive', content: json(status('ok')) } } } },
    '/readyz': {
      get: {
        summary: 'Readiness',
        responses: {
          '200': { description: 'Ready', content: json(status('ready')) },
          '503': { description: 'Not ready: `problems` lists why', content: json({ allOf: [error, { type: 'object', required: ['problems'], properties: { problems: { type: 'array', items: { type: 'string' } } } }] }) },
        },
      },
    },
  } as Record<string, unknown>,
};

export function openApiRoutes(): Hono {
  const app = new Hono();
  app.get('/openapi.json', (c) => c.json(openApiDocument));
  return app;
}
