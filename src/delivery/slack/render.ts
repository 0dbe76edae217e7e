/**
 * @module delivery/slack/render
 * Pure Block Kit rendering of a group: the channel message (edited in place as the group
 * changes) and the thread reply that says what changed.
 *
 * Every alert-sourced string (labels, annotations, names, groupKey) passes `escapeSlack`;
 * links we build ourselves use `slackLink`. Output respects Slack's limits (≤50 blocks,
 * section text ≤3000, header ≤150, and at most 11,000 characters of text in all blocks together)
 * and says "and N more" when alerts are left out.
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
import { escapeSlack, escapeSlackCode, escapeSlackLinkingUrls, slackBoldText, slackLink, truncateSlack } from './escape.js';

/** https://docs.slack.dev/reference/block-kit/blocks */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  /** Our own cap for the notification `text` (Slack truncates at 40 000). */
  fallbackText: 3000,
  /**
   * Our cap on the text of all blocks of a message together. Slack refuses more with
   * `msg_blocks_too_long`, a limit it does not document: refusals are reported from ~12,000
   * characters (slackapi/bolt-js#2509, #2867: "12,000 text characters with a buffer for block
   * containers"). The header, fields, summary, labels, links and footer always fit; alerts get
   * what is left.
   */
  blocksText: 11_000,
} as const;

/** Per-alert section cap: what one alert gets when the group's alerts fit the budget easily. */
const ALERT_SECTION_CHARS = 1000;
/** The least an alert's section is cut to before alerts are left out ("and N more") instead. */
const MIN_ALERT_SECTION_CHARS = 150;
/**
 * Caps of the parts above the alerts, well below Slack's per-block limits, so that together
 * (with the footer and notes) they take at most ~6,300 of `blocksText` and alerts always get room.
 */
const FIELD_CHARS = 200;
const SUMMARY_CHARS = 2000;
const LABELS_CHARS = 1000;
const LINKS_CHARS = 2000;
const FOOTER_CHARS = 500;
/** Room kept for the "…and N more (x firing, y resolved)" note. */
const MORE_NOTE_CHARS = 100;
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
  /**
   * Always true here: Slack's default (false) "automatically parses" plain text in the block,
   * certain mentions included, so `@channel` typed in an annotation could notify the whole
   * channel although `<`, `>` and `&` are escaped. Links we build (`<url|label>`) still work.
   * https://docs.slack.dev/reference/block-kit/composition-objects/text-object
   */
  verbatim: true;
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

/** A mrkdwn text object of `text` (escaped already), cut to `max` characters. */
export const mrkdwn = (text: string, max: number = SLACK_LIMITS.sectionText): MrkdwnText => ({
  type: 'mrkdwn',
  text: truncateSlack(text, max),
  verbatim: true,
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

/** One alert's text, escaped, before it is cut to its share of the budget. */
interface AlertText {
  /** Status, name, start, its own summary if it differs (at most ALERT_SECTION_CHARS + 1 of it). */
  body: string;
  /** ` <url|source>`, or '' when the alert has no http(s) source. */
  link: string;
}

function alertText(alert: Alert, nameOf: (alert: Alert) => string, groupText: string | undefined): AlertText {
  const icon = alert.status === 'firing' ? ':red_circle: FIRING' : ':large_green_circle: RESOLVED';
  const name = slackBoldText(escapeSlack(nameOf(alert)));
  const since = alert.status === 'firing' ? `since ${formatTime(alert.startsAt)}` : `ended ${formatTime(alert.endsAt ?? alert.startsAt)}`;
  const own = alert.annotations['summary'] ?? alert.annotations['message'] ?? alert.annotations['description'];
  const link = isHttpUrl(alert.generatorURL) ? ` ${slackLink(alert.generatorURL, 'source')}` : '';
  let body = `${icon} *${name}* ${since}`;
  // Cut before escaping (escaping only lengthens, and the section is truncated below anyway): a
  // 1 MB annotation on each of 40 alerts would otherwise cost a second of escaping per message.
  if (own !== undefined && own !== '' && own !== groupText) body += `\n${escapeSlackLinkingUrls(own.slice(0, ALERT_SECTION_CHARS + 1))}`;
  return { body, link };
}

/** An alert's section text in at most `max` characters. */
function alertSectionText({ body, link }: AlertText, max: number): string {
  // A link too long to fit is left out: a cut link is broken markup.
  const source = link.length <= max / 2 ? link : '';
  // Reserve room for the link so truncation never cuts `<url|label>` in half.
  return truncateSlack(body, max - source.length) + source;
}

/**
 * The largest per-alert cap under which sections of these natural `lengths` add up to at most
 * `budget` (short sections stay whole, long ones share what is left), or Infinity if all fit.
 */
function fairCap(lengths: number[], budget: number): number {
  const sorted = [...lengths].sort((a, b) => a - b);
  let left = budget;
  for (let i = 0; i < sorted.length; i++) {
    const share = Math.floor(left / (sorted.length - i));
    if (sorted[i]! > share) return share;
    left -= sorted[i]!;
  }
  return Infinity;
}

/** Characters of text in blocks, as Slack counts them for `msg_blocks_too_long`. */
export function blocksTextLength(blocks: readonly SlackBlock[]): number {
  let n = 0;
  for (const b of blocks) {
    if (b.type === 'header') n += b.text.text.length;
    else if (b.type === 'section') {
      n += b.text?.text.length ?? 0;
      for (const f of b.fields ?? []) n += f.text.length;
    } else if (b.type === 'context') for (const e of b.elements) n += e.text.length;
  }
  return n;
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
    if (length + part.length + 3 > LINKS_CHARS) continue;
    parts.push(part);
    length += part.length + 3;
  }
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function labelsLine(group: GroupSnapshot): string | undefined {
  const entries = Object.entries(group.commonLabels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return undefined;
  return `*Labels:* ${entries.map(([k, v]) => `\`${escapeSlackCode(k)}=${escapeSlackCode(v)}\``).join(' ')}`;
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

/** The header (status and alertname) and the fields (status, team, severity, counts). */
function titleBlocks(group: GroupSnapshot): SlackBlock[] {
  const { emoji, word } = statusWord(group);
  const severity = groupSeverity(group);
  return [
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
        mrkdwn(`*Status*\n${word}`, FIELD_CHARS),
        mrkdwn(`*Team*\n${escapeSlack(group.team)}`, FIELD_CHARS),
        mrkdwn(`*Severity*\n${escapeSlack(severity ?? 'none')}`, FIELD_CHARS),
        mrkdwn(`*Alerts*\n${countLine(group)}`, FIELD_CHARS),
      ],
    },
  ];
}

function footerBlock(group: GroupSnapshot): SlackBlock {
  return { type: 'context', elements: [mrkdwn(`alertgate · group ${escapeSlack(group.groupKey)}`, FOOTER_CHARS)] };
}

/**
 * The group's message when Slack refused the full one (`refusal`: its error code, e.g.
 * `msg_blocks_too_long`): header, fields with the counts, a note that the alerts are left out,
 * the links, the footer. Small whatever the group.
 */
export function renderCompactSlackMessage(group: GroupSnapshot, refusal: string): SlackMessage & { blocks: SlackBlock[] } {
  const blocks = titleBlocks(group);
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`:warning: Slack refused this group's full message (\`${escapeSlackCode(refusal)}\`): its alerts are left out here, the links below lead to them.`, FIELD_CHARS)],
  });
  const links = linksLine(group);
  if (links !== undefined) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: links, verbatim: true } });
  blocks.push(footerBlock(group));
  return { text: renderFallbackText(group), blocks };
}

