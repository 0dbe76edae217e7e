/**
 * A team (or a maintenance window, or a Slack channel) removed from the routes config while
 * alertgate holds state for it: groups a window holds, a storm's digest. Nothing accepted may be
 * lost, and no such state may outlive its config: held groups are released (their alerts reach
 * the team that owns them now), and a storm of a channel no config reaches any more ends with
 * its digest closed, like any other. A removed team's open PagerDuty incident is resolved with the
 * key source its removed config named, which the process remembers, and with the one the incident
 * was triggered with, which the store keeps (so a restart with the team removed resolves it too);
 * what cannot follow is an incident whose source gives no key any more when no process remembers
 * the team: a resolve left to retry (another replica may remember it), dead after its attempts,
 * saying why.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useEstateGateways } from './support/estate-gateways.js';
import { PD_PAYMENTS_KEY, waitUntil } from './support/gateway.js';
import { webhook } from './support/payloads.js';
import { assertNoSecrets } from './support/secrets.js';

const rig = useEstateGateways('alertgate-deleted-', { MAINTENANCE_TICK_MS: '100' });
const { start, reload } = rig;

const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
const prisonsFile = () => join(rig.configDir, 'routes', 'prisons.yaml');
/** A gauge of /metrics for a team (0 when it has no such series). */
async function gauge(name: string, team: string): Promise<number> {
  const text = await fetch(`${rig.t.gw.url}/metrics`).then((r) => r.text());
  return Number(new RegExp(`^${name}\\{team="${team}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
}
const heldCount = async (team: string) => (await rig.t.gw.store.heldGroupCounts())[team] ?? 0;
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
  for (const body of [searchDown(), indexBlip(), indexBlip('resolved')]) expect((await rig.t.post(body)).status).toBe(202);
  await rig.t.idle();
  expect(rig.fakes.slack.requests).toHaveLength(0);
  expect(await heldCount('prisons')).toBe(1);
}

describe('a team removed while a maintenance window holds its groups', () => {
  it('on reload: the still-firing group reaches its new owner, and nothing of the team stays held', async () => {
    await prisonsUnderMaintenance();
    await start();
    await holdTwoGroups();

    await rm(prisonsFile());
    await reload();
    // The namespace has no owner now: the fallback team (platform) hears of SearchDown.
    const post = await rig.fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 10_000);
    expect(post.body.channel).toBe('#platform-alerts');
    expect(String(post.body.text)).toContain('SearchDown');
    await waitUntil(async () => (await heldCount('prisons')) === 0, 10_000, 'prisons to hold nothing');
    expect(await gauge('alertgate_maintenance_held_groups', 'prisons')).toBe(0);
    await rig.t.idle();
    expect(rig.fakes.slack.messages.size).toBe(1);
  });

  it('on a restart with the new config: the same', async () => {
    await prisonsUnderMaintenance();
    await start();
    await holdTwoGroups();
    await rig.stop();

    await rm(prisonsFile());
    await start();
    const post = await rig.fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 10_000);
    expect(post.body.channel).toBe('#platform-alerts');
    await waitUntil(async () => (await heldCount('prisons')) === 0, 10_000, 'prisons to hold nothing');
    await rig.t.idle();
    expect(rig.fakes.slack.messages.size).toBe(1);
  });
});

describe('a maintenance window removed from the config while it holds groups', () => {
  it('delivers the held group that still fires, at the reload', async () => {
    const original = await readFile(prisonsFile(), 'utf8');
    await prisonsUnderMaintenance();
    await start();
    await holdTwoGroups();

    await writeFile(prisonsFile(), original);
    await reload();
    const post = await rig.fakes.slack.waitFor((r) => r.method === 'chat.postMessage', 10_000);
    expect(post.body.channel).toBe('#prisons-alerts');
    expect(String(post.body.text)).toContain('SearchDown');
    await waitUntil(async () => (await heldCount('prisons')) === 0, 10_000, 'prisons to hold nothing');
    await rig.t.idle();
    expect(rig.fakes.slack.messages.size).toBe(1);
  });
});

describe('a storm whose channel the config no longer reaches', () => {
  const WINDOW_MS = 4000;
  const GROUPS = 5;
  /** prisons with a storm after two new messages a minute. */
  async function smallStorms(): Promise<string> {
    const original = await readFile(prisonsFile(), 'utf8');
    await writeFile(prisonsFile(), `${original}storm:\n  maxMessagesPerMinute: 2\n`);
    return original;
  }
  const storm = (i: number, status: 'firing' | 'resolved' = 'firing') =>
    webhook(`{}:{alertname="Storm${i}"}`, [{ labels: { alertname: 'PodCrash', namespace: 'prisoner-offender-search-prod', pod: `p${i}` }, status, fingerprint: `e${String(i).padStart(15, '0')}` }]);
  const inChannel = (name: string) => [...rig.fakes.slack.messages.values()].filter((m) => m.channel === rig.fakes.slack.channelIds.get(name));
  const digest = () => inChannel('prisons-alerts').find((m) => m.text.includes('Alert storm'));

  /** Two groups get messages of their own, three are gathered into the digest; the storm goes on. */
  async function startStorm(): Promise<void> {
    for (let i = 0; i < GROUPS; i++) expect((await rig.t.post(storm(i))).status).toBe(202);
    await rig.t.idle();
    expect(inChannel('prisons-alerts')).toHaveLength(3);
    expect(digest()!.text).toContain('3 new groups');
  }
  /**
   * The storm ends once, its digest closed with nothing firing; in the old channel only the digest
   * and the two groups' own messages, both resolved: nothing else was posted there.
   */
  async function expectStormClosedAllResolved() {
    await waitUntil(() => digest()?.text.includes('storm over') ?? false, WINDOW_MS * 4, 'the storm to end');
    await rig.t.idle();
    expect(digest()!.replies.map((r) => r.text.includes('storm over'))).toEqual([true]);
    expect(digest()!.text).toContain('0 still firing');
    const prisons = inChannel('prisons-alerts');
    expect(prisons).toHaveLength(3);
    expect(prisons.filter((m) => m !== digest()).every((m) => JSON.stringify(m.blocks).includes('RESOLVED'))).toBe(true);
  }
  const stormEnv = { STORM_WINDOW_MS: String(WINDOW_MS), STORM_TICK_MS: '100', SLACK_CHANNEL_RATE: '200', SLACK_CHANNEL_BURST: '50' };

  it('team removed: the storm ends, its digest closed; the gathered groups’ resolutions fold into it, posting nothing new', async () => {
    await smallStorms();
    await start(stormEnv);
    await startStorm();

    await rm(prisonsFile());
    await reload();
    // Every group moved to the fallback team (five new groups, under its own storm limit of 20).
    await waitUntil(() => inChannel('platform-alerts').length === GROUPS, 10_000, 'the fallback team to hear of every group');
    await expectStormClosedAllResolved();
  });

  it('team removed, restart with the new config: the same', async () => {
    await smallStorms();
    await start(stormEnv);
    await startStorm();
    // The new process finds the storm in the store (Store.activeStormIds), not in its config.
    await rig.stop();

    await rm(prisonsFile());
    await start(stormEnv);
    await waitUntil(() => inChannel('platform-alerts').length === GROUPS, 10_000, 'the fallback team to hear of every group');
    await expectStormClosedAllResolved();
  });

  it('channel changed: the old channel’s storm ends, its digest closed; resolutions of its gathered groups fold into it', async () => {
    const original = await smallStorms();
    await start(stormEnv);
    await startStorm();

    await writeFile(prisonsFile(), `${original.replace('#prisons-alerts', '#prisons-oncall')}storm:\n  maxMessagesPerMinute: 2\n`);
    await reload();
    for (let i = 0; i < GROUPS; i++) expect((await rig.t.post(storm(i, 'resolved'))).status).toBe(202);
    await expectStormClosedAllResolved();
  });
});

const checkoutDown = () => webhook('{}:{alertname="CheckoutDown"}', [{ labels: { alertname: 'CheckoutDown', namespace: 'payments-prod', severity: 'critical' }, fingerprint: 'd000000000000003' }]);
const incidents = () => [...rig.fakes.pagerduty.incidents.values()].map((i) => i.status);
const eventsOf = (action: string) => rig.fakes.pagerduty.events.filter((e) => (e.body as { event_action?: string }).event_action === action);

describe.each([
  ['on the event loop', 'false'],
  ['on the delivery thread', 'true'],
])('a team with an open PagerDuty incident removed (%s)', (_where, outboxThread) => {
  it('its Slack message is resolved, the fallback team told, and its incident resolved with the key source its removed config named, also across a further reload', async () => {
    await start({ OUTBOX_THREAD: outboxThread });
    expect((await rig.t.post(checkoutDown())).status).toBe(202);
    await rig.fakes.pagerduty.waitFor(() => true);
    await rig.t.idle();
    expect(incidents()).toEqual(['triggered']);

    // The resolve's first call is held until a second reload has run, then fails (503): its retry
    // comes after that reload, which must not forget where the removed team's key came from.
    let release!: () => void;
    rig.fakes.pagerduty.respondWith([{ status: 503, body: 'held', after: new Promise<void>((r) => (release = r)) }]);
    await rm(join(rig.configDir, 'routes', 'payments.yaml'));
    await reload();
    await rig.fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && r.body.channel === '#platform-alerts', 10_000);
    await rig.fakes.slack.waitFor((r) => r.method === 'chat.update', 10_000);
    await rig.fakes.pagerduty.waitFor((e) => (e.body as { event_action?: string }).event_action === 'resolve', 10_000);
    await reload();
    release();

    await waitUntil(() => incidents()[0] === 'resolved', 10_000, 'the removed team’s incident to be resolved');
    await rig.t.idle();
    expect(eventsOf('resolve').map((e) => [e.status, (e.body as { routing_key?: string }).routing_key])).toEqual([
      [503, PD_PAYMENTS_KEY],
      [202, PD_PAYMENTS_KEY],
    ]);
    expect((await rig.t.gw.store.listNotifications({ status: 'dead', limit: 10 })).items).toEqual([]);
    // Nothing else was paged with the removed team's key (the fallback team has no pagerduty:).
    expect(eventsOf('trigger')).toHaveLength(1);
    // The key itself is in no log line and no stored notification; only where it came from is.
    assertNoSecrets(rig.t.logs, { PD_PAYMENTS_KEY });
    const stored = await fetch(`${rig.t.gw.url}/v1/notifications?team=payments`).then((r) => r.text());
    expect(stored).not.toContain(PD_PAYMENTS_KEY);
    expect(JSON.parse(rig.t.logs.find((l) => l.includes("team's PagerDuty config removed"))!)).toMatchObject({ team: 'payments', routingKeyEnv: 'TEST_PD_PAYMENTS_KEY' });
  });
});

describe('a team with an open PagerDuty incident removed while alertgate was down', () => {
  async function triggerThenRemoveWhileDown(env: Record<string, string> = {}): Promise<void> {
    await start();
    expect((await rig.t.post(checkoutDown())).status).toBe(202);
    await rig.fakes.pagerduty.waitFor(() => true);
    await rig.t.idle();
    await rig.stop();
    await rm(join(rig.configDir, 'routes', 'payments.yaml'));
    await start(env);
  }

  it('the resolve goes with the key source the incident was triggered with, which the store kept with it', async () => {
    await triggerThenRemoveWhileDown();
    await waitUntil(() => incidents()[0] === 'resolved', 10_000, 'the removed team’s incident to be resolved');
    expect(eventsOf('resolve').map((e) => [e.status, (e.body as { routing_key?: string }).routing_key])).toEqual([[202, PD_PAYMENTS_KEY]]);
  });

  it('when that source gives no key any more, the resolve is retried (another replica may remember the team), then dead, saying why', async () => {
    await triggerThenRemoveWhileDown({ TEST_PD_PAYMENTS_KEY: '' });
    await waitUntil(async () => (await rig.t.gw.store.listNotifications({ status: 'dead', limit: 10 })).items.length === 1, 10_000, 'the resolve to be dead');
    const [dead] = (await rig.t.gw.store.listNotifications({ status: 'dead', limit: 10 })).items;
    expect([dead!.target.type, dead!.kind, dead!.lastError]).toEqual(['pagerduty', 'resolved', expect.stringContaining('team "payments"')]);
    expect(dead!.attempts).toBeGreaterThan(1);
    expect(incidents()).toEqual(['triggered']);
  });
});
