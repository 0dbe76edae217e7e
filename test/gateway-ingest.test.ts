/**
 * Webhook ingest as Alertmanager sees it: every real payload shape is accepted, bad requests get a
 * JSON error naming the problem, and a rejected request leaves the store untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startFakes, startTestGateway, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';
import { postWebhookChunked } from './support/raw-http.js';
import { createHash } from 'node:crypto';
import { fixture, webhook } from './support/payloads.js';
import { createTestDatabase, requirePostgres } from '../src/testing/postgres.js';

let fakes: Fakes;
let t: TestGateway;
/** The clock of the refusal lines' throttle (one line per code and client per 10 s): moved on, never slept on. */
let refusalClock = 0;

beforeAll(async () => {
  fakes = await startFakes();
  t = await startTestGateway(fakes, {}, { refusalLogNow: () => refusalClock });
});
afterAll(async () => {
  await t?.close();
  await fakes?.close();
});

async function storeCounts() {
  const alerts = await t.gw.store.listAlerts({ limit: 1000 });
  const notifications = await t.gw.store.listNotifications({ limit: 1000 });
  return { alerts: alerts.items.length, notifications: notifications.items.length };
}

describe('POST /webhooks/alertmanager rejects bad requests without touching the store', () => {
  const valid = webhook('{}:{alertname="Ingest"}', [{ labels: { alertname: 'Ingest', namespace: 'payments-prod' } }]);

  it('401 for a missing or wrong bearer token', async () => {
    const before = await storeCounts();
    for (const token of [null, 'wrong-token']) {
      const res = await t.post(valid, { token });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'missing or invalid bearer token' });
    }
    expect(await storeCounts()).toEqual(before);
  });

  it('logs each refusal with its code, reason and sender (Alertmanager drops a 4xx for good), never the token presented', async () => {
    // Past the throttle window of the refusals earlier tests sent from this client.
    refusalClock += 60_000;
    const from = t.logs.length;
    expect((await t.post(valid, { token: 'presented-wrong-secret' })).status).toBe(401);
    const bad = webhook('{}:{alertname="X"}', [{ labels: { alertname: 'X' } }]);
    (bad.alerts[0] as Record<string, unknown>).status = 'exploded';
    expect((await t.post(bad)).status).toBe(400);
    const refusals = t.logs
      .slice(from)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => String(l.msg).startsWith('webhook refused'));
    expect(refusals).toEqual([
      expect.objectContaining({ level: 'warn', code: 401, error: 'missing or invalid bearer token', client: expect.stringMatching(/127\.0\.0\.1/) }),
      expect.objectContaining({ code: 400, error: 'invalid Alertmanager webhook payload', issues: [{ path: 'alerts.0.status', message: expect.any(String) }] }),
    ]);
    expect(t.logs.slice(from).join('\n')).not.toContain('presented-wrong-secret');
  });

  it('logs one line per code and client per 10 s, the next one saying how many were not logged', async () => {
    refusalClock += 60_000;
    const from = t.logs.length;
    const refusals = () =>
      t.logs
        .slice(from)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => String(l.msg).startsWith('webhook refused'));
    const counted = async () => (await t.gw.metrics.registry.getSingleMetric('alertgate_webhook_requests_total')!.get()).values.find((v) => v.labels.code === '401')?.value ?? 0;
    const countedBefore = await counted();
    for (let i = 0; i < 50; i++) expect((await t.post(valid, { token: 'wrong-token' })).status).toBe(401);
    expect(refusals()).toEqual([expect.objectContaining({ code: 401, client: expect.stringMatching(/127\.0\.0\.1/) })]);
    expect(refusals()[0]).not.toHaveProperty('suppressed');
    // The metric still counts every one.
    expect((await counted()) - countedBefore).toBe(50);

    refusalClock += 10_000;
    expect((await t.post(valid, { token: 'wrong-token' })).status).toBe(401);
    expect(refusals()).toEqual([expect.objectContaining({ code: 401 }), expect.objectContaining({ code: 401, suppressed: 49 })]);
  });

  it('cuts the texts a refused request chose (user agent, a Content-Type quoted in the error) to 200 characters in its line', async () => {
    refusalClock += 60_000;
    const from = t.logs.length;
    const res = await fetch(`${t.gw.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': `text/${'x'.repeat(5_000)}`, 'user-agent': `scanner/${'y'.repeat(5_000)}` },
      body: '{}',
    });
    expect(res.status).toBe(415);
    // The answer names the problem in full; only the log line is cut.
    expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(5_000);
    const [line] = t.logs
      .slice(from)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => String(l.msg).startsWith('webhook refused'));
    expect(line).toMatchObject({ code: 415, error: expect.stringMatching(/^Content-Type must be application\/json, got "text\/x+…$/), userAgent: expect.stringMatching(/^scanner\/y+…$/) });
    expect([(line!.error as string).length, (line!.userAgent as string).length]).toEqual([201, 201]);
  });

  it('400 for malformed JSON, naming the parse error', async () => {
    const before = await storeCounts();
    const res = await t.post(undefined, { raw: '{"receiver": "alertgate", "alerts": [' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string };
    expect(body.error).toMatch(/^invalid JSON: /);
    expect(await storeCounts()).toEqual(before);
  });

  it('400 for a schema violation, with the path of each problem', async () => {
    const before = await storeCounts();
    const bad = webhook('{}:{alertname="X"}', [{ labels: { alertname: 'X' } }]);
    (bad.alerts[0] as Record<string, unknown>).status = 'exploded';
    delete (bad as Record<string, unknown>).groupKey;
    const res = await t.post(bad);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: { path: string; message: string }[] };
    expect(body.error).toBe('invalid Alertmanager webhook payload');
    expect(body.issues.map((i) => i.path).sort()).toEqual(['alerts.0.status', 'groupKey']);
    expect(await storeCounts()).toEqual(before);
  });

  it('400 for a groupKey reserved for alertgate\'s own records, which the webhook would otherwise overwrite', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const window = { team: 'prisons', start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z', reason: 'patching' };
    expect((await fetch(`${t.gw.url}/v1/maintenance`, { method: 'POST', headers: admin, body: JSON.stringify(window) })).status).toBe(201);
    const before = await storeCounts();
    for (const groupKey of ['maintenance', 'storm:#platform-alerts', 'message:uptime-monthly']) {
      const res = await t.post(webhook(groupKey, [{ labels: { alertname: 'Odd', namespace: 'prisoner-offender-search-prod' } }]));
      expect(res.status).toBe(400);
      const body = (await res.json()) as { issues: { path: string; message: string }[] };
      expect(body.issues).toEqual([{ path: 'groupKey', message: expect.stringContaining("is reserved for alertgate's own records") }]);
    }
    expect(await storeCounts()).toEqual(before);
    const windows = (await fetch(`${t.gw.url}/v1/maintenance?team=prisons`).then((r) => r.json())) as { items: { reason: string }[] };
    expect(windows.items.map((w) => w.reason)).toEqual(['patching']);
  });

  it('400 for a time that is not RFC3339, naming alerts.N.startsAt or endsAt (Date.parse took them and stored another instant)', async () => {
    const before = await storeCounts();
    const notRfc3339 = [
      '1', 'Nov 20 2026', '2026-11-20', '2026-11-20 09:00:00', '2026-11-20T09:00:00', 'Fri, 20 Nov 2026 09:00:00 GMT',
      '2026-02-30T09:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T09:00:60Z', '2026-11-31T09:00:00Z',
    ];
    for (const time of notRfc3339) {
      const bad = webhook('{}:{alertname="BadTime"}', [
        { labels: { alertname: 'BadTime', namespace: 'payments-prod', i: '0' } },
        { labels: { alertname: 'BadTime', namespace: 'payments-prod', i: '1' }, status: 'resolved' },
      ]);
      (bad.alerts[0] as Record<string, unknown>).startsAt = time;
      (bad.alerts[1] as Record<string, unknown>).endsAt = time;
      const res = await t.post(bad);
      expect(res.status, time).toBe(400);
      expect(await res.json(), time).toEqual({
        error: 'invalid Alertmanager webhook payload',
        issues: [
          { path: 'alerts.0.startsAt', message: 'must be an RFC3339 timestamp' },
          { path: 'alerts.1.endsAt', message: 'must be an RFC3339 timestamp' },
        ],
      });
    }
    expect(await storeCounts()).toEqual(before);
  });

  it('400 listing the first 100 issues and how many more, however many alerts are bad (10,000 made a 729 KB answer)', async () => {
    const alerts = Array.from({ length: 10_000 }, (_, i) => ({ labels: { alertname: 'Many', namespace: 'payments-prod', i: String(i) } }));
    const bad = webhook('{}:{alertname="Many"}', alerts);
    for (const a of bad.alerts) (a as Record<string, unknown>).startsAt = 'x';
    const res = await t.post(bad);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(10_000);
    const body = JSON.parse(text) as { error: string; issues: { path: string; message: string }[] };
    expect(body.issues).toHaveLength(101);
    expect(body.issues[99]).toEqual({ path: 'alerts.99.startsAt', message: 'must be an RFC3339 timestamp' });
    expect(body.issues[100]).toEqual({ path: '', message: 'and 9900 more issues (the first 100 are listed)' });
  });

  it('413 for a 6 MiB body', async () => {
    const before = await storeCounts();
    const huge = webhook('{}:{alertname="Huge"}', [{ labels: { alertname: 'Huge' }, annotations: { description: 'x'.repeat(6 * 1024 * 1024) } }]);
    const res = await t.post(huge);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toContain('WEBHOOK_MAX_BYTES');
    expect(await storeCounts()).toEqual(before);
  });

  it('413 for a body over the limit sent chunked, without Content-Length', async () => {
    const before = await storeCounts();
    const huge = JSON.stringify(webhook('{}:{alertname="Chunked"}', [{ labels: { alertname: 'Chunked' }, annotations: { description: 'x'.repeat(6 * 1024 * 1024) } }]));
    const res = await postChunked(huge);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toContain('WEBHOOK_MAX_BYTES');
    expect(await storeCounts()).toEqual(before);
  });

  it('a chunked body within the limit is read whole and accepted', async () => {
    const body = JSON.stringify(webhook('{}:{alertname="ChunkedOk"}', [{ labels: { alertname: 'ChunkedOk', namespace: 'payments-prod' }, annotations: { description: 'y'.repeat(200_000) } }]));
    const res = await postChunked(body);
    expect(res.status).toBe(202);
    const alerts = await t.gw.store.listAlerts({ limit: 1000 });
    expect(alerts.items.some((a) => a.labels.alertname === 'ChunkedOk' && a.annotations.description?.length === 200_000)).toBe(true);
  });

  it('415 for a text/plain body', async () => {
    const before = await storeCounts();
    const res = await t.post(valid, { contentType: 'text/plain' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: string }).error).toContain('application/json');
    expect(await storeCounts()).toEqual(before);
  });
});

describe('POST /webhooks/alertmanager accepts real Alertmanager payloads', () => {
  it.each(['alertmanager-v0.25-firing.json', 'alertmanager-v0.25-resolved.json', 'alertmanager-v0.34-firing.json'])('%s → 202', async (name) => {
    const body = fixture(name);
    const res = await t.post(body);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: (body.alerts as unknown[]).length });
  });

  it('stores the alerts, attributed to their team, with firing endsAt as null', async () => {
    const page = await fetch(`${t.gw.url}/v1/alerts?team=payments&status=firing`).then((r) => r.json() as Promise<{ items: { fingerprint: string; endsAt: string | null; team: string }[] }>);
    const tdown = page.items.find((a) => a.fingerprint === '0c9f8e7d6b5a4321');
    expect(tdown).toMatchObject({ team: 'payments', endsAt: null });
  });

  it('a run of 2 million slashes inside externalURL neither stalls ingest nor the Slack post that links to it', async () => {
    // `/\/+$/` (trailing slashes) takes time quadratic in such a run: ~4.5 s for 100,000 slashes, hours for these.
    const externalURL = `http://am.example/${'/'.repeat(2_000_000)}x`;
    const body = webhook('{}:{alertname="Slashes"}', [{ labels: { alertname: 'Slashes', namespace: 'payments-prod' } }], { externalURL, commonLabels: { alertname: 'Slashes' } });
    const res = await t.post(body);
    expect(res.status).toBe(202);
    // The post's Silence link is built from externalURL (or left out, being over Slack's limits).
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && String(r.body.text).includes('Slashes'));
  });

  it('stores RFC3339 times as the UTC instant they name: offsets applied, lower case and long fractions read, the month\'s last days kept', async () => {
    const cases = [
      ['2026-11-20T09:00:00.123456789+01:00', '2026-11-20T08:00:00.123Z'],
      ['2026-11-30T23:30:00-01:00', '2026-12-01T00:30:00.000Z'],
      ['2026-11-20t09:00:00.5z', '2026-11-20T09:00:00.500Z'],
      ['2026-11-20T09:00:00.1234567891234Z', '2026-11-20T09:00:00.123Z'],
      // V8 reads this one as 5 ms.
      ['2026-11-20T09:00:00.0005000000Z', '2026-11-20T09:00:00.000Z'],
      ['2026-10-31T09:00:00.999999999Z', '2026-10-31T09:00:00.999Z'],
      ['2024-02-29T09:00:00Z', '2024-02-29T09:00:00.000Z'],
    ] as const;
    const body = webhook(
      '{}:{alertname="Offsets"}',
      cases.map(([startsAt], i) => ({ labels: { alertname: 'Offsets', namespace: 'payments-prod', i: String(i) }, startsAt })),
    );
    expect((await t.post(body)).status).toBe(202);
    const page = (await fetch(`${t.gw.url}/v1/alerts?team=payments`).then((r) => r.json())) as { items: { startsAt: string; labels: Record<string, string> }[] };
    const stored = page.items.filter((a) => a.labels.alertname === 'Offsets').sort((a, b) => Number(a.labels.i) - Number(b.labels.i));
    expect(stored.map((a) => a.startsAt)).toEqual(cases.map(([, iso]) => iso));
  });

  it('computes the Alertmanager fingerprint when a payload has none', async () => {
    const res = await t.post(webhook('{}:{alertname="NoFp"}', [{ labels: { alertname: 'NoFp', namespace: 'payments-prod' } }]));
    expect(res.status).toBe(202);
    const page = (await fetch(`${t.gw.url}/v1/alerts?team=payments`).then((r) => r.json())) as { items: { fingerprint: string; labels: Record<string, string> }[] };
    const a = page.items.find((x) => x.labels.alertname === 'NoFp');
    expect(a?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('counts webhook requests by code in /metrics', async () => {
    await t.idle();
    const text = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
    for (const code of ['202', '400', '401', '413', '415']) {
      expect(text).toMatch(new RegExp(`alertgate_webhook_requests_total\\{code="${code}"\\} [1-9]`));
    }
    expect(text).toMatch(/alertgate_alerts_received_total\{team="payments",status="firing"\} [1-9]/);
    // How long each answer took, by the same codes: as many observations as requests counted.
    for (const code of ['202', '401']) {
      const count = Number(new RegExp(`^alertgate_webhook_duration_seconds_count\\{code="${code}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
      const requests = Number(new RegExp(`^alertgate_webhook_requests_total\\{code="${code}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
      expect(count).toBeGreaterThan(0);
      expect(count).toBe(requests);
    }
    expect(text).toMatch(/alertgate_webhook_duration_seconds_bucket\{le="\+Inf",code="202"\} [1-9]/);
    expect(text).toContain('alertgate_outbox_depth');
    expect(text).toContain('alertgate_delivery_latency_seconds_bucket');
  });

  it('counts the alerts Alertmanager left out of a webhook (max_alerts) and warns once per such webhook, naming receiver and groupKey', async () => {
    const total = (text: string) => Number(/^alertgate_webhook_truncated_alerts_total (\S+)$/m.exec(text)?.[1] ?? NaN);
    const warnings = () => t.logs.filter((l) => l.includes('max_alerts on its webhook_config'));
    const before = total(await fetch(`${t.gw.url}/metrics`).then((r) => r.text()));
    const warnedBefore = warnings().length;
    const groupKey = '{}:{alertname="Truncated"}';
    const alerts = [1, 2].map((i) => ({ labels: { alertname: 'Truncated', namespace: 'payments-prod', instance: `i${i}` } }));
    expect((await t.post(webhook(groupKey, alerts, { receiver: 'alertgate-capped', truncatedAlerts: 3 }))).status).toBe(202);
    expect((await t.post(webhook('{}:{alertname="Whole"}', [{ labels: { alertname: 'Whole', namespace: 'payments-prod' } }]))).status).toBe(202);

    expect(total(await fetch(`${t.gw.url}/metrics`).then((r) => r.text()))).toBe(before + 3);
    const lines = warnings().slice(warnedBefore).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', receiver: 'alertgate-capped', groupKey, alerts: 2, truncatedAlerts: 3 })]);
    // The group's Slack message says so.
    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && String(r.body.text).includes('Truncated'));
    expect(JSON.stringify(post.body.blocks)).toContain('Alertmanager left 3 alerts of this group out of its notification');
  });

  it('cuts a groupKey and receiver as long as the body allows to 1,000 characters in its log lines (a 200 KB groupKey was written whole into each)', async () => {
    const from = t.logs.length;
    const groupKey = `{}:{alertname="LongKey", path="${'p'.repeat(200_000)}"}`;
    const receiver = `alertgate-${'r'.repeat(50_000)}`;
    const alert = { labels: { alertname: 'LongKey', namespace: 'payments-prod' }, fingerprint: 'aaaaaaaaaaaaaaaa' };
    // Repeated fingerprints and Alertmanager's max_alerts: the two warnings naming the groupKey.
    expect((await t.post(webhook(groupKey, [alert, alert], { receiver, truncatedAlerts: 1 }))).status).toBe(202);
    const lines = t.logs.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>);
    const naming = lines.filter((l) => typeof l.groupKey === 'string' && l.groupKey.startsWith('{}:{alertname="LongKey"'));
    expect(naming.map((l) => l.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^webhook repeats alert fingerprints/), expect.stringMatching(/^Alertmanager left alerts out/), 'webhook accepted']),
    );
    for (const line of naming) {
      expect(line.groupKey).toBe(`${groupKey.slice(0, 1000)}…`);
      if ('receiver' in line) expect(line.receiver).toBe(`${receiver.slice(0, 1000)}…`);
    }
    expect(Math.max(...t.logs.slice(from).map((l) => l.length))).toBeLessThan(5_000);
  });

  it('reports the SQLite writer thread\'s group commits in /metrics: how many, how long, how many writes each', async () => {
    const value = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    const before = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
    const valid = webhook('{}:{alertname="Committed"}', [{ labels: { alertname: 'Committed', namespace: 'payments-prod' } }]);
    expect((await t.post(valid)).status).toBe(202);
    const after = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
    const commits = value(after, 'alertgate_store_commit_seconds_count');
    expect(commits).toBeGreaterThan(value(before, 'alertgate_store_commit_seconds_count'));
    expect(value(after, 'alertgate_store_commit_seconds_sum')).toBeGreaterThan(0);
    expect(value(after, 'alertgate_store_commit_writes_count')).toBe(commits);
    expect(value(after, 'alertgate_store_commit_writes_sum')).toBeGreaterThanOrEqual(commits);
  });
});

