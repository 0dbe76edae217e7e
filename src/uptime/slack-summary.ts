/**
 * @module uptime/slack-summary
 * The scheduled uptime summary as a Slack message: Block Kit for people, plain `text` for
 * notifications and screen readers. Service and team names are restricted by the config
 * schemas, but everything is escaped for Slack anyway (no mention or link can be injected).
 */
import { escapeSlack, slackLink } from '../delivery/slack/escape.js';
import { mrkdwn } from '../delivery/slack/render.js';
import type { OutboundMessage } from '../model/group.js';
import { budgetState, formatDuration, formatLocalTime, formatPercent, measuredNothing, type BudgetLevel } from './format.js';
import type { ServiceUptime, UptimeReport } from './report-types.js';

const ICON: Record<BudgetLevel, string> = { ok: ':large_green_circle:', warn: ':large_yellow_circle:', bad: ':red_circle:', none: ':white_circle:' };

/**
 * Text of each block, below Slack's 3,000. `mrkdwn` (render.ts) cuts there without breaking an
 * entity or a link, and sends it `verbatim`: a warning (Thanos' text) saying `@channel` is not
 * parsed into a mention, as alert text is not.
 */
const BLOCK_CHARS = 2900;

/** Slack allows 50 blocks; beyond that services are summarised in one line. */
const MAX_SERVICE_BLOCKS = 40;

/**
 * Time the uptime leaves out, as the page and table show it: a service probed for half the month
 * reads 99.95% of that half, and 0s down beside an incident is maintenance. Whole-range no data
 * is said by `measured` instead.
 */
function notCounted(s: ServiceUptime): string {
  const noData = s.uptimePercent !== null && s.noDataSeconds > 0 ? ` · no data ${formatDuration(s.noDataSeconds)} (not counted)` : '';
  const maintenance = s.maintenanceSeconds > 0 ? ` · maintenance ${formatDuration(s.maintenanceSeconds)} (not counted)` : '';
  return `${noData}${maintenance}`;
}

/**
 * Downtime and incidents, or, for a service with no sample in the whole range, that it had none:
 * "down 0s · 0 incidents" beside a service never probed read as a month 100 % up. The page shows
 * such a service's "No data" time (the whole range) and the CSV its no_data_seconds; this says
 * the same, with the footnote's "neither up nor down".
 */
function measured(s: ServiceUptime): string {
  if (measuredNothing(s)) {
    const maintenance = s.maintenanceSeconds > 0 ? ` · maintenance ${formatDuration(s.maintenanceSeconds)} (not counted)` : '';
    return `no data ${formatDuration(s.noDataSeconds)} (the whole range: neither up nor down)${maintenance}`;
  }
  return `down ${formatDuration(s.downSeconds)}${notCounted(s)} · ${s.incidents.length} incident${s.incidents.length === 1 ? '' : 's'}`;
}

export interface SummaryOptions {
  /** Human name of the period, e.g. "October 2026" or "previous-month". */
  title: string;
  /** Absolute link to the team's HTML report, when the gateway knows its public URL. */
  link?: string;
  /** Why the summary comes after its scheduled time, e.g. "posted late (due …): Thanos was unavailable at the scheduled time". */
  late?: string;
}

export function renderUptimeSummary(report: UptimeReport, opts: SummaryOptions): OutboundMessage {
  const team = escapeSlack(report.team);
  const heading = `Uptime for ${team}: ${escapeSlack(opts.title)}`;
  // Local times, as the HTML page shows them: a London October read "2026-09-30T23:00:00Z to …".
  const range = `${formatLocalTime(report.from, report.tz)} to ${formatLocalTime(report.to, report.tz)} (end excluded; days in ${escapeSlack(report.tz)})`;
  const lines = report.services.map((s) => {
    const b = budgetState(s);
    return {
      level: b.level,
      text: `*${escapeSlack(s.service)}* ${formatPercent(s.uptimePercent)} (objective ${s.objective}%) · ${measured(s)} · budget ${b.label}, ${b.detail}`,
    };
  });
  const text =
    lines.length === 0
      ? `${heading}: no uptime checks are configured`
      : `${heading} (${range}): ${report.services.map((s) => `${s.service} ${formatPercent(s.uptimePercent)}`).join(', ')}`;
  const late = opts.late ? escapeSlack(opts.late) : undefined;
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: `Uptime for ${report.team}: ${opts.title}`.slice(0, 150) } },
    { type: 'context', elements: [mrkdwn(range, BLOCK_CHARS)] },
    ...(late ? [{ type: 'context', elements: [mrkdwn(`:hourglass: ${late[0]!.toUpperCase()}${late.slice(1)}`, BLOCK_CHARS)] }] : []),
  ];
  for (const l of lines.slice(0, MAX_SERVICE_BLOCKS)) blocks.push({ type: 'section', text: mrkdwn(`${ICON[l.level]} ${l.text}`, BLOCK_CHARS) });
  if (lines.length > MAX_SERVICE_BLOCKS) {
    blocks.push({ type: 'section', text: mrkdwn(`…and ${lines.length - MAX_SERVICE_BLOCKS} more services`) });
  }
  if (lines.length === 0) blocks.push({ type: 'section', text: mrkdwn('No uptime checks are configured for this team.') });
  const notes = [...(opts.link ? [slackLink(opts.link, 'Full report')] : []), ...report.warnings.map((w) => `:warning: ${escapeSlack(w)}`)];
  if (notes.length > 0) blocks.push({ type: 'context', elements: [mrkdwn(notes.join(' · '), BLOCK_CHARS)] });
  // A long summary is cut, never the note saying it is late.
  return { text: late ? `${text.slice(0, 2990 - late.length)} · ${late}` : text.slice(0, 3000), blocks };
}
