/**
 * A manager walking the uptime pages in a real browser (Debian chromium driven by playwright-core,
 * as uptime-pages.test.ts): by keyboard alone through the range form and the links, on a phone,
 * on paper (print media), and over a month with no data and one with an outage. Each case is one
 * a manager found wrong: it fails on the pages as they were before it.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../src/testing/binaries.js';
import { ARTIFACTS, openPage, useUptimeBrowser } from './support/uptime-browser.js';

const promtool = requireBinary('promtool');
const prometheus = requireBinary('prometheus');
const chromiumBin = requireBinary('chromium');
/** October: checkout down 1h 20m across the London clock change (and a minute on the 5th). */
const OUTAGE = 'month=2026-10&tz=Europe/London';
/** July: before the fixture's first sample (3 August), nothing measured. */
const NO_DATA = 'month=2026-07&tz=Europe/London';
const PHONE = { width: 360, height: 740 };

const rig = useUptimeBrowser({ promtool, prometheus, chromium: chromiumBin });

/** Opens `path` in a fresh page and expects `status`; console errors (but the status's own) are collected. */
function open(path: string, viewport?: { width: number; height: number }, status?: number): Promise<{ page: Page; errors: string[] }> {
  return openPage(rig(), path, { viewport, status, ignore: /status of 400/ });
}

/** Presses Tab until `target` has the focus (at most `max` times); the stops passed, each with whether its focus is visible. */
async function tabTo(page: Page, target: string, max = 40): Promise<Array<{ what: string; outline: string }>> {
  const stops: Array<{ what: string; outline: string }> = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate((selector) => {
      const el = document.activeElement as HTMLElement;
      return { what: `${el.tagName.toLowerCase()} ${el.getAttribute('href') ?? el.getAttribute('name') ?? el.textContent?.trim()}`, outline: getComputedStyle(el).outlineStyle, at: el.matches(selector) };
    }, target);
    stops.push({ what: stop.what, outline: stop.outline });
    if (stop.at) return stops;
  }
  throw new Error(`Tab never reached ${target}: ${stops.map((s) => s.what).join(', ')}`);
}

