/**
 * @module config/rules-schema
 * The spec of `rules/<team>.yaml`: alert rules, SLOs and uptime checks. Everything that can be
 * checked field by field is here (so zod reports it all at once, each at its own position);
 * unique names, PromQL syntax and types and Go template syntax are checked on the raw value in
 * config/check-team-file.ts, cross-file checks in config/load-team-specs.ts.
 *
 * @example
 * team: payments
 * namespace: payments-prod
 * alerts:
 *   - name: CheckoutHighLatency
 *     expr: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{job="checkout"}[5m]))) > 1
 *     for: 10m
 *     severity: warning
 *     summary: "Checkout p99 latency above 1s"
 *     runbook: https://runbooks.example/checkout-latency
 * slos:
 *   - name: checkout-availability
 *     objective: 99.9
 *     window: 30d
 *     errors: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{window}}]))
 *     total: sum(rate(http_requests_total{job="checkout"}[{{window}}]))
 * uptime:
 *   - service: checkout
 *     up: probe_success{job="blackbox",instance="https://checkout.example"}
 *     objective: 99.9
 *     interval: 30s
 */
import { z } from 'zod';
import { textMapSchema } from '../model/text-map-schema.js';
import { hasWindowPlaceholder } from './promql.js';
import { shownName } from './describe-path.js';
import { secretShapeOf } from './looks-like-key.js';
import { parsePromDuration, PROM_DURATION_HINT } from './rules-duration.js';
import { TEAM_NAME, teamNameSchema } from './team-name.js';
import { notADurationMessage } from './yaml-source.js';

export const DEFAULT_SEVERITIES = ['critical', 'warning', 'info'] as const;

export { TEAM_NAME };
/** Kubernetes namespace (RFC 1123 label). */
export const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Prometheus refuses alert names that are not valid metric names. */
export const ALERT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** SLO names become label values, record selectors and dashboard rows: keep them simple. */
export const SLO_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Labels and annotations the generator sets itself; a spec may not override them. */
const RESERVED_LABELS = ['team', 'severity', 'alertname', 'slo'];
const RESERVED_ANNOTATIONS = ['summary', 'runbook_url'];

/** The text found, quoted as the other messages quote it; a pasted secret is not shown. */
const shown = (s: string) => {
  const secret = secretShapeOf(s);
  return secret ? `text that looks like ${secret} (not shown here)` : JSON.stringify(s);
};

/**
 * A Prometheus duration. An unquoted `for: 0` arrives as the text "0" (check-team-file.ts
 * withSourceText), which Prometheus accepts; any other number without a unit (`for: 5`) it refuses,
 * and the message says what is missing.
 */
export const promDuration = (what: string, opts: { positive?: boolean } = {}) =>
  z.string({ error: (iss) => (iss.code === 'invalid_type' ? notADurationMessage(iss.input, what) : undefined) }).superRefine((s, ctx) => {
    if ((parsePromDuration(s) ?? -1) >= (opts.positive ? 1 : 0)) return;
    const unitless = /^[0-9]+$/.test(s) && s !== '0';
    ctx.addIssue({
      code: 'custom',
      message: unitless
        ? `${what}: ${s} has no unit; Prometheus needs one (${s}s, ${s}m, ${s}h…)${opts.positive ? '' : ', only 0 may go without'}`
        : `${what}: ${shown(s)} is not a ${opts.positive ? 'non-zero ' : ''}${PROM_DURATION_HINT}`,
    });
  });

/**
 * A percentage written as a plain number (99.9). The usual slips are answered with what to write:
 * `"99.9%"` or a quoted number (zod would say only "expected number, received string"), and a
 * ratio such as 0.999, which would silently be an objective of 0.999 % whose alerts never fire.
 */
const percentNumber = (what: string) =>
  z
    .number({
      error: (iss) => {
        if (typeof iss.input !== 'string') return undefined;
        const written = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*$/.exec(iss.input);
        return `${what} is a number of percent, without quotes or "%"${written ? `: write ${what}: ${written[1]}` : ', e.g. 99.9'}`;
      },
    })
    .refine((n) => !(n > 0 && n < 1), {
      error: (iss) => {
        const n = iss.input as number;
        return `${what} is in percent: ${n} would mean ${n} %; for ${Number((n * 100).toPrecision(12))} % write ${what}: ${Number((n * 100).toPrecision(12))}`;
      },
    });

const percent = (what: string) =>
  percentNumber(what).refine((n) => n > 0 && n < 100, { message: `${what} must be a percentage strictly between 0 and 100, e.g. 99.9` });

