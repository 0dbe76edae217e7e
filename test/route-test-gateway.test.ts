/**
 * `alertgate route-test` decides as the running gateway does: the same labels, posted in a
 * webhook to a real gateway on the same config, reach the same team and the same receivers
 * (attribution by team label, namespace, owns.matchers and fallback; first match, `continue`,
 * route channels, the team default), and an alert a maintenance window of the config covers
 * while open is held by the gateway exactly when route-test says so.
 */
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { ReceiverView, RouteTestResult } from '../src/cli/route-test.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const KEYS = { PAGERDUTY_PAYMENTS_KEY: 'k1', PAGERDUTY_PLATFORM_KEY: 'k2', PAGERDUTY_PRISONS_KEY: 'k3' };

/** Probation's windows, after the shipped estate's: one open for a century, one long over. */
const PROBATION_WINDOWS = [
  'maintenance:',
  '  - reason: "Delius database migration"',
  '    start: "2000-01-01T00:00:00Z"',
  '    end: "2100-01-01T00:00:00Z"',
  '    matchers: [\'alertname="DeliusDbMigration"\']',
  '  - reason: "last year\'s move"',
  '    start: "2001-01-01T00:00:00Z"',
  '    end: "2001-01-02T00:00:00Z"',
  '',
].join('\n');

let dir: string;
let fakes: Fakes;
let t: TestGateway;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertgate-route-test-'));
  await cp(join(repoRoot, 'routes'), join(dir, 'routes'), { recursive: true });
  await appendFile(join(dir, 'routes', 'probation.yaml'), PROBATION_WINDOWS);
  fakes = await startFakes();
  t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: dir, ...KEYS });
});

afterAll(async () => {
  await t?.close();
  await fakes?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function routeTest(labels: string): Promise<RouteTestResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['route-test', '--json', '--labels', labels], { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { ALERTGATE_CONFIG_DIR: dir, ...KEYS }, cwd: repoRoot });
  expect(code, err.join('\n')).toBe(0);
  return JSON.parse(out.join('')) as RouteTestResult;
}

interface NotificationView {
  team: string;
  groupKey: string;
  target: { type: 'slack'; channel: string } | { type: 'pagerduty'; team: string };
  status: string;
  reason: string | null;
}

/** What the gateway made of one alert with these labels: its team, receivers and whether it was held. */
async function gatewayDecision(n: number, labels: Record<string, string>) {
  const groupKey = `{}:{route_test="${n}"}`;
  const res = await t.post(webhook(groupKey, [{ labels, fingerprint: `route-test-${n}` }]));
  expect(res.status).toBe(202);
  const { items } = (await (await fetch(`${t.gw.url}/v1/notifications?limit=1000`)).json()) as { items: NotificationView[] };
  const mine = items.filter((i) => i.groupKey === groupKey);
  expect(new Set(mine.map((i) => i.team)).size).toBe(1);
  const receivers: ReceiverView[] = mine.map(({ target, team }) =>
    target.type === 'slack' ? { type: 'slack', channel: target.channel } : target.team === team ? { type: 'pagerduty' } : { type: 'pagerduty', team: target.team },
  );
  return { team: mine[0]!.team, receivers, held: mine.every((i) => i.status === 'suppressed' && (i.reason ?? '').startsWith('maintenance:')) };
}

const byKey = (r: ReceiverView) => JSON.stringify(r);

describe('route-test and the gateway, on the same labels and config', () => {
  const cases: Array<Record<string, string>> = [
    { alertname: 'KubePodCrashLooping', namespace: 'payments-prod', severity: 'critical' },
    { alertname: 'Slow', namespace: 'payments-staging', severity: 'info' },
    { alertname: 'VisitsDown', namespace: 'book-a-prison-visit-staging', severity: 'warning' },
    { alertname: 'VisitsDown', namespace: 'book-a-prison-visit-prod', severity: 'critical' },
    { alertname: 'Basket', service: 'basket', severity: 'warning' },
    { alertname: 'Anything', team: 'probation', namespace: 'payments-prod', severity: 'critical' },
    { alertname: 'Anything', team: 'nobody', namespace: 'probation-delius-prod' },
    { alertname: 'KubeNodeNotReady', severity: 'critical' },
    { alertname: 'Watchdog', namespace: 'monitoring' },
    { alertname: 'NewThing', namespace: 'brand-new', severity: '' },
    { alertname: 'Odd, "quoted" = value', namespace: 'probation-delius-preprod' },
    { alertname: 'DeliusDbMigration', namespace: 'probation-delius-prod', severity: 'critical' },
  ];

  it.each(cases.map((labels, n) => [n, labels] as const))('case %i: same team, receivers and hold', async (n, labels) => {
    const text = Object.entries(labels)
      .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
      .join(',');
    const predicted = await routeTest(text);
    const actual = await gatewayDecision(n, labels);
    expect(actual.team).toBe(predicted.team);
    expect(actual.receivers.map(byKey).sort()).toEqual(predicted.receivers.map(byKey).sort());
    expect(actual.held).toBe(predicted.maintenance.some((w) => w.open));
  });

  it('lists the config windows that cover the alert, open or not, and says which holds it now', async () => {
    const held = await routeTest('alertname=DeliusDbMigration,namespace=probation-delius-prod');
    expect(held.maintenance).toEqual([
      {
        index: 0,
        reason: 'Delius database migration',
        matchers: ['alertname="DeliusDbMigration"'],
        start: '2000-01-01T00:00:00Z',
        end: '2100-01-01T00:00:00Z',
        open: true,
        until: '2100-01-01T00:00:00.000Z',
      },
      { index: 1, reason: "last year's move", matchers: [], start: '2001-01-01T00:00:00Z', end: '2001-01-02T00:00:00Z', open: false },
    ]);
    const scheduled = await routeTest('namespace=payments-prod,severity=warning');
    expect(scheduled.maintenance).toEqual([
      { index: 0, reason: 'monthly patching', matchers: ['severity!="critical"'], schedule: '0 22 * * 2', duration: '2h', timezone: 'UTC', open: expect.any(Boolean) },
    ]);
    expect((await routeTest('namespace=payments-prod,severity=critical')).maintenance).toEqual([]);

    const out: string[] = [];
    const args = ['route-test', '--labels', 'alertname=DeliusDbMigration,namespace=probation-delius-prod'];
    expect(await main(args, { stdout: (s) => out.push(s), stderr: () => undefined, env: { ALERTGATE_CONFIG_DIR: dir, ...KEYS }, cwd: repoRoot })).toBe(0);
    expect(out.join('\n').split('\n').slice(-4)).toEqual([
      'maintenance:    windows of routes/probation.yaml; while one is open the alert is held, then delivered if still firing:',
      '  INDEX  WHEN                                          OPEN NOW                             REASON',
      '  0      2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z  yes, until 2100-01-01T00:00:00.000Z  Delius database migration',
      "  1      2001-01-01T00:00:00Z to 2001-01-02T00:00:00Z  no                                   last year's move",
    ]);
  });
});
