/**
 * A team's regex that JavaScript's backtracking engine takes hours or forever on (a repeated
 * group such as `(a+)+` or `(.*-)*prod`, three repetitions in `.*a.*b.*c`) meets a 50,000-char
 * label value from an alert: the webhook is answered 202 at once, and the alert is attributed,
 * routed and held by maintenance windows as Alertmanager (Go's RE2, linear time) decides.
 * The gateway runs as its own process: had it stalled, this test would time out instead of
 * freezing along with it.
 * The same gateway loads a routes file whose regexes use Go syntax JavaScript has no equivalent
 * for (`(?i:payments)-prod`, `(?U)`, `[[:^alpha:]]`), and attributes and routes by them as Go
 * does (test/matcher-regexp-go.test.ts checks these patterns and values against amtool).
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, ESTATE_DIR, gatewayEnv, startFakes, WEBHOOK_TOKEN, type Fakes } from './support/gateway.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';
import { webhook } from './support/payloads.js';

const A = 'a'.repeat(50_000);
const DASHES = '-'.repeat(50_000);

/** Payments owns alerts by a nested-quantifier regex, and routes by two more. */
const PAYMENTS = `team: payments
owns:
  namespaces: [payments-prod]
  matchers: ['service=~"(a+)+"']
slack:
  channel: "#payments-alerts"
pagerduty:
  routingKeyEnv: TEST_PD_PAYMENTS_KEY
routes:
  - matchers: ['release=~"(.*-)*prod"']
    receivers: [pagerduty]
  - matchers: ['path=~".*a.*b.*c"']
    receivers: [slack]
    slack: { channel: "#payments-abc" }
  - receivers: [slack]
`;

/** Prisons owns and routes by Go syntax that has no JavaScript equivalent. */
const PRISONS = `team: prisons
owns:
  namespaces: [prisoner-offender-search-prod]
  matchers: ['service=~"(?i:prisons)-[[:^alpha:]]+"']
slack:
  channel: "#prisons-alerts"
routes:
  - matchers: ['env=~"(?i:payments)-prod"']
    receivers: [slack]
    slack: { channel: "#prisons-payments" }
  - matchers: ['build=~"(?U)v[0-9]+\\\\.[0-9]+?-rc"']
    receivers: [slack]
    slack: { channel: "#prisons-rc" }
  - receivers: [slack]
`;

let fakes: Fakes;
let dir: string;
let gw: GatewayProcess;

beforeAll(async () => {
  fakes = await startFakes();
  dir = await mkdtemp(join(tmpdir(), 'alertgate-regex-'));
  await cp(ESTATE_DIR, join(dir, 'config'), { recursive: true });
  await writeFile(join(dir, 'config', 'routes', 'payments.yaml'), PAYMENTS);
  await writeFile(join(dir, 'config', 'routes', 'prisons.yaml'), PRISONS);
  gw = await spawnGateway(
    gatewayEnv(fakes, {
      ALERTGATE_CONFIG_DIR: join(dir, 'config'),
      DATABASE_URL: `sqlite:${join(dir, 'alertgate.db')}`,
      NODE_EXTRA_CA_CERTS: fakes.tls.certPath,
      LOG_LEVEL: 'info', // spawnGateway waits for the "listening" line
    }),
  );
}, 90_000);
afterAll(async () => {
  await gw?.kill('SIGKILL');
  await fakes?.close();
  await rm(dir, { recursive: true, force: true });
});

