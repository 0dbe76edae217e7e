/**
 * /v1/uptime, /v1/uptime.csv and the /uptime pages read their query as strictly as the list
 * endpoints do: a parameter they do not take (a typo such as `timezone=`, which left the report
 * in UTC) or one given twice (only the first was read) is a 400 naming it and the parameters they
 * take, never a report of another zone, range or team than asked. Nothing the pages link to or
 * submit is refused. A real gateway over HTTP on 127.0.0.1, in front of a fake Thanos with no
 * samples (the answers' statuses matter here, not the figures).
 */
import { describe, expect, it } from 'vitest';
import type { TestGateway } from './support/gateway.js';
import { withUptimeGateway } from './support/uptime-gateway.js';

let t: TestGateway;
withUptimeGateway((started) => (t = started));

const API_TAKES = 'team, from, to, tz, period, month';
const PAGE_TAKES = 'from, to, tz, period, month';
const html = { accept: 'text/html,application/xhtml+xml' };

async function getJson(path: string) {
  const res = await fetch(`${t.gw.url}${path}`);
  return { status: res.status, body: (await res.json()) as { error?: string; kind?: string; param?: string } };
}

/** Every link target of the page, entities decoded. */
const hrefsOf = (text: string) => [...text.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));

/** The range form's query as a browser submits it: every named input, empty ones included. */
function formQuery(text: string): string {
  const form = /<form class="custom" method="get" action="([^"]*)">([\s\S]*?)<\/form>/.exec(text);
  expect(form).not.toBeNull();
  const q = new URLSearchParams();
  for (const input of form![2]!.matchAll(/<input[^>]*>/g)) {
    const name = /\sname="([^"]*)"/.exec(input[0])?.[1];
    const value = /\svalue="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name) q.append(name, value.replaceAll('&amp;', '&'));
  }
  return `${form![1]}?${q}`;
}

describe('uptime query parameters', () => {
  it('/v1/uptime and /v1/uptime.csv refuse a parameter they do not take, naming it and the ones they take', async () => {
    for (const path of ['/v1/uptime', '/v1/uptime.csv']) {
      const r = await getJson(`${path}?team=payments&month=2026-10&timezone=Europe/London`);
      expect(r.status, path).toBe(400);
      expect(r.body, path).toEqual({ error: `timezone: unknown parameter: this endpoint takes ${API_TAKES}`, kind: 'invalid', param: 'timezone' });
    }
  });

  it('/v1/uptime refuses a parameter given twice instead of reading the first', async () => {
    for (const [query, param] of [
      ['team=payments&team=platform&month=2026-10', 'team'],
      ['team=payments&month=2026-10&month=2026-11', 'month'],
      ['team=payments&month=2026-10&tz=UTC&tz=Europe/London', 'tz'],
    ] as const) {
      const r = await getJson(`/v1/uptime?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body, query).toEqual({ error: `${param}: given 2 times: give it once (this endpoint takes ${API_TAKES})`, kind: 'invalid', param });
    }
  });

  it('/v1/uptime and the pages refuse a parameter without a name (`=x`) instead of ignoring it', async () => {
    for (const path of ['/v1/uptime?team=payments&month=2026-10&=x', '/v1/uptime.csv?=x&team=payments&month=2026-10']) {
      const r = await getJson(path);
      expect(r.status, path).toBe(400);
      expect(r.body, path).toEqual({ error: `parameter without a name ("=x"): this endpoint takes ${API_TAKES}`, kind: 'invalid', param: '' });
    }
    expect(await getJson('/uptime/payments?&=')).toEqual({ status: 400, body: { error: `parameter without a name ("="): this page takes ${PAGE_TAKES}`, kind: 'invalid', param: '' } });
  });

  it('the pages answer the same with their error page, a 400', async () => {
    for (const [path, message] of [
      ['/uptime?month=2026-10&team=payments', `team: unknown parameter: this page takes ${PAGE_TAKES}`],
      ['/uptime/payments?month=2026-10&tz=UTC&tz=Europe/London', `tz: given 2 times: give it once (this page takes ${PAGE_TAKES})`],
    ] as const) {
      const res = await fetch(`${t.gw.url}${path}`, { headers: html });
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      const text = await res.text();
      expect(text, path).toContain('<h1>The request is not valid</h1>');
      expect(text, path).toContain(message);
    }
    // Asked without text/html, the page's error is the API's JSON.
    const json = await getJson('/uptime/payments?monht=2026-10');
    expect(json).toEqual({ status: 400, body: { error: `monht: unknown parameter: this page takes ${PAGE_TAKES}`, kind: 'invalid', param: 'monht' } });
  });

  it('every link of the pages and their range form, as submitted, are taken', async () => {
    const seen = new Set<string>();
    for (const start of ['/uptime?month=2026-10&tz=Europe/London', '/uptime/payments?period=month-to-date', '/uptime/payments?from=2026-10-03&to=2026-10-10', '/uptime']) {
      const res = await fetch(`${t.gw.url}${start}`, { headers: html });
      expect(res.status, start).toBe(200);
      const text = await res.text();
      const targets = [...hrefsOf(text).filter((h) => h.startsWith('/uptime') && !h.endsWith('.css')), formQuery(text)];
      for (const target of targets.map((h) => h.split('#')[0]!)) {
        if (seen.has(target)) continue;
        seen.add(target);
        const followed = await fetch(`${t.gw.url}${target}`, { headers: html });
        expect(followed.status, `${target} (from ${start})`).toBe(200);
      }
    }
    // The form was among them, with its empty fields (to-date: To is empty).
    expect([...seen]).toContain('/uptime/payments?from=2026-10-03&to=2026-10-10&tz=UTC');
    expect([...seen].filter((s) => /^\/uptime\/payments\?from=\d{4}-\d{2}-01&to=&tz=UTC$/.test(s))).toHaveLength(1);
  });
});
