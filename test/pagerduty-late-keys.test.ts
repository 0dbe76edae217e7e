/**
 * PagerDuty routing keys are looked up at send time, and so is whether pages are sent at all: a
 * key that resolves only after start (a reload that fixes the variable's name, a key file written
 * later) pages for real, in-process and on the delivery thread (OUTBOX_THREAD=true). Once pages go
 * out, a team whose key does not resolve fails naming its variable or file; it is never recorded
 * `sent` through the log sink. With no routing key anywhere and no PAGERDUTY_EVENTS_URL, pages go
 * to the log sink, as the README's quick start says.
 *
 * PAGERDUTY_EVENTS_URL is left out of the environment (set, it makes pages go out whatever the
 * keys); the settings still point at the fake PagerDuty, so nothing can reach the real one.
 */
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOG_SINK_MESSAGE } from '../src/delivery/log-sink.js';
import { DeliveryThread } from '../src/outbox/delivery-thread-host.js';
import { ADMIN_TOKEN, ESTATE_DIR, PD_PAYMENTS_KEY, SLACK_TOKEN, startFakes, startTestGateway, waitUntil, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';
import { assertNoSecrets } from './support/secrets.js';

const PD_PRISONS_KEY = 'pd-routing-key-prisons-9876543210';

let fakes: Fakes;
let t: TestGateway | undefined;
let dir: string;
/** Every log line of every test's gateway (debug level, without the logger's secret scrubbing). */
const logLines: string[] = [];

beforeEach(async () => {
  fakes = await startFakes();
  dir = await mkdtemp(join(tmpdir(), 'alertgate-late-keys-'));
  await cp(ESTATE_DIR, join(dir, 'cfg'), { recursive: true });
});
afterEach(async () => {
  logLines.push(...(t?.logs ?? []));
  await t?.close();
  t = undefined;
  await fakes.close();
  await rm(dir, { recursive: true, force: true });
});
afterAll(() => {
  const secrets = { PD_PAYMENTS_KEY, PD_PRISONS_KEY, SLACK_TOKEN };
  // A log-sink line shows the event with a placeholder routing key: the only [REDACTED] allowed.
  const sinkLine = (l: string) => l.includes(LOG_SINK_MESSAGE);
  expect(assertNoSecrets(logLines.filter((l) => !sinkLine(l)), secrets)).toBeGreaterThan(20);
  assertNoSecrets(logLines.filter(sinkLine), secrets, { forbidRedactionMarker: false });
});

const paymentsKeyFile = () => join(dir, 'payments-key');
const prisonsKeyFile = () => join(dir, 'prisons-key');

async function editRoutes(team: string, edit: (yaml: string) => string): Promise<void> {
  const file = join(dir, 'cfg', 'routes', `${team}.yaml`);
  await writeFile(file, edit(await readFile(file, 'utf8')));
}
/** payments reads its key from a file (absent until a test writes it). */
const paymentsKeyFromFile = () => editRoutes('payments', (y) => y.replace('routingKeyEnv: TEST_PD_PAYMENTS_KEY', `routingKeyFile: ${paymentsKeyFile()}`));
/** prisons pages on critical alerts too, with its key in a file (absent until a test writes it). */
const prisonsPages = () =>
  editRoutes('prisons', (y) =>
    y
      .replace('routes:\n', `pagerduty:\n  routingKeyFile: ${prisonsKeyFile()}\nroutes:\n  - matchers: ['severity="critical"']\n    receivers: [pagerduty, slack]\n`)
      .trimEnd() + '\n',
  );

async function start(thread: boolean, env: Record<string, string> = {}): Promise<TestGateway> {
  t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: join(dir, 'cfg'), ...(thread ? { OUTBOX_THREAD: 'true' } : {}), ...env }, { noPagerDutyUrlEnv: true });
  expect(t.gw.worker instanceof DeliveryThread).toBe(thread);
  return t;
}

const critical = (name: string, namespace = 'payments-prod') => webhook(`{}:{alertname="${name}"}`, [{ labels: { alertname: name, namespace, severity: 'critical' } }]);

interface NotificationView {
  id: number;
  team: string;
  receiver: string;
  status: string;
  lastError: string | null;
}
async function pages(gw: TestGateway, team: string): Promise<NotificationView[]> {
  const body = (await fetch(`${gw.gw.url}/v1/notifications?team=${team}`).then((r) => r.json())) as { items: NotificationView[] };
  return body.items.filter((n) => n.receiver === 'pagerduty');
}
const parsed = (gw: TestGateway) => gw.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
const sinkedPages = (gw: TestGateway) => parsed(gw).filter((l) => l.msg === LOG_SINK_MESSAGE && l.receiver === 'pagerduty');
const triggersWith = (key: string) =>
  fakes.pagerduty.events.filter((e) => {
    const b = e.body as { event_action?: string; routing_key?: string };
    return b.event_action === 'trigger' && b.routing_key === key;
  });
