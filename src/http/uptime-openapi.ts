/**
 * @module http/uptime-openapi
 * The uptime endpoints' part of GET /openapi.json, kept beside them: http/openapi.ts spreads
 * `uptimeOpenApiPaths` into `paths` and `uptimeOpenApiSchemas` into `components.schemas`.
 */

const error = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: error } } });

const rangeParameters = [
  { name: 'from', in: 'query', schema: { type: 'string' }, description: 'RFC3339 timestamp, or YYYY-MM-DD (midnight in tz); inclusive' },
  { name: 'to', in: 'query', schema: { type: 'string' }, description: 'RFC3339 timestamp, or YYYY-MM-DD (midnight in tz); exclusive, clipped to now' },
  { name: 'tz', in: 'query', schema: { type: 'string', default: 'UTC' }, description: 'IANA time zone of the calendar days' },
  {
    name: 'period',
    in: 'query',
    schema: { type: 'string', enum: ['previous-day', 'previous-week', 'previous-month', 'month-to-date', 'quarter', 'previous-quarter'] },
    description: 'instead of from/to; relative to now in tz',
  },
  { name: 'month', in: 'query', schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' }, description: 'instead of from/to: one calendar month in tz' },
];
const teamParameter = { name: 'team', in: 'query', required: true, schema: { type: 'string' } };

const failures = {
  '400': errorResponse('a parameter is invalid, not one the endpoint takes, or given twice (`param` names it)'),
  '404': errorResponse('unknown team'),
  '502': errorResponse("Thanos refused the query (Prometheus' error text)"),
  '503': errorResponse('Thanos or the store (where maintenance windows are kept) unreachable (`kind`: `unavailable`), THANOS_URL not set, or the report took longer than UPTIME_REPORT_TIMEOUT_MS (`kind`: `deadline`)'),
};

const percent = { type: ['number', 'null'] };

export const uptimeOpenApiSchemas = {
  UptimeReport: {
    type: 'object',
    required: ['team', 'from', 'to', 'tz', 'services', 'warnings'],
    properties: {
      team: { type: 'string' },
      from: { type: 'string', format: 'date-time' },
      to: { type: 'string', format: 'date-time' },
      tz: { type: 'string' },
      warnings: { type: 'array', items: { type: 'string' }, description: "Thanos' warnings, and alertgate's own (a check's values above 1, days sharing a downsampled bucket): figures may be incomplete or inexact" },
      services: {
        type: 'array',
        items: {
          type: 'object',
          required: ['service', 'objective', 'uptimePercent', 'downSeconds', 'noDataSeconds', 'errorBudgetRemainingPercent', 'incidents', 'daily'],
          properties: {
            service: { type: 'string' },
            objective: { type: 'number' },
            uptimePercent: { ...percent, description: 'null when there are no samples' },
            downSeconds: { type: 'number' },
            noDataSeconds: { type: 'number' },
            errorBudgetRemainingPercent: { ...percent, description: 'negative when overspent' },
            intervalSeconds: { type: 'number' },
            measuredSeconds: { type: 'number' },
            maintenanceSeconds: { type: 'number', description: 'time inside maintenance windows covering the service; its downtime is not downtime' },
            maintenance: {
              type: 'array',
              description: 'the maintenance windows covering the service in the range',
              items: {
                type: 'object',
                properties: { start: { type: 'string', format: 'date-time' }, end: { type: 'string', format: 'date-time' }, reason: { type: 'string' } },
              },
            },
            incidents: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  start: { type: 'string', format: 'date-time' },
                  end: { type: 'string', format: 'date-time' },
                  seconds: { type: 'number' },
                  maintenanceSeconds: { type: 'number', description: 'part of it inside maintenance windows (not counted); absent when none' },
                  startedBeforeRange: { type: 'boolean', enum: [true], description: 'already down when the range starts: start is the range start, not the outage\'s; absent when not' },
                  continuesAfterRange: { type: 'boolean', enum: [true], description: 'still down when the range ends (or now): end is the range end, not the outage\'s; absent when not' },
                },
              },
            },
            daily: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  date: { type: 'string', format: 'date' },
                  uptimePercent: percent,
                  downSeconds: { type: 'number' },
                  noDataSeconds: { type: 'number' },
                  maintenanceSeconds: { type: 'number' },
                },
              },
            },
          },
        },
      },
    },
  },
};

export const uptimeOpenApiPaths = {
  '/v1/uptime': {
    get: {
      summary: 'Uptime report of a team (sample-weighted, per calendar day in tz)',
      parameters: [teamParameter, ...rangeParameters],
      responses: { '200': { description: 'the report', content: { 'application/json': { schema: { $ref: '#/components/schemas/UptimeReport' } } } }, ...failures },
    },
  },
  '/v1/uptime.csv': {
    get: {
      summary: 'The same report as CSV: a row per service and day, and a total row per service',
      parameters: [teamParameter, ...rangeParameters],
      responses: {
        '200': {
          description: 'CSV (its columns have no place for the report\'s warnings: a report with warnings has the X-Alertgate-Warnings header and a file name ending -incomplete.csv)',
          headers: {
            'X-Alertgate-Warnings': {
              description: 'only when there are warnings (from Thanos, or alertgate\'s own about the figures): a JSON array of them, in ASCII (\\uXXXX escapes), under 2,000 characters',
              schema: { type: 'string' },
            },
          },
          content: { 'text/csv': { schema: { type: 'string' } } },
        },
        ...failures,
      },
    },
  },
  '/uptime': {
    get: { summary: 'HTML report of every team, for people', parameters: rangeParameters, responses: { '200': { description: 'HTML page', content: { 'text/html': {} } } } },
  },
  '/uptime/{team}': {
    get: {
      summary: 'HTML report of one team: daily bars, incidents, error budget',
      parameters: [{ name: 'team', in: 'path', required: true, schema: { type: 'string' } }, ...rangeParameters],
      responses: { '200': { description: 'HTML page', content: { 'text/html': {} } }, '404': { description: 'unknown team' } },
    },
  },
};
