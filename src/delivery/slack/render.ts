/**
 * @module delivery/slack/render
 * Pure Block Kit rendering of a group: the channel message (edited in place as the group
 * changes) and the thread reply that says what changed.
 *
 * Every alert-sourced string (labels, annotations, names, groupKey) passes `escapeSlack`;
 * links we build ourselves use `slackLink`. Output respects Slack's limits (≤50 blocks,
 * section text ≤3000, header ≤150) and says "and N more" when alerts are left out.
 * Status is spelled out (FIRING / RESOLVED) next to the emoji: colour is not the only signal.
 */
import type { Alert } from '../../model/alert.js';
import type { GroupSnapshot } from '../../model/group.js';
import {
  alertDisplayNamer,
  firingAlerts,
  groupAlertname,
  groupAnnotation,
  groupLinks,
  groupSeverity,
  groupSummary,
  isHttpUrl,
  resolvedAlerts,
  silenceUrl,
} from '../group-text.js';
import { utcMinuteText } from '../../model/time-text.js';
import { escapeSlack, slackLink, truncateSlack } from './escape.js';

/** https://docs.slack.dev/reference/block-kit/blocks */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  /** Our own cap for the notification `text` (Slack truncates at 40 000). */
  fallbackText: 3000,
} as const;

/** Per-alert section cap: keeps a 40-alert message readable and well under Slack's size limits. */
const ALERT_SECTION_CHARS = 1000;
/** Names listed in a thread reply before "and N more". */
const REPLY_NAMES = 5;

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
}
export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text?: MrkdwnText; fields?: MrkdwnText[] }
  | { type: 'divider' }
  | { type: 'context'; elements: MrkdwnText[] };

/** What `chat.postMessage` / `chat.update` receive besides channel and ts. */
export interface SlackMessage {
  /** Fallback for notifications and screen readers. */
  text: string;
  blocks?: SlackBlock[];
}

const mrkdwn = (text: string, max: number = SLACK_LIMITS.sectionText): MrkdwnText => ({
  type: 'mrkdwn',
  text: truncateSlack(text, max),
});

function statusWord(group: GroupSnapshot): { emoji: string; word: string } {
  return group.status === 'resolved'
    ? { emoji: ':white_check_mark:', word: 'RESOLVED' }
    : { emoji: ':rotating_light:', word: 'FIRING' };
}

function formatTime(rfc3339: string): string {
  const minute = utcMinuteText(rfc3339);
  if (minute !== undefined) return `${minute.slice(0, 10)} ${minute.slice(11)} UTC`;
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return escapeSlack(rfc3339);
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function countLine(group: GroupSnapshot): string {
  const firing = firingAlerts(group).length;
  const resolved = resolvedAlerts(group).length;
  return resolved > 0 ? `${firing} firing, ${resolved} resolved` : `${firing} firing`;
}

/** One alert's section: status, name, start, its own summary if it differs, source link. */
function alertSection(alert: Alert, nameOf: (alert: Alert) => string, groupText: string | undefined): SlackBlock {
  const icon = alert.status === 'firing' ? ':red_circle: FIRING' : ':large_green_circle: RESOLVED';
  const name = escapeSlack(nameOf(alert));
  const since = alert.status === 'firing' ? `since ${formatTime(alert.startsAt)}` : `ended ${formatTime(alert.endsAt ?? alert.startsAt)}`;
  const own = alert.annotations['summary'] ?? alert.annotations['message'] ?? alert.annotations['description'];
  const link = isHttpUrl(alert.generatorURL) ? ` ${slackLink(alert.generatorURL, 'source')}` : '';
  // A link too long to fit is left out: a cut link is broken markup.
  const source = link.length <= ALERT_SECTION_CHARS / 2 ? link : '';
  // Reserve room for the link so truncation never cuts `<url|label>` in half.
  const budget = ALERT_SECTION_CHARS - source.length;
  let body = `${icon} *${name}* ${since}`;
  // Cut before escaping (escaping only lengthens, and the section is truncated below anyway): a
  // 1 MB annotation on each of 40 alerts would otherwise cost a second of escaping per message.
  if (own !== undefined && own !== '' && own !== groupText) body += `\n${escapeSlack(own.slice(0, ALERT_SECTION_CHARS + 1))}`;
  return { type: 'section', text: { type: 'mrkdwn', text: truncateSlack(body, Math.max(100, budget)) + source } };
}

function linksLine(group: GroupSnapshot): string | undefined {
  const links = groupLinks(group);
  const silence = silenceUrl(group);
  if (silence !== undefined) links.push({ label: 'Silence', url: silence });
  const parts: string[] = [];
  let length = 0;
  for (const link of links) {
    const part = slackLink(link.url, link.label);
    // Drop links that do not fit rather than truncating one into broken markup.
    if (length + part.length + 3 > SLACK_LIMITS.sectionText) continue;
    parts.push(part);
    length += part.length + 3;
  }
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function labelsLine(group: GroupSnapshot): string | undefined {
  const entries = Object.entries(group.commonLabels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return undefined;
  return `*Labels:* ${entries.map(([k, v]) => `\`${escapeSlack(k)}=${escapeSlack(v)}\``).join(' ')}`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Says that Alertmanager sent only part of the group (webhook `max_alerts`): the counts above
 * cover the alerts alertgate has seen, not the ones left out (README, "Alertmanager receiver").
 */
function truncatedNote(group: GroupSnapshot): SlackBlock | undefined {
  const n = group.truncatedAlerts;
  if (n === undefined || n <= 0) return undefined;
  return {
    type: 'context',
    elements: [mrkdwn(`:warning: Alertmanager left ${plural(n, 'alert')} of this group out of its notification (webhook \`max_alerts\`): this message may not show them all.`)],
  };
}

