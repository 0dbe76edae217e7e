/**
 * @module storm/digest-message
 * The storm digest: one Slack message per channel and storm, edited in place while the storm
 * lasts (counts, top alertnames, severities, a link to the full list), closed when it ends.
 */
import { escapeSlack, truncateSlack } from '../delivery/slack/escape.js';
import type { OutboundMessage } from '../model/group.js';
import type { ChannelState } from './channel-state.js';
import type { DigestTally } from './digest-tally.js';
import { withoutTrailingSlashes } from '../model/url-text.js';

const TOP = 8;
/**
 * Room for one alertname in the top list: the eight shown and the line counting the rest fit in
 * a block, so a long name cannot push that line out.
 */
const NAME_CHARS = 300;
/** Text of each block, below Slack's 3,000 per section or context element. */
const BLOCK_CHARS = 2900;

/** What a digest message shows of its storm: its state, or an earlier storm's (storm/earlier-storms.ts). */
export type DigestView = Pick<ChannelState, 'active' | 'stormStartedAt' | 'endedAt' | 'tally'>;

/** Most first, then by name. */
function ranked(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * The tally with only the alertnames the message shows: enough for a storm that gathers no more
 * (its alertnames' counts never change again, so the same ones stay on top).
 */
export function shownTally(t: DigestTally): DigestTally {
  // No prototype, as emptyTally's: "__proto__" is a name like any.
  const alertnames = Object.create(null) as Record<string, number>;
  for (const [name, n] of ranked(t.alertnames).slice(0, TOP)) alertnames[name] = n;
  return { ...t, alertnames };
}

/** `items` joined by ", " in at most `max` characters: those that do not fit are counted ("and 3 more"). */
function fitList(items: string[], max: number): string {
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const next = out === '' ? items[i]! : `${out}, ${items[i]}`;
    const left = items.length - i - 1;
    // Room for the count of those that would still follow.
    if (next.length + (left > 0 ? ` and ${left} more`.length : 0) > max) {
      const more = `and ${items.length - i} more`;
      return out === '' ? more : `${out} ${more}`;
    }
    out = next;
  }
  return out;
}

/**
 * The top alertnames, and how many gathered groups are under the others: without that line a
 * storm of 40 alertnames shows eight counts that do not add up to its groups, and no sign of more.
 */
function topAlertnames(t: DigestTally): string {
  const shown = ranked(t.alertnames).slice(0, TOP);
  const lines = shown.map(([name, n]) => `• ${truncateSlack(escapeSlack(name), NAME_CHARS)} × ${n}`);
  const rest = t.groups - shown.reduce((sum, [, n]) => sum + n, 0);
  if (rest > 0) lines.push(`• ${rest} more ${rest === 1 ? 'group' : 'groups'} under other alertnames`);
  return lines.join('\n');
}

function hhmm(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/**
 * `announceEnd`: the write that ends the storm (storm-control.ts endQuietStorms) also replies in
 * the digest's thread; later edits of the closed digest (resolutions of gathered groups) do not,
 * or every one of them would announce the end again.
 */
/**
 * `pagesHeld`: the team holds digested groups' pages back (storm.holdPagerDuty). The digest says
 * so: while the storm lasts a critical group gathered has paged nobody, and a reader who took the
 * digest for a Slack-only summary would not know; when it ends, those still firing that never
 * paged page then (storm/held-pages.ts), and those resolved during it paged nobody.
 */
export function renderDigest(team: string, channel: string, state: DigestView, publicUrl: string | undefined, announceEnd = false, pagesHeld = false): OutboundMessage {
  const { groups, firing, severities: bySeverity } = state.tally;
  const path = `/v1/alerts?team=${encodeURIComponent(team)}&status=firing`;
  const link = publicUrl ? `<${withoutTrailingSlashes(publicUrl)}${path}|all ${escapeSlack(team)} alerts>` : `\`${path}\``;
  const since = state.stormStartedAt ? hhmm(state.stormStartedAt) : '';
  const headline = state.active
    ? `:cyclone: Alert storm in ${escapeSlack(channel)}: ${groups === 1 ? '1 new group' : `${groups} new groups`} since ${since} ${groups === 1 ? 'is' : 'are'} gathered here (${firing} firing). Individual messages resume after a quiet minute.`
    : `:white_check_mark: Alert storm over in ${escapeSlack(channel)}: ${groups === 1 ? '1 group' : `${groups} groups`} between ${since} and ${state.endedAt ? hhmm(state.endedAt) : ''}; ${firing} still firing.`;
  const pages = !pagesHeld
    ? ''
    : state.active
      ? ' :no_bell: Their PagerDuty pages are held back (storm.holdPagerDuty): a gathered group still firing when the storm ends pages then.'
      : ' :no_bell: Their PagerDuty pages were held back (storm.holdPagerDuty) until the storm ended: those still firing then paged at its end, those resolved during it paged nobody.';
  const top = topAlertnames(state.tally);
  // Team and link always whole; the severities as many as fit before them, the rest counted.
  const tail = ` · Team ${escapeSlack(team)} · ${link}`;
  const severities = fitList(
    ranked(bySeverity).map(([s, n]) => `${escapeSlack(s)} ${n}`),
    BLOCK_CHARS - 'Severities: '.length - tail.length,
  );
  const text = `${headline}${pages} Team ${escapeSlack(team)}. Full list: ${link}`;
  // The alertnames and severities are alert text: `verbatim` keeps Slack from parsing a mention
  // typed in them (`@channel`), as render.ts does for every alert message. The headline names
  // the channel from the config, which Slack links.
  const blocks = [
    { type: 'section', text: { type: 'mrkdwn', text: truncateSlack(`${headline}${pages}`, BLOCK_CHARS) } },
    { type: 'section', text: { type: 'mrkdwn', text: truncateSlack(`*Top alertnames*\n${top || '—'}`, BLOCK_CHARS), verbatim: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: truncateSlack(`Severities: ${severities || '—'}${tail}`, BLOCK_CHARS), verbatim: true }] },
  ];
  return { text, blocks, threadReply: announceEnd };
}
