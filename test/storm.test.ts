/**
 * Storm digests: 300 new groups for one team at once → at most maxMessagesPerMinute individual
 * messages plus one digest edited in place; every group stays visible in the API; the storm ends
 * after a quiet window (announced once) and later resolutions update the right messages; a
 * gathered group firing again after the storm is followed by its own message. With
 * `storm.holdPagerDuty`, digested groups page nobody during the storm; those still firing when it
 * ends page then (once), and those resolved during it send PagerDuty nothing. Over a group's
 * life: resolving inside the storm that gathered it leaves no message of its own; gathered again by a later storm, its resolution folds into that digest; with a message of
 * its own, its changes during a later storm edit that message. A storm's digest goes on following
 * its groups after the next storm started (their resolutions edit it, posting nothing). A storm whose
 * channel a reload drops from the routes keeps its digest, which follows its groups and closes as
 * usual. alertgate_storm_groups_digested_total also counts the groups a maintenance window's
 * release and the re-attribution pass gather. The window is shortened to 3 s
 * (STORM_WINDOW_MS) so the test does not wait a real minute.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, ESTATE_DIR, startFakes, startTestGateway, waitUntil, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

const WINDOW_MS = 3000;
const GROUPS = 300;
const MAX = 20;

let fakes: Fakes;
let t: TestGateway;
beforeAll(async () => {
  fakes = await startFakes();
  t = await startTestGateway(fakes, { STORM_WINDOW_MS: String(WINDOW_MS), STORM_TICK_MS: '200', SLACK_CHANNEL_RATE: '200', SLACK_CHANNEL_BURST: '50' });
});
afterAll(async () => {
  await t.close();
  await fakes.close();
});

const group = (i: number, status: 'firing' | 'resolved' = 'firing') =>
  webhook(`{}:{alertname="Storm${i}"}`, [
    { labels: { alertname: i % 3 ? 'KubePodCrashLooping' : 'TargetDown', namespace: 'prisoner-offender-search-prod', severity: 'warning', pod: `p${i}` }, status, fingerprint: `a${String(i).padStart(15, '0')}` },
  ]);
const topLevel = () => [...fakes.slack.messages.values()].filter((m) => m.channel === fakes.slack.channelIds.get('prisons-alerts'));
const digest = () => topLevel().find((m) => m.text.includes('Alert storm'));

async function postAll(status: 'firing' | 'resolved') {
  for (let i = 0; i < GROUPS; i += 15) {
    const batch = Array.from({ length: Math.min(15, GROUPS - i) }, (_, k) => t.post(group(i + k, status)));
    for (const res of await Promise.all(batch)) expect(res.status).toBe(202);
  }
}

describe('alert storm', () => {
  it('sends at most the configured number of messages plus one digest, edited in place', async () => {
    await postAll('firing');
    await t.idle(20_000);
    const messages = topLevel();
    expect(messages).toHaveLength(MAX + 1);
    expect(digest()!.text).toContain(`${GROUPS - MAX} new groups`);
    expect(digest()!.text).toContain('/v1/alerts?team=prisons');
    const metrics = await fetch(`${t.gw.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(new RegExp(`alertgate_storm_groups_digested_total\\{team="prisons"\\} ${GROUPS - MAX}`));
  });

  it('keeps every group in the API', async () => {
    const page = (await fetch(`${t.gw.url}/v1/alerts?team=prisons&status=firing&limit=1000`).then((r) => r.json())) as { items: unknown[] };
    expect(page.items).toHaveLength(GROUPS);
  });

  it('ends after a quiet window, announced once in the digest thread', async () => {
    await waitUntil(() => digest()?.text.includes('storm over') ?? false, WINDOW_MS * 4, 'the storm to end');
    await t.idle();
    expect(digest()!.replies).toHaveLength(1);
    expect(digest()!.replies[0]!.text).toContain('storm over');
  });

  it('resolutions after the storm update the individual messages and the digest, posting nothing new, no reply either', async () => {
    await postAll('resolved');
    await t.idle(20_000);
    expect(topLevel()).toHaveLength(MAX + 1);
    const individual = topLevel().filter((m) => m !== digest());
    expect(individual.every((m) => JSON.stringify(m.blocks).includes('RESOLVED'))).toBe(true);
    expect(digest()!.text).toContain('0 still firing');
    // The closed digest is edited, but the end of the storm is not announced again.
    expect(digest()!.replies).toHaveLength(1);
  });

  it('a gathered group firing again after the storm gets its own message, which its resolution then edits', async () => {
    // Group 299 came in the last batch, long after the first MAX: gathered. It fires again (a new alert instance).
    const again = (status: 'firing' | 'resolved') =>
      webhook('{}:{alertname="Storm299"}', [
        { labels: { alertname: 'Storm299', namespace: 'prisoner-offender-search-prod', severity: 'warning', pod: 'p299' }, status, startsAt: '2026-11-20T10:00:00.000Z', fingerprint: `a${'299'.padStart(15, '0')}` },
      ]);
    const before = new Set(topLevel().map((m) => m.ts));
    expect((await t.post(again('firing'))).status).toBe(202);
    await t.idle();
    const own = topLevel().filter((m) => !before.has(m.ts));
    expect(own).toHaveLength(1);
    expect(own[0]!.text).toContain('Storm299');
    const digestText = digest()!.text;

    expect((await t.post(again('resolved'))).status).toBe(202);
    await t.idle();
    // Its own message says RESOLVED; the closed digest, which stopped following it, is left as it was.
    expect(JSON.stringify(fakes.slack.messages.get(own[0]!.ts)!.blocks)).toContain('RESOLVED');
    expect(digest()!.text).toBe(digestText);
    expect(topLevel()).toHaveLength(MAX + 2);
  });
});

describe('alert storm with storm.holdPagerDuty', () => {
  let pdFakes: Fakes;
  let gw: TestGateway;
  let configDir: string;
  beforeAll(async () => {
    pdFakes = await startFakes();
    configDir = await mkdtemp(join(tmpdir(), 'alertgate-storm-'));
    await cp(ESTATE_DIR, configDir, { recursive: true });
    const routes = join(configDir, 'routes/payments.yaml');
    await writeFile(routes, (await readFile(routes, 'utf8')) + 'storm:\n  maxMessagesPerMinute: 1\n  holdPagerDuty: true\n');
    gw = await startTestGateway(pdFakes, { ALERTGATE_CONFIG_DIR: configDir, STORM_WINDOW_MS: String(WINDOW_MS), STORM_TICK_MS: '200', SLACK_CHANNEL_RATE: '200', SLACK_CHANNEL_BURST: '50' });
  });
  afterAll(async () => {
    await gw.close();
    await pdFakes.close();
    await rm(configDir, { recursive: true, force: true });
  });

  /** A critical payments group (Slack and PagerDuty) with these alerts (fingerprint: status). */
  const critical = (name: string, alerts: Record<string, 'firing' | 'resolved'>) =>
    webhook(
      `{}:{alertname="${name}"}`,
      Object.entries(alerts).map(([fingerprint, status]) => ({ labels: { alertname: name, namespace: 'payments-prod', severity: 'critical', fp: fingerprint }, status, fingerprint })),
    );
  const post = async (body: unknown) => expect((await gw.post(body)).status).toBe(202);
  type Listed = { items: { groupId: string; groupKey: string; receiver: string; kind: string; status: string; reason: string | null }[] };
  /** The notifications of group `name` to `receiver`, oldest first, as kind:status. */
  async function history(name: string, receiver: 'slack' | 'pagerduty') {
    const listed = (await fetch(`${gw.gw.url}/v1/notifications?team=payments&limit=100`).then((r) => r.json())) as Listed;
    return listed.items
      .filter((n) => n.groupKey === `{}:{alertname="${name}"}` && n.receiver === receiver)
      .reverse()
      .map((n) => `${n.kind}:${n.status}`);
  }
  const groupIdOf = async (name: string) => {
    const listed = (await fetch(`${gw.gw.url}/v1/notifications?team=payments&limit=100`).then((r) => r.json())) as Listed;
    return listed.items.find((n) => n.groupKey === `{}:{alertname="${name}"}`)!.groupId;
  };
  const paymentsDigest = () => [...pdFakes.slack.messages.values()].find((m) => m.text.includes('Alert storm'));
  const pdActions = async (name: string) => {
    const dedupKey = `alertgate-${await groupIdOf(name)}`;
    return pdFakes.pagerduty.events.map((e) => e.body as { event_action: string; dedup_key: string }).filter((e) => e.dedup_key === dedupKey).map((e) => e.event_action);
  };

  it('pages nobody for a digested group during the storm, its changes included; pages it when the storm ends, and resolves it then', async () => {
    // Paged sends its own message and pages; Held and Later are gathered into the digest, their pages held.
    await post(critical('Paged', { p1: 'firing' }));
    await post(critical('Held', { h1: 'firing' }));
    await post(critical('Later', { l1: 'firing' }));
    // Held changes while the storm goes on: folded into the digest, and still no page.
    await post(critical('Held', { h1: 'firing', h2: 'firing' }));
    await gw.idle();
    expect(await history('Held', 'slack')).toEqual(['new:suppressed', 'changed:suppressed']);
    expect(await history('Held', 'pagerduty')).toEqual(['new:suppressed', 'changed:suppressed']);
    expect(await pdActions('Held')).toEqual([]);

    await waitUntil(() => paymentsDigest()?.text.includes('storm over') ?? false, WINDOW_MS * 4, 'the storm to end');
    await gw.idle();
    // Still firing when the storm ended, never paged: each pages now, once.
    expect(await history('Held', 'pagerduty')).toEqual(['new:suppressed', 'changed:suppressed', 'new:sent']);
    expect(await pdActions('Held')).toEqual(['trigger']);
    expect(await pdActions('Later')).toEqual(['trigger']);
    // Paged paged before the storm: not again.
    expect(await pdActions('Paged')).toEqual(['trigger']);
    // Held resolves: it paged at the storm's end, so its resolution reaches PagerDuty.
    await post(critical('Held', { h1: 'resolved', h2: 'resolved' }));
    // Later changes after the storm: it pages again (PagerDuty dedups by the key), then resolves.
    await post(critical('Later', { l1: 'firing', l2: 'firing' }));
    await post(critical('Later', { l1: 'resolved', l2: 'resolved' }));
    await post(critical('Paged', { p1: 'resolved' }));
    await gw.idle();
    expect(await pdActions('Held')).toEqual(['trigger', 'resolve']);
    expect(await pdActions('Later')).toEqual(['trigger', 'trigger', 'resolve']);
    expect(await pdActions('Paged')).toEqual(['trigger', 'resolve']);
    expect([...pdFakes.pagerduty.incidents.values()].map((i) => i.status)).toEqual(['resolved', 'resolved', 'resolved']);
  });

  it('counts each digested group once in alertgate_storm_groups_digested_total: changes folded into its digest are not counted again', async () => {
    // Held and Later were gathered; Held's change during the storm and its resolution after it were folded into the digest.
    const metrics = await fetch(`${gw.gw.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^alertgate_storm_groups_digested_total\{team="payments"\} 2$/m);
  });

  it('at the end of a storm pages each gathered group still firing once; nothing for one resolved during it, nor again for one that paged before', async () => {
    const released = async () => Number(/^alertgate_storm_pages_released_total\{team="payments"\} (\S+)$/m.exec(await fetch(`${gw.gw.url}/metrics`).then((r) => r.text()))?.[1] ?? 0);
    const releasedBefore = await released();
    const digests = () => [...pdFakes.slack.messages.values()].filter((m) => m.text.includes('Alert storm'));
    const digestsBefore = digests().length;
    // A new storm (the last one ended a quiet window ago): Before has its own message and pages.
    await post(critical('Before', { b1: 'firing' }));
    await post(critical('Firing', { f1: 'firing' }));
    await post(critical('Gone', { g1: 'firing' }));
    // Firing and Gone are gathered, their pages held; Gone resolves while the storm goes on.
    await post(critical('Gone', { g1: 'resolved' }));
    await gw.idle();
    expect(digests()).toHaveLength(digestsBefore + 1);
    expect(await pdActions('Before')).toEqual(['trigger']);
    expect(await pdActions('Firing')).toEqual([]);
    expect(await pdActions('Gone')).toEqual([]);

    await waitUntil(() => digests().at(-1)?.text.includes('storm over') ?? false, WINDOW_MS * 4, 'the storm to end');
    await gw.idle();
    expect(await pdActions('Firing')).toEqual(['trigger']);
    expect(await history('Firing', 'pagerduty')).toEqual(['new:suppressed', 'new:sent']);
    // Resolved during the storm, never paged: no trigger, and no resolve of an incident that never was.
    expect(await pdActions('Gone')).toEqual([]);
    expect(await history('Gone', 'pagerduty')).toEqual(['new:suppressed', 'resolved:suppressed']);
    expect(await pdActions('Before')).toEqual(['trigger']);
    expect((await released()) - releasedBefore).toBe(1);
    // The closed digest and its thread reply say who paged.
    expect(digests().at(-1)!.text).toContain('those still firing then paged at its end, those resolved during it paged nobody');

    // Paged once: Firing's resolution (its episode paged) reaches PagerDuty, and resolves the one incident.
    await post(critical('Firing', { f1: 'resolved' }));
    await post(critical('Before', { b1: 'resolved' }));
    await gw.idle();
    expect(await pdActions('Firing')).toEqual(['trigger', 'resolve']);
    expect(await pdActions('Before')).toEqual(['trigger', 'resolve']);
  });
});

/** A gateway on a copy of the estate whose prisons team gathers every new group beyond the first of a minute. */
async function prisonsStormGateway(fakes: Fakes, extraEnv: Record<string, string> = {}): Promise<{ gw: TestGateway; configDir: string }> {
  const configDir = await mkdtemp(join(tmpdir(), 'alertgate-storm-'));
  await cp(ESTATE_DIR, configDir, { recursive: true });
  const routes = join(configDir, 'routes/prisons.yaml');
  await writeFile(routes, (await readFile(routes, 'utf8')) + 'storm:\n  maxMessagesPerMinute: 1\n');
  const gw = await startTestGateway(fakes, { ALERTGATE_CONFIG_DIR: configDir, STORM_WINDOW_MS: String(WINDOW_MS), STORM_TICK_MS: '200', SLACK_CHANNEL_RATE: '200', SLACK_CHANNEL_BURST: '50', ...extraEnv });
  return { gw, configDir };
}

/** A prisons group `name` with these alerts (fingerprint: status). */
const prisons = (name: string, alerts: Record<string, 'firing' | 'resolved'>) =>
  webhook(
    `{}:{alertname="${name}"}`,
    Object.entries(alerts).map(([fingerprint, status]) => ({ labels: { alertname: name, namespace: 'prisoner-offender-search-prod', severity: 'warning', fp: fingerprint }, status, fingerprint })),
  );

/**
 * A prisons storm gateway (prisonsStormGateway) for the tests of a describe block, started before
 * all of them or each, with what they read of the fake Slack.
 */
function usePrisonsStorm(opts: { each?: boolean; env?: Record<string, string> } = {}) {
  const s = {} as { sf: Fakes; gw: TestGateway; configDir: string };
  (opts.each ? beforeEach : beforeAll)(async () => {
    s.sf = await startFakes();
    Object.assign(s, await prisonsStormGateway(s.sf, opts.env));
  });
  (opts.each ? afterEach : afterAll)(async () => {
    await s.gw.close();
    await s.sf.close();
    await rm(s.configDir, { recursive: true, force: true });
  });
  const inChannel = (name = 'prisons-alerts') => [...s.sf.slack.messages.values()].filter((m) => m.channel === s.sf.slack.channelIds.get(name));
  const digests = () => inChannel().filter((m) => m.text.includes('Alert storm'));
  return Object.assign(s, {
    post: async (body: unknown) => expect((await s.gw.post(body)).status).toBe(202),
    inChannel,
    digests,
    /** The top-level messages of group `name` (its own, not the digests). */
    own: (name: string) => inChannel().filter((m) => !m.text.includes('Alert storm') && m.text.includes(name)),
    stormOver: (n: number) => waitUntil(() => digests()[n]?.text.includes('storm over') ?? false, WINDOW_MS * 4, `storm ${n + 1} to end`),
  });
}

describe('storm digests over the life of a group', () => {
  const s = usePrisonsStorm();

  const blocksOf = (m: { blocks: unknown[] | undefined }) => JSON.stringify(m.blocks);

  it('a group that resolves inside the storm that gathered it: the digest counts it resolved, and it never posts a message of its own', async () => {
    await s.post(prisons('First', { f1: 'firing' }));
    await s.post(prisons('Brief', { b1: 'firing', b2: 'firing' }));
    await s.post(prisons('Gathered', { g1: 'firing' }));
    await s.gw.idle();
    expect(s.digests()).toHaveLength(1);
    expect(s.digests()[0]!.text).toContain('2 new groups since');
    expect(s.digests()[0]!.text).toContain('(2 firing)');
    // Brief resolves one alert, then the other, while the storm goes on: both folded into the digest.
    await s.post(prisons('Brief', { b1: 'resolved', b2: 'firing' }));
    await s.gw.idle();
    expect(s.digests()[0]!.text).toContain('(2 firing)');
    await s.post(prisons('Brief', { b1: 'resolved', b2: 'resolved' }));
    await s.gw.idle();
    expect(s.digests()[0]!.text).toContain('(1 firing)');
    expect(s.own('Brief')).toEqual([]);
    await s.stormOver(0);
    await s.gw.idle();
    expect(s.digests()[0]!.text).toContain('2 groups between');
    expect(s.digests()[0]!.text).toContain('1 still firing');
    expect(s.digests()[0]!.replies).toHaveLength(1);
    expect(s.own('Brief')).toEqual([]);
    expect(s.inChannel()).toHaveLength(2);
  });

  it('a group gathered again by a second storm after a message of its own: its resolution after that storm posts nothing new', async () => {
    // Gathered (storm 1) changes after its storm: its own message goes out; then it resolves, which edits that message.
    await s.post(prisons('Gathered', { g1: 'firing', g2: 'firing' }));
    await s.gw.idle();
    expect(s.own('Gathered')).toHaveLength(1);
    const message = s.own('Gathered')[0]!;
    expect(s.digests()[0]!.text).toContain('0 still firing');
    await s.post(prisons('Gathered', { g1: 'resolved', g2: 'resolved' }));
    await s.gw.idle();
    expect(blocksOf(message)).toContain('RESOLVED');

    // Storm 2: Second takes the minute's one message, and Gathered firing again (a new episode) is gathered.
    await s.post(prisons('Second', { s1: 'firing' }));
    await s.post(prisons('Gathered', { g3: 'firing' }));
    await s.gw.idle();
    expect(s.digests()).toHaveLength(2);
    expect(s.digests()[1]!.text).toContain('1 new group since');
    await s.stormOver(1);
    await s.gw.idle();
    expect(s.digests()[1]!.text).toContain('1 still firing');
    const edits = message.edits;

    // It resolves after storm 2: folded into the closed digest, no message of its own, and the old one is left alone.
    await s.post(prisons('Gathered', { g3: 'resolved' }));
    await s.gw.idle();
    expect(s.digests()[1]!.text).toContain('0 still firing');
    expect(s.own('Gathered')).toEqual([message]);
    expect(message.edits).toBe(edits);
    expect(s.digests()[1]!.replies).toHaveLength(1);
  });

  it('a group with a message of its own that changes during a later storm: its changes and resolution edit that message', async () => {
    // Second got its own message before storm 2; during a storm 3 it changes, and resolves after it.
    await s.post(prisons('Third', { t1: 'firing' }));
    await s.post(prisons('Fourth', { f1: 'firing' }));
    await s.gw.idle();
    expect(s.digests()).toHaveLength(3);
    const [message] = s.own('Second');
    expect(message).toBeDefined();
    await s.post(prisons('Second', { s1: 'firing', s2: 'firing' }));
    await s.gw.idle();
    expect(s.own('Second')).toEqual([message]);
    expect(message!.replies.length).toBeGreaterThan(0);
    expect(s.digests()[2]!.text).toContain('1 new group since');
    await s.stormOver(2);
    await s.post(prisons('Second', { s1: 'resolved', s2: 'resolved' }));
    await s.gw.idle();
    expect(s.own('Second')).toEqual([message]);
    expect(blocksOf(message!)).toContain('RESOLVED');
  });
});

describe('a storm’s groups after the next storm in the channel started', () => {
  const s = usePrisonsStorm();


  it('fold their resolutions into the digest that gathered them, posting nothing new; a change gets its own message, and that digest stops counting it', async () => {
    // Storm 1: Opener gets its own message; Alpha, Bravo and Charlie are gathered. It ends with the three firing.
    await s.post(prisons('Opener', { o1: 'firing' }));
    for (const name of ['Alpha', 'Bravo', 'Charlie']) await s.post(prisons(name, { [`${name}1`]: 'firing' }));
    await s.gw.idle();
    expect(s.digests()[0]!.text).toContain('3 new groups since');
    await s.stormOver(0);
    await s.gw.idle();
    expect(s.digests()[0]!.text).toContain('3 still firing');

    // Storm 2: Second takes the minute's one message, Next is gathered into a second digest.
    await s.post(prisons('Second', { s1: 'firing' }));
    await s.post(prisons('Next', { n1: 'firing' }));
    await s.gw.idle();
    expect(s.digests()).toHaveLength(2);
    expect(s.inChannel()).toHaveLength(4);

    // Alpha (storm 1) resolves after storm 2 started: digest 1 says so; no message of its own.
    await s.post(prisons('Alpha', { Alpha1: 'resolved' }));
    await s.gw.idle();
    expect(s.own('Alpha')).toEqual([]);
    expect(s.inChannel()).toHaveLength(4);
    expect(s.digests()[0]!.text).toContain('2 still firing');
    expect(s.digests()[1]!.text).toMatch(/\(1 firing\)|1 still firing/);

    // Bravo (storm 1) changes: like any gathered group after its storm, its own message; digest 1 no longer counts it.
    await s.post(prisons('Bravo', { Bravo1: 'firing', Bravo2: 'firing' }));
    await s.gw.idle();
    expect(s.own('Bravo')).toHaveLength(1);
    expect(s.digests()[0]!.text).toContain('1 still firing');

    // Charlie (storm 1) resolves after storm 2 ended: digest 1 again, and the end of neither storm is announced twice.
    await s.stormOver(1);
    await s.post(prisons('Charlie', { Charlie1: 'resolved' }));
    await s.gw.idle();
    expect(s.own('Charlie')).toEqual([]);
    expect(s.digests()[0]!.text).toContain('0 still firing');
    expect(s.digests()[1]!.text).toContain('1 still firing');
    expect(s.digests().map((d) => d.replies.length)).toEqual([1, 1]);
    expect(s.inChannel()).toHaveLength(5);

    // Bravo's resolution edits its own message; Next's folds into digest 2.
    await s.post(prisons('Bravo', { Bravo1: 'resolved', Bravo2: 'resolved' }));
    await s.post(prisons('Next', { n1: 'resolved' }));
    await s.gw.idle();
    expect(JSON.stringify(s.own('Bravo')[0]!.blocks)).toContain('RESOLVED');
    expect(s.digests()[1]!.text).toContain('0 still firing');
    expect(s.inChannel()).toHaveLength(5);
  });
});

describe('alertgate_storm_groups_digested_total beyond webhooks', () => {
  const s = usePrisonsStorm({ each: true, env: { MAINTENANCE_TICK_MS: '100' } });

  const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const digested = async () => {
    const text = await fetch(`${s.gw.gw.url}/metrics`).then((r) => r.text());
    return Number(/^alertgate_storm_groups_digested_total\{team="prisons"\} (\S+)$/m.exec(text)?.[1] ?? 0);
  };
  const prisonsDigest = () => s.digests()[0];
  /** A window holding the prisons groups named Held…, until `endsInMs` from now; answers its id. */
  const holdWindow = async (endsInMs: number) => {
    const now = Date.now();
    const res = await fetch(`${s.gw.gw.url}/v1/maintenance`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ team: 'prisons', matchers: ['alertname=~"Held.*"'], start: new Date(now - 1000).toISOString(), end: new Date(now + endsInMs).toISOString(), reason: 'patching' }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const postHeld = async () => {
    for (const name of ['HeldA', 'HeldB', 'HeldC']) expect((await s.gw.post(prisons(name, { [name]: 'firing' }))).status).toBe(202);
    await s.gw.idle();
    expect(s.sf.slack.messages.size).toBe(0);
    expect(await digested()).toBe(0);
  };

  it('counts the groups a deleted maintenance window’s release gathers into a digest', async () => {
    const id = await holdWindow(3_600_000);
    await postHeld();
    // Deleting the window releases the three at once: one message, two gathered into a digest.
    expect((await fetch(`${s.gw.gw.url}/v1/maintenance/${id}`, { method: 'DELETE', headers: admin })).status).toBe(204);
    await s.gw.idle();
    expect(prisonsDigest()!.text).toContain('2 new groups since');
    expect(await digested()).toBe(2);
  });

  it('counts the groups an ended maintenance window’s release gathers into a digest', async () => {
    // 4 s: the three posts land inside the window even under load.
    await holdWindow(4000);
    await postHeld();
    // The maintenance ticker releases them when the window ends.
    await s.sf.slack.waitFor((r) => r.method === 'chat.postMessage' && String(r.body.text).includes('Alert storm'), 15_000);
    await waitUntil(async () => (await digested()) === 2, 5000, 'the release to be counted');
    await s.gw.idle();
    expect(prisonsDigest()!.text).toContain('2 new groups since');
  });

  it('counts the groups the re-attribution pass gathers into a digest', async () => {
    // Three payments-staging groups, each with its own message in #payments-alerts.
    for (const name of ['MovedA', 'MovedB', 'MovedC']) {
      const body = webhook(`{}:{alertname="${name}"}`, [{ labels: { alertname: name, namespace: 'payments-staging', severity: 'warning' }, fingerprint: `m${name}` }]);
      expect((await s.gw.post(body)).status).toBe(202);
    }
    await s.gw.idle();

    // payments-staging handed over to prisons: the reload alone moves the firing alerts, one message and a digest.
    const payments = join(s.configDir, 'routes/payments.yaml');
    await writeFile(payments, (await readFile(payments, 'utf8')).replace('[payments-prod, payments-staging]', '[payments-prod]'));
    const prisonsRoutes = join(s.configDir, 'routes/prisons.yaml');
    await writeFile(prisonsRoutes, (await readFile(prisonsRoutes, 'utf8')).replace('[prisoner-offender-search-prod]', '[prisoner-offender-search-prod, payments-staging]'));
    expect((await fetch(`${s.gw.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
    await waitUntil(() => s.gw.logs.some((l) => l.includes('firing alerts moved')), 10_000, 'the re-attribution pass');
    await s.gw.idle();
    expect(prisonsDigest()!.text).toContain('2 new groups since');
    expect(await digested()).toBe(2);
  });
});

