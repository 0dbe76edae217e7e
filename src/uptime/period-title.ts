/**
 * @module uptime/period-title
 * A period as people name it, for the Slack summary's heading: "October 2026", "Q3 2026",
 * "week of 2026-10-26", "October 2026 to date".
 */
import type { ReportPeriod } from './range.js';
import type { UptimeReport } from './report-types.js';
import { localDate } from './time-zone.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function periodTitle(period: ReportPeriod, report: Pick<UptimeReport, 'from' | 'tz'>): string {
  const start = localDate(Date.parse(report.from), report.tz);
  const [year, month] = [Number(start.slice(0, 4)), Number(start.slice(5, 7))];
  const monthName = `${MONTHS[month - 1]} ${year}`;
  const quarter = `Q${Math.floor((month - 1) / 3) + 1} ${year}`;
  switch (period) {
    case 'previous-day':
      return start;
    case 'previous-week':
      return `week of ${start}`;
    case 'previous-month':
      return monthName;
    case 'month-to-date':
      return `${monthName} to date`;
    case 'quarter':
      return `${quarter} to date`;
    case 'previous-quarter':
      return quarter;
  }
}
