/**
 * @module uptime/csv
 * The report as CSV (RFC 4180, CRLF): one row per service and day, then one `total` row per
 * service over the whole range. Percentages keep 4 decimals, rounded down as every output rounds
 * them (`roundDown`: 99.89996 is 99.8999, never 99.9 beside the 99.9 objective it missed; a budget
 * of −0.00004 is −0.0001, never 0); empty cells mean no data: `down_seconds` too for a day without
 * a sample, or a service without one in the whole range (0 read as a day up). The total's `incidents` counts
 * every incident of the report, those the range cuts too: the columns (docs/CONTRACT.md) have no
 * place for the JSON's startedBeforeRange / continuesAfterRange, so an outage across a month's
 * end counts in both months (README "Uptime reports" says so).
 */
import { dayMeasuredNothing, measuredNothing, roundDown } from './format.js';
import type { UptimeReport } from './report-types.js';

export const CSV_HEADER = [
  'team',
  'service',
  'date',
  'uptime_percent',
  'objective_percent',
  'down_seconds',
  'no_data_seconds',
  'error_budget_remaining_percent',
  'incidents',
  'maintenance_seconds',
] as const;

/** Quotes when needed; a leading =, +, -, @ is defused so a spreadsheet shows text, not a formula. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const pct = (p: number | null) => (p === null ? null : roundDown(p, 4));

export function reportToCsv(report: UptimeReport): string {
  const rows: Array<Array<string | number | null>> = [[...CSV_HEADER]];
  for (const s of report.services) {
    for (const d of s.daily) {
      rows.push([report.team, s.service, d.date, pct(d.uptimePercent), s.objective, dayMeasuredNothing(d) ? null : d.downSeconds, d.noDataSeconds, null, null, d.maintenanceSeconds]);
    }
    rows.push([report.team, s.service, 'total', pct(s.uptimePercent), s.objective, measuredNothing(s) ? null : s.downSeconds, s.noDataSeconds, pct(s.errorBudgetRemainingPercent), s.incidents.length, s.maintenanceSeconds]);
  }
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
