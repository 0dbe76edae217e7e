/**
 * @module config/routes-schema
 * The zod spec of one `routes/<team>.yaml` file (see the contract's example). Objects are strict,
 * so a misspelt field is an error rather than silently ignored. Field-level checks (matcher
 * syntax, durations, cron, time zones) live here so that each is reported at its own position;
 * checks that relate fields or files to each other are in config/routes-semantics.ts.
 *
 * Matcher strings are transformed into MatcherSet, so the parsed output is ready for the model.
 */
import { z } from 'zod';
import { parseCron } from '../maintenance/cron.js';
import { isValidTimeZone } from '../uptime/time-zone.js';
import { parseDuration } from './duration.js';
import { secretShapeOf } from './looks-like-key.js';
import { parseMatchers } from './matchers.js';
import type { MatcherSet } from './types.js';
import { notADurationMessage } from './yaml-source.js';
import { TEAM_NAME as TEAM_NAME_RE, teamNameSchema } from './team-name.js';

export { TEAM_NAME_RE };
/** Kubernetes namespace names are DNS-1123 labels. */
const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Whether `name` is an environment variable's name (what routingKeyEnv takes). */
export const isEnvName = (name: string): boolean => ENV_NAME_RE.test(name);
/** A channel name (`#payments-alerts`, with or without `#`) or a channel id (`C0123ABCD`). */
const SLACK_CHANNEL_RE = /^#?[a-z0-9][a-z0-9._-]{0,79}$|^[CGD][A-Z0-9]{6,}$/;
/** Cron fields: digits, names (JAN, MON), `*`, `?`, ranges, lists, steps, L/W/#. */
const CRON_FIELD_RE = /^[0-9A-Za-z*?,/\-#]+$/;
/** Uptime report periods; kept equal to uptime/range.ts REPORT_PERIOD_NAMES (a test checks). */
export const REPORT_PERIODS = ['previous-day', 'previous-week', 'previous-month', 'month-to-date', 'quarter', 'previous-quarter'] as const;

export const teamName = teamNameSchema();

const namespaceName = z
  .string()
  .max(63, { error: 'namespace name is at most 63 characters' })
  .regex(NAMESPACE_RE, { error: 'not a valid Kubernetes namespace name (lower case letters, digits and -)' });

// A secret pasted here (a Slack token, a webhook URL) is routes-semantics.ts' error, in words that
// say it is one to rotate: one error for the one mistake.
const slackChannel = z
  .string()
  .refine((v) => SLACK_CHANNEL_RE.test(v) || secretShapeOf(v) !== undefined, { error: 'not a Slack channel: use "#name" (lower case, no spaces) or a channel id' });

/**
 * A matcher string's set, or what is wrong with it. An empty set (`""`, blank, `{}`) is refused:
 * it would match every alert (leaving `matchers` out says so plainly). Shared by the routes files
 * and POST /v1/maintenance, so a string is taken or refused alike in both.
 */
export function readMatcherString(s: string): { set: MatcherSet } | { problem: string } {
  try {
    const set = parseMatchers(s);
    return set.matchers.length === 0 ? { problem: 'empty matcher string (it would match every alert)' } : { set };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

export const matcherString = z.string().transform((s, ctx) => {
  const read = readMatcherString(s);
  if ('set' in read) return read.set;
  ctx.issues.push({ code: 'custom', input: s, message: read.problem });
  return z.NEVER;
});

function refineWith(check: (s: string) => string | undefined) {
  return z.string().check((ctx) => {
    const problem = check(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
  });
}

/** A duration field named `field` (for its message when left empty). */
export const durationString = (field: string) =>
  z.string({ error: (iss) => (iss.code === 'invalid_type' ? notADurationMessage(iss.input, field) : undefined) }).check((ctx) => {
    try {
      parseDuration(ctx.value);
    } catch (err) {
      ctx.issues.push({ code: 'custom', input: ctx.value, message: (err as Error).message });
    }
  });

/**
 * 5 fields (minute hour day month weekday), or 6 with a leading seconds field naming one second
 * (as node-cron took it; ignored: schedules are minute-grained), read by the parser that runs them
 * (maintenance/cron.ts, for maintenance windows and reports alike).
 */
export const cronString = refineWith((s) => {
  const fields = s.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return `cron schedule must have 5 or 6 fields, got ${fields.length}: "${s}"`;
  }
  const bad = fields.find((f) => !CRON_FIELD_RE.test(f));
  if (bad !== undefined) return `invalid cron field "${bad}" in "${s}"`;
  try {
    parseCron(s);
  } catch (err) {
    return `invalid cron schedule "${s}": ${(err as Error).message.replace(/^cron: /, '')}`;
  }
  return undefined;
});

// isValidTimeZone builds the zone's formatter once (model/zoned-formatter.ts): a new
// Intl.DateTimeFormat per check cost ~0.12 ms, for each time zone of each load of the routes.
export const timezoneString = refineWith((s) =>
  isValidTimeZone(s) ? undefined : `unknown time zone "${s}" (use an IANA name such as Europe/London)`,
);

const rfc3339 = z.iso.datetime({ offset: true, error: 'expected an RFC3339 timestamp, e.g. 2026-03-01T22:00:00Z' });

const routeSchema = z.strictObject({
  matchers: z.array(matcherString).optional(),
  receivers: z.array(z.enum(['slack', 'pagerduty'])).min(1, { error: 'a route needs at least one receiver' }),
  slack: z.strictObject({ channel: slackChannel }).optional(),
  continue: z.boolean().optional(),
});

const reportSchema = z.strictObject({
  schedule: cronString,
  period: z.enum(REPORT_PERIODS),
  channel: slackChannel.optional(),
  timezone: timezoneString.optional(),
});

const maintenanceSchema = z.strictObject({
  reason: z.string().min(1, { error: 'reason must not be empty' }),
  schedule: cronString.optional(),
  duration: durationString('duration').optional(),
  start: rfc3339.optional(),
  end: rfc3339.optional(),
  timezone: timezoneString.optional(),
  matchers: z.array(matcherString).optional(),
});

export const routesFileSchema = z.strictObject({
  team: teamName,
  owns: z
    .strictObject({
      namespaces: z.array(namespaceName).optional(),
      matchers: z.array(matcherString).optional(),
    })
    .optional(),
  slack: z.strictObject({ channel: slackChannel }).optional(),
  pagerduty: z
    .strictObject({
      // A key or token pasted here is routes-semantics.ts' error, in words that say it is a secret.
      routingKeyEnv: z
        .string()
        .refine((v) => ENV_NAME_RE.test(v) || secretShapeOf(v) !== undefined, { error: 'not an environment variable name' })
        .optional(),
      routingKeyFile: z.string().min(1).optional(),
    })
    .optional(),
  dedup: z.strictObject({ window: durationString('window').optional() }).optional(),
  routes: z.array(routeSchema).optional(),
  reports: z.array(reportSchema).optional(),
  storm: z.strictObject({ maxMessagesPerMinute: z.int().positive().optional(), holdPagerDuty: z.boolean().optional() }).optional(),
  maintenance: z.array(maintenanceSchema).optional(),
});

export type RoutesFileSpec = z.output<typeof routesFileSchema>;
