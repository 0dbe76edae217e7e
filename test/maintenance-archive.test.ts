/**
 * Ad-hoc maintenance windows in uptime reports of past months: a window that ended over a week
 * ago leaves the team's state for the archive when the next window is created, and a report of
 * its period must still excuse it, however long ago that was and however many windows ended
 * since. A gateway with a fake Thanos (no samples): the report lists the windows it excuses.
 */
import { expect, it } from 'vitest';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { ADMIN_TOKEN, type TestGateway } from './support/gateway.js';
import { withUptimeGateway } from './support/uptime-gateway.js';

// No samples at all: the report still lists the windows that excuse each service.
let t: TestGateway;
withUptimeGateway((started) => (t = started));

const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

async function createWindow(start: string, end: string, reason: string): Promise<string> {
  const res = await fetch(`${t.gw.url}/v1/maintenance`, { method: 'POST', headers: admin, body: JSON.stringify({ team: 'payments', start, end, reason }) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** The windows the payments report of `month` excuses for its first service. */
async function excused(month: string): Promise<{ start: string; end: string; reason: string }[]> {
  const res = await fetch(`${t.gw.url}/v1/uptime?team=payments&month=${month}`);
  const body = await res.text();
  expect(res.status, body).toBe(200);
  const report = JSON.parse(body) as UptimeReport;
  return report.services[0]!.maintenance;
}

it('a report of a month over a year ago still excuses the window the team had then', async () => {
  const month = new Date(Date.now() - 430 * 86_400_000).toISOString().slice(0, 7);
  const window = { start: `${month}-10T22:00:00Z`, end: `${month}-11T02:00:00Z`, reason: 'datacentre move' };
  await createWindow(window.start, window.end, window.reason);
  expect(await excused(month)).toEqual([window]);
  // The next window created moves it from the team's state to the archive: the report stays.
  await createWindow(new Date(Date.now() + 86_400_000).toISOString(), new Date(Date.now() + 2 * 86_400_000).toISOString(), 'next');
  expect(await excused(month)).toEqual([window]);
});

it('an archived window across a month’s end, or longer than a year, counts once in every report of its time until deleted', async () => {
  const across = { start: '2026-05-31T22:00:00Z', end: '2026-06-01T03:00:00Z', reason: 'storage upgrade' };
  const long = { start: '2024-01-01T00:00:00Z', end: '2025-06-01T00:00:00Z', reason: 'legacy service frozen' };
  const ids = [await createWindow(across.start, across.end, across.reason), await createWindow(long.start, long.end, long.reason)];
  // Both ended over a week ago: this one moves them to the archive.
  await createWindow(new Date(Date.now() + 3 * 86_400_000).toISOString(), new Date(Date.now() + 4 * 86_400_000).toISOString(), 'later');
  const listed = (await (await fetch(`${t.gw.url}/v1/maintenance?team=payments`)).json()) as { items: { id: string }[] };
  expect(listed.items.map((w) => w.id)).not.toContain(ids[0]);
  expect(await excused('2026-05')).toEqual([{ start: across.start, end: '2026-06-01T00:00:00Z', reason: across.reason }]);
  expect(await excused('2026-06')).toEqual([{ start: '2026-06-01T00:00:00Z', end: across.end, reason: across.reason }]);
  const both = await fetch(`${t.gw.url}/v1/uptime?team=payments&from=2026-05-01&to=2026-07-01`);
  expect(((await both.json()) as UptimeReport).services[0]!.maintenance).toEqual([across]);
  expect(await excused('2024-08')).toEqual([{ start: '2024-08-01T00:00:00Z', end: '2024-09-01T00:00:00Z', reason: long.reason }]);
  for (const id of ids) expect((await fetch(`${t.gw.url}/v1/maintenance/${id}`, { method: 'DELETE', headers: admin })).status).toBe(204);
  for (const month of ['2026-05', '2026-06', '2024-08']) expect(await excused(month), month).toEqual([]);
});

it('a report of last quarter still excuses its window after over two thousand more windows ended', async () => {
  // A busy team: a window for every deploy, here one an hour for the three months since.
  const hour = 3_600_000;
  const first = Date.now() - 100 * 86_400_000;
  const month = new Date(first).toISOString().slice(0, 7);
  const window = { start: new Date(first).toISOString(), end: new Date(first + hour / 2).toISOString(), reason: 'schema migration' };
  await createWindow(window.start, window.end, window.reason);
  for (let i = 1; i <= 2_002; i++) {
    const start = first + i * hour;
    await createWindow(new Date(start).toISOString(), new Date(start + hour / 2).toISOString(), `deploy ${i}`);
  }
  expect(await excused(month)).toContainEqual(window);
}, 120_000);
