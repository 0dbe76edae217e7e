/**
 * A group's resolution posted with no answer (its post may be in the channel) goes dead; the
 * group fires again during a storm, whose digest tells of it; after the storm Alertmanager's
 * resend of the new episode is owed to the channel. The dead resolution's post shows the episode
 * before (RESOLVED): the resend must not adopt it as the group's message (the group would show
 * RESOLVED while it fires), but post the new episode's own message, which later changes edit.
 * Through the real HTTP app, real SQLite, storm control and the outbox; fake Slack (which records
 * the hung post before not answering it) on loopback. The storm window is shortened to 2 s.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { MAY_HAVE_POSTED } from '../src/model/post-notes.js';
import { ESTATE_DIR, startFakes, startTestGateway, waitUntil, type Fakes, type TestGateway } from './support/gateway.js';
import { webhook } from './support/payloads.js';

const WINDOW_MS = 2000;

let fakes: Fakes;
let t: TestGateway;
let configDir: string;

beforeEach(async () => {
  fakes = await startFakes();
  // The payments team gathers every new group beyond the first of a window into a digest.
  configDir = await mkdtemp(join(tmpdir(), 'alertgate-dead-episode-'));
  await cp(ESTATE_DIR, configDir, { recursive: true });
  const routes = join(configDir, 'routes/payments.yaml');
  await writeFile(routes, (await readFile(routes, 'utf8')) + 'storm:\n  maxMessagesPerMinute: 1\n');
  // One attempt: a post with no answer goes dead at once, noting the post may be there.
  t = await startTestGateway(fakes, {
    ALERTGATE_CONFIG_DIR: configDir,
    DELIVERY_MAX_ATTEMPTS: '1',
    DELIVERY_TIMEOUT_MS: '300',
    STORM_WINDOW_MS: String(WINDOW_MS),
    STORM_TICK_MS: '100',
    SLACK_CHANNEL_RATE: '200',
    SLACK_CHANNEL_BURST: '50',
  });
});
afterEach(async () => {
  await t?.close();
  await fakes?.close();
  await rm(configDir, { recursive: true, force: true });
});

// Warning severity: Slack only.
const labels = { alertname: 'CheckoutDown', namespace: 'payments-prod', severity: 'warning' };
const key = '{}:{alertname="CheckoutDown"}';
const firstEpisode = (status: 'firing' | 'resolved') => webhook(key, [{ labels, status, startsAt: '2026-11-20T09:00:00.000Z' }]);
const secondEpisode = (status: 'firing' | 'resolved') => webhook(key, [{ labels, status, startsAt: '2026-11-20T11:00:00.000Z' }]);

interface Item {
  id: number;
  status: string;
  kind: string;
  reason: string | null;
  lastError: string | null;
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

it("a resend of a new episode that a storm digest told of posts its own message, not adopting the dead resolution's RESOLVED post", async () => {
  // The first episode's post is refused (no message), its resolution's post is made but never answered: dead.
  fakes.slack.respondWith([{ slackError: 'channel_not_found' }]);
  await post(firstEpisode('firing'));
  await t.idle();
  fakes.slack.respondWith([{ applyThen: 'hang' }]);
  await post(firstEpisode('resolved'));
  await t.idle();
  const dead = await checkoutItems();
  expect(dead.map((n) => [n.kind, n.status])).toEqual([
    ['new', 'dead'],
    ['resolved', 'dead'],
  ]);
  expect(dead[1]!.lastError).toContain(MAY_HAVE_POSTED);
  const [resolvedPost] = checkoutMessages();
  expect(checkoutMessages()).toHaveLength(1);
  expect(shows(resolvedPost!)).toContain('RESOLVED');

  // The group fires again in a storm (another group right before it: the window's one message
  // went to the first episode or to it): the digest gathers it, and tells of it.
  await post(webhook('{}:{alertname="CheckoutSlow"}', [{ labels: { ...labels, alertname: 'CheckoutSlow' } }]));
  await post(secondEpisode('firing'));
  await t.idle();
  expect((await checkoutItems()).at(-1)).toMatchObject({ kind: 'new', status: 'suppressed', reason: 'storm: gathered into the channel digest' });
  await waitUntil(() => digest()?.text.includes('storm over') ?? false, WINDOW_MS * 5, 'the storm to end');
  await t.idle();

  // Alertmanager's resend of the (unchanged) second episode: owed to the channel. It shows the
  // group firing, in a message of its own; the first episode's RESOLVED post stays as it was.
  await post(secondEpisode('firing'));
  await t.idle();
  expect((await checkoutItems()).at(-1)).toMatchObject({ kind: 'repeat', status: 'sent' });
  const messages = checkoutMessages();
  expect(messages).toHaveLength(2);
  expect(messages[0]).toBe(resolvedPost);
  expect(shows(resolvedPost!)).toContain('RESOLVED');
  expect(resolvedPost!.edits).toBe(0);
  const own = messages[1]!;
  expect(shows(own)).toContain('FIRING');
  expect(shows(own)).not.toContain('RESOLVED');

  // The second episode's resolution edits that message.
  await post(secondEpisode('resolved'));
  await t.idle();
  expect(checkoutMessages()).toHaveLength(2);
  expect(own.edits).toBe(1);
  expect(shows(own)).toContain('RESOLVED');
  expect(resolvedPost!.edits).toBe(0);
});