describe.skipIf(!promtool || !prometheus || !chromiumBin)('a manager walks the uptime pages', () => {
  it('by keyboard: a period typed wrong is corrected in the 400 page\'s form, and the header leads back with the range', async () => {
    const { page, errors } = await open('/uptime/payments?period=fortnight&tz=Europe/London', undefined, 400);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('period: "fortnight" is not one of');
    // The period given is in the form, where the reader can see and change it.
    const period = page.locator('form.custom').getByLabel('Period');
    expect(await period.count()).toBe(1); // the form had only From, To and the zone
    await expect(period.inputValue()).resolves.toBe('fortnight');
    // Drawn as the form's other fields are (it was the browser's small default, a hard target on a phone).
    const heights = await page.locator('form.custom').evaluate((form) => ['select[name="period"]', 'input[name="tz"]'].map((s) => Math.round(form.querySelector(s)!.getBoundingClientRect().height)));
    expect(Math.abs(heights[0]! - heights[1]!), `${heights}`).toBeLessThanOrEqual(3);
    const stops = await tabTo(page, 'select[name="period"]');
    // Every stop on the way shows where the focus is (a date field's inner parts aside, drawn by the browser).
    expect(stops.filter((s) => s.outline === 'none' && !s.what.startsWith('input ')).map((s) => s.what)).toEqual([]);
    await page.keyboard.press('ArrowDown'); // "None: From and To"
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown'); // previous-day, previous-week, previous-month
    await expect(period.inputValue()).resolves.toBe('previous-month');
    await tabTo(page, 'button[type="submit"]', 5);
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().includes('period=previous-month')), page.keyboard.press('Enter')]);
    expect(answer.status()).toBe(200);
    await page.waitForURL(/period=previous-month/);
    const url = new URL(page.url());
    expect([url.pathname, url.searchParams.get('tz')]).toEqual(['/uptime/payments', 'Europe/London']);
    await expect(page.getByRole('link', { name: 'Previous month' }).getAttribute('aria-current')).resolves.toBe('page');

    // On the report: the header's link, first after "Skip to the report", keeps range and zone.
    await page.goto(`${rig().t.gw.url}/uptime/payments?${OUTAGE}`);
    await tabTo(page, 'a.brand', 2);
    await Promise.all([page.waitForURL(/\/uptime\?/), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).search).toBe(`?${OUTAGE}`);
    await expect(page.locator('p.range').textContent()).resolves.toContain('From 2026-10-01 00:00:00 BST to 2026-11-01 00:00:00 GMT');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('on a phone: the day-by-day table fits the screen, each date on one line', async () => {
    for (const range of [OUTAGE, NO_DATA]) {
      const { page, errors } = await open(`/uptime/payments?${range}`, PHONE);
      const checkout = page.locator('section#service-checkout');
      await checkout.locator('summary').focus();
      await page.keyboard.press('Enter'); // opened by keyboard, as a summary is
      const box = checkout.locator('details div.scroll');
      await expect(box.isVisible()).resolves.toBe(true);
      await checkout.screenshot({ path: join(ARTIFACTS, `uptime-walk-phone-days-${range.slice(6, 13)}.png`) });
      // Wider than its box, its last column ("Compared with objective") was cut off behind a sideways scroll.
      const hidden = await box.evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(hidden, range).toBeLessThanOrEqual(0);
      // "2026-10-25" broke after "2026-": each date on one line.
      const lines = await box.locator('tbody th').evaluateAll((cells) =>
        cells.map((cell) => {
          const r = document.createRange();
          r.selectNodeContents(cell);
          return new Set([...r.getClientRects()].map((rect) => Math.round(rect.top))).size;
        }),
      );
      expect(new Set(lines), range).toEqual(new Set([1]));
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('on paper: the report without its controls, the day-by-day tables printed, dark text whatever the screen\'s scheme', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, errors } = await open(`/uptime/payments?${OUTAGE}`);
      await page.emulateMedia({ media: 'print', colorScheme });
      // Links and a form do nothing on paper.
      for (const control of ['a.skip', 'p.back', 'nav.periods', 'form.custom', 'p.downloads']) {
        await expect(page.locator(control).first().isVisible(), `${control} (${colorScheme})`).resolves.toBe(false);
      }
      // The outage is on paper: incidents, and the day of it in the day-by-day table (closed on screen).
      const checkout = page.locator('section#service-checkout');
      await expect(checkout.getByRole('table', { name: 'Incidents of checkout (2)' }).locator('tbody tr').nth(1).isVisible()).resolves.toBe(true);
      const day = checkout.getByRole('table', { name: 'Daily uptime of checkout' }).getByRole('row', { name: /2026-10-25/ });
      await expect(day.isVisible(), colorScheme).resolves.toBe(true);
      // Nothing cut at the edge of a scroll box (paper does not scroll).
      const clipped = await page.locator('div.scroll').evaluateAll((boxes) => boxes.filter((b) => getComputedStyle(b).overflowX !== 'visible').length);
      expect(clipped, colorScheme).toBe(0);
      // A dark screen scheme printed light text on white paper.
      const text = await page.locator('h1').evaluate((el) => getComputedStyle(el).color);
      expect(text, colorScheme).toBe('rgb(29, 31, 35)');
      await page.pdf({ path: join(ARTIFACTS, `uptime-walk-print-${colorScheme}.pdf`), format: 'A4' });
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('a range of an hour, the outage\'s: "1 day", and changing the zone in the form keeps the hour (not "until now")', async () => {
    const { page, errors } = await open('/uptime/payments?from=2026-10-25T01:00:00Z&to=2026-10-25T02:00:00Z&tz=Europe/London');
    const checkout = page.locator('section#service-checkout');
    await expect(checkout.locator('p.strip-note').textContent()).resolves.toBe('1 day: 0 met the objective, 1 below it; lowest 0.000% on 2026-10-25');
    await expect(checkout.locator('summary').textContent()).resolves.toBe('Day by day (1 day)');
    const form = page.locator('form.custom');
    // Instants, as the range is not of whole days: a date would widen it, an empty To run it until now.
    await expect(form.getByLabel('From').inputValue()).resolves.toBe('2026-10-25T01:00:00Z');
    await expect(form.getByLabel('To (exclusive)').inputValue()).resolves.toBe('2026-10-25T02:00:00Z');
    await form.getByLabel('Time zone').fill('UTC');
    await Promise.all([page.waitForURL(/tz=UTC/), form.getByRole('button', { name: 'Show' }).click()]);
    await expect(page.locator('p.range').textContent()).resolves.toBe('From 2026-10-25 01:00:00 UTC to 2026-10-25 02:00:00 UTC (end excluded; days in UTC)');
    await expect(page.getByRole('table', { name: 'Incidents of checkout (1)' }).locator('tbody tr').first().textContent()).resolves.toBe(
      '2026-10-25 01:00:00 UTC (already down when the range starts)2026-10-25 02:00:00 UTC (still down when the range ends)1h 0m',
    );
    // A range to now keeps To empty ("until now"), its From the day it starts.
    await page.goto(`${rig().t.gw.url}/uptime/payments?from=2026-10-25&tz=Europe/London`);
    await expect(form.getByLabel('From').inputValue()).resolves.toBe('2026-10-25');
    await expect(form.getByLabel('To (exclusive)').inputValue()).resolves.toBe('');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a month with no data says so, not "0 met the objective"', async () => {
    for (const path of [`/uptime/payments?${NO_DATA}`, `/uptime?${NO_DATA}`]) {
      const { page, errors } = await open(path);
      const strip = page.getByRole('img', { name: /Daily uptime of checkout/ }).first();
      await expect(strip.getAttribute('aria-label')).resolves.toBe('Daily uptime of checkout. 31 days, none measured (no data)');
      if (path.startsWith('/uptime/')) await expect(page.locator('section#service-checkout p.strip-note').textContent()).resolves.toBe('31 days, none measured (no data)');
      await page.screenshot({ path: join(ARTIFACTS, `uptime-walk-no-data${path.startsWith('/uptime/') ? '-team' : ''}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    }
    // A month measured in part keeps its counts (book-a-visit starts on 10 August).
    const { page } = await open('/uptime/prisons?month=2026-08');
    await expect(page.locator('section#service-book-a-visit p.strip-note').textContent()).resolves.toBe('31 days: 22 met the objective, 0 below it, 9 without data');
    await page.close();
  });
});
