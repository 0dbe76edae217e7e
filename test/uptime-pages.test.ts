/**
 * The uptime pages in a real browser (Debian chromium driven by playwright-core, never a
 * downloaded browser): services, figures and incident rows are visible, the stylesheet applies
 * under the strict CSP, nothing logs a console error (CSP violations would), the page fits a
 * phone, and screenshots are saved under test-artifacts/ for people to look at.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../src/testing/binaries.js';
import { formatDuration, formatPercent } from '../src/uptime/format.js';
import type { UptimeReport } from '../src/uptime/report-types.js';
import { ADMIN_TOKEN } from './support/gateway.js';
import { ARTIFACTS, openPage, useUptimeBrowser } from './support/uptime-browser.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const chromiumBin = requireBinary('chromium');
const RANGE = 'month=2026-10&tz=Europe/London';

const rig = useUptimeBrowser({ promtool, prometheus, chromium: chromiumBin });

/** Opens `path` in a fresh page, collecting console errors and page errors. */
function open(path: string, viewport?: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
  return openPage(rig(), path, { viewport });
}

async function report(team: string): Promise<UptimeReport> {
  return (await (await fetch(`${rig().t.gw.url}/v1/uptime?team=${team}&${RANGE}`)).json()) as UptimeReport;
}

describe.skipIf(!promtool || !prometheus || !chromiumBin)('uptime pages in headless Chromium', () => {
  it('/uptime: one row per service of every team, with uptime, objective, budget and daily bars', async () => {
    const { page, errors } = await open(`/uptime?${RANGE}`);
    const payments = await report('payments');
    const table = page.getByRole('table', { name: /6 services of 3 teams/ });
    await expect(table.isVisible()).resolves.toBe(true);
    for (const name of ['checkout', 'basket', 'search', 'book-a-visit', 'legacy', 'api']) {
      await expect(table.getByRole('rowheader', { name }).isVisible(), name).resolves.toBe(true);
    }
    const checkout = table.getByRole('row', { name: /checkout/ });
    const figures = payments.services.find((s) => s.service === 'checkout')!;
    await expect(checkout.getByRole('cell', { name: formatPercent(figures.uptimePercent) }).isVisible()).resolves.toBe(true);
    await expect(checkout.getByRole('cell', { name: '99.9%' }).isVisible()).resolves.toBe(true);
    // 81 minutes down against 44.6 allowed: the budget is exhausted, said in words.
    await expect(checkout.getByText('exhausted').isVisible()).resolves.toBe(true);
    await expect(table.getByRole('row', { name: /legacy/ }).getByText('no data').first().isVisible()).resolves.toBe(true);
    // The strip: 31 bars, described for screen readers.
    const strip = checkout.getByRole('img', { name: /Daily uptime of checkout\. 31 days: 30 met the objective, 1 below it; lowest 94.666% on 2026-10-25/ });
    await expect(strip.isVisible()).resolves.toBe(true);
    expect(await strip.locator('rect').count()).toBe(31);
    // The stylesheet applied (so the CSP let it through): bars are coloured by class.
    const fill = await page.locator('svg.strip rect.ok').first().evaluate((el) => getComputedStyle(el).fill);
    expect(fill).toBe('rgb(27, 122, 58)');

    await page.screenshot({ path: join(ARTIFACTS, 'uptime-overview.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('/uptime: a service measured for part of the range says how long it had no data under its uptime, as the Slack post does', async () => {
    const { page, errors } = await open(`/uptime?${RANGE}`);
    const platform = await report('platform');
    // api is probed 10–13 October only: its 99.9…% is of three days, not of the month.
    const api = platform.services.find((s) => s.service === 'api')!;
    const cell = page.getByRole('row', { name: /\bapi\b/ }).locator('td[data-label="Uptime"]');
    await expect(cell.innerText()).resolves.toMatch(new RegExp(`^${formatPercent(api.uptimePercent).replace('.', '\\.')}\\s+no data ${formatDuration(api.noDataSeconds)} \\(not counted\\)$`));
    // Fully measured, or never measured at all ("no data" already): nothing added.
    const checkout = page.getByRole('row', { name: /checkout/ }).locator('td[data-label="Uptime"]');
    await expect(checkout.innerText()).resolves.not.toContain('no data');
    await expect(page.getByRole('row', { name: /legacy/ }).locator('td[data-label="Uptime"]').innerText()).resolves.toBe('no data');
    // What is left out, said as the CLI table says it: no data, and downtime in maintenance.
    await expect(page.locator('footer').innerText()).resolves.toContain('Time without samples is “no data”: neither up nor down. Downtime inside maintenance windows is not counted.');
    expect(errors).toEqual([]);
    await page.close();
    // On a phone the note wraps inside its card: the services table does not grow wider than
    // its scroll box (which would hide the team, objective and the strip's last days).
    const phone = await open(`/uptime?${RANGE}`, { width: 390, height: 844 });
    const hidden = await phone.page.locator('div.scroll').first().evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(hidden).toBeLessThanOrEqual(0);
    expect(phone.errors).toEqual([]);
    await phone.page.close();
  });

  it('/uptime/{team}: per service figures, daily bars, incidents table and budget', async () => {
    const { page, errors } = await open(`/uptime/payments?${RANGE}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Uptime of team payments');
    for (const name of ['checkout', 'basket', 'search']) {
      await expect(page.getByRole('heading', { level: 2, name }).isVisible(), name).resolves.toBe(true);
    }
    const checkout = page.locator('section#service-checkout');
    await expect(checkout.locator('dl.figures').textContent()).resolves.toContain('Downtime1h 21m');
    const incidents = checkout.getByRole('table', { name: 'Incidents of checkout (2)' });
    const rows = incidents.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    // Times are shown in the report's zone: the clock change is visible in the incident row.
    await expect(rows.nth(1).textContent()).resolves.toBe('2026-10-25 01:50:00 BST2026-10-25 02:10:00 GMT1h 20m');
    await expect(rows.nth(0).isVisible()).resolves.toBe(true);
    const basketRows = page.getByRole('table', { name: 'Incidents of basket (1)' }).locator('tbody tr');
    await expect(basketRows.first().textContent()).resolves.toContain('2026-10-12 09:00:13 BST');
    // No incidents: said, not an empty table.
    await expect(page.locator('section#service-search').getByText('No incidents in this period.').isVisible()).resolves.toBe(true);
    // The day-by-day table opens without script.
    await checkout.locator('summary').click();
    const daily = checkout.getByRole('table', { name: 'Daily uptime of checkout' });
    await expect(daily.getByRole('row', { name: /2026-10-25/ }).textContent()).resolves.toContain('94.666%');

    await page.screenshot({ path: join(ARTIFACTS, 'uptime-team-payments.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a phone screen without sideways scrolling of the page', async () => {
    for (const path of [`/uptime?${RANGE}`, `/uptime/payments?${RANGE}`]) {
      const { page, errors } = await open(path, { width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
      await expect(page.getByRole('heading', { level: 1 }).isVisible()).resolves.toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, `uptime-phone-${path.startsWith('/uptime/') ? 'team' : 'overview'}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('the range form starts from the range shown: changing the time zone keeps the month', async () => {
    const { page, errors } = await open(`/uptime/payments?${RANGE}`);
    const form = page.locator('form.custom');
    await expect(form.getByLabel('From').inputValue()).resolves.toBe('2026-10-01');
    await expect(form.getByLabel('To (exclusive)').inputValue()).resolves.toBe('2026-11-01');
    await form.getByLabel('Time zone').fill('UTC');
    await Promise.all([page.waitForURL(/tz=UTC/), form.getByRole('button', { name: 'Show' }).click()]);
    await expect(page.locator('p.range').textContent()).resolves.toBe('From 2026-10-01 00:00:00 UTC to 2026-11-01 00:00:00 UTC (end excluded; days in UTC)');
    expect(errors).toEqual([]);
    await page.close();

    // An instant names the day it falls on in the page's zone, not its UTC date (30 September).
    const overview = await open('/uptime?from=2026-09-30T23:00:00Z&to=2026-10-15&tz=Europe/London');
    const overviewForm = overview.page.locator('form.custom');
    await expect(overviewForm.getByLabel('From').inputValue()).resolves.toBe('2026-10-01');
    await expect(overviewForm.getByLabel('To (exclusive)').inputValue()).resolves.toBe('2026-10-15');
    await overview.page.close();
  });

  it('the error page of a bad range shows the range form with the values as given (still a 400); correcting one gives the report', async () => {
    // A date that does not exist, on a team page: the form under the error keeps it as typed
    // (a date input would drop a value that is no date), and the other fields as given.
    const page = await rig().browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => (m.type() === 'error' && !/status of 400/.test(m.text()) ? errors.push(m.text()) : undefined));
    const res = await page.goto(`${rig().t.gw.url}/uptime/payments?from=2026-09-31&to=2026-10-15&tz=Europe/London`);
    expect(res?.status()).toBe(400);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('from: "2026-09-31" is not a date: September has 30 days');
    const form = page.locator('form.custom');
    await expect(form.getByLabel('From').inputValue()).resolves.toBe('2026-09-31');
    await expect(form.getByLabel('To (exclusive)').inputValue()).resolves.toBe('2026-10-15');
    await expect(form.getByLabel('Time zone').inputValue()).resolves.toBe('Europe/London');
    await form.getByLabel('From').fill('2026-09-30');
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().includes('from=2026-09-30')), form.getByRole('button', { name: 'Show' }).click()]);
    expect(answer.status()).toBe(200);
    await page.waitForURL(/from=2026-09-30/);
    expect(new URL(page.url()).pathname).toBe('/uptime/payments');
    await expect(page.locator('p.range').textContent()).resolves.toBe('From 2026-09-30 00:00:00 BST to 2026-10-15 00:00:00 BST (end excluded; days in Europe/London)');

    // An unknown zone on the overview: corrected in the form, the dates kept.
    const res2 = await page.goto(`${rig().t.gw.url}/uptime?from=2026-10-01&to=2026-11-01&tz=Mars/Base`);
    expect(res2?.status()).toBe(400);
    await expect(form.getByLabel('From').inputValue()).resolves.toBe('2026-10-01');
    await expect(form.getByLabel('From').getAttribute('type')).resolves.toBe('date');
    await expect(form.getByLabel('Time zone').inputValue()).resolves.toBe('Mars/Base');
    await form.getByLabel('Time zone').fill('Europe/London');
    const [answer2] = await Promise.all([page.waitForResponse((r) => r.url().includes('tz=Europe')), form.getByRole('button', { name: 'Show' }).click()]);
    expect(answer2.status()).toBe(200);
    await page.waitForURL(/tz=Europe/);
    expect(new URL(page.url()).pathname).toBe('/uptime');
    await expect(page.locator('p.range').textContent()).resolves.toBe('From 2026-10-01 00:00:00 BST to 2026-11-01 00:00:00 GMT (end excluded; days in Europe/London)');
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the day-by-day table gives each day's maintenance time, as the JSON does", async () => {
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const window = { team: 'payments', matchers: ['service="checkout"'], start: '2026-10-25T00:00:00Z', end: '2026-10-25T01:30:00Z', reason: 'clock change' };
    const created = await fetch(`${rig().t.gw.url}/v1/maintenance`, { method: 'POST', headers, body: JSON.stringify(window) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    try {
      const day = (await report('payments')).services.find((s) => s.service === 'checkout')!.daily.find((d) => d.date === '2026-10-25')!;
      expect(day).toMatchObject({ downSeconds: 2400, maintenanceSeconds: 5400 });
      const { page, errors } = await open(`/uptime/payments?${RANGE}`);
      const checkout = page.locator('section#service-checkout');
      await checkout.locator('summary').click();
      const daily = checkout.getByRole('table', { name: 'Daily uptime of checkout' });
      await expect(daily.locator('thead th').allTextContents()).resolves.toEqual(['Date', 'Uptime', 'Down', 'No data', 'Maintenance', 'Compared with objective']);
      const cells = await daily.getByRole('row', { name: /2026-10-25/ }).locator('th, td').allTextContents();
      expect(cells).toEqual(['2026-10-25', formatPercent(day.uptimePercent), '40m 0s', '0s', '1h 30m', 'well below objective']);
      // A service no window covered keeps its table as it was.
      const basket = page.locator('section#service-basket details table');
      await expect(basket.locator('thead th').allTextContents()).resolves.toEqual(['Date', 'Uptime', 'Down', 'No data', 'Compared with objective']);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      expect((await fetch(`${rig().t.gw.url}/v1/maintenance/${id}`, { method: 'DELETE', headers })).status).toBe(204);
    }
  });

  it('text anyone can set shows as text in the browser: a maintenance reason, a reflected time zone', async () => {
    const attack = '"><img src=x onerror=alert(1)></style><script>alert(2)</script><a href="javascript:alert(3)">x</a>';
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const window = { team: 'payments', matchers: ['service="basket"'], start: '2026-10-03T00:00:00Z', end: '2026-10-03T01:00:00Z', reason: attack };
    const created = await fetch(`${rig().t.gw.url}/v1/maintenance`, { method: 'POST', headers, body: JSON.stringify(window) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const dialogs: string[] = [];
    try {
      const { page, errors } = await open(`/uptime/payments?${RANGE}`);
      page.on('dialog', (d) => (dialogs.push(d.message()), void d.dismiss()));
      const windows = page.locator('section#service-basket').getByRole('table', { name: /Maintenance windows of basket/ });
      await expect(windows.locator('tbody td').nth(2).textContent()).resolves.toBe(attack);
      expect(await page.locator('main img, main script, main a[href^="javascript:"]').count()).toBe(0);
      expect(errors).toEqual([]);
      await page.close();

      // The error page that names a bad time zone: shown as typed, nothing of it runs.
      const bad = await rig().browser.newPage();
      bad.on('dialog', (d) => (dialogs.push(d.message()), void d.dismiss()));
      const res = await bad.goto(`${rig().t.gw.url}/uptime?tz=${encodeURIComponent(attack)}`);
      expect(res?.status()).toBe(400);
      await expect(bad.getByRole('alert').textContent()).resolves.toContain(attack);
      // …and in the range form under it, as a value to correct.
      await expect(bad.locator('form.custom').getByLabel('Time zone').inputValue()).resolves.toBe(attack);
      expect(await bad.locator('main img, main script, main a[href^="javascript:"]').count()).toBe(0);
      await bad.close();
      expect(dialogs).toEqual([]);
    } finally {
      expect((await fetch(`${rig().t.gw.url}/v1/maintenance/${id}`, { method: 'DELETE', headers })).status).toBe(204);
    }
  });

  it('escapes what it shows and sends a strict Content-Security-Policy', async () => {
    const res = await fetch(`${rig().t.gw.url}/uptime/payments?${RANGE}&from=%3Cscript%3E`);
    expect(res.status).toBe(400);
    const page = await fetch(`${rig().t.gw.url}/uptime?${RANGE}`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    const html = await page.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|style=/i);
    const bad = await fetch(`${rig().t.gw.url}/uptime?tz=%3Cimg%20src%3Dx%3E`, { headers: { accept: 'text/html' } });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).not.toContain('<img src=x>');
    expect(text).toContain('&lt;img src=x&gt;');
  });
});
