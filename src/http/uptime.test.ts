/** GET /v1/uptime.csv against a stub service: what the response says beside the CSV itself. */
import { describe, expect, it } from 'vitest';
import { reportToCsv } from '../uptime/csv.js';
import type { ServiceUptime, UptimeReport } from '../uptime/report-types.js';
import type { UptimeService } from '../uptime/service.js';
import type { AppDeps } from './deps.js';
import { uptimeRoutes, warningsHeaderValue } from './uptime.js';

const checkout: ServiceUptime = {
  service: 'checkout',
  objective: 99.9,
  uptimePercent: 99.95,
  downSeconds: 0,
  noDataSeconds: 0,
  errorBudgetRemainingPercent: 50,
  incidents: [],
  daily: [],
  intervalSeconds: 60,
  measuredSeconds: 2_592_000,
  maintenanceSeconds: 0,
  maintenance: [],
};
const report = (warnings: string[]): UptimeReport => ({ team: 'payments', from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z', tz: 'UTC', services: [checkout], warnings });

async function getCsv(r: UptimeReport) {
  const uptime = { report: async () => r } as unknown as UptimeService;
  const res = await uptimeRoutes({ uptime } as unknown as AppDeps).request('/v1/uptime.csv?team=payments&month=2026-10');
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe('GET /v1/uptime.csv and Thanos warnings', () => {
  it('a partial report says so in a header and in its file name; the CSV keeps its documented columns', async () => {
    const warnings = ['partial response: store gateway eu-1 unavailable', 'PromQL info: metric might not be a counter'];
    const res = await getCsv(report(warnings));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.headers.get('x-alertgate-warnings')!)).toEqual(warnings);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="uptime-payments-2026-10-01-2026-11-01-incomplete.csv"');
    expect(res.body).toBe(reportToCsv(report(warnings)));
    expect(res.body.split('\r\n')[0]).toBe('team,service,date,uptime_percent,objective_percent,down_seconds,no_data_seconds,error_budget_remaining_percent,incidents,maintenance_seconds');
  });

  it('a complete report has neither', async () => {
    const res = await getCsv(report([]));
    expect(res.headers.get('x-alertgate-warnings')).toBeNull();
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="uptime-payments-2026-10-01-2026-11-01.csv"');
  });

  it('the header is printable ASCII and bounded whatever Thanos says, and counts what it leaves out', () => {
    const odd = ['line one\r\nline two', 'zürich store: 50% 😬', '\u007f\u0000"quoted"'];
    const value = warningsHeaderValue(odd);
    expect(value).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(value)).toEqual(odd);

    const many = Array.from({ length: 40 }, (_, i) => `store ${i}: ${'x'.repeat(1000)}`);
    const bounded = warningsHeaderValue(many);
    expect(bounded.length).toBeLessThanOrEqual(2000);
    const list = JSON.parse(bounded) as string[];
    expect(list[0]!.startsWith('store 0: x')).toBe(true);
    expect(list[0]!.length).toBe(500);
    expect(list.at(-1)).toBe(`…and ${40 - (list.length - 1)} more (GET /v1/uptime lists them all)`);
  });
});