async function post(gw: TestGateway, body: unknown): Promise<void> {
  expect((await gw.post(body)).status).toBe(202);
  await gw.idle();
}
const reload = (gw: TestGateway) => fetch(`${gw.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

describe.each([
  ['in-process outbox', false],
  ['delivery thread (OUTBOX_THREAD=true)', true],
])('PagerDuty keys that resolve after start: %s', (_mode, thread) => {
  it('a reload that makes a routing key resolve pages for real; nothing goes to the log sink', async () => {
    // Deployed with the wrong variable name: no key resolves at start.
    await editRoutes('payments', (y) => y.replace('routingKeyEnv: TEST_PD_PAYMENTS_KEY', 'routingKeyEnv: TEST_PD_PAYMENTS_KEY_TYPO'));
    const gw = await start(thread);
    await editRoutes('payments', (y) => y.replace('TEST_PD_PAYMENTS_KEY_TYPO', 'TEST_PD_PAYMENTS_KEY'));
    expect((await reload(gw)).status).toBe(200);

    await post(gw, critical('PayDownAfterReload'));
    expect(triggersWith(PD_PAYMENTS_KEY)).toHaveLength(1);
    expect((await pages(gw, 'payments')).map((n) => n.status)).toEqual(['sent']);
    expect(sinkedPages(gw)).toEqual([]);
  });

  it('the review repro: key file written after start, then POST /-/reload → one real page', async () => {
    await paymentsKeyFromFile();
    const gw = await start(thread);
    await writeFile(paymentsKeyFile(), `${PD_PAYMENTS_KEY}\n`);
    expect((await reload(gw)).status).toBe(200);

    await post(gw, critical('PayDown'));
    expect(triggersWith(PD_PAYMENTS_KEY)).toHaveLength(1);
    expect((await pages(gw, 'payments')).map((n) => n.status)).toEqual(['sent']);
    expect(sinkedPages(gw)).toEqual([]);
  });

  it('a key file written after start pages without a reload; once it is gone again the page fails naming the file', async () => {
    await paymentsKeyFromFile();
    const gw = await start(thread);
    await writeFile(paymentsKeyFile(), `${PD_PAYMENTS_KEY}\n`);

    await post(gw, critical('PayDownNoReload'));
    expect(triggersWith(PD_PAYMENTS_KEY)).toHaveLength(1);
    expect((await pages(gw, 'payments')).map((n) => n.status)).toEqual(['sent']);

    // Pages went out: a key that stops resolving is a failure, not a return to the log sink.
    await unlink(paymentsKeyFile());
    await post(gw, critical('PayDownKeyGone'));
    expect(triggersWith(PD_PAYMENTS_KEY)).toHaveLength(1);
    const [latest] = await pages(gw, 'payments');
    expect(latest).toMatchObject({ status: 'dead' });
    expect(latest!.lastError).toContain(paymentsKeyFile());
    expect(sinkedPages(gw)).toEqual([]);
  });

  it('once any team\'s key resolves, a team whose key does not fails naming its file; the other team pages', async () => {
    await paymentsKeyFromFile();
    await prisonsPages();
    const gw = await start(thread);
    await writeFile(paymentsKeyFile(), `${PD_PAYMENTS_KEY}\n`);

    // prisons first: its own key does not resolve, but payments' does, so PagerDuty is configured.
    await post(gw, critical('PrisonsDown', 'prisoner-offender-search-prod'));
    const [prisons] = await pages(gw, 'prisons');
    expect(prisons).toMatchObject({ status: 'dead' });
    expect(prisons!.lastError).toContain(prisonsKeyFile());
    expect(sinkedPages(gw)).toEqual([]);

    await post(gw, critical('PayDownToo'));
    expect(triggersWith(PD_PAYMENTS_KEY)).toHaveLength(1);
    expect((await pages(gw, 'payments')).map((n) => n.status)).toEqual(['sent']);

    // prisons' key file appears: its next page goes out, no reload needed.
    await writeFile(prisonsKeyFile(), `${PD_PRISONS_KEY}\n`);
    await post(gw, critical('PrisonsDownAgain', 'prisoner-offender-search-prod'));
    expect(triggersWith(PD_PRISONS_KEY)).toHaveLength(1);
    expect((await pages(gw, 'prisons')).map((n) => n.status)).toEqual(['sent', 'dead']);
    expect(sinkedPages(gw)).toEqual([]);
  });

  it('with no routing key anywhere and no PAGERDUTY_EVENTS_URL, pages go to the log sink (README quick start)', async () => {
    const gw = await start(thread, { TEST_PD_PAYMENTS_KEY: '' });
    expect(parsed(gw).some((l) => l.level === 'warn' && String(l.msg).includes('PagerDuty events are written to the log'))).toBe(true);

    await post(gw, critical('PayDownOffline'));
    await waitUntil(() => sinkedPages(gw).length === 1, 5_000, 'the page in the log sink');
    expect(sinkedPages(gw)[0]).toMatchObject({ team: 'payments', request: { path: '/v2/enqueue', body: { event_action: 'trigger', routing_key: '[REDACTED]' } } });
    expect((await pages(gw, 'payments')).map((n) => n.status)).toEqual(['sent']);
    expect(fakes.pagerduty.events).toEqual([]);
  });
});

describe('PagerDuty keys on the delivery thread', () => {
  it('a replacement thread keeps sending pages for real: a key gone by then fails naming its file', async () => {
    await paymentsKeyFromFile();
    const gw = await start(true);
    await writeFile(paymentsKeyFile(), `${PD_PAYMENTS_KEY}\n`);
    await post(gw, critical('PayDownBeforeCrash'));
    expect(triggersWith(PD_PAYMENTS_KEY)).toHaveLength(1);

    const host = gw.gw.worker as DeliveryThread;
    await host.crash();
    await waitUntil(() => parsed(gw).some((l) => String(l.msg).startsWith('delivery thread exited; restarting it')), 5_000, 'the thread to be restarted');
    await unlink(paymentsKeyFile());
    await post(gw, critical('PayDownAfterCrash'));
    const [latest] = await pages(gw, 'payments');
    expect(latest).toMatchObject({ status: 'dead' });
    expect(latest!.lastError).toContain(paymentsKeyFile());
    expect(sinkedPages(gw)).toEqual([]);
  });
});