describe('a storm whose channel a config reload drops', () => {
  const s = usePrisonsStorm();

  const digest = () => s.inChannel('prisons-alerts').find((m) => m.text.includes('Alert storm'));

  it('keeps its digest: resolutions of its groups fold into it, the storm ends after a quiet window, and new groups go to the new channel', async () => {
    await s.post(prisons('Own', { o1: 'firing' }));
    await s.post(prisons('Early', { e1: 'firing' }));
    await s.post(prisons('Late', { l1: 'firing' }));
    await s.gw.idle();
    expect(digest()!.text).toContain('2 new groups since');
    expect(s.inChannel('prisons-alerts')).toHaveLength(2);

    const routes = join(s.configDir, 'routes/prisons.yaml');
    await writeFile(routes, (await readFile(routes, 'utf8')).replace('#prisons-alerts', '#prisons-oncall'));
    expect((await fetch(`${s.gw.gw.url}/-/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);

    // Early resolves while the storm goes on: folded into the digest, as before the reload; no message of its own.
    await s.post(prisons('Early', { e1: 'resolved' }));
    await s.gw.idle();
    expect(s.inChannel('prisons-alerts')).toHaveLength(2);
    expect(digest()!.text).toContain('(1 firing)');

    // Nothing new is gathered there any more: the storm ends after a quiet window, announced once.
    await waitUntil(() => digest()?.text.includes('storm over') ?? false, WINDOW_MS * 4, 'the storm in the dropped channel to end');
    await s.gw.idle();
    expect(digest()!.text).toContain('1 still firing');
    expect(digest()!.replies).toHaveLength(1);

    // Late resolves after it: the closed digest says so. Own's resolution edits its message.
    await s.post(prisons('Late', { l1: 'resolved' }));
    await s.post(prisons('Own', { o1: 'resolved' }));
    await s.gw.idle();
    expect(digest()!.text).toContain('0 still firing');
    expect(s.inChannel('prisons-alerts')).toHaveLength(2);
    expect(JSON.stringify(s.inChannel('prisons-alerts').find((m) => m.text.includes('Own'))!.blocks)).toContain('RESOLVED');

    // A new group goes where the routes send it now, with its own message.
    await s.post(prisons('New', { n1: 'firing' }));
    await s.gw.idle();
    expect(s.inChannel('prisons-oncall').filter((m) => m.text.includes('New'))).toHaveLength(1);
  });
});