async function post(name: string, labels: Record<string, string>): Promise<number> {
  const body = webhook(`{}:{alertname="${name}"}`, [{ labels: { alertname: name, ...labels } }]);
  const res = await fetch(`${gw.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
    body: JSON.stringify(body),
  });
  return res.status;
}

interface Listed {
  team: string;
  status: string;
  reason: string | null;
  target: { type: string; channel?: string };
  group: { alertnames: string[] };
}
/** The notifications recorded for an alert (made with the 202): team, where to, held or not. */
async function notificationsOf(name: string) {
  const page = (await fetch(`${gw.url}/v1/notifications?limit=1000`).then((r) => r.json())) as { items: Listed[] };
  return page.items
    .filter((n) => n.group.alertnames.includes(name))
    .map((n) => ({ team: n.team, to: n.target.channel ?? n.target.type, held: n.status === 'suppressed' ? n.reason : null }));
}

describe('matcher regexes run in time linear in the label value, as in Alertmanager', () => {
  it('routes/<team>.yaml: owns.matchers and route matchers decide on 50,000-char values as Go does', async () => {
    // [alert, labels, Go's decision: team and where to]
    const cases: [string, Record<string, string>, { team: string; to: string }][] = [
      // `(a+)+` matches: payments; `(.*-)*prod` matches: PagerDuty.
      ['RegexPaged', { service: A, release: `${DASHES}prod` }, { team: 'payments', to: 'pagerduty' }],
      // `(.*-)*prod` cannot match (exponential for V8); `.*a.*b.*c` cannot either (cubic): the catch-all.
      ['RegexCatchAll', { service: A, release: `${DASHES}!`, path: A }, { team: 'payments', to: '#payments-alerts' }],
      ['RegexAbc', { service: A, release: `${DASHES}!`, path: `${A}bc` }, { team: 'payments', to: '#payments-abc' }],
      // `(a+)+` cannot match `a…a!` (exponential for V8): nobody owns it, the fallback team has it.
      ['RegexUnowned', { service: `${A}!` }, { team: 'platform', to: '#platform-alerts' }],
    ];
    for (const [name, labels, decided] of cases) {
      expect([name, await post(name, labels)]).toEqual([name, 202]);
      expect([name, await notificationsOf(name)]).toEqual([name, [{ ...decided, held: null }]]);
    }
  });

  it('POST /v1/maintenance: a window matcher holds what Go says it covers, on 50,000-char values', async () => {
    const now = Date.now();
    const res = await fetch(`${gw.url}/v1/maintenance`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        team: 'payments',
        matchers: ['instance=~"(.*-)*db"'],
        start: new Date(now - 1000).toISOString(),
        end: new Date(now + 3_600_000).toISOString(),
        reason: 'database failover',
      }),
    });
    expect(res.status).toBe(201);

    expect(await post('WindowCovers', { namespace: 'payments-prod', instance: `${DASHES}db` })).toBe(202);
    expect(await notificationsOf('WindowCovers')).toEqual([{ team: 'payments', to: '#payments-alerts', held: 'maintenance: database failover' }]);
    // `(.*-)*db` cannot match `-…-!` (exponential for V8): not covered, delivered.
    expect(await post('WindowMisses', { namespace: 'payments-prod', instance: `${DASHES}!` })).toBe(202);
    expect(await notificationsOf('WindowMisses')).toEqual([{ team: 'payments', to: '#payments-alerts', held: null }]);
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === '#payments-alerts' && String(r.body.text).includes('WindowMisses'), 20_000);
  });
});

describe('matcher regexes in Go syntax JavaScript lacks load and decide as in Alertmanager', () => {
  it('routes/<team>.yaml: owns.matchers by (?i:prisons)-[[:^alpha:]]+, routes by (?i:payments)-prod and (?U)', async () => {
    // [alert, labels, Go's decision: team and where to]
    const cases: [string, Record<string, string>, { team: string; to: string }][] = [
      // (?i:…) covers `prisons` only; [[:^alpha:]]+ takes digits.
      ['GoSyntaxOwned', { service: 'PRISONS-42' }, { team: 'prisons', to: '#prisons-alerts' }],
      ['GoSyntaxUnowned', { service: 'prisons-4a' }, { team: 'platform', to: '#platform-alerts' }],
      ['GoSyntaxScopedI', { service: 'Prisons-7', env: 'PAYMENTS-prod' }, { team: 'prisons', to: '#prisons-payments' }],
      // `-prod` is outside the (?i:…): case counts there, so the catch-all.
      ['GoSyntaxScopedINot', { service: 'Prisons-7', env: 'payments-PROD' }, { team: 'prisons', to: '#prisons-alerts' }],
      ['GoSyntaxUngreedy', { service: 'prisons-7', build: 'v1.23-rc' }, { team: 'prisons', to: '#prisons-rc' }],
    ];
    for (const [name, labels, decided] of cases) {
      expect([name, await post(name, labels)]).toEqual([name, 202]);
      expect([name, await notificationsOf(name)]).toEqual([name, [{ ...decided, held: null }]]);
    }
  });
});
