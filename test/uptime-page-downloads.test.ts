/**
 * A manager reading a team's uptime page takes the same report away as a spreadsheet (CSV) or as
 * JSON from a link on the page, for the range and zone the page shows. The page had no such link:
 * the CSV was reachable only by typing the API's address. Real Prometheus (the uptime fixture's
 * 90 days), real gateway over HTTP.
 */
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../src/testing/binaries.js';
import { formatPercent } from '../src/uptime/format.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { useUptimeRig } from './support/uptime-rig.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const rig = useUptimeRig({ promtool, prometheus });

const html = { accept: 'text/html,application/xhtml+xml' };
/** The page's link whose text is `text`, entities decoded. */
function linkTo(page: string, text: string): string | undefined {
  const m = new RegExp(`<a href="([^"]*)"[^>]*>${text}</a>`).exec(page);
  return m?.[1]?.replaceAll('&amp;', '&');
}

describe.skipIf(!promtool || !prometheus)('downloads from the team uptime page', () => {
  it.each([
    ['a month in a zone', 'month=2026-10&tz=Europe/London', '2026-09-30T23:00:00Z', '2026-10-31T23:59:59.999Z'],
    ['a range typed as dates', 'from=2026-09-01&to=2026-09-15', '2026-09-01T00:00:00Z', '2026-09-14T23:59:59.999Z'],
  ])('%s: the CSV and JSON links give the report the page shows', async (_what, query, from, lastInstant) => {
    const base = rig().t.gw.url;
    const res = await fetch(`${base}/uptime/payments?${query}`, { headers: html });
    const page = await res.text();
    expect(res.status, page).toBe(200);
    const csvHref = linkTo(page, 'CSV');
    const jsonHref = linkTo(page, 'JSON');
    expect(csvHref, 'a CSV link on the page').toBeDefined();
    expect(jsonHref, 'a JSON link on the page').toBeDefined();

    const json = await fetch(new URL(jsonHref!, base));
    expect(json.status).toBe(200);
    const report = (await json.json()) as UptimeReport;
    expect(report.team).toBe('payments');
    expect(report.from).toBe(from);
    expect(Date.parse(report.to) - 1).toBe(Date.parse(lastInstant));
    // The same figures as the page: each service's uptime as the page rounds it.
    for (const s of report.services) expect(page).toContain(`>${formatPercent(s.uptimePercent)}`);

    const csv = await fetch(new URL(csvHref!, base));
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (await csv.text()).trim().split('\r\n');
    const totals = rows.filter((r) => r.split(',')[2] === 'total').map((r) => r.split(',')[1]);
    expect(totals).toEqual(report.services.map((s) => s.service));
    // The CSV's days are the report's days.
    const days = rows.filter((r) => r.startsWith('payments,checkout,') && !r.includes(',total,')).map((r) => r.split(',')[2]);
    expect(days).toEqual(report.services.find((s) => s.service === 'checkout')!.daily.map((d) => d.date));
  });
});
