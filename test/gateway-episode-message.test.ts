/**
 * A group's first episode has a Slack message of its own (posted, then edited to RESOLVED); the
 * group fires again, and that new episode's first message does not go out: a storm digest
 * gathers it, or its post goes dead. Its first Slack delivery after that (a change after the
 * storm, Alertmanager's resend owed to the channel) must post the new episode's own message, not
 * edit the first episode's RESOLVED one and reply in its thread; later changes edit the new one.
 * Through the real HTTP app, real SQLite, storm control and the outbox; fake Slack on loopback.
 * The storm window is shortened to 2 s.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ESTATE_DIR, startFakes, startTestGateway, waitUntil, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

const WINDOW_MS = 2000;

let fakes: Fakes;
let t: TestGateway;
let configDir: string;

/** The gateway, the payments team gathering every new group beyond the first of a window into a digest when `storm`. */
async function start(storm: boolean) {
  fakes = await startFakes();
  configDir = await mkdtemp(join(tmpdir(), 'alertgate-episode-message-'));
  await cp(ESTATE_DIR, configDir, { recursive: true });
  const routes = join(configDir, 'routes/payments.yaml');
  if (storm) await writeFile(routes, (await readFile(routes, 'utf8')) + 'storm:\n  maxMessagesPerMinute: 1\n');
  // One attempt: a refused post goes dead at once.
  t = await startTestGateway(fakes, {
    ALERTGATE_CONFIG_DIR: configDir,
    DELIVERY_MAX_ATTEMPTS: '1',
    STORM_WINDOW_MS: String(WINDOW_MS),
    STORM_TICK_MS: '100',
    SLACK_CHANNEL_RATE: '200',
    SLACK_CHANNEL_BURST: '50',
  });
}
afterEach(async () => {
  await t?.close();
  await fakes?.close();
  await rm(configDir, { recursive: true, force: true });
});

// Warning severity: Slack only.
const labels = { alertname: 'CheckoutDown', namespace: 'payments-prod', severity: 'warning' };
const key = '{}:{alertname="CheckoutDown"}';
const firstEpisode = (status: 'firing' | 'resolved') => webhook(key, [{ labels, status, startsAt: '2026-11-20T09:00:00.000Z' }]);
/** The second episode: one alert, or two once it changed. */
const secondEpisode = (status: 'firing' | 'resolved', changed = false) =>
  webhook(key, [
    { labels, status, startsAt: '2026-11-20T11:00:00.000Z' },
    ...(changed ? [{ labels: { ...labels, pod: 'checkout-2' }, status, startsAt: '2026-11-20T11:05:00.000Z' }] : []),
  ]);

interface Item {
  id: number;
  status: string;
  kind: string;
  reason: string | null;
}
/** The group's notifications (not the digest's), oldest first. */
const checkoutItems = async (): Promise<Item[]> => {
  const page = (await fetch(`${t.gw.url}/v1/notifications?team=payments&limit=100`).then((r) => r.json())) as { items: (Item & { groupKey: string })[] };
  return page.items.filter((n) => n.groupKey === key).sort((a, b) => a.id - b.id);
};
const inChannel = () => [...fakes.slack.messages.values()].filter((m) => m.threadTs === undefined);
const digest = () => inChannel().find((m) => m.text.includes('Alert storm'));
/** The group's own top-level messages, oldest first. */
const checkoutMessages = () => inChannel().filter((m) => m !== digest() && m.text.includes('CheckoutDown'));
const shows = (m: { blocks: unknown[] | undefined }) => JSON.stringify(m.blocks);
const post = async (body: unknown) => expect((await t.post(body)).status).toBe(202);

/** The first episode: its own message, posted and edited to RESOLVED (one edit, one reply). */
async function firstEpisodeMessage() {
  await post(firstEpisode('firing'));
  await t.idle();
  await post(firstEpisode('resolved'));
  await t.idle();
  const [first] = checkoutMessages();
  expect(checkoutMessages()).toHaveLength(1);
  expect(shows(first!)).toContain('RESOLVED');
  expect(first!.edits).toBe(1);
  expect(first!.replies).toHaveLength(1);
  return first!;
}

/** The first episode's message is as its resolution left it. */
function untouched(first: { edits: number; replies: unknown[]; blocks: unknown[] | undefined }) {
  expect(first.edits).toBe(1);
  expect(first.replies).toHaveLength(1);
  expect(shows(first)).toContain('RESOLVED');
}

it('a new episode a storm digest gathered posts a message of its own at its first change after the storm, not editing the last episode’s', async () => {
  await start(true);
  const first = await firstEpisodeMessage();

  // The group fires again in a storm (another group takes the window's one message first): gathered.
  await post(webhook('{}:{alertname="CheckoutSlow"}', [{ labels: { ...labels, alertname: 'CheckoutSlow' } }]));
  await post(secondEpisode('firing'));
  await t.idle();
  expect((await checkoutItems()).at(-1)).toMatchObject({ kind: 'new', status: 'suppressed', reason: 'storm: gathered into the channel digest' });
  await waitUntil(() => digest()?.text.includes('storm over') ?? false, WINDOW_MS * 5, 'the storm to end');
  await t.idle();

  // It changes after the storm: a message of its own, showing it firing.
  await post(secondEpisode('firing', true));
  await t.idle();
  expect((await checkoutItems()).at(-1)).toMatchObject({ kind: 'changed', status: 'sent' });
  expect(checkoutMessages()).toHaveLength(2);
  untouched(first);
  const own = checkoutMessages()[1]!;
  expect(shows(own)).toContain('FIRING');
  expect(shows(own)).toContain('checkout-2');

  // Its resolution edits that message.
  await post(secondEpisode('resolved', true));
  await t.idle();
  expect(checkoutMessages()).toHaveLength(2);
  expect(own.edits).toBe(1);
  expect(shows(own)).toContain('RESOLVED');
  untouched(first);
});

it('an owed resend of a new episode whose post went dead posts a message of its own, not editing the last episode’s', async () => {
  await start(false);
  const first = await firstEpisodeMessage();

  // The new episode's post is refused: dead, the channel owed.
  fakes.slack.respondWith([{ slackError: 'channel_not_found' }]);
  await post(secondEpisode('firing'));
  await t.idle();
  expect((await checkoutItems()).at(-1)).toMatchObject({ kind: 'new', status: 'dead' });

  // Alertmanager's resend of it: a message of its own, showing it firing.
  await post(secondEpisode('firing'));
  await t.idle();
  expect((await checkoutItems()).at(-1)).toMatchObject({ kind: 'repeat', status: 'sent' });
  expect(checkoutMessages()).toHaveLength(2);
  untouched(first);
  const own = checkoutMessages()[1]!;
  expect(shows(own)).toContain('FIRING');

  // Its change and its resolution edit that message.
  await post(secondEpisode('firing', true));
  await t.idle();
  await post(secondEpisode('resolved', true));
  await t.idle();
  expect(checkoutMessages()).toHaveLength(2);
  expect(own.edits).toBe(2);
  expect(shows(own)).toContain('RESOLVED');
  untouched(first);
});
