/**
 * What a manager types, bookmarks or follows to the uptime pages: `/uptime/` with its slash,
 * a time zone typed in lower case, a link to a service whose name is also an id of the page
 * layout (`main`). A real gateway over HTTP on 127.0.0.1, in front of a fake Thanos that has no
 * samples (the figures do not matter here, the addresses and names do).
 */
import { describe, expect, it } from 'vitest';
import { downloadQuery } from '../src/http/uptime-pages.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import type { TestGateway } from './support/gateway.js';
import { withUptimeGateway } from './support/uptime-gateway.js';

const RANGE = 'month=2026-10&tz=Europe/London';
/** payments has a service named like the page's `<main id="main">`, beside checkout. */
const PAYMENTS_RULES = [
  'team: payments',
  'namespace: payments-prod',
  'uptime:',
  "  - service: checkout\n    up: 'probe_success{instance=\"https://checkout.example\"}'\n    objective: 99.9",
  "  - service: main\n    up: 'probe_success{instance=\"https://main.example\"}'\n    objective: 99.5",
  '',
].join('\n');

let t: TestGateway;
withUptimeGateway((started) => (t = started), { payments: PAYMENTS_RULES });

const html = { accept: 'text/html,application/xhtml+xml' };

async function page(path: string): Promise<string> {
  const res = await fetch(`${t.gw.url}${path}`, { headers: html });
  expect(res.status, path).toBe(200);
  return res.text();
}

/** Every `id` of the page, in order. */
const idsOf = (text: string) => [...text.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!);
/** Every link target of the page, entities decoded. */
const hrefsOf = (text: string) => [...text.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));

