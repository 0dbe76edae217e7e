/**
 * A team (or a maintenance window) removed from the routes config while alertgate holds state
 * for it: groups a window holds. Nothing accepted may be lost, and no such state may outlive its
 * config: held groups are released (their alerts reach the team that owns them now).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, ESTATE_DIR, startFakes, startTestGateway, waitUntil, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway | undefined;
let configDir: string;
let dataDir: string;

beforeEach(async () => {
  fakes = await startFakes();
  configDir = await mkdtemp(join(tmpdir(), 'alertgate-deleted-'));
  dataDir = await mkdtemp(join(tmpdir(), 'alertgate-deleted-db-'));
  await cp(ESTATE_DIR, configDir, { recursive: true });
});
afterEach(async () => {
  await t?.close();
  t = undefined;
  await fakes.close();
  await rm(configDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const prisonsFile = () => join(configDir, 'routes', 'prisons.yaml');
/** One database across restarts (startTestGateway's own lives in a folder it deletes). */
const start = (env: Record<string, string> = {}) =>
  startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir, DATABASE_URL: `sqlite:${join(dataDir, 'alertgate.db')}`, MAINTENANCE_TICK_MS: '100', ...env });
async function reload(): Promise<void> {
  const r = await fetch(`${t!.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(r.status).toBe(200);
}
/** A gauge of /metrics for a team (0 when it has no such series). */
async function gauge(name: string, team: string): Promise<number> {
  const text = await fetch(`${t!.gw.url}/metrics`).then((r) => r.text());
  return Number(new RegExp(`^${name}\\{team="${team}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}
const heldCount = async (team: string) => (await t!.gw.store.heldGroupCounts())[team] ?? 0;
const searchDown = (status: 'firing' | 'resolved' = 'firing') =>
  webhook('{}:{alertname="SearchDown"}', [{ labels: { alertname: 'SearchDown', namespace: 'prisoner-offender-search-prod' }, status, fingerprint: 'd000000000000001' }]);
const indexBlip = (status: 'firing' | 'resolved' = 'firing') =>
  webhook('{}:{alertname="SearchIndexBlip"}', [{ labels: { alertname: 'SearchIndexBlip', namespace: 'prisoner-offender-search-prod' }, status, fingerprint: 'd000000000000002' }]);

/** prisons' config with a window holding every prisons alert for an hour. */
async function prisonsUnderMaintenance(): Promise<void> {
  const original = await readFile(prisonsFile(), 'utf8');
  await writeFile(prisonsFile(), `${original}maintenance:\n  - reason: "search cluster move"\n    start: "${iso(-60_000)}"\n    end: "${iso(3_600_000)}"\n`);
}

/** SearchDown held, still firing; SearchIndexBlip resolved inside the window (held no more, nothing to send). */
async function holdTwoGroups(): Promise<void> {
  for (const body of [searchDown(), indexBlip(), indexBlip('resolved')]) expect((await t!.post(body)).status).toBe(202);
  await t!.idle();
  expect(fakes.slack.requests).toHaveLength(0);
  expect(await heldCount('prisons')).toBe(1);
}

describe('a team removed while a maintenance window holds its groups', () => {
  it('on reload: the still-firing group reaches its new owner, and nothing of the team stays held', async () => {
    await prisonsUnderMaintenance();
    t = await start();
    await holdTwoGroups();

    await rm(prisonsFile());
    await reload();
    // The namespace has no owner now: the fallback team (platform) hears of SearchDown.
    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 10_000);
    expect(post.body.channel).toBe('#platform-alerts');
    expect(String(post.body.text)).toContain('SearchDown');
    await waitUntil(async () => (await heldCount('prisons')) === 0, 10_000, 'prisons to hold nothing');
    expect(await gauge('alertgate_maintenance_held_groups', 'prisons')).toBe(0);
    await t.idle();
    expect(fakes.slack.messages.size).toBe(1);
  });

  it('on a restart with the new config: the same', async () => {
    await prisonsUnderMaintenance();
    t = await start();
    await holdTwoGroups();
    await t.close();
    t = undefined;

    await rm(prisonsFile());
    t = await start();
    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 10_000);
    expect(post.body.channel).toBe('#platform-alerts');
    await waitUntil(async () => (await heldCount('prisons')) === 0, 10_000, 'prisons to hold nothing');
    await t.idle();
    expect(fakes.slack.messages.size).toBe(1);
  });
});

describe('a maintenance window removed from the config while it holds groups', () => {
  it('delivers the held group that still fires, at the reload', async () => {
    const original = await readFile(prisonsFile(), 'utf8');
    await prisonsUnderMaintenance();
    t = await start();
    await holdTwoGroups();

    await writeFile(prisonsFile(), original);
    await reload();
    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 10_000);
    expect(post.body.channel).toBe('#prisons-alerts');
    expect(String(post.body.text)).toContain('SearchDown');
    await waitUntil(async () => (await heldCount('prisons')) === 0, 10_000, 'prisons to hold nothing');
    await t.idle();
    expect(fakes.slack.messages.size).toBe(1);
  });
});