/** The group's channel message, posted once and then edited in place. */
export function renderSlackMessage(group: GroupSnapshot): SlackMessage {
  const summary = groupSummary(group);
  const description = groupAnnotation(group, 'description');

  const head = titleBlocks(group);
  if (summary !== undefined) {
    const extra = description !== undefined && description !== summary ? `\n${escapeSlackLinkingUrls(description)}` : '';
    head.push({ type: 'section', text: mrkdwn(`*${slackBoldText(escapeSlackLinkingUrls(summary))}*${extra}`, SUMMARY_CHARS) });
  }
  const labels = labelsLine(group);
  if (labels !== undefined) head.push({ type: 'section', text: mrkdwn(labels, LABELS_CHARS) });
  const links = linksLine(group);
  if (links !== undefined) head.push({ type: 'section', text: { type: 'mrkdwn', text: links, verbatim: true } });
  head.push({ type: 'divider' });

  const footer = footerBlock(group);

  const cut = truncatedNote(group);

  // Firing first: they are what the reader must act on.
  const ordered = [...firingAlerts(group), ...resolvedAlerts(group)];
  // One block is kept for the footer, one for the truncation note if any, one for "and N more" if needed.
  const room = SLACK_LIMITS.blocks - head.length - 1 - (cut ? 1 : 0);
  const candidates = ordered.length <= room ? ordered : ordered.slice(0, room - 1);
  const shown = fitAlerts(candidates, group, summary, SLACK_LIMITS.blocksText - blocksTextLength([...head, footer, ...(cut ? [cut] : [])]) - MORE_NOTE_CHARS);
  const blocks: SlackBlock[] = [...head, ...shown];
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

/**
 * Sections for the first of `alerts` that fit in `budget` characters: each gets up to
 * ALERT_SECTION_CHARS, less when many share the budget (never less than MIN_ALERT_SECTION_CHARS);
 * once the budget is spent the rest are left out, in order.
 */
function fitAlerts(alerts: Alert[], group: GroupSnapshot, summary: string | undefined, budget: number): SlackBlock[] {
  const nameOf = alertDisplayNamer(group);
  const texts = alerts.map((a) => alertText(a, nameOf, summary));
  const full = texts.map((t) => alertSectionText(t, ALERT_SECTION_CHARS));
  const cap = Math.max(MIN_ALERT_SECTION_CHARS, fairCap(full.map((t) => t.length), budget));
  const out: SlackBlock[] = [];
  let left = budget;
  for (let i = 0; i < texts.length; i++) {
    const text = full[i]!.length <= cap ? full[i]! : alertSectionText(texts[i]!, cap);
    if (text.length > left) break;
    left -= text.length;
    out.push({ type: 'section', text: { type: 'mrkdwn', text, verbatim: true } });
  }
  return out;
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
