/**
 * SLACK_TOKEN_FILE and THANOS_TOKEN_FILE follow a rotated Secret without a restart: the kubelet
 * rewrites the mounted file, the old token is revoked, and the next call refused for its token
 * reads the file again and is made once more with the new one. Real gateway, fake Slack and fake
 * Thanos on 127.0.0.1 that refuse the old token once rotated, as Slack and an auth proxy do.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryThread } from '../src/outbox/delivery-thread-host.js';
import { startFakeSlack } from '../src/testing/fake-slack.js';
import { noSeries, startFakeThanos, type FakeThanos } from '../src/uptime/fake-thanos.case.js';
import { ADMIN_TOKEN, startFakes, startTestGateway, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';
import { assertNoSecrets } from './support/secrets.js';

const OLD_SLACK = 'xoxb-old-slack-token-3a9f';
const NEW_SLACK = 'xoxb-new-slack-token-7c2e';
const OLD_THANOS = 'thanos-old-token-51d0';
const NEW_THANOS = 'thanos-new-token-8e44';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertgate-client-tokens-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface NotificationView {
  id: number;
  status: string;
  attempts: number;
  lastError: string | null;
  receiver: string;
}

async function notifications(t: TestGateway, status: string): Promise<NotificationView[]> {
  const body = (await fetch(`${t.gw.url}/v1/notifications?status=${status}`).then((r) => r.json())) as { items: NotificationView[] };
  return body.items.filter((n) => n.receiver === 'slack');
}

const lines = (t: TestGateway, text: string) => t.logs.filter((l) => l.includes(text)).map((l) => JSON.parse(l) as Record<string, unknown>);

describe.each([
  ['on the event loop', {}],
  ['on the delivery thread', { OUTBOX_THREAD: 'true' }],
])('SLACK_TOKEN_FILE (%s)', (_where, threadEnv: Record<string, string>) => {
  let fakes: Fakes;
  let t: TestGateway | undefined;
  let tokenFile: string;

  /** The fakes, with a Slack that takes only `token` (the old one until rotated). */
  async function gateway(token: string, fileHolds: string): Promise<TestGateway> {
    const base = await startFakes();
    await base.slack.close();
    const slack = await startFakeSlack({ token });
    fakes = { ...base, slack, close: async () => (await Promise.all([base.close(), slack.close()]), undefined) };
    tokenFile = join(dir, `slack-token-${Math.random().toString(36).slice(2)}`);
    await writeFile(tokenFile, `${fileHolds}\n`);
    t = await startTestGateway(fakes, { SLACK_TOKEN: '', SLACK_TOKEN_FILE: tokenFile, ...threadEnv });
    return t;
  }
  afterEach(async () => {
    await t?.close();
    await fakes?.close();
    t = undefined;
  });

  const firing = (name: string) => webhook(`{}:{alertname="${name}"}`, [{ labels: { alertname: name, namespace: 'payments-prod' }, fingerprint: `${name.length}`.padStart(16, '0') }]);
  const resolved = (name: string) =>
    webhook(`{}:{alertname="${name}"}`, [{ labels: { alertname: name, namespace: 'payments-prod' }, status: 'resolved', fingerprint: `${name.length}`.padStart(16, '0') }], { status: 'resolved' });

  it('Slack refuses the old token and the file holds a new one: posted and edited with the new token, sent, no restart', async () => {
    const g = await gateway(OLD_SLACK, OLD_SLACK);
    expect((await g.post(firing('BeforeRotation'))).status).toBe(202);
    await g.idle();
    expect((await notifications(g, 'sent')).length).toBe(1);

    // The Secret is rotated: the kubelet rewrites the file, and Slack revokes the old token.
    await writeFile(tokenFile, `${NEW_SLACK}\n`);
    fakes.slack.rotateToken(NEW_SLACK);
    expect((await g.post(firing('AfterRotation'))).status).toBe(202);
    // The message posted before the rotation is edited with the new token (same Slack app).
    expect((await g.post(resolved('BeforeRotation'))).status).toBe(202);
    await g.idle();

    const posted = fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && JSON.stringify(r.body).includes('AfterRotation'));
    expect(posted.map((r) => r.headers.authorization)).toEqual([`Bearer ${OLD_SLACK}`, `Bearer ${NEW_SLACK}`]);
    expect(fakes.slack.messages.size).toBe(2);
    const edited = [...fakes.slack.messages.values()].find((m) => m.text.includes('BeforeRotation'));
    expect(edited?.edits).toBe(1);
    expect(await notifications(g, 'dead')).toEqual([]);
    const sent = await notifications(g, 'sent');
    expect(sent).toHaveLength(3);
    // Made again within the same delivery: one attempt each.
    expect(sent.map((n) => n.attempts)).toEqual([1, 1, 1]);

    // One line says the file was read again, without either token (the delivery thread's lines
    // reach the gateway's logger too).
    await waitForLine(g, 'SLACK_TOKEN_FILE read again');
    const reread = lines(g, 'SLACK_TOKEN_FILE read again');
    expect(reread).toHaveLength(1);
    expect(reread[0]).toMatchObject({ level: 'info', file: tokenFile, variable: 'SLACK_TOKEN_FILE' });
    assertNoSecrets(g.logs, { OLD_SLACK, NEW_SLACK, WEBHOOK_TOKEN, ADMIN_TOKEN });
  });

  it('the file unchanged: the refusal stands as before (dead after one attempt, invalid_auth), and a warning says so once', async () => {
    // Slack has moved on to a token the Secret does not hold yet.
    const g = await gateway(NEW_SLACK, OLD_SLACK);
    expect((await g.post(firing('Unchanged'))).status).toBe(202);
    expect((await g.post(firing('StillUnchanged'))).status).toBe(202);
    await g.idle();
    const dead = await notifications(g, 'dead');
    expect(dead).toHaveLength(2);
    for (const n of dead) expect(n).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/^slack chat\.postMessage: invalid_auth — Slack does not take the bot token/) });
    // One call per delivery: nothing is sent again with the same token.
    expect(fakes.slack.requests.filter((r) => r.method === 'chat.postMessage')).toHaveLength(2);
    await waitForLine(g, 'reading the file again gave no new token');
    const warned = lines(g, 'reading the file again gave no new token');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 'warn', variable: 'SLACK_TOKEN_FILE', refusal: 'invalid_auth' });
    assertNoSecrets(g.logs, { OLD_SLACK, NEW_SLACK });
  });

  // Only the delivery thread is restarted with a token kept from before (registered there alone,
  // not reported as skipped on the event loop).
  if (threadEnv.OUTBOX_THREAD) it('a delivery thread that dies after a rotation is replaced by one that posts with the new token, not the revoked one', async () => {
    const g = await gateway(OLD_SLACK, OLD_SLACK);
    await writeFile(tokenFile, `${NEW_SLACK}\n`);
    fakes.slack.rotateToken(NEW_SLACK);
    expect((await g.post(firing('AfterRotation'))).status).toBe(202);
    await g.idle(20_000);
    await waitForLine(g, 'SLACK_TOKEN_FILE read again');

    await (g.gw.worker as DeliveryThread).crash();
    // Accepted while no thread runs: the replacement finds it in the outbox when it starts.
    expect((await g.post(firing('AfterRestart'))).status).toBe(202);
    await g.idle(20_000);
    await g.waitForLog((l) => String(l.msg).startsWith('delivery thread exited; restarting it'));

    const posted = fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && JSON.stringify(r.body).includes('AfterRestart'));
    expect(posted.map((r) => r.headers.authorization)).toEqual([`Bearer ${NEW_SLACK}`]);
    // The replacement had nothing to read again: the only such line is its predecessor's.
    expect(lines(g, 'SLACK_TOKEN_FILE read again')).toHaveLength(1);
    assertNoSecrets(g.logs, { OLD_SLACK, NEW_SLACK });
  }, 60_000);
});