const httpUrl = z.string().regex(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' });

const promql = z.string().min(1, { message: 'PromQL expression is empty' });

/**
 * Label names starting with `__` are reserved for Prometheus' internal use (its data model says
 * so): `promtool check rules`, and Prometheus loading the generated rule, refuse `__name__` on a
 * rule, and no other such name is the author's to set either. Only for labels: annotations are
 * not labels, and Prometheus accepts any valid name there.
 */
const PROMETHEUS_RESERVED_PREFIX = '__';

const labelMap = (what: string, reserved: readonly string[], opts: { prometheusReserved?: boolean } = {}) =>
  // Values are text. An unquoted number or boolean (`version: 1.20`) arrives here as the text
  // written in the file, as Prometheus reads it (check-team-file.ts withSourceText), never
  // as String(1.2) = "1.2"; anything else that is not text (a list, an empty value) is refused.
  // A key named `__proto__` is kept, so the checks below see it (model/text-map-schema.ts).
  textMapSchema(z.string({ error: `values in ${what} must be text (quote the value)` })).superRefine((map, ctx) => {
    for (const key of Object.keys(map)) {
      if (reserved.includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${shownName(key)} is set by alertgate and cannot be given in ${what}` });
      } else if (opts.prometheusReserved && key.startsWith(PROMETHEUS_RESERVED_PREFIX)) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${shownName(key)} cannot be given in ${what}: label names starting with "__" are reserved for Prometheus' internal use (promtool check rules refuses __name__)`,
        });
      } else if (!LABEL_NAME.test(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${shownName(key)} is not a valid name for ${what} (${LABEL_NAME.source})` });
      }
    }
  });

export interface RulesSchemaOptions {
  /** Allowed `severity` values; default critical, warning, info. */
  severities?: readonly string[];
}

export function rulesFileSchema(opts: RulesSchemaOptions = {}) {
  const severities = opts.severities ?? DEFAULT_SEVERITIES;
  const alert = z.strictObject({
    name: z.string().regex(ALERT_NAME, { message: `alert name must match ${ALERT_NAME.source} (Prometheus metric-name rules)` }),
    expr: promql.refine((e) => !hasWindowPlaceholder(e), { message: '{{window}} is only substituted in SLO expressions' }),
    for: promDuration('for').optional(),
    keep_firing_for: promDuration('keep_firing_for').optional(),
    // Worded as any value not among a field's choices (yaml-source.ts plainMessage): the value found and the one meant.
    severity: z.string().superRefine((s, ctx) => {
      if (!severities.includes(s)) ctx.addIssue({ code: 'invalid_value', values: [...severities], input: s, message: 'Invalid option' });
    }),
    summary: z.string().min(1),
    runbook: httpUrl,
    description: z.string().optional(),
    labels: labelMap('labels', RESERVED_LABELS, { prometheusReserved: true }).optional(),
    annotations: labelMap('annotations', RESERVED_ANNOTATIONS).optional(),
  });
  const windowed = (what: string) =>
    promql.refine(hasWindowPlaceholder, {
      message: `${what} must contain the {{window}} placeholder (replaced by each rate window: 5m, 30m, 1h, … and the SLO window)`,
    });
  const slo = z.strictObject({
    name: z.string().regex(SLO_NAME, { message: `SLO name must match ${SLO_NAME.source}` }),
    objective: percent('objective'),
    window: promDuration('window', { positive: true }),
    errors: windowed('errors'),
    total: windowed('total'),
    description: z.string().optional(),
    runbook: httpUrl.optional(),
  });
  const uptime = z.strictObject({
    service: z.string().regex(SLO_NAME, { message: `service must match ${SLO_NAME.source}` }),
    up: promql,
    objective: percentNumber('objective').refine((n) => n > 0 && n <= 100, { message: 'objective must be a percentage above 0 and at most 100' }),
    interval: promDuration('interval', { positive: true }).optional(),
  });
  return z.strictObject({
    team: teamNameSchema(),
    namespace: z.string().regex(NAMESPACE, { message: 'namespace must be a Kubernetes namespace name (lower case, digits, "-")' }),
    // Unique names are checked on the raw value (check-team-file.ts checkUniqueNames): zod skips
    // an array's refinements when any element fails, which hid a duplicate behind a typo.
    alerts: z.array(alert).default([]),
    slos: z.array(slo).default([]),
    uptime: z.array(uptime).default([]),
  });
}

export type RulesFileSpec = z.infer<ReturnType<typeof rulesFileSchema>>;
