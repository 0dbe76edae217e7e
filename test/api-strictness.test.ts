/**
 * What a script gets for a request the API cannot serve as asked: a 400 naming the parameter and
 * what it may be, never a filter silently ignored or a list answered as if asked something else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
beforeAll(async () => {
  fakes = await startFakes();
  t = await startTestGateway(fakes);
  for (let i = 0; i < 4; i++) {
    await t.post(webhook(`{}:{alertname="Strict${i}"}`, [{ labels: { alertname: `Strict${i}`, namespace: i % 2 ? 'payments-prod' : 'kube-system' } }]));
  }
  await t.idle();
});
afterAll(async () => {
  await t.close();
  await fakes.close();
});

type Issue = { path: string; message: string };
type Answer = { status: number; headers: Headers; body: { error?: string; issues?: Issue[]; items?: unknown[]; nextCursor?: string | null } };
async function get(path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${t.gw.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}
const LISTS = ['/v1/alerts', '/v1/notifications', '/v1/maintenance'];

describe('list query parameters', () => {
  it('refuses a limit that is not a whole number from 1 to 1000 in decimal digits, quoting it', async () => {
    for (const limit of ['1e3', '0x10', '%205', '10abc', '2.5', '0', '-1', '99999999999999999999', '']) {
      for (const list of LISTS) {
        const res = await get(`${list}?limit=${limit}`);
        expect(res.status, `${list}?limit=${limit}`).toBe(400);
        expect(res.body.error).toBe('invalid query');
        expect(res.body.issues, `${list}?limit=${limit}`).toEqual([{ path: 'limit', message: `must be a whole number from 1 to 1000 in decimal digits (default 100), got "${decodeURIComponent(limit)}"` }]);
      }
    }
    expect((await get('/v1/alerts?limit=0002')).status).toBe(200);
  });

  it('refuses a parameter the endpoint does not take, naming the ones it does', async () => {
    const alerts = await get('/v1/alerts?teams=payments&status=firing');
    expect(alerts.status).toBe(400);
    expect(alerts.body.issues).toEqual([{ path: 'teams', message: 'unknown parameter: this endpoint takes team, status, limit, cursor' }]);
    const maintenance = await get('/v1/maintenance?status=active');
    expect(maintenance.status).toBe(400);
    expect(maintenance.body.issues).toEqual([{ path: 'status', message: 'unknown parameter: this endpoint takes team, limit, cursor' }]);
    expect((await get('/v1/notifications?foo=1')).status).toBe(400);
  });

  it('refuses a parameter given twice instead of answering for one of them', async () => {
    for (const query of ['team=payments&team=platform', 'status=firing&status=resolved', 'limit=1&limit=2']) {
      const res = await get(`/v1/alerts?${query}`);
      expect(res.status, query).toBe(400);
      const name = query.split('=')[0];
      expect(res.body.issues).toEqual([{ path: name, message: 'given 2 times: give it once' }]);
    }
  });
});
