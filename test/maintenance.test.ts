/**
 * Maintenance windows: matching alerts are held (recorded as suppressed, nothing sent); a group
 * still firing when the window ends is delivered once; one that resolved inside it sends nothing;
 * resolutions of groups announced before the window are delivered normally.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, ESTATE_DIR, startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
let configDir: string;

beforeEach(async () => {
  fakes = await startFakes();
  configDir = await mkdtemp(join(tmpdir(), 'alertgate-maint-'));
  await cp(ESTATE_DIR, configDir, { recursive: true });
});
afterEach(async () => {
  await t?.close();
  await fakes.close();
  await rm(configDir, { recursive: true, force: true });
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
const critical = (name: string, status: 'firing' | 'resolved' = 'firing') =>
  webhook(`{}:{alertname="${name}"}`, [{ labels: { alertname: name, namespace: 'payments-prod', severity: 'critical' }, status, fingerprint: 'b000000000000001' }]);
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

async function createWindow(body: object) {
  return fetch(`${t.gw.url}/v1/maintenance`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
}
async function suppressedReasons() {
  const log = (await fetch(`${t.gw.url}/v1/notifications?status=suppressed`).then((r) => r.json())) as { items: { reason: string }[] };
  return log.items.map((i) => i.reason);
}
const sent = () => fakes.slack.requests.length + fakes.pagerduty.events.length;
/** A metric of the gateway's /metrics for the payments team (0 when it has no such series). */
async function metric(name: string): Promise<number> {
  const text = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
  return Number(new RegExp(`^${name}\\{team="payments"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}

describe('ad-hoc maintenance windows (API)', () => {
  beforeEach(async () => {
    t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir, MAINTENANCE_TICK_MS: '100' });
  });

  it('validates input and needs the admin token', async () => {
    const noAuth = await fetch(`${t.gw.url}/v1/maintenance`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(noAuth.status).toBe(401);
    const bad = await createWindow({ team: 'payments', matchers: ['alertname=~"("'], start: 'yesterday', end: iso(0), reason: 'x' });
    expect(bad.status).toBe(400);
    const issues = ((await bad.json()) as { issues: { path: string }[] }).issues.map((i) => i.path).sort();
    expect(issues).toEqual(['matchers.0', 'start']);
    const unknown = await createWindow({ team: 'nobody', start: iso(0), end: iso(60_000), reason: 'x' });
    expect(unknown.status).toBe(400);
    // As the lists answer a typo: naming the teams there are.
    expect(await unknown.json()).toEqual({ error: 'unknown team "nobody"', issues: [{ path: 'team', message: 'no routes/nobody.yaml (teams: payments, platform, prisons)' }] });
  });

  it('refuses an empty or blank matcher string, which would cover every alert of the team, naming its index', async () => {
    const empty = 'invalid matcher: empty matcher string (it would match every alert)';
    for (const [matchers, index] of [[[''], 0], [['  '], 0], [['{}'], 0], [['severity="warning"', ' { } '], 1]] as const) {
      const res = await createWindow({ team: 'payments', matchers, start: iso(0), end: iso(60_000), reason: 'x' });
      expect(res.status, JSON.stringify(matchers)).toBe(400);
      expect(await res.json(), JSON.stringify(matchers)).toEqual({ error: 'invalid maintenance window', issues: [{ path: `matchers.${index}`, message: empty }] });
    }
    const listed = (await fetch(`${t.gw.url}/v1/maintenance?team=payments`).then((r) => r.json())) as { items: unknown[] };
    expect(listed.items).toEqual([]);
    // No matchers at all is how a window over the whole team is asked for.
    expect((await createWindow({ team: 'payments', matchers: [], start: iso(0), end: iso(60_000), reason: 'x' })).status).toBe(201);
  });

  it('refuses a body that is not JSON (415), too large (413) or malformed (400), as the webhook does', async () => {
    const window = JSON.stringify({ team: 'payments', start: iso(3_600_000), end: iso(7_200_000), reason: 'x' });
    const post = (body: string, type: string) =>
      fetch(`${t.gw.url}/v1/maintenance`, { method: 'POST', headers: { ...admin, 'content-type': type }, body });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await post(window, type);
      expect([type, res.status, await res.json()]).toEqual([type, 415, { error: `Content-Type must be application/json, got "${type}"` }]);
    }
    const big = await post(JSON.stringify({ team: 'payments', start: iso(3_600_000), end: iso(7_200_000), reason: 'x'.repeat(5 * 1024 * 1024) }), 'application/json');
    expect([big.status, await big.json()]).toEqual([413, { error: 'request body exceeds 65536 bytes' }]);
    const broken = await post('{"team":', 'application/json');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toMatch(/^invalid JSON: /);
    expect((await post(window, 'application/json; charset=utf-8')).status).toBe(201);
  });

  it('decodes a gzip or deflate body as the webhook does; refuses another coding (415), a corrupt stream (400) and one too large once decoded (413)', async () => {
    const window = (reason: string) => JSON.stringify({ team: 'payments', start: iso(3_600_000), end: iso(7_200_000), reason });
    const post = (encoding: string, body: Buffer | string) =>
      fetch(`${t.gw.url}/v1/maintenance`, { method: 'POST', headers: { ...admin, 'content-encoding': encoding }, body: body as BodyInit });
    const codings: [string, (b: string) => Buffer][] = [
      ['gzip', (b) => gzipSync(b)],
      ['x-gzip', (b) => gzipSync(b)],
      ['deflate', (b) => deflateSync(b)],
      ['identity', (b) => Buffer.from(b)],
    ];
    for (const [encoding, encode] of codings) {
      const res = await post(encoding, encode(window(`sent as ${encoding}`)));
      expect([encoding, res.status], await res.clone().text()).toEqual([encoding, 201]);
      expect(((await res.json()) as { reason: string }).reason).toBe(`sent as ${encoding}`);
    }
    const br = await post('br', Buffer.from(window('brotli')));
    expect([br.status, await br.json()]).toEqual([415, { error: 'Content-Encoding "br" is not supported: send gzip, deflate or no Content-Encoding' }]);
    const corrupt = await post('gzip', Buffer.from(window('not gzip')));
    expect(corrupt.status).toBe(400);
    expect(((await corrupt.json()) as { error: string }).error).toMatch(/^request body is not valid gzip \(Content-Encoding: gzip\): /);
    const bomb = await post('gzip', gzipSync(window('x'.repeat(1024 * 1024))));
    expect([bomb.status, await bomb.json()]).toEqual([413, { error: 'decompressed request body exceeds 65536 bytes' }]);
  });

  it('pages windows newest first; windows created or deleted between pages neither repeat nor skip one', async () => {
    const create = async (reason: string) => ((await (await createWindow({ team: 'payments', start: iso(3_600_000), end: iso(7_200_000), reason })).json()) as { id: string }).id;
    type Listed = { items: { id: string }[]; nextCursor: string | null };
    const page = async (limit: number, cursor?: string | null) =>
      (await fetch(`${t.gw.url}/v1/maintenance?team=payments&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`).then((r) => r.json())) as Listed;
    const first = [await create('a'), await create('b'), await create('c')];
    const one = await page(2);
    expect(one.items).toHaveLength(2);
    await create('d'); // newer than everything listed: belongs before page one, not in page two
    const two = await page(2, one.nextCursor);
    expect([...one.items, ...two.items].map((w) => w.id).sort()).toEqual([...first].sort());
    expect(two.nextCursor).toBeNull();

    const head = await page(1);
    const del = await fetch(`${t.gw.url}/v1/maintenance/${head.items[0]!.id}`, { method: 'DELETE', headers: admin });
    expect(del.status).toBe(204);
    const rest = await page(10, head.nextCursor);
    expect(rest.items).toHaveLength(3); // the three older windows, none skipped
    expect((await fetch(`${t.gw.url}/v1/maintenance?cursor=12`)).status).toBe(400);
  });

  it('holds a covered alert, then delivers it once when the window is deleted', async () => {
    const res = await createWindow({ team: 'payments', matchers: ['alertname=~"Maint.*"'], start: iso(-1000), end: iso(3_600_000), reason: 'database failover' });
    expect(res.status).toBe(201);
    const window = (await res.json()) as { id: string; active: boolean };
    expect(window.active).toBe(true);
    const listed = (await fetch(`${t.gw.url}/v1/maintenance`).then((r) => r.json())) as { items: { id: string }[] };
    expect(listed.items.map((w) => w.id)).toEqual([window.id]);

    await t.post(critical('MaintDbDown'));
    await t.post(critical('MaintDbDown'));
    await t.idle();
    expect(sent()).toBe(0);
    expect(await suppressedReasons()).toContain('maintenance: database failover');
    // Slack and PagerDuty, held for each copy (nothing was told, so the copy is not a duplicate).
    expect(await metric('alertgate_maintenance_held_notifications_total')).toBe(4);
    expect(await metric('alertgate_maintenance_held_groups')).toBe(1);

    const del = await fetch(`${t.gw.url}/v1/maintenance/${window.id}`, { method: 'DELETE', headers: admin });
    expect(del.status).toBe(204);
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage');
    await fakes.pagerduty.waitFor(() => true);
    await t.idle();
    expect(fakes.slack.messages.size).toBe(1);
    expect(fakes.pagerduty.events).toHaveLength(1);
    expect(await metric('alertgate_maintenance_released_notifications_total')).toBe(2);
    expect(await metric('alertgate_maintenance_held_groups')).toBe(0);
    // A later redelivery is an ordinary duplicate now.
    await t.post(critical('MaintDbDown'));
    await t.idle();
    expect(fakes.slack.messages.size).toBe(1);
  });

  it('sends nothing for an alert that resolved inside the window', async () => {
    // The window ends by itself (the release pass of the ticker), a few seconds from now: long
    // enough for the posts below to land inside it on a loaded machine. 8 s, as the configured
    // window's test below: CI has shown more than tenfold slowdowns, and 4 s could end the window
    // before these posts and the look at the outbox had all been made.
    const end = iso(8000);
    await createWindow({ team: 'payments', start: iso(-1000), end, reason: 'patching' });
    await t.post(critical('MaintBlip'));
    await t.post(critical('MaintBlip', 'resolved'));
    // Still firing when the window ends: its delivery shows the release pass ran.
    await t.post(critical('MaintStill'));
    await t.idle();
    expect(await suppressedReasons()).toContain('maintenance: resolved inside the window, never announced');
    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 20_000);
    expect(post.at).toBeGreaterThanOrEqual(Date.parse(end));
    await fakes.pagerduty.waitFor(() => true);
    await t.idle();
    // Nothing was sent while the window lasted: proven by when each call came, not by a look at
    // one moment (which, on a slow machine, could come after the window had ended).
    const early = [...fakes.slack.requests.filter((r) => r.at < Date.parse(end)), ...fakes.pagerduty.events.filter((e) => e.at < Date.parse(end))];
    expect(early).toEqual([]);
    expect(JSON.stringify(post.body)).toContain('MaintStill');
    expect(fakes.slack.messages.size).toBe(1);
    expect(JSON.stringify(fakes.slack.requests)).not.toContain('MaintBlip');
    expect(fakes.pagerduty.events).toHaveLength(1);
  });

  it('delivers the resolution of a group announced before the window', async () => {
    await t.post(critical('MaintBefore'));
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage');
    await t.idle();
    await createWindow({ team: 'payments', start: iso(-1000), end: iso(3_600_000), reason: 'patching' });
    await t.post(critical('MaintBefore', 'resolved'));
    await fakes.slack.waitFor((r) => r.method === 'chat.update');
    await fakes.pagerduty.waitFor((e) => (e.body as { event_action: string }).event_action === 'resolve');
  });
});

describe('maintenance windows from routes/<team>.yaml', () => {
  it('delivers a held group once, when the configured window ends', async () => {
    const file = join(configDir, 'routes', 'prisons.yaml');
    const start = new Date(Date.now() - 60_000).toISOString();
    // The window must outlast the gateway's start, the post and its hold: 8 s, as CI has shown
    // more than tenfold slowdowns (f4a12ad: 1.5 s was too short for a sibling's posts). The hold
    // is proven by what is recorded, not by looking at one moment: the notification suppressed
    // naming this window, and nothing reaching Slack or PagerDuty before the window's end.
    const end = new Date(Date.now() + 8000).toISOString();
    await writeFile(file, `${await readFile(file, 'utf8')}maintenance:\n  - reason: "search index rebuild"\n    start: "${start}"\n    end: "${end}"\n    matchers: ['alertname="SearchDown"']\n`);
    t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir, MAINTENANCE_TICK_MS: '100' });
    const alert = webhook('{}:{alertname="SearchDown"}', [{ labels: { alertname: 'SearchDown', namespace: 'prisoner-offender-search-prod' } }]);
    await t.post(alert);
    await t.idle();
    expect(await suppressedReasons()).toContain('maintenance: search index rebuild');
    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 20_000);
    expect(post.at).toBeGreaterThanOrEqual(Date.parse(end));
    await t.idle();
    expect(fakes.slack.messages.size).toBe(1);
    const early = [...fakes.slack.requests.filter((r) => r.at < Date.parse(end)).map((r) => r.method), ...fakes.pagerduty.events.filter((e) => e.at < Date.parse(end)).map((e) => e.path)];
    expect(early).toEqual([]);
  }, 60_000);

  it('delivers a held group when a reloaded config ends its window early', async () => {
    const file = join(configDir, 'routes', 'prisons.yaml');
    const original = await readFile(file, 'utf8');
    const start = iso(-60_000);
    const windowUntil = (end: string) =>
      `${original}maintenance:\n  - reason: "search index rebuild"\n    start: "${start}"\n    end: "${end}"\n    matchers: ['alertname="SearchDown"']\n`;
    await writeFile(file, windowUntil(iso(3_600_000)));
    t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir, MAINTENANCE_TICK_MS: '100' });
    await t.post(webhook('{}:{alertname="SearchDown"}', [{ labels: { alertname: 'SearchDown', namespace: 'prisoner-offender-search-prod' } }]));
    await t.idle();
    expect(sent()).toBe(0);

    await writeFile(file, windowUntil(iso(-1000)));
    const reload = await fetch(`${t.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(reload.status).toBe(200);
    await fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 10_000);
    await t.idle();
    expect(fakes.slack.messages.size).toBe(1);
  });
});
