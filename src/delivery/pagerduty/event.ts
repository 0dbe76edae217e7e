/**
 * @module delivery/pagerduty/event
 * Builds PagerDuty Events API v2 bodies from a group, capped to the API's limits before
 * sending (summary ≤1024 characters, whole body <512 KB), as Alertmanager's pagerduty.go does.
 * https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
 */
import type { Alert } from '../../model/alert.js';
import type { GroupSnapshot } from '../../model/group.js';
import {
  firingAlerts,
  groupAlertname,
  groupLinks,
  groupSeverity,
  groupStartedAt,
  groupSummary,
  isHttpUrl,
  resolvedAlerts,
  silenceUrl,
} from '../group-text.js';

export const PAGERDUTY_LIMITS = {
  summary: 1024,
  /** PagerDuty rejects bodies of 512 KB and more; we stay below with room for the envelope. */
  bodyBytes: 512 * 1024,
  /** Longest label or annotation value copied into custom_details. */
  detailValue: 4096,
  /** Most labels or annotations copied per record, so no single alert can fill the body. */
  detailEntries: 64,
  /**
   * Most bytes (as JSON) of the group's common labels, and of each alert's labels or annotations.
   * 64 values of 4,096 characters are 256 KiB of ASCII but up to 1.5 MiB of JSON (`€` is 3 bytes,
   * a quote 2, a control character 6): the group's common labels alone made PagerDuty refuse the
   * page (400 "Event object exceeds the maximum size of 512 KB"), dead on every retry.
   */
  recordBytes: 64 * 1024,
  /** Longer URLs are left out of `links` / `client_url` rather than cut into broken links. */
  url: 2048,
} as const;

/** Our own ceiling, a margin below the API's, so rounding never tips a body over. */
const BODY_BUDGET = PAGERDUTY_LIMITS.bodyBytes - 8 * 1024;

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyLink {
  href: string;
  text: string;
}

export interface AlertDetail {
  status: Alert['status'];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Labels, annotations left out past PAGERDUTY_LIMITS.detailEntries or .recordBytes. */
  omitted_labels?: number;
  omitted_annotations?: number;
  startsAt: string;
  endsAt: string | null;
  generatorURL: string;
}

export interface TriggerEvent {
  routing_key: string;
  event_action: 'trigger';
  dedup_key: string;
  payload: {
    summary: string;
    source: string;
    severity: PagerDutySeverity;
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details: {
      team: string;
      groupKey: string;
      num_firing: number;
      num_resolved: number;
      common_labels: Record<string, string>;
      /** Common labels left out to keep `common_labels` within PAGERDUTY_LIMITS.recordBytes. */
      omitted_common_labels?: number;
      firing: AlertDetail[];
      resolved: AlertDetail[];
      /** Alerts left out to keep the body under PagerDuty's size limit. */
      omitted_alerts?: number;
      /** Alerts Alertmanager left out of its notification (webhook max_alerts): the counts above do not cover them. */
      truncated_alerts?: number;
    };
  };
  links: PagerDutyLink[];
  client: 'alertgate';
  client_url?: string;
}

export interface ResolveEvent {
  routing_key: string;
  event_action: 'resolve';
  dedup_key: string;
}

export type PagerDutyEvent = TriggerEvent | ResolveEvent;

const SEVERITY_ALIASES: Record<string, PagerDutySeverity> = {
  critical: 'critical',
  page: 'critical',
  p1: 'critical',
  error: 'error',
  high: 'error',
  major: 'error',
  p2: 'error',
  warning: 'warning',
  warn: 'warning',
  p3: 'warning',
  info: 'info',
  informational: 'info',
  low: 'info',
  none: 'info',
  p4: 'info',
};

/** Maps a `severity` label to PagerDuty's four levels; anything unknown is `warning`. */
export function mapSeverity(label: string | undefined): PagerDutySeverity {
  return SEVERITY_ALIASES[(label ?? '').trim().toLowerCase()] ?? 'warning';
}

/** Shortens to at most `max` characters with "…", never splitting a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** "[FIRING:3] KubePodCrashLooping (payments): Pod is crash looping" — ≤1024 characters. */
export function eventSummary(group: GroupSnapshot): string {
  const firing = firingAlerts(group).length;
  const summary = groupSummary(group);
  const text = `[FIRING:${firing}] ${groupAlertname(group)} (${group.team})${summary ? `: ${summary}` : ''}`;
  return truncateText(text.replace(/\s+/g, ' ').trim(), PAGERDUTY_LIMITS.summary);
}

function eventSource(group: GroupSnapshot): string {
  return isHttpUrl(group.externalURL) ? new URL(group.externalURL).host : 'alertgate';
}

const byteLength = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * A copy of `record` within PagerDuty's room: at most `detailEntries` entries, keys cut to 255 and
 * values to `detailValue` characters, and at most `recordBytes` bytes as JSON; the entries past
 * either limit are left out (in order) and counted in `omitted`.
 */
