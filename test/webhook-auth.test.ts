/**
 * Bearer-token checks as clients see them over real HTTP: every 401 says how to authenticate
 * (`WWW-Authenticate`, RFC 9110 §11.6.1), on the webhook and on every admin endpoint; tokens read
 * from files follow a rotated Secret without a restart (Alertmanager re-reads its
 * `credentials_file` at every request, and a 401 drops the notification for good).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestGateway, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';
import { withGatewayPerFile } from './support/gateway-hooks.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
withGatewayPerFile((started) => ({ fakes, t } = started));

const CHALLENGE = 'Bearer realm="alertgate"';
const INVALID = 'Bearer realm="alertgate", error="invalid_token"';

describe('401 answers carry WWW-Authenticate', () => {
  const valid = webhook('{}:{alertname="Challenge"}', [{ labels: { alertname: 'Challenge', namespace: 'payments-prod' } }]);

  it('on the webhook: a bare challenge without a token, invalid_token with a wrong one', async () => {
    const none = await t.post(valid, { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(CHALLENGE);
    expect(await none.json()).toEqual({ error: 'missing or invalid bearer token' });

    const wrong = await t.post(valid, { token: 'wrong-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe(INVALID);

    // Basic credentials are no bearer token at all: the bare challenge (RFC 6750 §3.1).
    const basic = await fetch(`${t.gw.url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`u:${WEBHOOK_TOKEN}`).toString('base64')}` },
      body: JSON.stringify(valid),
    });
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).toBe(CHALLENGE);

    const ok = await t.post(valid);
    expect(ok.status).toBe(202);
    expect(ok.headers.get('www-authenticate')).toBeNull();
  });

  it('on every admin endpoint', async () => {
    const endpoints: [string, string][] = [
      ['POST', '/-/reload'],
      ['POST', '/v1/notifications/1/retry'],
      ['POST', '/v1/maintenance'],
      ['DELETE', '/v1/maintenance/1'],
    ];
    for (const [method, path] of endpoints) {
      const none = await fetch(`${t.gw.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : null });
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.headers.get('www-authenticate'), `${method} ${path}`).toBe(CHALLENGE);
      const wrong = await fetch(`${t.gw.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-admin-token' },
        body: method === 'POST' ? '{}' : null,
      });
      expect(wrong.status, `${method} ${path}`).toBe(401);
      expect(wrong.headers.get('www-authenticate'), `${method} ${path}`).toBe(INVALID);
    }
  });
});

describe('token files follow a rotated Secret without a restart', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  /** A gateway reading both tokens from files, with a clock the test moves. */
  async function rotatingGateway(webhookToken: string, adminToken: string, rotation: { webhookGraceMs?: number; rereadMs?: number; pollMs?: number } = {}) {
    const dir = await mkdtemp(join(tmpdir(), 'alertgate-tokens-'));
    dirs.push(dir);
    const webhookFile = join(dir, 'webhook-token');
    const adminFile = join(dir, 'admin-token');
    await writeFile(webhookFile, `${webhookToken}\n`);
    await writeFile(adminFile, `${adminToken}\n`);
    const clock = { ms: 1_000_000 };
    const gw = await startTestGateway(
      fakes,
      { WEBHOOK_TOKEN: '', WEBHOOK_TOKEN_FILE: webhookFile, ADMIN_TOKEN: '', ADMIN_TOKEN_FILE: adminFile },
      { tokenRotation: { ...rotation, now: () => clock.ms } },
    );
    return { gw, webhookFile, adminFile, clock };
  }

  let n = 0;
  const body = () => webhook(`{}:{alertname="Rotated${++n}"}`, [{ labels: { alertname: `Rotated${n}`, namespace: 'payments-prod' } }]);

  it('WEBHOOK_TOKEN_FILE: the new token at once, the old one through the grace, then no more', async () => {
    const { gw: r, webhookFile, clock } = await rotatingGateway('old-webhook-token', 'some-admin-token');
    try {
      expect((await r.post(body(), { token: 'old-webhook-token' })).status).toBe(202);
      await writeFile(webhookFile, 'new-webhook-token\n');
      // Alertmanager re-reads its credentials_file per request and sends the new token.
      const fresh = await r.post(body(), { token: 'new-webhook-token' });
      expect(fresh.status).toBe(202);
      // An Alertmanager whose copy of the Secret is not updated yet still sends the old one.
      clock.ms += 9 * 60_000;
      expect((await r.post(body(), { token: 'old-webhook-token' })).status).toBe(202);
      expect((await r.post(body(), { token: 'new-webhook-token' })).status).toBe(202);
      clock.ms += 5_000;
      expect((await r.post(body(), { token: 'wrong-token' })).status).toBe(401);
      // Ten minutes after the change the old token is refused.
      clock.ms += 60_000;
      const old = await r.post(body(), { token: 'old-webhook-token' });
      expect(old.status).toBe(401);
      expect(old.headers.get('www-authenticate')).toBe(INVALID);
      expect((await r.post(body(), { token: 'new-webhook-token' })).status).toBe(202);
      // The new token is a secret the logger blanks from then on, wherever it would appear: here
      // in a group key, which the gateway logs when it accepts the webhook.
      const leaky = webhook('{}:{alertname="new-webhook-token"}', [{ labels: { alertname: 'Leaky', namespace: 'payments-prod' } }]);
      expect((await r.post(leaky, { token: 'new-webhook-token' })).status).toBe(202);
      expect(r.logs.some((l) => l.includes('"groupKey":"{}:{alertname=\\"[REDACTED]\\"}"'))).toBe(true);

      // One info line says so, without either token.
      const changed = r.logs.filter((l) => l.includes('WEBHOOK_TOKEN_FILE changed'));
      expect(changed).toHaveLength(1);
      expect(JSON.parse(changed[0]!)).toMatchObject({ level: 'info', file: webhookFile, graceSeconds: 600 });
      expect(r.logs.join('\n')).not.toMatch(/old-webhook-token|new-webhook-token/);
    } finally {
      await r.close();
    }
  });

  it('the file is read at most once a second on a miss, and checked at most once a second behind matching tokens', async () => {
    const { gw: r, webhookFile, clock } = await rotatingGateway('first-token', 'some-admin-token');
    try {
      // The file gone: a matching token is served without waiting, and has the file checked
      // behind it (once in the second), which warns; a wrong token reads it too, and the same
      // problem is not warned again.
      await rm(webhookFile);
      expect((await r.post(body(), { token: 'first-token' })).status).toBe(202);
      expect((await r.post(body(), { token: 'first-token' })).status).toBe(202);
      await r.waitForLog((l) => String(l.msg).includes('WEBHOOK_TOKEN_FILE: cannot read the token again'));
      expect((await r.post(body(), { token: 'wrong-token' })).status).toBe(401);
      const warned = r.logs.filter((l) => l.includes('WEBHOOK_TOKEN_FILE: cannot read the token again'));
      expect(warned).toHaveLength(1);
      expect(JSON.parse(warned[0]!)).toMatchObject({ level: 'warn', file: webhookFile });
      // Within the second, a new file is not looked at on a miss; after it, it is.
      await writeFile(webhookFile, 'second-token\n');
      clock.ms += 500;
      expect((await r.post(body(), { token: 'second-token' })).status).toBe(401);
      clock.ms += 500;
      expect((await r.post(body(), { token: 'second-token' })).status).toBe(202);
      // The same failure again later is not logged again.
      await writeFile(webhookFile, '  \n');
      clock.ms += 1_000;
      expect((await r.post(body(), { token: 'third-token' })).status).toBe(401);
      clock.ms += 1_000;
      expect((await r.post(body(), { token: 'third-token' })).status).toBe(401);
      expect(r.logs.filter((l) => l.includes('cannot read the token again (file is empty)'))).toHaveLength(1);
      // An empty file keeps the token read before.
      expect((await r.post(body(), { token: 'second-token' })).status).toBe(202);
    } finally {
      await r.close();
    }
  });

  it('a file of several lines: every token listed is accepted, with no grace needed; a removed line is refused at once', async () => {
    // The zero-401 rotation: the new token is added as a second line, Alertmanager switches, the old line goes.
    const { gw: r, webhookFile, clock } = await rotatingGateway('old-webhook-token', 'admin-one\n\n  admin-two  ');
    const reload = (token: string) => fetch(`${r.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    try {
      // Read at start: both admin lines, blank lines and surrounding whitespace dropped.
      expect((await reload('admin-one')).status).toBe(200);
      expect((await reload('admin-two')).status).toBe(200);

      await writeFile(webhookFile, 'old-webhook-token\n\n  new-webhook-token  \n');
      // An Alertmanager that sees its new token before the others: this replica reads the file and takes it.
      expect((await r.post(body(), { token: 'new-webhook-token' })).status).toBe(202);
      // Those still on the old token are accepted too, for as long as the line stays: no grace runs out.
      clock.ms += 60 * 60_000;
      expect((await r.post(body(), { token: 'old-webhook-token' })).status).toBe(202);
      expect((await r.post(body(), { token: 'new-webhook-token' })).status).toBe(202);
      const added = r.logs.filter((l) => l.includes('WEBHOOK_TOKEN_FILE changed'));
      expect(added).toHaveLength(1);
      expect(JSON.parse(added[0]!)).toMatchObject({ level: 'info', file: webhookFile, tokens: 2, added: 1, removed: 0 });

      // Every Alertmanager sends the new token; the old line is removed. While two tokens are
      // listed, a matching request has the file read again in the background (no wrong token
      // needed to notice the removal), once the second is up.
      await writeFile(webhookFile, 'new-webhook-token\n');
      clock.ms += 1_000;
      expect((await r.post(body(), { token: 'new-webhook-token' })).status).toBe(202);
      await r.waitForLog((l) => String(l.msg).includes('1 token accepted from now on (0 added, 1 removed'));
      const old = await r.post(body(), { token: 'old-webhook-token' });
      expect(old.status).toBe(401);
      expect(old.headers.get('www-authenticate')).toBe(INVALID);
      expect((await r.post(body(), { token: 'new-webhook-token' })).status).toBe(202);
      expect(r.logs.join('\n')).not.toMatch(/old-webhook-token|new-webhook-token|admin-one|admin-two/);
    } finally {
      await r.close();
    }
  });

  it('the zero-401 rotation while no webhook comes: each step is read by itself, so the old line removed is refused at once, not taken for a swap', async () => {
    // Found walking the steps on two replicas: one that no request reached between adding the new
    // line and removing the old one read the file only afterwards, saw its one token replaced by
    // another (a swap) and accepted the removed token for the swap's 10 minutes. Alertmanager
    // sends nothing while no alert changes, so in a quiet estate that was every replica.
    const { gw: r, webhookFile, clock } = await rotatingGateway('old-webhook-token', 'some-admin-token', { pollMs: 20 });
    try {
      await writeFile(webhookFile, 'old-webhook-token\nnew-webhook-token\n');
      clock.ms += 1_000;
      await r.waitForLog((l) => String(l.msg).includes('2 tokens accepted from now on (1 added, 0 removed)'), 5_000);
      await writeFile(webhookFile, 'new-webhook-token\n');
      clock.ms += 1_000;
      await r.waitForLog((l) => String(l.msg).includes('1 token accepted from now on (0 added, 1 removed; the removed ones are refused from now on)'), 5_000);
      expect((await r.post(body(), { token: 'old-webhook-token' })).status).toBe(401);
      expect((await r.post(body(), { token: 'new-webhook-token' })).status).toBe(202);
    } finally {
      await r.close();
    }
  });

  it('ADMIN_TOKEN_FILE: the new token at once, the old one no more', async () => {
    const { gw: r, adminFile, clock } = await rotatingGateway('a-webhook-token', 'old-admin-token');
    const reload = (token: string) => fetch(`${r.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    try {
      expect((await reload('old-admin-token')).status).toBe(200);
      await writeFile(adminFile, 'new-admin-token\n');
      clock.ms += 1_000;
      expect((await reload('new-admin-token')).status).toBe(200);
      const old = await reload('old-admin-token');
      expect(old.status).toBe(401);
      expect(old.headers.get('www-authenticate')).toBe(INVALID);
      expect(r.logs.filter((l) => l.includes('ADMIN_TOKEN_FILE changed'))).toHaveLength(1);
      expect(r.logs.join('\n')).not.toMatch(/old-admin-token|new-admin-token/);
    } finally {
      await r.close();
    }
  });

  it('ADMIN_TOKEN_FILE swapped to cut off a leaked token: the old one is refused though nobody has used the new one yet', async () => {
    // Only a wrong token read the file again: the leaked token, used alone, stayed accepted for good.
    const { gw: r, adminFile, clock } = await rotatingGateway('a-webhook-token', 'leaked-admin-token');
    const reload = (token: string) => fetch(`${r.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    try {
      expect((await reload('leaked-admin-token')).status).toBe(200);
      await writeFile(adminFile, 'fresh-admin-token\n');
      clock.ms += 1_000;
      const leaked = await reload('leaked-admin-token');
      expect(leaked.status).toBe(401);
      expect(leaked.headers.get('www-authenticate')).toBe(INVALID);
      expect((await reload('fresh-admin-token')).status).toBe(200);
      expect(r.logs.join('\n')).not.toMatch(/leaked-admin-token|fresh-admin-token/);
    } finally {
      await r.close();
    }
  });

  it('WEBHOOK_TOKEN_FILE swapped while only the old token comes: accepted through the 10-minute grace, then refused', async () => {
    const { gw: r, webhookFile, clock } = await rotatingGateway('leaked-webhook-token', 'some-admin-token');
    try {
      expect((await r.post(body(), { token: 'leaked-webhook-token' })).status).toBe(202);
      await writeFile(webhookFile, 'fresh-webhook-token\n');
      clock.ms += 1_000;
      // Alertmanager still sends the old token (its copy of the Secret is older): accepted, and
      // the file is read again behind it, which starts the grace.
      expect((await r.post(body(), { token: 'leaked-webhook-token' })).status).toBe(202);
      await r.waitForLog((l) => String(l.msg).includes('WEBHOOK_TOKEN_FILE changed'));
      clock.ms += 9 * 60_000;
      expect((await r.post(body(), { token: 'leaked-webhook-token' })).status).toBe(202);
      clock.ms += 61_000;
      const old = await r.post(body(), { token: 'leaked-webhook-token' });
      expect(old.status).toBe(401);
      expect((await r.post(body(), { token: 'fresh-webhook-token' })).status).toBe(202);
    } finally {
      await r.close();
    }
  });
});
