/**
 * Bearer-token checks as clients see them over real HTTP: every 401 says how to authenticate
 * (`WWW-Authenticate`, RFC 9110 §11.6.1), on the webhook and on every admin endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakes, startTestGateway, WEBHOOK_TOKEN, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;

beforeAll(async () => {
  fakes = await startFakes();
  t = await startTestGateway(fakes);
});
afterAll(async () => {
  await t?.close();
  await fakes?.close();
});

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
