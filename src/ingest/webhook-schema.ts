/**
 * @module ingest/webhook-schema
 * Alertmanager webhook body, version 4 (Alertmanager 0.25 … 0.34). Unknown fields are tolerated
 * (newer releases add e.g. `notification_reason`, `routeLabels`); the fields we use are checked.
 */
import { z } from 'zod';
import { isReservedGroupKey, PSEUDO_GROUP_KEYS } from '../model/group-id.js';
import { textMapSchema } from '../model/text-map-schema.js';
import { isRfc3339Text } from '../model/time-text.js';

/** Labels and annotations; one named `__proto__` is kept too (model/text-map-schema.ts). */
const labelMap = textMapSchema();

/**
 * RFC3339 only (model/time-text.ts): Date.parse took `1`, `Nov 20 2026`, zone-less local times and
 * rolled `02-30` over to March, silently storing another instant than the sender meant.
 */
const rfc3339 = z.string().refine(isRfc3339Text, { message: 'must be an RFC3339 timestamp' });

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
