/**
 * @module uptime/table
 * The report as a plain-text table for the terminal (`alertgate uptime`): one line per service,
 * then its incidents, then any warnings (Thanos's, or alertgate's own). Times are local to the report's zone with the
 * zone's abbreviation or offset (`2026-10-25 01:50:00 BST`), as the pages and Slack show them:
 * in UTC they named other hours than the page beside them, and a London month began on
 * 30 September. The JSON and CSV keep their RFC3339 instants and dates.
 */
import { budgetState, formatDuration, formatLocalTime, formatPercent, incidentNotes, measuredNothing } from './format.js';
import { printable } from '../config/source-error.js';
import type { Incident, UptimeReport } from './report-types.js';

function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

export function reportToTable(report: UptimeReport): string {
  const at = (iso: string) => formatLocalTime(iso, report.tz);
  const lines = [`Uptime of team ${report.team}: ${at(report.from)} to ${at(report.to)} (end excluded; days in ${report.tz})`, ''];
  if (report.services.length === 0) {
    lines.push(`team ${report.team} has no uptime checks (add them under uptime: in rules/${report.team}.yaml)`);
  } else {
    // MAINTENANCE only when a window covered a service in the range (as the page's day table):
    // a 1-hour incident beside 0s down and 100% is otherwise unexplained.
    const withMaintenance = report.services.some((s) => s.maintenanceSeconds > 0);
    const rows = [['SERVICE', 'UPTIME', 'OBJECTIVE', 'DOWN', 'NO DATA', ...(withMaintenance ? ['MAINTENANCE'] : []), 'BUDGET', 'INCIDENTS']];
    for (const s of report.services) {
      const b = budgetState(s);
      const maintenance = withMaintenance ? [formatDuration(s.maintenanceSeconds)] : [];
      // Never measured: "0s" down and 0 incidents would claim a clean range, as the page and Slack say.
      const unmeasured = measuredNothing(s);
      const [down, incidents] = unmeasured ? ['no data', 'no data'] : [formatDuration(s.downSeconds), String(s.incidents.length)];
      rows.push([s.service, formatPercent(s.uptimePercent, 4), `${s.objective}%`, down, formatDuration(s.noDataSeconds), ...maintenance, `${b.label} (${b.detail})`, incidents]);
    }
    lines.push(...align(rows));
    const excused = (i: Incident) => (i.maintenanceSeconds ? ` (${formatDuration(i.maintenanceSeconds)} in maintenance, not counted)` : '');
    const incidents = report.services.flatMap((s) => s.incidents.map((i) => {
      const notes = incidentNotes(i);
      const time = (iso: string, note: string) => (note ? `${at(iso)} ${note}` : at(iso));
      return [s.service, time(i.start, notes.start), time(i.end, notes.end), `${formatDuration(i.seconds)}${excused(i)}`];
    }));
    if (incidents.length > 0) lines.push('', 'Incidents:', ...align([['SERVICE', 'START', 'END', 'DURATION'], ...incidents]).map((l) => `  ${l}`));
    // The page's footnote: a reader of the table must know no data is not counted either way.
    lines.push('', `Uptime = up samples ÷ all samples. NO DATA (time without samples) is neither up nor down; downtime in ${withMaintenance ? 'MAINTENANCE' : 'maintenance'} windows is not counted.`);
  }
  // Thanos' warnings are its text, printed in a terminal: one line each, no control sequence.
  for (const w of report.warnings) lines.push(`warning: ${printable(w)}`);
  return `${lines.join('\n')}\n`;
}
