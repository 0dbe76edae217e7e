/** The report's renderings: CSV, table, Slack summary and the shared display rules. */
import { describe, expect, it } from 'vitest';
import { csvCell, reportToCsv } from './csv.js';
import { budgetState, dayLevel, formatDuration, formatPercent } from './format.js';
import { intervalFromTotals } from './interval.js';
import type { ServiceUptime, UptimeReport } from './report-types.js';
import { renderUptimeSummary } from './slack-summary.js';
import { reportToTable } from './table.js';

const checkout: ServiceUptime = {
  service: 'checkout',
  objective: 99.9,
  uptimePercent: 99.95,
  downSeconds: 1320,
  noDataSeconds: 0,
  errorBudgetRemainingPercent: 50.1,
  incidents: [{ start: '2026-10-03T10:00:00Z', end: '2026-10-03T10:22:00Z', seconds: 1320 }],
  daily: [
    { date: '2026-10-01', uptimePercent: 100, downSeconds: 0, noDataSeconds: 0, maintenanceSeconds: 0 },
    { date: '2026-10-02', uptimePercent: null, downSeconds: 0, noDataSeconds: 86_400, maintenanceSeconds: 7200 },
  ],
  intervalSeconds: 30,
  measuredSeconds: 2_592_000,
  maintenanceSeconds: 7200,
  maintenance: [{ start: '2026-10-02T22:00:00Z', end: '2026-10-03T00:00:00Z', reason: 'patching' }],
};
const report: UptimeReport = { team: 'payments', from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z', tz: 'UTC', services: [checkout], warnings: [] };

describe('uptime outputs', () => {
  it('CSV: daily rows and a total, empty cells for no data, formulas defused', () => {
    expect(reportToCsv(report).split('\r\n')).toEqual([
      'team,service,date,uptime_percent,objective_percent,down_seconds,no_data_seconds,error_budget_remaining_percent,incidents,maintenance_seconds',
      'payments,checkout,2026-10-01,100,99.9,0,0,,,0',
      'payments,checkout,2026-10-02,,99.9,,86400,,,7200', // no sample that day: no downtime figure either
      'payments,checkout,total,99.95,99.9,1320,0,50.1,1,7200',
      '',
    ]);
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(-3.5)).toBe('-3.5');
  });

  it('CSV rounds down as the page, table and Slack do: never a missed objective read as met, never 0 for an overspent budget', () => {
    const total = (s: Partial<ServiceUptime>) => reportToCsv({ ...report, services: [{ ...checkout, daily: [], ...s }] }).split('\r\n')[1]!.split(',');
    // 99.89996 beside a 99.9 objective: the page shows 99.899%, the CSV must not say 99.9.
    const missed = total({ uptimePercent: 99.89996, errorBudgetRemainingPercent: -0.04 });
    expect([missed[2], missed[3], missed[4], missed[7]]).toEqual(['total', '99.8999', '99.9', '-0.04']);
    expect(formatPercent(99.89996, 4)).toBe(`${missed[3]}%`);
    const near = total({ uptimePercent: 99.99996, errorBudgetRemainingPercent: -0.00004 });
    expect([near[3], near[7]]).toEqual(['99.9999', '-0.0001']);
    // Exact decimals stay as they are (99.9 is 99899.99999999999 × 10⁻³ in binary), and no −0.
    const exact = total({ uptimePercent: 99.9, errorBudgetRemainingPercent: -0 });
    expect([exact[3], exact[7]]).toEqual(['99.9', '0']);
    const daily = reportToCsv({ ...report, services: [{ ...checkout, daily: [{ date: '2026-10-01', uptimePercent: 99.99996, downSeconds: 0, noDataSeconds: 0, maintenanceSeconds: 0 }] }] });
    expect(daily.split('\r\n')[1]).toBe('payments,checkout,2026-10-01,99.9999,99.9,0,0,,,0');
  });

  it('budget in words: rounded down like the figures, never "0.0%" for a budget barely overspent or barely left', () => {
    const detail = (left: number) => budgetState({ errorBudgetRemainingPercent: left, measuredSeconds: 1, downSeconds: 1 });
    expect(detail(-0.04)).toMatchObject({ label: 'exhausted', detail: 'overspent by <0.1%' });
    expect(detail(-0.00004)).toMatchObject({ label: 'exhausted', detail: 'overspent by <0.1%' });
    expect(detail(-0.1).detail).toBe('overspent by 0.1%');
    expect(detail(-20.04).detail).toBe('overspent by 20.1%');
    expect(detail(0.04)).toMatchObject({ label: 'at risk', detail: '<0.1% left' });
    expect(detail(0).detail).toBe('0.0% left');
    // 24.96% left is "at risk" (under 25%): never shown as 25.0% left.
    expect(detail(24.96)).toMatchObject({ label: 'at risk', detail: '24.9% left' });
    expect(detail(99.99).detail).toBe('99.9% left');
    expect(detail(100).detail).toBe('100.0% left');
  });

  it('table: a line per service and the incidents', () => {
    const text = reportToTable(report);
    // The fixture's service had 2h of maintenance: the MAINTENANCE column shows it.
    expect(text).toMatch(/^checkout\s+99\.9500%\s+99\.9%\s+22m 0s\s+0s\s+2h 0m\s+healthy \(50\.1% left\)\s+1$/m);
    expect(text).toMatch(/checkout\s+2026-10-03 10:00:00 UTC\s+2026-10-03 10:22:00 UTC\s+22m 0s/);
  });

  it("table: a warning (Thanos' text) is one line, its control characters escaped", () => {
    const text = reportToTable({ ...report, warnings: ['partial response: store \u001b[2Jdown\n::error::forged'] });
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text).toContain('warning: partial response: store \\u001b[2Jdown\\n::error::forged\n');
  });

  it("table: times in the report's zone, as the page shows them; JSON and CSV keep their instants", () => {
    const london: UptimeReport = {
      ...report,
      from: '2026-09-30T23:00:00Z',
      tz: 'Europe/London',
      services: [{ ...checkout, incidents: [{ start: '2026-10-25T00:50:00Z', end: '2026-10-25T02:10:00Z', seconds: 4800 }] }],
    };
    const lines = reportToTable(london).split('\n');
    expect(lines[0]).toBe('Uptime of team payments: 2026-10-01 00:00:00 BST to 2026-11-01 00:00:00 GMT (end excluded; days in Europe/London)');
    // Across the clock change: the page's incident row reads the same two times.
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}checkout\s+2026-10-25 01:50:00 BST\s+2026-10-25 02:10:00 GMT\s+1h 20m$/));
    const kolkata = reportToTable({ ...london, tz: 'Asia/Kolkata' });
    expect(kolkata).toMatch(/checkout\s+2026-10-25 06:20:00 GMT\+5:30\s+2026-10-25 07:40:00 GMT\+5:30/);
    expect(reportToCsv(london)).not.toMatch(/BST|GMT/);
  });

  it('table: says what NO DATA means, shows maintenance time and marks incidents inside maintenance, as the page does', () => {
    const excused: ServiceUptime = {
      ...checkout,
      service: 'payments-api',
      uptimePercent: 100,
      downSeconds: 0,
      errorBudgetRemainingPercent: 100,
      incidents: [{ start: '2026-10-18T01:30:00Z', end: '2026-10-18T02:30:00Z', seconds: 3600, maintenanceSeconds: 3600 }],
    };
    const lines = reportToTable({ ...report, services: [checkout, excused] }).split('\n');
    expect(lines[2]).toMatch(/^SERVICE\s+UPTIME\s+OBJECTIVE\s+DOWN\s+NO DATA\s+MAINTENANCE\s+BUDGET\s+INCIDENTS$/);
    expect(lines).toContainEqual(expect.stringMatching(/^payments-api\s+100\.0000%\s+99\.9%\s+0s\s+0s\s+2h 0m\s+healthy/));
    // A 1-hour incident beside 0s down and 100%: the row says why, as the page's incident row does.
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}payments-api\s+2026-10-18 01:30:00 UTC\s+2026-10-18 02:30:00 UTC\s+1h 0m \(1h 0m in maintenance, not counted\)$/));
    expect(lines).toContain('Uptime = up samples ÷ all samples. NO DATA (time without samples) is neither up nor down; downtime in MAINTENANCE windows is not counted.');
    // Without maintenance in the range, no empty column.
    expect(reportToTable({ ...report, services: [{ ...checkout, maintenanceSeconds: 0 }] })).not.toContain('MAINTENANCE');
  });

  it('Slack summary: a service with time unmeasured or in maintenance says so, as the page and table do', () => {
    const added = { ...checkout, service: 'search', noDataSeconds: 15 * 86_400 + 13 * 3600 };
    const json = JSON.stringify(renderUptimeSummary({ ...report, services: [added] }, { title: 'October 2026' }).blocks);
    // 99.95% of the half month measured, not of the month: the reader is told.
    expect(json).toContain('*search* 99.950% (objective 99.9%) · down 22m 0s · no data 15d 13h (not counted) · maintenance 2h 0m (not counted) · 1 incident');
    const plain = JSON.stringify(renderUptimeSummary({ ...report, services: [{ ...checkout, maintenanceSeconds: 0 }] }, { title: 'October 2026' }).blocks);
    expect(plain).toContain('*checkout* 99.950% (objective 99.9%) · down 22m 0s · 1 incident');
  });

  it('Slack summary: text and blocks, names escaped, budget in words', () => {
    const evil = { ...report, warnings: ['<!channel> partial'] };
    const m = renderUptimeSummary(evil, { title: 'October 2026', link: 'https://alertgate.example/uptime/payments?period=previous-month&tz=UTC' });
    expect(m.text).toContain('Uptime for payments: October 2026');
    expect(m.text).toContain('checkout 99.950%');
    const json = JSON.stringify(m.blocks);
    expect(json).toContain('budget healthy, 50.1% left');
    expect(json).toContain('&lt;!channel&gt; partial');
    expect(json).not.toContain('<!channel>');
    expect(json).toContain('<https://alertgate.example/uptime/payments?period=previous-month&amp;tz=UTC|Full report>');
  });

  it('Slack summary: every mrkdwn text verbatim (a warning saying @channel notifies no one), cut without breaking an entity', () => {
    // Slack "automatically parses" a mrkdwn text that is not verbatim, @channel and @here written out included.
    const warnings = ['Thanos: @channel @here partial response', ...Array.from({ length: 40 }, (_, i) => `store ${i} & more: ${'x'.repeat(60)}`)];
    const m = renderUptimeSummary({ ...report, warnings }, { title: 'October 2026' });
    const texts: { text: string; verbatim?: unknown }[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        if ((v as { type?: unknown }).type === 'mrkdwn') texts.push(v as { text: string; verbatim?: unknown });
        Object.values(v).forEach(walk);
      }
    };
    walk(m.blocks);
    expect(texts.filter((t) => t.verbatim !== true)).toEqual([]);
    const notes = texts.at(-1)!.text;
    expect(notes.length).toBeLessThanOrEqual(2900);
    // Cut where it ends in "…", never inside "&amp;".
    expect(notes).toMatch(/…$/);
    expect(notes).not.toMatch(/&(a|am|amp)?…$/);
  });

  it("the table does not credit Thanos with alertgate's own warnings (a check's values above 1, a shared bucket)", () => {
    const own = 'uptime check "checkout": its up expression gave values above 1 (on 2026-10-05 an average of 2.000), but uptime reads 1 as up and 0 as down, so the downtime of those days is not counted: make it 0 or 1 (min or max by …, or … >= bool 1)';
    const table = reportToTable({ ...report, warnings: [own] });
    expect(table.trimEnd().split('\n').at(-1)).toBe(`warning: ${own}`);
  });

  it('budget states and day levels carry words, not just colours', () => {
    expect(budgetState({ errorBudgetRemainingPercent: -20, measuredSeconds: 1, downSeconds: 1 })).toMatchObject({ level: 'bad', label: 'exhausted', detail: 'overspent by 20.0%' });
    expect(budgetState({ errorBudgetRemainingPercent: 10, measuredSeconds: 1, downSeconds: 1 })).toMatchObject({ level: 'warn', label: 'at risk' });
    expect(budgetState({ errorBudgetRemainingPercent: null, measuredSeconds: 0, downSeconds: 0 })).toMatchObject({ level: 'none', label: 'no data' });
    expect(budgetState({ errorBudgetRemainingPercent: null, measuredSeconds: 10, downSeconds: 5 })).toMatchObject({ level: 'bad' });
    expect([dayLevel(100, 99.9), dayLevel(99.5, 99.9), dayLevel(98, 99.9), dayLevel(null, 99.9)]).toEqual(['ok', 'warn', 'bad', 'none']);
    // Rounded down, never up past an objective it missed; exact decimals stay as they are.
    expect([formatPercent(99.89996), formatPercent(99.9), formatPercent(99.9996, 4), formatPercent(100), formatPercent(0.29), formatPercent(null)]).toEqual(['99.899%', '99.900%', '99.9996%', '100.000%', '0.290%', 'no data']);
    expect(formatPercent(99.99999)).toBe('99.999%');
    expect([formatDuration(59.6), formatDuration(1320), formatDuration(4 * 3600 + 61), formatDuration(2 * 86_400 + 7200)]).toEqual(['1m 0s', '22m 0s', '4h 1m', '2d 2h']);
  });

  it('sample interval from the daily totals: inferred (rounded to absorb jitter), else one minute', () => {
    const day = (start: number, end: number) => ({ date: '2026-10-01', start, end });
    const days = [day(0, 86_400_000), day(86_400_000, 86_490_000)];
    expect(intervalFromTotals(days, [{ sum: 1, count: 1441, series: 1, spacingMs: 86_400_000 / 1441 }, { sum: 2, count: 2, series: 1, spacingMs: 45_000 }])).toBe(60_000);
    // Only pieces under an hour: the longest with two samples or more.
    expect(intervalFromTotals([day(0, 90_000), day(90_000, 1_890_000)], [{ sum: 2, count: 2, series: 1, spacingMs: 45_000 }, { sum: 60, count: 60, series: 1, spacingMs: 30_000 }])).toBe(30_000);
    expect(intervalFromTotals([day(0, 86_400_000)], [{ sum: 0, count: 0, series: 0 }])).toBe(60_000);
  });
});