/** POST with Transfer-Encoding: chunked (no Content-Length), in 64 KiB writes, as a streaming client would. */
function postChunked(body: string): Promise<{ status: number; body: string }> {
  return postWebhookChunked(t.gw.url, Buffer.from(body), { chunkBytes: 65536 });
}

describe('a WEBHOOK_TOKEN set with surrounding whitespace (a Secret made from an echoed file)', () => {
  it('matches the token Alertmanager sends trimmed', async () => {
    const padded = await startTestGateway(fakes, { WEBHOOK_TOKEN: `  ${WEBHOOK_TOKEN}\n` });
    try {
      const res = await padded.post(webhook('{}:{alertname="Padded"}', [{ labels: { alertname: 'Padded', namespace: 'payments-prod' } }]));
      expect(res.status).toBe(202);
      expect((await padded.post({}, { token: 'wrong-token' })).status).toBe(401);
    } finally {
      await padded.close();
    }
  });
});

type StoreUnderTest = [string, () => Promise<{ env: Record<string, string>; drop(): Promise<void> }>];

/** SQLite (the gateway's file), and PostgreSQL (a database of its own) when one is reachable. */
async function storesUnderTest(): Promise<StoreUnderTest[]> {
  const admin = await requirePostgres();
  return [
    ['SQLite', async () => ({ env: {}, drop: async () => {} })],
    ...(admin ? [['PostgreSQL', async () => {
      const db = await createTestDatabase(admin);
      return { env: { DATABASE_URL: db.url }, drop: () => db.drop() };
    }] as StoreUnderTest] : []),
  ];
}

