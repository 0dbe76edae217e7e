import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakePagerDuty, type FakePagerDuty } from '../../testing/fake-pagerduty.js';
import { createTestTls, type TestTls } from '../../testing/tls.js';
import { captureLogger, makeAlert, makeDelivery, makeSnapshot, runNotifierCases } from '../notifier.case.js';
import { createPagerDutyClient } from './client.js';
import { createPagerDutyNotifier } from './notifier.js';
import { createRoutingKeyResolver } from './routing-key.js';
import { routingKeyResolver } from '../../config/routing-keys.js';
import type { RoutingConfig } from '../../config/types.js';

const KEY = 'R0UT1NGKEY0123456789abcdefabcdef';
const TIMEOUT_MS = 800;
const target = { type: 'pagerduty', team: 'payments' } as const;
const env = { PAGERDUTY_PAYMENTS_KEY: KEY };
const resolveRoutingKey = createRoutingKeyResolver(
  (team) => (team === 'payments' ? { routingKeyEnv: 'PAGERDUTY_PAYMENTS_KEY' } : { routingKeyEnv: 'PAGERDUTY_PRISONS_KEY' }),
  { env },
);

let tls: TestTls;
beforeAll(async () => {
  tls = await createTestTls();
});
afterAll(async () => {
  await tls.cleanup();
});

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

runNotifierCases('pagerduty (https)', async () => {
  const fake = await startFakePagerDuty({ tls });
  const logs = captureLogger();
  return {
    notifier: createPagerDutyNotifier({ eventsUrl: fake.url, ca: tls.cert, resolveRoutingKey, logger: logs.logger, timeoutMs: TIMEOUT_MS }),
    delivery: makeDelivery(target),
    secret: KEY,
    logs,
    timeoutMs: TIMEOUT_MS,
    respondWith: (plan) => fake.respondWith(plan),
    waitForRequests: async (n) => {
      await fake.waitFor(() => fake.events.length >= n);
    },
    close: once(() => fake.close()),
  };
});

