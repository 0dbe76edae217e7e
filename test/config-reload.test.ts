/**
 * POST /-/reload: a broken config is refused with its errors, the old config keeps routing, and
 * alertgate_config_last_reload_successful says so; a fixed config is picked up.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, ESTATE_DIR, startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

let fakes: Fakes;
let t: TestGateway;
let configDir: string;

beforeEach(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'alertgate-reload-'));
  await cp(ESTATE_DIR, configDir, { recursive: true });
  fakes = await startFakes();
  t = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir });
});
afterEach(async () => {
  await t.close();
  await fakes.close();
  await rm(configDir, { recursive: true, force: true });
});

const reload = (token?: string) =>
  fetch(`${t.gw.url}/-/reload`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
const reloadGauge = async () => /^alertgate_config_last_reload_successful (\d)/m.exec(await fetch(`${t.gw.url}/metrics`).then((r) => r.text()))?.[1];

describe('config reload', () => {
  it('needs the admin token', async () => {
    expect((await reload()).status).toBe(401);
  });

  it('keeps the previous config when the new one is invalid, and applies a fixed one', async () => {
    const file = join(configDir, 'routes', 'prisons.yaml');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('#prisons-alerts', '#prisons-alerts"\n  bogus: [').replace('owns:', 'ownz:'));
    const bad = await reload(ADMIN_TOKEN);
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; errors: string[] };
    expect(body.error).toContain('previous configuration is kept');
    expect(body.errors.length).toBeGreaterThan(0);
    expect(body.errors.every((e) => /^routes\/prisons\.yaml:\d+:\d+ /.test(e))).toBe(true);
    expect(await reloadGauge()).toBe('0');

    // Still routing with the old config: prisons alerts reach #prisons-alerts.
    await t.post(webhook('{}:{alertname="StillRouted"}', [{ labels: { alertname: 'StillRouted', namespace: 'prisoner-offender-search-prod' } }]));
    const post = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage');
    expect(post.body.channel).toBe('#prisons-alerts');

    await writeFile(file, original.replace('#prisons-alerts', '#prisons-oncall'));
    expect((await reload(ADMIN_TOKEN)).status).toBe(200);
    expect(await reloadGauge()).toBe('1');
    await t.post(webhook('{}:{alertname="Rerouted"}', [{ labels: { alertname: 'Rerouted', namespace: 'prisoner-offender-search-prod' } }]));
    const rerouted = await fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === '#prisons-oncall');
    expect(String(rerouted.body.text)).toContain('Rerouted');
  });
});