/** The fallback `text`: one escaped sentence with status, name, team, severity, summary. */
export function renderFallbackText(group: GroupSnapshot): string {
  const { word } = statusWord(group);
  const severity = groupSeverity(group);
  const summary = groupSummary(group);
  const facts = [`team ${escapeSlack(group.team)}`];
  if (severity !== undefined) facts.push(`severity ${escapeSlack(severity)}`);
  facts.push(countLine(group));
  const text = `${word}: ${escapeSlack(groupAlertname(group))} (${facts.join(', ')})${summary ? ` — ${escapeSlack(summary)}` : ''}`;
  return truncateSlack(text, SLACK_LIMITS.fallbackText);
}

/** The group's channel message, posted once and then edited in place. */
export function renderSlackMessage(group: GroupSnapshot): SlackMessage {
  const { emoji, word } = statusWord(group);
  const severity = groupSeverity(group);
  const summary = groupSummary(group);
  const description = groupAnnotation(group, 'description');

  const head: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        emoji: true,
        text: truncateSlack(`${emoji} ${word}: ${escapeSlack(groupAlertname(group))}`, SLACK_LIMITS.headerText),
      },
    },
    {
      type: 'section',
      fields: [
        mrkdwn(`*Status*\n${word}`, SLACK_LIMITS.fieldText),
        mrkdwn(`*Team*\n${escapeSlack(group.team)}`, SLACK_LIMITS.fieldText),
        mrkdwn(`*Severity*\n${escapeSlack(severity ?? 'none')}`, SLACK_LIMITS.fieldText),
        mrkdwn(`*Alerts*\n${countLine(group)}`, SLACK_LIMITS.fieldText),
      ],
    },
  ];
  if (summary !== undefined) {
    const extra = description !== undefined && description !== summary ? `\n${escapeSlack(description)}` : '';
    head.push({ type: 'section', text: mrkdwn(`*${escapeSlack(summary)}*${extra}`) });
  }
  const labels = labelsLine(group);
  if (labels !== undefined) head.push({ type: 'section', text: mrkdwn(labels) });
  const links = linksLine(group);
  if (links !== undefined) head.push({ type: 'section', text: { type: 'mrkdwn', text: links } });
  head.push({ type: 'divider' });

  const footer: SlackBlock = {
    type: 'context',
    elements: [mrkdwn(`alertgate · group ${escapeSlack(group.groupKey)}`, SLACK_LIMITS.fieldText)],
  };

  const cut = truncatedNote(group);

  // Firing first: they are what the reader must act on.
  const ordered = [...firingAlerts(group), ...resolvedAlerts(group)];
  // One block is kept for the footer, one for the truncation note if any, one for "and N more" if needed.
  const room = SLACK_LIMITS.blocks - head.length - 1 - (cut ? 1 : 0);
  const shown = ordered.length <= room ? ordered : ordered.slice(0, room - 1);
  const nameOf = alertDisplayNamer(group);
  const blocks: SlackBlock[] = [...head, ...shown.map((a) => alertSection(a, nameOf, summary))];
  const hidden = ordered.slice(shown.length);
  if (hidden.length > 0) {
    const hiddenFiring = hidden.filter((a) => a.status === 'firing').length;
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`…and ${hidden.length} more (${hiddenFiring} firing, ${hidden.length - hiddenFiring} resolved)`)],
    });
  }
  if (cut) blocks.push(cut);
  blocks.push(footer);
  return { text: renderFallbackText(group), blocks };
}

/** Names of the alerts behind fingerprints (or the raw ids when unknown), escaped, capped. */
function nameList(ids: string[], group: GroupSnapshot): string {
  const byFingerprint = new Map(group.alerts.map((a) => [a.fingerprint, a]));
  const nameOf = alertDisplayNamer(group);
  const names = ids.slice(0, REPLY_NAMES).map((id) => {
    const alert = byFingerprint.get(id);
    return escapeSlack(alert ? nameOf(alert) : id);
  });
  const more = ids.length > REPLY_NAMES ? ` and ${ids.length - REPLY_NAMES} more` : '';
  return `${names.join(', ')}${more}`;
}

/** The thread reply posted under the group's message when the group changes. */
export function renderThreadReply(group: GroupSnapshot): SlackMessage {
  const { added, resolved } = group.change;
  let text: string;
  if (group.status === 'resolved') {
    text = `:white_check_mark: RESOLVED: all alerts resolved`;
    if (resolved.length > 0) text += ` (${nameList(resolved, group)})`;
  } else if (group.change.kind === 'repeat') {
    text = `:repeat: Still firing (repeat): ${plural(firingAlerts(group).length, 'alert')}`;
  } else {
    const parts: string[] = [];
    if (added.length > 0) parts.push(`:red_circle: ${plural(added.length, 'new alert')}: ${nameList(added, group)}`);
    if (resolved.length > 0) {
      parts.push(`:large_green_circle: ${plural(resolved.length, 'alert')} resolved: ${nameList(resolved, group)}`);
    }
    if (parts.length === 0) parts.push(`:pencil2: Updated: ${countLine(group)}`);
    text = parts.join('\n');
    if (added.length > 0 || resolved.length > 0) text += `\nNow ${countLine(group)}.`;
  }
  return { text: truncateSlack(text, SLACK_LIMITS.sectionText) };
}
