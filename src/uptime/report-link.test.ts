import { describe, expect, it } from 'vitest';
import { REPORT_PERIOD_NAMES, resolveRange } from './range.js';
import { reportRangeQuery } from './report-link.js';
import { rfc3339 } from './report-types.js';

const NOW = Date.parse('2026-11-27T17:42:00Z');
const LATER = Date.parse('2027-03-15T08:00:00Z');

describe('a report link names the report range, not its period', () => {
  it('a calendar month is month=YYYY-MM in its zone', () => {
    const r = resolveRange({ period: 'previous-month', tz: 'Europe/London' }, NOW);
    expect(reportRangeQuery({ from: rfc3339(r.from), to: rfc3339(r.to), tz: r.tz })).toBe('month=2026-10&tz=Europe%2FLondon');
  });

  it('every period, in several zones, resolves to the same range when the link is opened months later', () => {
    for (const tz of ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata']) {
      for (const period of REPORT_PERIOD_NAMES) {
        const r = resolveRange({ period, tz }, NOW);
        const query = reportRangeQuery({ from: rfc3339(r.from), to: rfc3339(r.to), tz: r.tz });
        expect(query, `${period} ${tz}`).not.toContain('period=');
        const params = Object.fromEntries(new URLSearchParams(query));
        expect(resolveRange(params, LATER), `${period} ${tz}: ${query}`).toEqual(r);
      }
    }
  });
});
