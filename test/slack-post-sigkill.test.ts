/**
 * A Slack post whose gateway process was SIGKILLed mid-call is not posted twice. Slack read the
 * chat.postMessage and posted it, but holds the answer; the process dies with the call open, so
 * no error says the post may have been made (MAY_HAVE_POSTED comes from a timeout or a reset the
 * process lived to see). Before, the next gateway on the same database posted again once it got
 * the item back: two messages, the first never edited. Now the claim that takes an item whose
 * lease ended with nothing recorded notes that its post may have been made (LEASE_RAN_OUT),
 * and the Slack notifier looks for the post first (conversations.history), as after a timeout,
 * and adopts the message it finds: the resolve then edits it.
 * SQLite: the next process releases the dead one's leases at open and delivers at once.
 * PostgreSQL: the dead replica's lease holds until OUTBOX_LEASE_MS has passed.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEASE_RAN_OUT } from '../src/model/post-notes.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { gatewayEnv, waitUntil } from './support/gateway.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';
import { postWebhook } from './support/postgres-replicas.js';
import { useProcessRig } from './support/process-rig.js';
import { webhook } from './support/payloads.js';

const admin = await requirePostgres();

/** Long enough that the kill comes while the post waits for its answer, not after a timeout. */
const DELIVERY_TIMEOUT_MS = 2_000;
/** The shortest lease the settings take with that timeout (5 s pacing + 2 calls + 1 s margin), plus a little. */
const LEASE_MS = 10_500;

const rig = useProcessRig('alertgate-crashpost-');

async function start(databaseUrl: string): Promise<GatewayProcess> {
  const gw = await spawnGateway(
    gatewayEnv(rig.fakes, {
      DATABASE_URL: databaseUrl,
      NODE_EXTRA_CA_CERTS: rig.fakes.tls.certPath,
      DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
      OUTBOX_LEASE_MS: String(LEASE_MS),
      LOG_LEVEL: 'info',
    }),
  );
  rig.procs.push(gw);
  return gw;
}

/** A payments group routed to #payments-alerts only (not critical: no page). */
const group = (name: string, status: 'firing' | 'resolved' = 'firing') =>
  webhook(`{}:{alertname="${name}"}`, [{ labels: { alertname: name, namespace: 'payments-prod', severity: 'warning' }, status }]);

interface ApiNotification {
  id: number;
  status: string;
  kind: string;
  lastError: string | null;
  groupKey: string;
}

async function notificationsOf(url: string, name: string): Promise<ApiNotification[]> {
  const page = (await fetch(`${url}/v1/notifications?limit=100`).then((r) => r.json())) as { items: ApiNotification[] };
  return page.items.filter((n) => n.groupKey.includes(`"${name}"`));
}

/** Top-level posts (not thread replies) of the group `name`. */
const postsOf = (name: string) => rig.fakes.slack.requests.filter((r) => r.method === 'chat.postMessage' && r.body.thread_ts === undefined && JSON.stringify(r.body).includes(name));
const topLevelOf = (name: string) => [...rig.fakes.slack.messages.values()].filter((m) => m.threadTs === undefined && m.text.includes(name));

async function lookups(url: string, result: string): Promise<number> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith(`alertgate_slack_post_lookups_total{result="${result}"}`));
  return Number(line?.split(' ')[1]);
}

/**
 * The scenario on the store at `databaseUrl`: an earlier group's message tells the store the
 * channel's id (the route names the channel; Slack's reads take ids); then a post Slack makes
 * but never answers, and the process is SIGKILLed with the call open. A new process on the same
 * database delivers the item: it must find that message, not post another.
 */
async function killedMidPost(databaseUrl: string): Promise<{ second: GatewayProcess; killedAt: number }> {
  const first = await start(databaseUrl);
  expect(await postWebhook(first.url, group('CrashPostEarlier'))).toBe(202);
  await first.waitForLog((l) => l.msg === 'notification sent' && l.receiver === 'slack');

  rig.fakes.slack.respondWith([{ applyThen: 'hang' }]);
  expect(await postWebhook(first.url, group('CrashPostKilled'))).toBe(202);
  // Slack has read the request and posted the message; its answer never comes.
  await rig.fakes.slack.waitFor((r) => r.method === 'chat.postMessage' && JSON.stringify(r.body).includes('CrashPostKilled'), 20_000);
  expect(topLevelOf('CrashPostKilled')).toHaveLength(1);
  const killedAt = Date.now();
  expect(await first.kill('SIGKILL')).toBeNull();
  // It died with the call open: no timeout, no error, nothing recorded.
  expect(first.lines.filter((l) => l.msg === 'notification failed; will retry' || l.msg === 'slack call failed')).toEqual([]);

  const second = await start(databaseUrl);
  await second.waitForLog((l) => l.msg === 'notification sent' && l.receiver === 'slack', 30_000);
  return { second, killedAt };
}

async function expectAdopted(second: GatewayProcess): Promise<void> {
  // One post only: the restarted process read the channel and kept the message it found.
  expect(postsOf('CrashPostKilled')).toHaveLength(1);
  expect(topLevelOf('CrashPostKilled')).toHaveLength(1);
  const [killed] = await notificationsOf(second.url, 'CrashPostKilled');
  expect(killed).toMatchObject({ status: 'sent', kind: 'new', lastError: LEASE_RAN_OUT });
  const read = rig.fakes.slack.requests.filter((r) => r.method === 'conversations.history');
  expect(read).toHaveLength(1);
  expect(read[0]!.body).toMatchObject({ channel: rig.fakes.slack.channelIds.get('payments-alerts'), include_all_metadata: 'true' });
  expect(second.lines.find((l) => l.result === 'found')).toMatchObject({ msg: 'slack: the previous attempt had posted: its message is kept, not posted again' });
  expect(await lookups(second.url, 'found')).toBe(1);

  // The adopted message is the group's: the resolve edits it and replies in its thread.
  expect(await postWebhook(second.url, group('CrashPostKilled', 'resolved'))).toBe(202);
  // Stored as sent only after both its calls (the edit, then the thread reply) were answered.
  const resolveSent = async () => (await notificationsOf(second.url, 'CrashPostKilled')).some((n) => n.kind === 'resolved' && n.status === 'sent');
  await waitUntil(resolveSent, 10_000, 'the resolve to be delivered');
  const [message] = topLevelOf('CrashPostKilled');
  expect(message!.edits).toBe(1);
  expect(message!.text).toContain('RESOLVED');
  expect(message!.replies).toHaveLength(1);
  expect(postsOf('CrashPostKilled')).toHaveLength(1);
}

describe('a Slack post cut by SIGKILL while Slack held its answer', () => {
  it('sqlite: the next process, releasing the dead one\'s lease at open, finds the message instead of posting it again', async () => {
    const { second } = await killedMidPost(`sqlite:${join(rig.dir, 'alertgate.db')}`);
    await expectAdopted(second);
  }, 120_000);

  describe.skipIf(!admin)('postgres', () => {
    let db: TestDatabase;
    beforeEach(async () => {
      db = await createTestDatabase(admin!);
    });
    afterEach(async () => {
      await db?.drop();
    });

    it('another replica, once the dead one\'s lease has expired, finds the message instead of posting it again', async () => {
      const { second, killedAt } = await killedMidPost(db.url);
      // Not before the lease the killed replica took ran out.
      expect(Date.now() - killedAt).toBeGreaterThan(LEASE_MS - DELIVERY_TIMEOUT_MS);
      await expectAdopted(second);
    }, 120_000);
  });
});
