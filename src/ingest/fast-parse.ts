/**
 * @module ingest/fast-parse
 * A fast path in front of the webhook schema (webhook-schema.ts). Alertmanager's bodies are
 * almost always well formed; zod checks them field by field and copies every object, ~6 µs per
 * alert, a tenth of the event loop's work on a 100-alert webhook. This accepts exactly the
 * common valid shape, with the schema's defaults applied, and answers undefined for anything
 * else, which then goes through zod (and gets zod's precise error paths).
 *
 * It must never accept what the schema rejects, nor differ in what it returns: the property
 * suite (test/property-fast-parse.test.ts) compares the two on generated valid, mutated and
 * hostile bodies.
 */
import { isReservedGroupKey } from '../model/group-id.js';
import { isRfc3339Text } from '../model/time-text.js';
import type { WebhookBody } from './webhook-schema.js';

type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * How many labels a label map has (a plain object of string values; own keys only, `__proto__`
 * left to the schema), or -1 for anything else. `for…in` rather than `Object.keys`: no array per
 * map (three or four maps per alert).
 */
function labelCount(v: unknown): number {
  if (!isPlainObject(v)) return -1;
  let count = 0;
  for (const key in v) {
    if (!Object.hasOwn(v, key)) continue;
    if (key === '__proto__' || typeof v[key] !== 'string') return -1;
    count++;
  }
  return count;
}

function isLabelMap(v: unknown): v is Record<string, string> {
  return labelCount(v) >= 0;
}

function optionalLabelMap(v: unknown): Record<string, string> | undefined | false {
  if (v === undefined) return undefined;
  return isLabelMap(v) ? v : false;
}

const isTime = (v: unknown): v is string => typeof v === 'string' && isRfc3339Text(v);
const isStatus = (v: unknown): v is 'firing' | 'resolved' => v === 'firing' || v === 'resolved';

type WebhookAlert = WebhookBody['alerts'][number];

function fastAlert(a: unknown): WebhookAlert | undefined {
  if (!isPlainObject(a) || Object.hasOwn(a, '__proto__')) return undefined;
  if (!isStatus(a.status) || !isTime(a.startsAt)) return undefined;
  if (labelCount(a.labels) <= 0) return undefined;
  const annotations = optionalLabelMap(a.annotations);
  if (annotations === false) return undefined;
  if (a.endsAt !== undefined && !isTime(a.endsAt)) return undefined;
  if (a.generatorURL !== undefined && typeof a.generatorURL !== 'string') return undefined;
  if (a.fingerprint !== undefined && (typeof a.fingerprint !== 'string' || a.fingerprint.length === 0)) return undefined;
  return { ...a, annotations: annotations ?? {}, generatorURL: a.generatorURL ?? '' } as WebhookAlert;
}

/** The body as the schema would return it, or undefined when the schema must decide. */
export function fastParseWebhook(json: unknown): WebhookBody | undefined {
  if (!isPlainObject(json) || Object.hasOwn(json, '__proto__')) return undefined;
  const b = json;
  if (b.version !== undefined && typeof b.version !== 'string') return undefined;
  if (typeof b.groupKey !== 'string' || b.groupKey.length === 0 || isReservedGroupKey(b.groupKey) || !isStatus(b.status)) return undefined;
  if (b.receiver !== undefined && typeof b.receiver !== 'string') return undefined;
  if (b.externalURL !== undefined && typeof b.externalURL !== 'string') return undefined;
  if (b.truncatedAlerts !== undefined && !(Number.isSafeInteger(b.truncatedAlerts) && (b.truncatedAlerts as number) >= 0)) return undefined;
  const groupLabels = optionalLabelMap(b.groupLabels);
  const commonLabels = optionalLabelMap(b.commonLabels);
  const commonAnnotations = optionalLabelMap(b.commonAnnotations);
  if (groupLabels === false || commonLabels === false || commonAnnotations === false) return undefined;
  if (!Array.isArray(b.alerts) || b.alerts.length === 0) return undefined;
  const alerts: WebhookAlert[] = [];
  for (const a of b.alerts as unknown[]) {
    const alert = fastAlert(a);
    if (!alert) return undefined;
    alerts.push(alert);
  }
  return {
    ...b,
    groupKey: b.groupKey,
    status: b.status,
    receiver: b.receiver ?? '',
    groupLabels: groupLabels ?? {},
    commonLabels: commonLabels ?? {},
    commonAnnotations: commonAnnotations ?? {},
    externalURL: b.externalURL ?? '',
    truncatedAlerts: (b.truncatedAlerts as number | undefined) ?? 0,
    alerts,
  } as WebhookBody;
}
