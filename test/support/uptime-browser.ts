/**
 * The rig of an uptime-pages test file: the uptime rig (real Prometheus, fakes, gateway; see
 * uptime-rig.ts) and Debian's chromium driven by playwright-core (never a downloaded browser),
 * headless in a throwaway profile. Screenshots and PDFs go under test-artifacts/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { useUptimeRig, type UptimeRig } from './uptime-rig.js';

export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export interface UptimeBrowser extends UptimeRig {
  browser: BrowserContext;
}

/**
 * Starts the uptime rig, then the browser, before the file's tests; closes the browser before the
 * rig stops (vitest runs after-hooks in reverse). Without promtool, prometheus or chromium nothing
 * starts and the file's suites skip themselves.
 */
export function useUptimeBrowser(bins: { promtool: string | undefined; prometheus: string | undefined; chromium: string | undefined }): () => UptimeBrowser {
  const rig = useUptimeRig(bins);
  let profile: string | undefined;
  let browser: BrowserContext | undefined;
  beforeAll(async () => {
    if (!bins.promtool || !bins.prometheus || !bins.chromium) return;
    await mkdir(ARTIFACTS, { recursive: true });
    profile = await mkdtemp(join(tmpdir(), 'alertgate-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: bins.chromium,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    browser = profile = undefined;
  });
  return () => {
    if (!browser) throw new Error('the browser is not started (useUptimeBrowser runs in beforeAll)');
    return { ...rig(), browser };
  };
}

/**
 * Opens `path` of the gateway in a fresh page at `viewport` and expects `status`; console errors
 * (but those matching `ignore`, e.g. the browser's note of a 400 asked for) and page errors are
 * collected.
 */
export async function openPage(
  rig: UptimeBrowser,
  path: string,
  { viewport = { width: 1280, height: 900 }, status = 200, ignore }: { viewport?: { width: number; height: number }; status?: number; ignore?: RegExp } = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await rig.browser.newPage();
  await page.setViewportSize(viewport);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !ignore?.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  const res = await page.goto(`${rig.t.gw.url}${path}`, { waitUntil: 'load' });
  expect(res?.status(), path).toBe(status);
  return { page, errors };
}
