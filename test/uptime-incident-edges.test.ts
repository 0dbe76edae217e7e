/**
 * Incidents cut by the report's range, against a real Prometheus: an outage that began before the
 * range starts at the range's start, and one still going on when it ends stops at its end. A
 * manager reading "2026-11-30 23:30 to 2026-12-01 00:00, 30m" took a 6-hour outage for a
 * 30-minute one, and one starting at 00:00 on the 1st for an outage that began at midnight. The
 * JSON marks such an incident (`startedBeforeRange`, `continuesAfterRange`), and the page and
 * the CLI table say so; an outage that begins or ends exactly at the range's edge is not marked.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { CliIO } from '../src/cli/io.js';
import { requireBinary } from '../src/testing/binaries.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { createUptimeService } from '../src/uptime/service.js';
import { createThanosClient } from '../src/uptime/thanos-client.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { serveSeries, type ServedSeries } from './support/prometheus-server.js';
import type { GeneratedSeries } from './support/prometheus-tsdb.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);

/** A 1-minute probe, on the minute, 2026-10-25 to 2026-12-03, down in the given [start, end) periods. */
function probe(job: string, outages: Array<[string, string]>, until = '2026-12-03T00:00:00Z', offsetMs = 0): GeneratedSeries {
  const times: number[] = [];
  const values: number[] = [];
  for (let t = at('2026-10-25T00:00:00Z') + offsetMs; t < at(until); t += MIN) {
    times.push(t);
    values.push(outages.some(([a, b]) => t >= at(a) && t < at(b)) ? 0 : 1);
  }
  return { metric: 'probe_success', labels: { job, instance: `https://${job}.example` }, times, values };
}

const SERIES = [
  // Down across the month's start, inside it across midnight, and from 23:30 on its last day
  // until 05:30 on the next month's first.
  probe('edges', [
    ['2026-10-31T23:40:00Z', '2026-11-01T00:25:00Z'],
    ['2026-11-10T23:50:00Z', '2026-11-11T00:10:00Z'],
    ['2026-11-30T23:30:00Z', '2026-12-01T05:30:00Z'],
  ]),
  // The same outages probed 20 s past each minute: no sample falls on the range's edges.
  probe(
    'offset',
    [
      ['2026-10-31T23:40:00Z', '2026-11-01T00:25:00Z'],
      ['2026-11-10T23:50:00Z', '2026-11-11T00:10:00Z'],
      ['2026-11-30T23:30:00Z', '2026-12-01T05:30:00Z'],
    ],
    '2026-12-03T00:00:00Z',
    20_000,
  ),
  // 20 s off the minute, down until the last minute of October: its last down sample (23:59:20)
  // lasts until 00:00:20, into November, but November has no down sample of it (only another
  // outage that morning, for which November's first day is read from before it starts).
  probe(
    'offset-end',
    [
      ['2026-10-31T23:40:00Z', '2026-11-01T00:00:00Z'],
      ['2026-11-01T06:00:00Z', '2026-11-01T06:10:00Z'],
    ],
    '2026-12-03T00:00:00Z',
    20_000,
  ),
  // Down from exactly the month's start, and until exactly its end: nothing outside it.
  probe('exact', [
    ['2026-11-01T00:00:00Z', '2026-11-01T00:10:00Z'],
    ['2026-11-30T23:50:00Z', '2026-12-01T00:00:00Z'],
  ]),
  // Down from 01:00 on 12-01 to its last sample, at 01:59: still down at 01:59:30, "now".
  probe('ongoing', [['2026-12-01T01:00:00Z', '2026-12-01T02:00:00Z']], '2026-12-01T02:00:00Z'),
];

const RULES = [
  'team: payments',
  'namespace: payments-prod',
  'uptime:',
  `  - service: edges`,
  `    up: 'probe_success{job="edges"}'`,
  '    objective: 99.9',
  '    interval: 1m',
  `  - service: edges-expr`,
  `    up: 'max by (job) (probe_success{job="edges"})'`,
  '    objective: 99.9',
  '    interval: 1m',
  `  - service: offset`,
  `    up: 'probe_success{job="offset"}'`,
  '    objective: 99.9',
  '    interval: 1m',
  `  - service: offset-end`,
  `    up: 'probe_success{job="offset-end"}'`,
  '    objective: 99.9',
  '    interval: 1m',
  `  - service: exact`,
  `    up: 'probe_success{job="exact"}'`,
  '    objective: 99.9',
  '    interval: 1m',
  '',
].join('\n');