describe('pagerduty notifier against the fake PagerDuty over https', () => {
  let fake: FakePagerDuty;
  let logs: ReturnType<typeof captureLogger>;
  const start = async (opts: { routingKeys?: string[] } = {}) => {
    fake = await startFakePagerDuty({ tls, ...opts });
    logs = captureLogger();
    return createPagerDutyNotifier({ eventsUrl: fake.url, ca: tls.cert, resolveRoutingKey, logger: logs.logger, timeoutMs: TIMEOUT_MS });
  };
  afterEach(async () => {
    await fake.close();
  });

  it('triggers, then resolves the same incident under one dedup_key', async () => {
    const notifier = await start();
    expect(await notifier.notify(makeDelivery(target))).toEqual({ ok: true });
    const resolved = makeSnapshot({ alerts: [makeAlert({ status: 'resolved', endsAt: '2026-10-01T10:00:00Z' })] });
    expect(await notifier.notify(makeDelivery(target, { id: 43, group: resolved }))).toEqual({ ok: true });

    expect(fake.events.map((e) => e.path)).toEqual(['/v2/enqueue', '/v2/enqueue']);
    expect(fake.events[0]?.headers['content-type']).toBe('application/json');
    expect(fake.events[0]?.body).toMatchObject({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: 'alertgate-payments-0123456789abcdef',
      payload: { severity: 'critical', class: 'KubePodCrashLooping' },
    });
    expect(fake.events[1]?.body).toEqual({ routing_key: KEY, event_action: 'resolve', dedup_key: 'alertgate-payments-0123456789abcdef' });
    const incident = fake.incidents.get('alertgate-payments-0123456789abcdef');
    expect(incident?.status).toBe('resolved');
    expect(incident?.events).toHaveLength(2);
  });

  it('pages a group whose common labels alone are over 512 KB as JSON (PagerDuty refused it: dead on every retry)', async () => {
    const notifier = await start();
    const labels: Record<string, string> = { alertname: 'Huge', namespace: 'payments-prod', severity: 'critical' };
    for (let i = 0; i < 60; i++) labels[`l${i}`] = '€'.repeat(4000);
    const group = makeSnapshot({ commonLabels: labels, alerts: [makeAlert({ labels })] });
    expect(await notifier.notify(makeDelivery(target, { group }))).toEqual({ ok: true });
    expect(fake.events.map((e) => e.status)).toEqual([202]);
    expect(fake.incidents.get('alertgate-payments-0123456789abcdef')?.status).toBe('triggered');
  });

  it("sends with the episode's key source, and hands every key it sends with to the scrub list once (an old service's key is on no live list)", async () => {
    fake = await startFakePagerDuty({ tls });
    const oldKey = 'OLDSERV1CEKEY0123456789abcdefabcd';
    const resolve = createRoutingKeyResolver(() => ({ routingKeyEnv: 'PAGERDUTY_PAYMENTS_KEY' }), { env: { ...env, OLD_KEY: oldKey } });
    const secrets: string[] = [];
    const notifier = createPagerDutyNotifier({ eventsUrl: fake.url, ca: tls.cert, resolveRoutingKey: resolve, timeoutMs: TIMEOUT_MS, onSecret: (s) => secrets.push(s) });
    const episode = { ...target, keySource: { routingKeyEnv: 'OLD_KEY' } };
    for (const t of [episode, episode, target]) expect(await notifier.notify(makeDelivery(t))).toEqual({ ok: true });
    expect(fake.events.map((e) => (e.body as { routing_key: string }).routing_key)).toEqual([oldKey, oldKey, KEY]);
    expect(secrets).toEqual([oldKey, KEY]);
  });

  it('HTTP 429 honours Retry-After given as an HTTP date', async () => {
    const notifier = await start();
    const at = new Date(Date.now() + 30_000).toUTCString();
    fake.respondWith([{ status: 429, headers: { 'retry-after': at } }]);
    const result = await notifier.notify(makeDelivery(target));
    expect(result).toMatchObject({ ok: false, retryable: true });
    const after = result.ok ? 0 : (result.retryAfterMs ?? 0);
    expect(after).toBeGreaterThan(25_000);
    expect(after).toBeLessThanOrEqual(30_000);
  });

  it("HTTP 400 is final and carries PagerDuty's explanation; a refused routing key names where the team's key came from", async () => {
    const notifier = await start({ routingKeys: ['someone-elses-key-0000000000000'] });
    const result = await notifier.notify(makeDelivery(target));
    expect(result).toEqual({
      ok: false,
      retryable: false,
      error:
        'pagerduty enqueue: HTTP 400: Event object is invalid; Invalid routing key — PagerDuty refused the routing key of team "payments", read from environment variable PAGERDUTY_PAYMENTS_KEY: it must be the Integration Key of an Events API v2 integration on the service (for an account hosted in the EU, PAGERDUTY_EVENTS_URL=https://events.eu.pagerduty.com)',
    });
    expect(JSON.stringify(result)).not.toContain(KEY);
    expect(logs.lines.find((l) => l.level === 'warn')?.obj).toMatchObject({ team: 'payments', error: !result.ok && result.error });
    // Another refusal of the event says nothing of the key.
    fake.respondWith([{ status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: ["'payload.source' is missing or blank"] } }]);
    expect(await notifier.notify(makeDelivery(target))).toMatchObject({ error: "pagerduty enqueue: HTTP 400: Event object is invalid; 'payload.source' is missing or blank" });
  });

  it('HTTP 500 is retryable', async () => {
    const notifier = await start();
    fake.respondWith([{ status: 500, body: '<html>oops</html>' }]);
    expect(await notifier.notify(makeDelivery(target))).toEqual({
      ok: false,
      retryable: true,
      error: 'pagerduty enqueue: HTTP 500: HTML page: oops',
    });
  });

  it("a removed team's resolve on a replica that never knew the team is retryable, without a call; a configured team without pagerduty: is final", async () => {
    fake = await startFakePagerDuty({ tls });
    const config = { teams: new Map([['web', { team: 'web' }]]) } as unknown as RoutingConfig;
    const notifier = createPagerDutyNotifier({ eventsUrl: fake.url, ca: tls.cert, resolveRoutingKey: routingKeyResolver(() => config, env, () => undefined), timeoutMs: TIMEOUT_MS });
    const resolved = (team: string) => makeSnapshot({ team, alerts: [makeAlert({ status: 'resolved', endsAt: '2026-10-01T10:00:00Z' })] });
    expect(await notifier.notify(makeDelivery({ type: 'pagerduty', team: 'payments' }, { group: resolved('payments') }))).toEqual({
      ok: false,
      retryable: true,
      error: 'PagerDuty routing key for team "payments": team has no pagerduty.routingKeyEnv or routingKeyFile configured',
    });
    expect(await notifier.notify(makeDelivery({ type: 'pagerduty', team: 'web' }, { group: resolved('web') }))).toMatchObject({ ok: false, retryable: false });
    expect(fake.events).toHaveLength(0);
  });

  it('a team whose routing key variable is unset fails retryably (the secret may be synced later), naming the variable, without a call', async () => {
    const notifier = await start();
    const result = await notifier.notify(makeDelivery({ type: 'pagerduty', team: 'prisons' }));
    expect(result).toEqual({
      ok: false,
      retryable: true,
      error: 'PagerDuty routing key for team "prisons": environment variable PAGERDUTY_PRISONS_KEY is not set',
    });
    expect(fake.events).toHaveLength(0);
    // Other teams are unaffected.
    expect(await notifier.notify(makeDelivery(target))).toEqual({ ok: true });
  });

  it('rejects a server certificate it does not trust (no ca given), retryably', async () => {
    await start();
    const client = createPagerDutyClient({ eventsUrl: fake.url, timeoutMs: TIMEOUT_MS });
    const result = await client.send({ routing_key: KEY, event_action: 'resolve', dedup_key: 'x' });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toMatch(/certificate/i);
    // What to do about it: a TLS-inspecting proxy's or a private CA is trusted through NODE_EXTRA_CA_CERTS.
    expect(!result.ok && result.error).toMatch(/ — the server's certificate is not signed by a CA this process trusts \(a TLS-inspecting proxy, a private CA\): add that CA with NODE_EXTRA_CA_CERTS$/);
    expect(!result.ok && result.error).not.toContain(KEY);
    expect(fake.events).toHaveLength(0);
  });

  it('trusts a private CA given through NODE_EXTRA_CA_CERTS (as in production)', async () => {
    await start();
    const clientModule = fileURLToPath(new URL('./client.ts', import.meta.url));
    const script = join(tls.dir, 'send.mjs');
    await writeFile(
      script,
      `import { createPagerDutyClient } from ${JSON.stringify(clientModule)};
       const r = await createPagerDutyClient({ eventsUrl: process.argv[2] }).send({ routing_key: 'k', event_action: 'resolve', dedup_key: 'via-extra-ca' });
       process.stdout.write(JSON.stringify(r));`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, fake.url], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.certPath },
      timeout: 20_000,
    });
    expect(JSON.parse(stdout)).toEqual({ ok: true });
    expect(fake.incidents.get('via-extra-ca')?.status).toBe('resolved');
  });

  it('logs failures with team and dedup key, never the routing key', async () => {
    const notifier = await start();
    fake.respondWith([{ status: 502 }]);
    await notifier.notify(makeDelivery(target));
    const warn = logs.lines.find((l) => l.level === 'warn');
    expect(warn?.obj).toMatchObject({ deliveryId: 42, team: 'payments', action: 'trigger', dedupKey: 'alertgate-payments-0123456789abcdef', retryable: true });
    expect(logs.text()).not.toContain(KEY);
  });
});
