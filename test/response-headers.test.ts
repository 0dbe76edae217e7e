/**
 * Headers a security review expects on what the gateway serves, checked over HTTP against a real
 * gateway (a fake Thanos without samples behind it: the figures do not matter here):
 * - `X-Content-Type-Options: nosniff` on every answer, not only the uptime pages: JSON errors
 *   echo what they refuse (`no route for GET /<script>…`), and without it a browser may sniff a
 *   body into HTML or script;
 * - the uptime reports (JSON, CSV and their errors) are never stored by a browser or a proxy
 *   (`Cache-Control: no-store`, as the pages already are): a month-to-date report, or one a
 *   maintenance window created since changes, changes, and a stored copy would pass for current;
 * - the `/uptime/` redirect (query kept) never sends a browser off the site, whatever the path.
 */
import { describe, expect, it } from 'vitest';
import type { TestGateway } from './support/gateway.js';
import { keptAlive } from './support/raw-http.js';
import { withUptimeGateway } from './support/uptime-gateway.js';

let t: TestGateway;
withUptimeGateway((started) => (t = started));

const RANGE = 'month=2026-10&tz=Europe/London';

async function get(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${t.gw.url}${path}`, { redirect: 'manual', ...init });
  await res.arrayBuffer();
  return res;
}

describe('response headers', () => {
  it('every answer carries X-Content-Type-Options: nosniff, once', async () => {
    const answers: Array<[string, Response, number]> = [
      ['health', await get('/healthz'), 200],
      ['a list', await get('/v1/alerts'), 200],
      ['metrics', await get('/metrics'), 200],
      ['OpenAPI', await get('/openapi.json'), 200],
      ['no route, the path echoed', await get('/nope/%3Cscript%3Ealert(1)%3C/script%3E'), 404],
      ['a method not allowed', await get('/healthz', { method: 'DELETE' }), 405],
      ['a webhook without its token', await get('/webhooks/alertmanager', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }), 401],
      ['the uptime JSON', await get(`/v1/uptime?team=payments&${RANGE}`), 200],
      ['the uptime CSV', await get(`/v1/uptime.csv?team=payments&${RANGE}`), 200],
      ['an uptime error, the zone echoed', await get('/v1/uptime?team=payments&tz=%3Cscript%3E'), 400],
      ['the slash redirect', await get(`/uptime/?${RANGE}`), 308],
      ['a page', await get(`/uptime?${RANGE}`, { headers: { accept: 'text/html' } }), 200],
      ['the stylesheet', await get('/uptime/style.css'), 200],
    ];
    for (const [what, res, status] of answers) {
      expect(res.status, what).toBe(status);
      expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
    }
  });

  it('uptime reports, JSON and CSV, and their errors are never stored (Cache-Control: no-store, as the pages)', async () => {
    const answers: Array<[string, Response, number]> = [
      ['the JSON', await get(`/v1/uptime?team=payments&${RANGE}`), 200],
      ['the JSON to date', await get('/v1/uptime?team=payments&period=month-to-date'), 200],
      ['the CSV', await get(`/v1/uptime.csv?team=payments&${RANGE}`), 200],
      ['a bad parameter', await get('/v1/uptime.csv?team=payments&tz=Mars/Olympus'), 400],
      ['an unknown team', await get(`/v1/uptime?team=nobody&${RANGE}`), 404],
      ['a page', await get(`/uptime/payments?${RANGE}`), 200],
    ];
    for (const [what, res, status] of answers) {
      expect(res.status, what).toBe(status);
      expect(res.headers.get('cache-control'), what).toBe('no-store');
    }
    // The stylesheet stays cacheable: it is the same for every report.
    expect((await get('/uptime/style.css')).headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('a HEAD answer carries nosniff too', async () => {
    const res = await get('/healthz', { method: 'HEAD' });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('the trailing-slash redirect stays on this site, whatever the request target', async () => {
    const targets = [
      '//evil.example/uptime/',
      '//uptime/',
      '/uptime//evil.example/',
      '/uptime/%2F%2Fevil.example/',
      '/uptime/%5Cevil.example/',
      '/uptime/?next=//evil.example/',
      'http://evil.example/uptime/?x=1',
    ];
    const redirected: string[] = [];
    for (const target of targets) {
      const conn = await keptAlive(t.gw.url);
      conn.socket.write(`GET ${target} HTTP/1.1\r\nHost: alertgate\r\nConnection: close\r\n\r\n`);
      const res = await conn.response();
      conn.socket.destroy();
      const location = res.headers.location;
      if (location === undefined) continue;
      redirected.push(location);
      expect(res.status, target).toBe(308);
      // A path on this origin: one leading slash, never `//host` or `/\host`.
      expect(location, target).toMatch(/^\/uptime(\/[a-z][a-z0-9-]*)?(\?|$)/);
    }
    // The ones that are the slash path are redirected, their query kept as typed.
    expect(redirected).toEqual(['/uptime?next=//evil.example/', '/uptime?x=1']);
  });
});