/** The delivery thread's log lines reach the gateway in messages of their own, after the outcome is stored: awaited. */
const waitForLine = (t: TestGateway, text: string) => t.waitForLog((l) => String(l.msg).includes(text));

describe('THANOS_TOKEN_FILE', () => {
  let fakes: Fakes;
  let thanos: FakeThanos;
  let t: TestGateway;
  let tokenFile: string;
  /** The one token the fake Thanos (an auth proxy in front of it) takes. */
  let accepted = OLD_THANOS;

  beforeAll(async () => {
    const configDir = join(dir, 'thanos-config');
    await mkdir(join(configDir, 'routes'), { recursive: true });
    await mkdir(join(configDir, 'rules'), { recursive: true });
    for (const team of ['payments', 'platform']) await writeFile(join(configDir, 'routes', `${team}.yaml`), `team: ${team}\nslack:\n  channel: "#${team}-alerts"\nroutes:\n  - receivers: [slack]\n`);
    await writeFile(join(configDir, 'rules', 'payments.yaml'), 'team: payments\nnamespace: payments-prod\nuptime:\n  - service: checkout\n    up: probe_success{job="checkout"}\n    objective: 99.9\n');
    tokenFile = join(dir, 'thanos-token');
    await writeFile(tokenFile, `${OLD_THANOS}\n`);
    thanos = await startFakeThanos((_params, path, headers) =>
      headers.authorization === `Bearer ${accepted}`
        ? { status: 200, body: noSeries(path) }
        : { status: 401, body: 'Unauthorized' },
    );
    fakes = await startFakes();
    t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir, THANOS_URL: thanos.url, THANOS_TOKEN_FILE: tokenFile });
  });
  afterAll(async () => {
    await t?.close();
    await thanos?.close();
    await fakes?.close();
  });

  const report = () => fetch(`${t.gw.url}/v1/uptime?team=payments&from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z`, { headers: { accept: 'application/json' } });

  it('Thanos refuses the old token with 401 and the file holds a new one: GET /v1/uptime answers 200, no restart', async () => {
    expect((await report()).status).toBe(200);

    await writeFile(tokenFile, `${NEW_THANOS}\n`);
    accepted = NEW_THANOS;
    const before = thanos.requests.length;
    const res = await report();
    expect(res.status).toBe(200);
    const sent = thanos.requests.slice(before).map((r) => r.headers.authorization);
    // The refused requests went once with the old token, and again with the new one.
    expect(sent).toContain(`Bearer ${OLD_THANOS}`);
    expect(sent.filter((a) => a === `Bearer ${NEW_THANOS}`).length).toBeGreaterThan(0);
    // From then on only the new token is sent.
    const after = thanos.requests.length;
    expect((await report()).status).toBe(200);
    expect(new Set(thanos.requests.slice(after).map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${NEW_THANOS}`]));

    const reread = lines(t, 'THANOS_TOKEN_FILE read again');
    expect(reread).toHaveLength(1);
    expect(reread[0]).toMatchObject({ level: 'info', file: tokenFile, variable: 'THANOS_TOKEN_FILE' });
    assertNoSecrets(t.logs, { OLD_THANOS, NEW_THANOS });
  });
});