let served: ServedSeries | undefined;
let fakes: Fakes | undefined;
let t: TestGateway | undefined;
let configDir = '';

beforeAll(async () => {
  if (!promtool || !prometheus) return;
  served = await serveSeries({ promtool, prometheus }, 'alertgate-incident-edges-', SERIES);
  configDir = join(served.dir, 'config');
  await mkdir(join(configDir, 'routes'), { recursive: true });
  await mkdir(join(configDir, 'rules'), { recursive: true });
  for (const team of ['payments', 'platform']) await writeFile(join(configDir, 'routes', `${team}.yaml`), `team: ${team}\nslack:\n  channel: "#${team}"\nroutes:\n  - receivers: [slack]\n`);
  await writeFile(join(configDir, 'rules', 'payments.yaml'), RULES);
  fakes = await startFakes();
  t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir, THANOS_URL: served.prometheus.url });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await fakes?.close();
  await served?.stop();
});

const gateway = () => {
  if (!t) throw new Error('gateway not started');
  return t;
};

describe.skipIf(!promtool || !prometheus)('incidents cut by the range (real Prometheus)', () => {
  it('an outage still going on now, at the end of a report to date, is marked', async () => {
    const svc = createUptimeService({
      client: createThanosClient({ url: served!.prometheus.url }),
      checks: async () => new Map([['payments', [{ service: 'ongoing', up: 'probe_success{job="ongoing"}', objective: 99.9, interval: '1m' }]]]),
      now: () => at('2026-12-01T01:59:30Z'),
      maintenance: async () => [],
    });
    const report = await svc.report({ team: 'payments', period: 'month-to-date' });
    expect(report.to).toBe('2026-12-01T01:59:30Z');
    expect(report.services[0]!.incidents).toEqual([{ start: '2026-12-01T01:00:00Z', end: '2026-12-01T01:59:30Z', seconds: 3570, continuesAfterRange: true }]);
  });

  it('JSON: an incident under way at the range start or end is marked; one beginning or ending exactly there is not', async () => {
    const res = await fetch(`${gateway().gw.url}/v1/uptime?team=payments&month=2026-11`);
    const body = await res.text();
    expect(res.status, body).toBe(200);
    const report = JSON.parse(body) as UptimeReport;
    const incidents = (name: string) => report.services.find((s) => s.service === name)!.incidents;
    const expected = [
      { start: '2026-11-01T00:00:00Z', end: '2026-11-01T00:25:00Z', seconds: 1500, startedBeforeRange: true },
      { start: '2026-11-10T23:50:00Z', end: '2026-11-11T00:10:00Z', seconds: 1200 },
      { start: '2026-11-30T23:30:00Z', end: '2026-12-01T00:00:00Z', seconds: 1800, continuesAfterRange: true },
    ];
    expect(incidents('edges')).toEqual(expected);
    // An expression is evaluated, not read as raw samples: the same marks.
    expect(incidents('edges-expr')).toEqual(expected);
    // A probe off the minute: its first down sample in the range is 20 s into it, but the one
    // before the range was down too, so the incident starts with the range.
    expect(incidents('offset')).toEqual([
      { start: '2026-11-01T00:00:00Z', end: '2026-11-01T00:25:20Z', seconds: 1520, startedBeforeRange: true },
      { start: '2026-11-10T23:50:20Z', end: '2026-11-11T00:10:20Z', seconds: 1200 },
      { start: '2026-11-30T23:30:20Z', end: '2026-12-01T00:00:00Z', seconds: 1780, continuesAfterRange: true },
    ]);
    expect(incidents('exact')).toEqual([
      { start: '2026-11-01T00:00:00Z', end: '2026-11-01T00:10:00Z', seconds: 600 },
      { start: '2026-11-30T23:50:00Z', end: '2026-12-01T00:00:00Z', seconds: 600 },
    ]);
    // Nothing of October's last outage was down in November (its first sample, at 00:00:20, was
    // up): no incident of it, only the morning's.
    expect(incidents('offset-end')).toEqual([{ start: '2026-11-01T06:00:20Z', end: '2026-11-01T06:10:20Z', seconds: 600 }]);
    expect(report.services.find((s) => s.service === 'offset-end')!.downSeconds).toBe(600);
    // The figures are the range's own: only its 75 minutes of the edges outages are downtime.
    expect(report.services.find((s) => s.service === 'edges')!.downSeconds).toBe(75 * 60);

    // /openapi.json describes the marks.
    type Schema = { properties?: Record<string, Schema>; items?: Schema };
    const doc = (await (await fetch(`${gateway().gw.url}/openapi.json`)).json()) as { components: { schemas: Record<string, Schema> } };
    const incident = doc.components.schemas.UptimeReport!.properties!.services!.items!.properties!.incidents!.items!;
    expect(Object.keys(incident.properties!)).toEqual(expect.arrayContaining(['startedBeforeRange', 'continuesAfterRange']));
  });

  it("an outage that November does not see is not marked in October as continuing (probe off the minute)", async () => {
    const res = await fetch(`${gateway().gw.url}/v1/uptime?team=payments&month=2026-10`);
    const body = await res.text();
    expect(res.status, body).toBe(200);
    const report = JSON.parse(body) as UptimeReport;
    // Its last down sample, at 23:59:20, lasts until the next one, up at 00:00:20: the range's
    // part ends with the range, but November has no down sample of it, so nothing goes on.
    expect(report.services.find((s) => s.service === 'offset-end')!.incidents).toEqual([{ start: '2026-10-31T23:40:20Z', end: '2026-11-01T00:00:00Z', seconds: 1180 }]);
    // An outage November does see (00:00:20 down) is marked in both months.
    expect(report.services.find((s) => s.service === 'offset')!.incidents).toEqual([{ start: '2026-10-31T23:40:20Z', end: '2026-11-01T00:00:00Z', seconds: 1180, continuesAfterRange: true }]);
  });

  it('the team page and the CLI table say an incident was already under way, or still going on', async () => {
    const res = await fetch(`${gateway().gw.url}/uptime/payments?month=2026-11`, { headers: { accept: 'text/html' } });
    const html = await res.text();
    expect(res.status).toBe(200);
    const section = html.slice(html.indexOf('id="service-edges"'), html.indexOf('id="service-edges-expr"'));
    const rows = [...section.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
    expect(rows).toContain('2026-11-01 00:00:00 UTC (already down when the range starts) 2026-11-01 00:25:00 UTC 25m 0s');
    expect(rows).toContain('2026-11-30 23:30:00 UTC 2026-12-01 00:00:00 UTC (still down when the range ends) 30m 0s');
    expect(rows).toContain('2026-11-10 23:50:00 UTC 2026-11-11 00:10:00 UTC 20m 0s');

    const out: string[] = [];
    const err: string[] = [];
    const io: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { ALERTGATE_CONFIG_DIR: configDir, THANOS_URL: served!.prometheus.url }, cwd: served!.dir };
    const code = await main(['uptime', '--team', 'payments', '--month', '2026-11'], io);
    expect(code, err.join('')).toBe(0);
    const lines = out.join('').split('\n').filter((l) => l.trim().startsWith('edges ') && l.includes('UTC'));
    expect(lines.map((l) => l.trim().replace(/\s+/g, ' '))).toEqual([
      'edges 2026-11-01 00:00:00 UTC (already down when the range starts) 2026-11-01 00:25:00 UTC 25m 0s',
      'edges 2026-11-10 23:50:00 UTC 2026-11-11 00:10:00 UTC 20m 0s',
      'edges 2026-11-30 23:30:00 UTC 2026-12-01 00:00:00 UTC (still down when the range ends) 30m 0s',
    ]);
  });
});