describe('uptime pages at the addresses people use', () => {
  it.each([
    ['/uptime/', `/uptime?${RANGE}`],
    ['/uptime/payments/', `/uptime/payments?${RANGE}`],
  ])('%s redirects to the page without the slash, keeping the range', async (path, location) => {
    const res = await fetch(`${t.gw.url}${path}?${RANGE}`, { headers: html, redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe(location);
    // Followed, as a browser does: the page itself.
    const followed = await fetch(`${t.gw.url}${path}?${RANGE}`, { headers: html });
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${t.gw.url}${location}`);
    expect(followed.headers.get('content-type')).toMatch(/^text\/html/);
    // Without a query string, none is added.
    const bare = await fetch(`${t.gw.url}${path}`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, location.replace(/\?.*$/, '')]);
  });

  it("the download links' query encodes every parameter, the team too", async () => {
    const links = hrefsOf(await page(`/uptime/payments?${RANGE}`)).filter((h) => h.startsWith('/v1/uptime'));
    const query = '?team=payments&from=2026-09-30T23%3A00%3A00Z&to=2026-11-01T00%3A00%3A00Z&tz=Europe/London';
    expect(links).toEqual([`/v1/uptime.csv${query}`, `/v1/uptime${query}`]);
    // Team names cannot hold '&', '#' or a space today (config/team-name.ts); should that change,
    // the link must still name the team alone.
    const odd = new URLSearchParams(downloadQuery({ team: 'a&b #c', from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z', tz: 'UTC' }));
    expect([...odd.keys()]).toEqual(['team', 'from', 'to', 'tz']);
    expect(odd.get('team')).toBe('a&b #c');
  });

  it('a path that cannot be a team is still not found, slash or not', async () => {
    const res = await fetch(`${t.gw.url}/uptime/style.css/`, { redirect: 'manual' });
    expect(res.status).toBe(404);
  });

  it("an unknown team's page is a 404 that offers a way back: every team's page and all services, for the range asked", async () => {
    const res = await fetch(`${t.gw.url}/uptime/nobody?${RANGE}`, { headers: html });
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text).toContain('unknown team &quot;nobody&quot; (no routes/nobody.yaml)');
    const links = hrefsOf(text).filter((h) => h.startsWith('/uptime') && !h.startsWith('/uptime/style.css'));
    // The header's brand link, then the teams with uptime checks and all services, the range kept by each.
    expect(links).toEqual([`/uptime?${RANGE}`, `/uptime/payments?${RANGE}`, `/uptime/platform?${RANGE}`, `/uptime/prisons?${RANGE}`, `/uptime?${RANGE}`]);
    for (const href of links) expect((await fetch(`${t.gw.url}${href}`, { headers: html })).status, href).toBe(200);
    // A path that cannot be a team's: the same way back; its query is not checked, so not kept.
    const odd = await fetch(`${t.gw.url}/uptime/Nobody!?${RANGE}`, { headers: html });
    expect(odd.status).toBe(404);
    expect(hrefsOf(await odd.text()).filter((h) => h.startsWith('/uptime/p') || h.startsWith('/uptime?') || h === '/uptime')).toEqual(['/uptime', '/uptime/payments', '/uptime/platform', '/uptime/prisons', '/uptime']);
    // Not a browser: the JSON error, as before.
    const json = await fetch(`${t.gw.url}/uptime/nobody?${RANGE}`);
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({ kind: 'not-found', error: 'unknown team "nobody" (no routes/nobody.yaml)' });
  });

  it('every link between the pages keeps the range and zone, the header\'s too, each zone written with its slash', async () => {
    for (const path of ['/uptime', '/uptime/payments']) {
      const text = await page(`${path}?month=2026-10&tz=europe/london`);
      const links = hrefsOf(text).filter((h) => /^\/uptime(\?|\/[a-z]|$)/.test(h) && !h.startsWith('/uptime/style.css'));
      // The brand link kept no range: from a London team page it led to a UTC overview of the last 30 days.
      expect(links[0], path).toBe('/uptime?month=2026-10&tz=Europe/London');
      // Period links replace the range (that is what they choose) and keep the zone, spelt as the other links spell it.
      const periods = links.filter((h) => new URL(h, t.gw.url).searchParams.has('period') || h === `${path}?tz=Europe/London`);
      expect(periods, path).toEqual([`${path}?tz=Europe/London`, ...['previous-month', 'month-to-date', 'quarter', 'previous-quarter'].map((p) => `${path}?period=${p}&tz=Europe/London`)]);
      for (const href of links.filter((h) => !periods.includes(h))) expect(href, path).toMatch(/\?month=2026-10&tz=Europe\/London(#service-[a-z-]+)?$/);
    }
  });

  it('a service named main has its own anchor: every id on the page is unique, and links reach the section', async () => {
    const team = await page(`/uptime/payments?${RANGE}`);
    const ids = idsOf(team);
    expect(ids.filter((id) => id === 'main')).toHaveLength(1);
    expect(new Set(ids).size).toBe(ids.length);
    // "Skip to the report" goes to <main>, not to the service's section.
    expect(team).toContain('<a class="skip" href="#main">');
    expect(team).toMatch(/<main id="main"/);
    expect(team).toMatch(/<section id="service-main" aria-labelledby="heading-main"><h2 id="heading-main">main<\/h2>/);
    expect(team).toMatch(/<section id="service-checkout" aria-labelledby="heading-checkout">/);
    // The links to each service, on both pages, name an id the team page has.
    const overview = await page(`/uptime?${RANGE}`);
    for (const text of [overview, team]) {
      const toServices = hrefsOf(text).filter((h) => h.startsWith('/uptime/payments') && h.includes('#'));
      expect(toServices).toEqual([`/uptime/payments?${RANGE}#service-checkout`, `/uptime/payments?${RANGE}#service-main`]);
      for (const href of toServices) expect(ids).toContain(href.split('#')[1]);
    }
  });

  it('a time zone typed in lower case is named as the tz database spells it: JSON, page, links and form', async () => {
    const res = await fetch(`${t.gw.url}/v1/uptime?team=payments&month=2026-10&tz=europe/london`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as UptimeReport;
    expect(report).toMatchObject({ tz: 'Europe/London', from: '2026-09-30T23:00:00Z', to: '2026-11-01T00:00:00Z' });
    const kolkata = (await (await fetch(`${t.gw.url}/v1/uptime?team=payments&month=2026-10&tz=asia/KOLKATA`)).json()) as UptimeReport;
    expect(kolkata.tz).toBe('Asia/Kolkata');

    for (const path of ['/uptime/payments?month=2026-10&tz=europe/london', '/uptime?month=2026-10&tz=europe/london']) {
      const text = await page(path);
      expect(text, path).toContain('(end excluded; days in Europe/London)');
      expect(text, path).not.toContain('europe/london');
      // Links to the other pages and periods carry the zone so spelt.
      const links = hrefsOf(text).filter((h) => /^\/uptime[/?]/.test(h) && h.includes('tz='));
      expect(links.length, path).toBeGreaterThan(0);
      for (const href of links) expect(new URL(href, t.gw.url).searchParams.get('tz'), href).toBe('Europe/London');
      expect(text, path).toMatch(/<input[^>]*name="tz"[^>]*value="Europe\/London"/);
      expect(hrefsOf(text), path).toContain('/uptime/payments?month=2026-10&tz=Europe/London#service-checkout');
    }
  });

  it.each([
    ['a bad period and a time zone that is none', 'period=7d&tz=Mars/Base', null],
    ['a day that is none in a zone that is none', 'from=2026-09-31&to=2026-10-05&tz=mars/base', null],
    ['a reversed range in a valid zone', 'from=2026-10-05&to=2026-10-01&tz=europe/london', 'Europe/London'],
  ])("a 400 page's links lead to no other 400 (%s): a value that is none is left out of them, a valid one kept", async (_, query, tz) => {
    for (const path of ['/uptime', '/uptime/payments']) {
      const res = await fetch(`${t.gw.url}${path}?${query}`, { headers: html });
      expect(res.status, `${path}?${query}`).toBe(400);
      const links = hrefsOf(await res.text()).filter((h) => h.startsWith('/'));
      const periods = links.filter((h) => h.startsWith(`${path}?period=`));
      expect(periods.length, path).toBe(4);
      for (const href of periods) expect(new URL(href, t.gw.url).searchParams.get('tz'), href).toBe(tz);
      if (tz === null) expect(links.filter((h) => h.includes('tz=')), path).toEqual([]);
      for (const href of links) expect((await fetch(`${t.gw.url}${href}`, { headers: html })).status, href).toBe(200);
    }
  });
});
