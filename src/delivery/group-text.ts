/**
 * @module delivery/group-text
 * Integration-neutral facts about a group, computed once and shared by the Slack and
 * PagerDuty renderers: its name, severity, summary, links and the Alertmanager silence URL.
 * Everything returned here is raw alert text: each renderer escapes for its own medium.
 */
import type { Alert, Labels } from '../model/alert.js';
import type { GroupSnapshot } from '../model/group.js';
import { withoutTrailingSlashes } from '../model/url-text.js';

export interface GroupLink {
  label: string;
  url: string;
}

/** Label names that are part of every alert's identity but not worth repeating per alert. */
const NOISE_LABELS = new Set(['alertname', 'team', 'severity']);

export function firingAlerts(group: GroupSnapshot): Alert[] {
  return group.alerts.filter((a) => a.status === 'firing');
}

export function resolvedAlerts(group: GroupSnapshot): Alert[] {
  return group.alerts.filter((a) => a.status === 'resolved');
}

/** A value every alert of the group agrees on, else the first alert's. */
function groupValue(group: GroupSnapshot, name: string): string | undefined {
  return (
    group.commonLabels[name] ??
    group.groupLabels[name] ??
    group.alerts.find((a) => a.labels[name] !== undefined)?.labels[name]
  );
}

export function groupAlertname(group: GroupSnapshot): string {
  return groupValue(group, 'alertname') ?? '(no alertname)';
}

export function groupSeverity(group: GroupSnapshot): string | undefined {
  return groupValue(group, 'severity');
}

/** An annotation shared by the group, else (for a one-alert group) that alert's. */
export function groupAnnotation(group: GroupSnapshot, name: string): string | undefined {
  const common = group.commonAnnotations[name];
  if (common !== undefined && common !== '') return common;
  const [only, ...rest] = group.alerts;
  if (only && rest.length === 0) {
    const own = only.annotations[name];
    if (own !== undefined && own !== '') return own;
  }
  return undefined;
}

/** The human sentence of a group: summary, else message, else description. */
export function groupSummary(group: GroupSnapshot): string | undefined {
  return groupAnnotation(group, 'summary') ?? groupAnnotation(group, 'message') ?? groupAnnotation(group, 'description');
}

/** Label names worth showing per alert, in display order (a stable sort: ties keep their order). */
function displayOrder(names: Iterable<string>): string[] {
  return [...names].filter((k) => !NOISE_LABELS.has(k)).sort((a, b) => a.localeCompare(b));
}

/** The labels of `alert`, taken in `order`, whose values differ from the group's common ones. */
function labelsIn(order: readonly string[], alert: Alert, common: Labels): [string, string][] {
  const extra: [string, string][] = [];
  for (const k of order) {
    if (!Object.hasOwn(alert.labels, k)) continue;
    const v = alert.labels[k]!;
    if (common[k] !== v) extra.push([k, v]);
  }
  return extra;
}

/** Labels of an alert that tell it apart from the rest of its group (e.g. `pod=api-1`). */
export function distinguishingLabels(alert: Alert, common: Labels): [string, string][] {
  return labelsIn(displayOrder(Object.keys(alert.labels)), alert, common);
}

/** "KubePodCrashLooping (pod=api-1, namespace=payments)" — raw, unescaped. */
export function alertDisplayName(alert: Alert, common: Labels): string {
  return displayName(alert, distinguishingLabels(alert, common));
}

function displayName(alert: Alert, extra: [string, string][]): string {
  const name = alert.labels['alertname'] ?? '(no alertname)';
  return extra.length > 0 ? `${name} (${extra.map(([k, v]) => `${k}=${v}`).join(', ')})` : name;
}

/**
 * `alertDisplayName` for the alerts of one group, with the label names sorted once for the
 * group rather than once per alert: its alerts share their label names, and `localeCompare`
 * sorting was a tenth of rendering a 10-alert Slack message. Names that compare equal while
 * different (canonically equivalent Unicode) would leave the order to each alert's own key
 * order, so such a group is named alert by alert.
 */
export function alertDisplayNamer(group: GroupSnapshot): (alert: Alert) => string {
  const common = group.commonLabels;
  const names = new Set<string>();
  for (const alert of group.alerts) for (const k of Object.keys(alert.labels)) names.add(k);
  const order = displayOrder(names);
  for (let i = 1; i < order.length; i++) {
    if (order[i - 1]!.localeCompare(order[i]!) === 0) return (alert) => alertDisplayName(alert, common);
  }
  return (alert) => displayName(alert, labelsIn(order, alert, common));
}

/** Only absolute http(s) URLs become links; anything else (javascript:, relative) stays text. */
export function isHttpUrl(value: string | undefined): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Runbook, dashboard and source (generatorURL) links of a group, http(s) only. */
export function groupLinks(group: GroupSnapshot): GroupLink[] {
  const links: GroupLink[] = [];
  const runbook = groupAnnotation(group, 'runbook_url') ?? groupAnnotation(group, 'runbook');
  if (isHttpUrl(runbook)) links.push({ label: 'Runbook', url: runbook });
  const dashboard = groupAnnotation(group, 'dashboard_url') ?? groupAnnotation(group, 'dashboard');
  if (isHttpUrl(dashboard)) links.push({ label: 'Dashboard', url: dashboard });
  const generator = (firingAlerts(group)[0] ?? group.alerts[0])?.generatorURL;
  if (isHttpUrl(generator)) links.push({ label: 'Source', url: generator });
  return links;
}

/** Quotes a label value the way Alertmanager's matcher parser reads it back. */
function quoteMatcherValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Alertmanager's "new silence" page pre-filled with the group's common labels:
 * `<externalURL>/#/silences/new?filter=` + URL-encoded `{alertname="…",…}`.
 * Undefined when the group has no usable externalURL or no common labels.
 */
export function silenceUrl(group: GroupSnapshot): string | undefined {
  if (!isHttpUrl(group.externalURL)) return undefined;
  const labels = Object.entries(group.commonLabels);
  if (labels.length === 0) return undefined;
  // alertname first (what a human scans for), then the rest in a stable order.
  labels.sort(([a], [b]) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a.localeCompare(b)));
  const filter = `{${labels.map(([k, v]) => `${k}=${quoteMatcherValue(v)}`).join(',')}}`;
  return `${withoutTrailingSlashes(group.externalURL)}/#/silences/new?filter=${encodeURIComponent(wellFormed(filter))}`;
}

/**
 * Lone UTF-16 surrogates (JSON `"\ud800"` in a label) replaced by U+FFFD: encodeURIComponent
 * throws on them, and a throw while rendering would fail that group's delivery on every retry.
 */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Earliest start of the group's firing alerts (else of any alert), RFC3339. */
export function groupStartedAt(group: GroupSnapshot): string | undefined {
  const pool = firingAlerts(group).length > 0 ? firingAlerts(group) : group.alerts;
  let earliest: string | undefined;
  for (const alert of pool) {
    if (earliest === undefined || Date.parse(alert.startsAt) < Date.parse(earliest)) earliest = alert.startsAt;
  }
  return earliest;
}
