/**
 * The rig of the tests of which Slack message a group's new episode goes to (its own, not the
 * last episode's): a gateway on a temporary copy of the estate whose payments team may gather a
 * storm into a digest, the CheckoutDown group's episodes, and what its notifications and Slack
 * messages show. Shared so that those test files set it up one way.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { ESTATE_DIR, startFakes, startTestGateway, waitUntil, type Fakes, type TestGateway } from './gateway.js';
import { webhook } from './payloads.js';

/** The storm window, shortened so that a storm ends within a test. */
const WINDOW_MS = 2000;

// Warning severity: Slack only.
const labels = { alertname: 'CheckoutDown', namespace: 'payments-prod', severity: 'warning' };
export const key = '{}:{alertname="CheckoutDown"}';
export const firstEpisode = (status: 'firing' | 'resolved') => webhook(key, [{ labels, status, startsAt: '2026-11-20T09:00:00.000Z' }]);
/** The second episode: one alert, or two once it changed. */
export const secondEpisode = (status: 'firing' | 'resolved', changed = false) =>
  webhook(key, [
    { labels, status, startsAt: '2026-11-20T11:00:00.000Z' },
    ...(changed ? [{ labels: { ...labels, pod: 'checkout-2' }, status, startsAt: '2026-11-20T11:05:00.000Z' }] : []),
  ]);

export interface Item {
  id: number;
  status: string;
  kind: string;
  reason: string | null;
  lastError: string | null;
  createdAt: string;
}

export const shows = (m: { blocks: unknown[] | undefined }) => JSON.stringify(m.blocks);

/** The first episode's message is as its resolution left it (one edit, one reply, RESOLVED). */
export function untouched(first: { edits: number; replies: unknown[]; blocks: unknown[] | undefined }) {
  expect(first.edits).toBe(1);
  expect(first.replies).toHaveLength(1);
  expect(shows(first)).toContain('RESOLVED');
}

export interface EpisodeGatewayOptions {
  /** The payments team gathers every new group beyond the first of a window into a digest. */
  storm: boolean;
  /** Settings of the test's own, on top of one delivery attempt and the short storm window. */
  env?: Record<string, string>;
}

/**
 * Stops the gateway and fakes and removes the config copy after each test; `start` starts them
 * (in a test or its beforeEach). The other functions answer once started.
 */
export function useEpisodeGateway(tempPrefix: string) {
  let fakes: Fakes | undefined;
  let t: TestGateway | undefined;
  let configDir: string | undefined;
  afterEach(async () => {
    await t?.close();
    await fakes?.close();
    if (configDir) await rm(configDir, { recursive: true, force: true });
    fakes = t = configDir = undefined;
  });
  const gateway = () => {
    if (!t || !fakes) throw new Error('the episode gateway is not started (call start first)');
    return { t, fakes };
  };

  async function start({ storm, env = {} }: EpisodeGatewayOptions): Promise<void> {
    fakes = await startFakes();
    configDir = await mkdtemp(join(tmpdir(), tempPrefix));
    await cp(ESTATE_DIR, configDir, { recursive: true });
    const routes = join(configDir, 'routes/payments.yaml');
    if (storm) await writeFile(routes, (await readFile(routes, 'utf8')) + 'storm:\n  maxMessagesPerMinute: 1\n');
    // One attempt: a post that fails goes dead at once.
    t = await startTestGateway(fakes, {
      ALERTGATE_CONFIG_DIR: configDir,
      DELIVERY_MAX_ATTEMPTS: '1',
      STORM_WINDOW_MS: String(WINDOW_MS),
      STORM_TICK_MS: '100',
      SLACK_CHANNEL_RATE: '200',
      SLACK_CHANNEL_BURST: '50',
      ...env,
    });
  }

  /** The group's notifications (not the digest's), oldest first. */
  const checkoutItems = async (): Promise<Item[]> => {
    const page = (await fetch(`${gateway().t.gw.url}/v1/notifications?team=payments&limit=100`).then((r) => r.json())) as { items: (Item & { groupKey: string })[] };
    return page.items.filter((n) => n.groupKey === key).sort((a, b) => a.id - b.id);
  };
  const inChannel = () => [...gateway().fakes.slack.messages.values()].filter((m) => m.threadTs === undefined);
  const digest = () => inChannel().find((m) => m.text.includes('Alert storm'));
  /** The group's own top-level messages, oldest first. */
  const checkoutMessages = () => inChannel().filter((m) => m !== digest() && m.text.includes('CheckoutDown'));
  const post = async (body: unknown) => expect((await gateway().t.post(body)).status).toBe(202);
  const idle = () => gateway().t.idle();
  const slack = () => gateway().fakes.slack;

  /**
   * The group's second episode fires in a storm, another group taking the window's message first:
   * the digest gathers it. Returns once the storm is over and its end delivered.
   */
  async function secondEpisodeGatheredByStorm(): Promise<void> {
    await post(webhook('{}:{alertname="CheckoutSlow"}', [{ labels: { ...labels, alertname: 'CheckoutSlow' } }]));
    await post(secondEpisode('firing'));
    await idle();
    expect((await checkoutItems()).at(-1)).toMatchObject({ kind: 'new', status: 'suppressed', reason: 'storm: gathered into the channel digest' });
    await waitUntil(() => digest()?.text.includes('storm over') ?? false, WINDOW_MS * 5, 'the storm to end');
    await idle();
  }

  /** The first episode: its own message, posted and edited to RESOLVED (one edit, one reply). */
  async function firstEpisodeMessage() {
    await post(firstEpisode('firing'));
    await idle();
    await post(firstEpisode('resolved'));
    await idle();
    const [first] = checkoutMessages();
    expect(checkoutMessages()).toHaveLength(1);
    untouched(first!);
    return first!;
  }

  /** The gateway's own store (what its background passes use). */
  const store = () => gateway().t.gw.store;

  return { start, checkoutItems, checkoutMessages, post, idle, slack, store, firstEpisodeMessage, secondEpisodeGatheredByStorm };
}
