/**
 * @module ingest/webhook-schema
 * Alertmanager webhook body, version 4 (Alertmanager 0.25 … 0.34). Unknown fields are tolerated
 * (newer releases add e.g. `notification_reason`, `routeLabels`); the fields we use are checked.
 */
import { z } from 'zod';
import { isReservedGroupKey, PSEUDO_GROUP_KEYS } from '../model/group-id.js';

const textRecord = z.record(z.string(), z.string());

/**
 * A label (annotation) map. zod's record skips a key named `__proto__` (assigning it on the `{}`
 * it builds would set the prototype), unchecked: a label of that name, valid in Prometheus
 * (`label_replace` or Alertmanager's API can set it), vanished, with an object value as readily
 * as a text one, and two alerts differing only in it got one fingerprint here. So the record
 * checks the other keys and this one is checked here, then kept as an own property, in its place
 * (`Object.fromEntries` defines properties; it never calls the prototype setter), as JSON.parse
 * and the fast path (fast-parse.ts, which leaves such maps to this schema) hold it.
 */
const PROTO_KEY = '__proto__';
const text = z.string();
const labelMap = z.unknown().transform((input, ctx): Record<string, string> => {
  const checked = textRecord.safeParse(input);
  const issues = checked.success ? [] : [...checked.error.issues];
  const proto = isObject(input) && Object.hasOwn(input, PROTO_KEY) ? text.safeParse(input[PROTO_KEY]) : undefined;
  if (proto && !proto.success) issues.push(...proto.error.issues.map((i) => ({ ...i, path: [PROTO_KEY, ...i.path] })));
  if (issues.length > 0 || !checked.success) {
    for (const issue of issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  if (!proto?.success) return checked.data;
  return Object.fromEntries(Object.keys(input as object).map((k) => [k, k === PROTO_KEY ? proto.data : checked.data[k]!]));
});

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

const rfc3339 = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be an RFC3339 timestamp' });

export const webhookAlertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: labelMap.refine((l) => Object.keys(l).length > 0, { message: 'an alert needs at least one label' }),
  annotations: labelMap.default({}),
  startsAt: rfc3339,
  endsAt: rfc3339.optional(),
  generatorURL: z.string().default(''),
  fingerprint: z.string().min(1).optional(),
});

export const webhookSchema = z.looseObject({
  version: z.string().optional(),
  groupKey: z
    .string()
    .min(1)
    .refine((key) => !isReservedGroupKey(key), { message: `is reserved for alertgate's own records ("${PSEUDO_GROUP_KEYS.maintenance}", "${PSEUDO_GROUP_KEYS.stormPrefix}…", "${PSEUDO_GROUP_KEYS.messagePrefix}…"); Alertmanager's group keys start with "{"` }),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().default(''),
  groupLabels: labelMap.default({}),
  commonLabels: labelMap.default({}),
  commonAnnotations: labelMap.default({}),
  externalURL: z.string().default(''),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  alerts: z.array(webhookAlertSchema).min(1, { message: 'at least one alert is required' }),
});

export type WebhookBody = z.infer<typeof webhookSchema>;
