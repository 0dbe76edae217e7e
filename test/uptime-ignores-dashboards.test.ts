/**
 * Uptime reports read only rules/ (their checks): a dashboards/ file that `validate` refuses (an
 * unknown Grafana unit, a stat panel over a range vector: what passed before validate became
 * stricter) must not turn every team's report into an error after an upgrade. `validate` still
 * refuses it. A real gateway on SQLite, a fake Thanos on loopback with no samples.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';
import { noSeries, startFakeThanos, type FakeThanos } from '../src/uptime/fake-thanos.case.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { writeConfigDir } from './support/prometheus-uptime-fixture.js';

const MONTH = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 7);
const BOARDS = [
  'team: payments',
  'namespace: payments-prod',
  'dashboards:',
  '  - title: Checkout',
  '    panels:',
  '      - title: Request rate',
  '        type: timeseries',
  '        unit: req/s',
  '        expr: sum(rate(http_requests_total[5m]))',
  '      - title: Recent',
  '        type: stat',
  '        expr: up[5m]',
  '',
].join('\n');

let fakes: Fakes;
let thanos: FakeThanos;
let gw: TestGateway;
let dir: string;
let configDir: string;
beforeAll(async () => {
  fakes = await startFakes();
  thanos = await startFakeThanos((_, path) => ({ status: 200, body: noSeries(path) }));
  dir = await mkdtemp(join(tmpdir(), 'alertgate-uptime-boards-'));
  configDir = join(dir, 'config');
  await writeConfigDir(configDir);
  await mkdir(join(configDir, 'dashboards'));
  await writeFile(join(configDir, 'dashboards', 'payments.yaml'), BOARDS);
  gw = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir, THANOS_URL: thanos.url });
});
afterAll(async () => {
  await gw?.close();
  await thanos?.close();
  await fakes?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  // cwd without data/: the CLI's report has no store, which is beside the point here.
  const io: CliIO = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { ALERTGATE_CONFIG_DIR: configDir, THANOS_URL: thanos.url }, cwd: configDir };
  const code = await main(args, io);
  return { code, out: out.join(''), err: err.join('') };
}

describe('uptime reports with a dashboards/ file that validate refuses', () => {
  it('validate still refuses it', async () => {
    const r = await cli(['validate']);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain('dashboards/payments.yaml:8:15 dashboards[0].panels[0].unit: unknown Grafana unit "req/s"');
  });

  it('GET /v1/uptime and /v1/uptime.csv answer 200 for the team whose board is wrong and for the others', async () => {
    for (const team of ['payments', 'prisons']) {
      const res = await fetch(`${gw.gw.url}/v1/uptime?team=${team}&month=${MONTH}`);
      const body = await res.text();
      expect(res.status, body).toBe(200);
      expect((JSON.parse(body) as UptimeReport).services.length).toBeGreaterThan(0);
      const csv = await fetch(`${gw.gw.url}/v1/uptime.csv?team=${team}&month=${MONTH}`);
      expect(csv.status, await csv.text()).toBe(200);
    }
  });

  it('alertgate uptime prints the report and exits 0', async () => {
    const r = await cli(['uptime', '--team', 'payments', '--month', MONTH, '--format', 'json']);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as UptimeReport).services.map((s) => s.service)).toEqual(['checkout', 'basket', 'search']);
  });
});
