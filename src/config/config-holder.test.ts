/**
 * Reloads of the live config never overlap: calls made while one runs share one more reload,
 * which reads the files as they are after the last call.
 */
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createLogger } from '../log/logger.js';
import { ConfigHolder } from './config-holder.js';

const ESTATE_DIR = fileURLToPath(new URL('../../test/fixtures/estate', import.meta.url));
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alertgate-holder-'));
  await cp(ESTATE_DIR, dir, { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Replaces a file in one step, as a ConfigMap update does: writing it in place would let the
 * reload already running read it truncated (empty) half way through.
 */
async function replaceFile(file: string, text: string): Promise<void> {
  const staged = join(dir, 'staged.tmp'); // outside routes/, which the reload lists
  await writeFile(staged, text);
  await rename(staged, file);
}

it('runs one reload at a time: calls made meanwhile share the next, which reads the files after the last call', async () => {
  const logs: string[] = [];
  const holder = new ConfigHolder(dir, { TEST_PD_PAYMENTS_KEY: 'k' }, createLogger({ level: 'info', write: (l) => logs.push(l) }));
  const file = join(dir, 'routes', 'prisons.yaml');
  const original = await readFile(file, 'utf8');
  const first = holder.reload();
  const second = holder.reload();
  const third = holder.reload();
  // Written after the calls: only a reload that starts after the first has finished can see it.
  await replaceFile(file, original.replace('#prisons-alerts', '#prisons-oncall'));
  expect(second).toBe(third);
  expect(await Promise.all([first, second, third])).toEqual([
    { ok: true, errors: [] },
    { ok: true, errors: [] },
    { ok: true, errors: [] },
  ]);
  expect(logs.filter((l) => l.includes('configuration loaded'))).toHaveLength(2);
  expect(JSON.stringify(holder.current()?.teams.get('prisons'))).toContain('#prisons-oncall');
  // Once idle, a call reloads at once.
  await replaceFile(file, original);
  await holder.reload();
  expect(JSON.stringify(holder.current()?.teams.get('prisons'))).toContain('#prisons-alerts');
});

it("remembers the PagerDuty key source of a team whose pagerduty: a reload removed, across later reloads, until the config names one again", async () => {
  const holder = new ConfigHolder(dir, { TEST_PD_PAYMENTS_KEY: 'k' }, createLogger({ level: 'error', write: () => {} }));
  const file = join(dir, 'routes', 'payments.yaml');
  const original = await readFile(file, 'utf8');
  await holder.reload();
  expect(holder.retiredPagerDutySources()).toEqual([]);

  await rm(file);
  await holder.reload();
  await holder.reload();
  expect(holder.retiredPagerDuty('payments')).toEqual({ routingKeyEnv: 'TEST_PD_PAYMENTS_KEY' });
  expect(holder.retiredPagerDutySources()).toEqual([['payments', { routingKeyEnv: 'TEST_PD_PAYMENTS_KEY' }]]);

  // Back with its pagerduty: the live config speaks for it again.
  await replaceFile(file, original);
  await holder.reload();
  expect(holder.retiredPagerDuty('payments')).toBeUndefined();
  // Only the block removed, the team kept: the same.
  await replaceFile(file, original.replace(/pagerduty:\n  routingKeyEnv: TEST_PD_PAYMENTS_KEY\n/, '').replace(/receivers: \[pagerduty, slack\]/, 'receivers: [slack]'));
  expect((await holder.reload()).ok).toBe(true);
  expect(holder.retiredPagerDuty('payments')).toEqual({ routingKeyEnv: 'TEST_PD_PAYMENTS_KEY' });
});
