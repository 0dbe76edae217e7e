/**
 * @module uptime/report-link
 * The query string naming a report's own range, for links that must show the same report
 * whenever they are clicked: a Slack summary's "Full report" of October posted with
 * `period=previous-month` showed November once November was over. A calendar month in the
 * report's zone is `month=YYYY-MM`; any other range is `from`/`to`, as a date where it is local
 * midnight and as the RFC3339 instant otherwise (a month-to-date report ends at its run time).
 */
import type { UptimeReport } from './report-types.js';
import { addMonths, localDate, zonedMidnight } from './time-zone.js';

export function reportRangeQuery(report: Pick<UptimeReport, 'from' | 'to' | 'tz'>): string {
  const { tz } = report;
  const [from, to] = [Date.parse(report.from), Date.parse(report.to)];
  const at = (ms: number, iso: string) => {
    const date = localDate(ms, tz);
    return zonedMidnight(date, tz) === ms ? date : iso;
  };
  const first = at(from, report.from);
  const params = new URLSearchParams();
  if (first.endsWith('-01') && zonedMidnight(addMonths(first, 1), tz) === to) params.set('month', first.slice(0, 7));
  else {
    params.set('from', first);
    params.set('to', at(to, report.to));
  }
  if (tz !== 'UTC') params.set('tz', tz);
  return params.toString();
}