describe('a NUL character (U+0000) in text the store keeps as is', async () => {
  const stores = await storesUnderTest();
  it.each(stores)('is accepted as U+FFFD by %s (PostgreSQL answered 503 for ever)', async (_store, open) => {
    const db = await open();
    const gw = await startTestGateway(fakes, db.env);
    try {
      const body = webhook('{}:{job="a\u0000b"}', [{ labels: { alertname: 'Nul', namespace: 'payments-prod', job: 'a\u0000b' } }], { receiver: 'am\u0000', externalURL: 'http://am.example/\u0000' });
      const res = await gw.post(body);
      expect(res.status).toBe(202);
      const page = (await fetch(`${gw.gw.url}/v1/alerts?team=payments`).then((r) => r.json())) as { items: { groupKey: string; labels: Record<string, string> }[] };
      expect(page.items.map((a) => [a.groupKey, a.labels.job])).toEqual([['{}:{job="a\uFFFDb"}', 'a\u0000b']]);
    } finally {
      await gw.close();
      await db.drop();
    }
  });
});

describe('a webhook repeating a fingerprint (Alertmanager never does; other senders can)', async () => {
  const stores = await storesUnderTest();
  it.each(stores)('keeps the last copy, so an identical resend is a duplicate, not a false RESOLVED, on %s', async (_store, open) => {
    const db = await open();
    const gw = await startTestGateway(fakes, db.env);
    try {
      const groupKey = '{}:{alertname="Twice"}';
      const x = { labels: { alertname: 'Twice', namespace: 'payments-prod', pod: 'x' }, fingerprint: 'aaaaaaaaaaaaaaaa' };
      const body = webhook(groupKey, [
        { labels: { alertname: 'Twice', namespace: 'payments-prod', pod: 'y' }, fingerprint: 'bbbbbbbbbbbbbbbb' },
        x,
        { ...x, status: 'resolved' },
      ]);
      const slackBefore = fakes.slack.requests.length;
      const answers: unknown[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await gw.post(body);
        answers.push([res.status, await res.json()]);
        await gw.idle();
      }
      const notes = (await fetch(`${gw.gw.url}/v1/notifications?team=payments`).then((r) => r.json())) as {
        items: { groupKey: string; kind: string; status: string; group: { status: string; firing: number; resolved: number } }[];
      };
      // Newest first: one announcement showing X once (resolved) and Y firing, then the resend suppressed.
      expect(notes.items.filter((n) => n.groupKey === groupKey).map((n) => [n.kind, n.status, { status: n.group.status, firing: n.group.firing, resolved: n.group.resolved }])).toEqual([
        ['repeat', 'suppressed', { status: 'firing', firing: 1, resolved: 1 }],
        ['new', 'sent', { status: 'firing', firing: 1, resolved: 1 }],
      ]);
      const page = (await fetch(`${gw.gw.url}/v1/alerts?team=payments`).then((r) => r.json())) as { items: { fingerprint: string; status: string; labels: Record<string, string> }[] };
      expect(page.items.filter((a) => a.labels.alertname === 'Twice').map((a) => [a.fingerprint, a.status]).sort()).toEqual([
        ['aaaaaaaaaaaaaaaa', 'resolved'],
        ['bbbbbbbbbbbbbbbb', 'firing'],
      ]);
      const calls = fakes.slack.requests.slice(slackBefore).filter((r) => JSON.stringify(r.body).includes('Twice'));
      expect(calls.map((r) => r.method)).toEqual(['chat.postMessage']);
      // The distinct alerts.
      expect(answers).toEqual([[202, { accepted: 2 }], [202, { accepted: 2 }]]);
      // The operator is told, once per such webhook, naming the sender's receiver and group.
      const warned = gw.logs.filter((l) => l.includes('webhook repeats alert fingerprints')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(warned).toHaveLength(2);
      expect(warned[0]).toMatchObject({ level: 'warn', groupKey, duplicates: 1 });
    } finally {
      await gw.close();
      await db.drop();
    }
  });
});

describe('a fingerprint longer than 128 characters (PostgreSQL refused its index entry: 503 on every retry)', async () => {
  const stores = await storesUnderTest();
  it.each(stores)('is stored as sha256:<hex> of it on %s, the webhook accepted, a resend a duplicate', async (_store, open) => {
    const db = await open();
    const gw = await startTestGateway(fakes, db.env);
    try {
      const groupKey = '{}:{alertname="LongFp"}';
      // Incompressible (PostgreSQL compresses an index entry before measuring it): 3,200 hex digits, then non-ASCII.
      const long = Array.from({ length: 50 }, (_, i) => createHash('sha256').update(String(i)).digest('hex')).join('') + 'é☃😀';
      const atLimit = 'a'.repeat(128);
      const body = webhook(groupKey, [
        { labels: { alertname: 'LongFp', namespace: 'payments-prod', pod: 'long' }, fingerprint: long },
        { labels: { alertname: 'LongFp', namespace: 'payments-prod', pod: 'limit' }, fingerprint: atLimit },
      ]);
      for (let i = 0; i < 2; i++) {
        const res = await gw.post(body);
        expect([res.status, await res.json()]).toEqual([202, { accepted: 2 }]);
        await gw.idle();
      }
      const page = (await fetch(`${gw.gw.url}/v1/alerts?team=payments`).then((r) => r.json())) as { items: { fingerprint: string; labels: Record<string, string> }[] };
      const stored = Object.fromEntries(page.items.filter((a) => a.labels.alertname === 'LongFp').map((a) => [a.labels.pod, a.fingerprint]));
      expect(stored).toEqual({ long: `sha256:${createHash('sha256').update(long, 'utf8').digest('hex')}`, limit: atLimit });
      const notes = (await fetch(`${gw.gw.url}/v1/notifications?team=payments`).then((r) => r.json())) as { items: { groupKey: string; kind: string; status: string }[] };
      expect(notes.items.filter((n) => n.groupKey === groupKey).map((n) => [n.kind, n.status])).toEqual([
        ['repeat', 'suppressed'],
        ['new', 'sent'],
      ]);
      // The other texts a sender can make long are in no index (group ids are hashes, label maps
      // JSON text): a 100 KB groupKey, receiver and label value are taken as they are.
      const big = Array.from({ length: 1600 }, (_, i) => createHash('sha256').update(`big${i}`).digest('hex')).join('');
      const wide = webhook(`{}:{v="${big}"}`, [{ labels: { alertname: 'LongKey', namespace: 'payments-prod', v: big } }], { receiver: big });
      expect((await gw.post(wide)).status).toBe(202);
    } finally {
      await gw.close();
      await db.drop();
    }
  });
});