function cappedRecord(record: Record<string, string>): { record: Record<string, string>; omitted: number } {
  // No prototype: a label named `__proto__` stays a detail instead of setting one.
  const out = Object.create(null) as Record<string, string>;
  const entries = Object.entries(record);
  const taken = entries.slice(0, PAGERDUTY_LIMITS.detailEntries);
  // JSON writes a UTF-16 unit in at most 6 bytes (`\u0001`): records that fit even so (nearly
  // all) are not measured entry by entry.
  let most = 2;
  for (const [k, v] of taken) most += 6 * (Math.min(k.length, 255) + Math.min(v.length, PAGERDUTY_LIMITS.detailValue)) + 18;
  const measure = most > PAGERDUTY_LIMITS.recordBytes;
  let bytes = 2;
  for (const [k, v] of taken) {
    const key = truncateText(k, 255);
    const value = truncateText(v, PAGERDUTY_LIMITS.detailValue);
    if (measure) {
      // `"key":"value",` as JSON writes it.
      const cost = byteLength(key) + byteLength(value) + 2;
      if (bytes + cost > PAGERDUTY_LIMITS.recordBytes) break;
      bytes += cost;
    }
    out[key] = value;
  }
  // Keys cut to the same 255 characters are one entry: count what the record holds.
  return { record: out, omitted: entries.length - Object.keys(out).length };
}

function alertDetail(alert: Alert): AlertDetail {
  const labels = cappedRecord(alert.labels);
  const annotations = cappedRecord(alert.annotations);
  return {
    status: alert.status,
    labels: labels.record,
    annotations: annotations.record,
    ...(labels.omitted > 0 ? { omitted_labels: labels.omitted } : {}),
    ...(annotations.omitted > 0 ? { omitted_annotations: annotations.omitted } : {}),
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    generatorURL: alert.generatorURL.length <= PAGERDUTY_LIMITS.url ? alert.generatorURL : '',
  };
}

function eventLinks(group: GroupSnapshot): PagerDutyLink[] {
  const links = groupLinks(group).map((l) => ({ href: l.url, text: l.label }));
  const silence = silenceUrl(group);
  if (silence !== undefined) links.push({ href: silence, text: 'Silence in Alertmanager' });
  return links.filter((l) => l.href.length <= PAGERDUTY_LIMITS.url);
}

function buildTrigger(group: GroupSnapshot, routingKey: string): TriggerEvent {
  const firing = firingAlerts(group);
  const resolved = resolvedAlerts(group);
  const commonLabels = group.commonLabels;
  const timestamp = groupStartedAt(group);
  const component = commonLabels['service'] ?? commonLabels['job'];
  const common = cappedRecord(commonLabels);
  const event: TriggerEvent = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: group.dedupKey,
    payload: {
      summary: eventSummary(group),
      source: eventSource(group),
      severity: mapSeverity(groupSeverity(group)),
      ...(timestamp !== undefined ? { timestamp } : {}),
      ...(component !== undefined ? { component: truncateText(component, 255) } : {}),
      group: truncateText(commonLabels['namespace'] ?? group.team, 255),
      class: truncateText(groupAlertname(group), 255),
      custom_details: {
        team: group.team,
        groupKey: truncateText(group.groupKey, PAGERDUTY_LIMITS.detailValue),
        num_firing: firing.length,
        num_resolved: resolved.length,
        common_labels: common.record,
        ...(common.omitted > 0 ? { omitted_common_labels: common.omitted } : {}),
        firing: [],
        resolved: [],
        ...(group.truncatedAlerts ? { truncated_alerts: group.truncatedAlerts } : {}),
      },
    },
    links: eventLinks(group),
    client: 'alertgate',
    ...(isHttpUrl(group.externalURL) && group.externalURL.length <= PAGERDUTY_LIMITS.url
      ? { client_url: group.externalURL }
      : {}),
  };

  // Add alerts, firing first, while the body stays under budget; count the rest.
  // (+ room for the omitted_alerts field itself, added below if anything is left out.)
  const details = event.payload.custom_details;
  let size = byteLength(event) + 32;
  let omitted = 0;
  for (const alert of [...firing, ...resolved]) {
    // Once one is left out, later ones are too (the list stays a prefix): only count them, as
    // building their details costs time and memory for thousands of alerts.
    if (omitted > 0) {
      omitted += 1;
      continue;
    }
    const detail = alertDetail(alert);
    const cost = byteLength(detail) + 1;
    if (size + cost <= BODY_BUDGET) {
      (alert.status === 'firing' ? details.firing : details.resolved).push(detail);
      size += cost;
    } else {
      omitted += 1;
    }
  }
  if (omitted > 0) details.omitted_alerts = omitted;
  return event;
}

/**
 * The event for a group's current state: `trigger` while anything fires, `resolve` when all
 * is resolved (resolve carries only routing_key, dedup_key and event_action).
 */
export function buildPagerDutyEvent(group: GroupSnapshot, routingKey: string): PagerDutyEvent {
  if (group.status === 'resolved') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: group.dedupKey };
  }
  return buildTrigger(group, routingKey);
}
