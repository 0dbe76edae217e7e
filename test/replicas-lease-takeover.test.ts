/**
 * A replica killed (SIGKILL) while its Slack post is in flight: the post reached Slack but no
 * answer came back and no outcome was written. Another replica takes the item over once the
 * lease runs out; it must look for the message the dead one may have posted (Guarantees, the
 * Slack post lookup) instead of posting a second message to the channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { startFakes, waitUntil, type Fakes } from './support/gateway.js';
import { DbProbe, firing, HA_TIMING, postWebhook, Replicas, replicaEnv, writeHaConfig } from './support/postgres-replicas.js';

const admin = await requirePostgres();

describe.skipIf(!admin)('a Slack post in flight on a replica that is SIGKILLed', () => {
  let fakes: Fakes;
  let config: Awaited<ReturnType<typeof writeHaConfig>>;
  let db: TestDatabase;
  let probe: DbProbe;
  let replicas: Replicas;

  beforeAll(async () => {
    fakes = await startFakes();
    config = await writeHaConfig();
    db = await createTestDatabase(admin!);
    probe = new DbProbe(db.url);
    replicas = new Replicas(replicaEnv(fakes, config.dir, db.url));
    await replicas.start(2);
  }, 90_000);
  afterAll(async () => {
    await replicas?.stopAll();
    await probe?.close();
    await db?.drop();
    await fakes?.close();
    await config?.cleanup();
  });

  const messagesOf = (alertname: string) => [...fakes.slack.messages.values()].filter((m) => m.text.includes(alertname));

  it('is looked for by the replica that takes it over, and not posted again', async () => {
    // A first group of team ha0 in #ha-0: the store learns the channel's id from Slack's answer
    // (the lookup reads channels by id).
    expect(await postWebhook(replicas.urls[0]!, firing('HaK0000'))).toBe(202);
    await waitUntil(async () => (await probe.undelivered('"HaK0000')) === 0, 20_000, 'the first group to be delivered');

    // The next Slack call posts, then never answers: the replica making it waits on it.
    fakes.slack.respondWith([{ applyThen: 'hang' }]);
    expect(await postWebhook(replicas.urls[0]!, firing('HaK0008'))).toBe(202);
    await waitUntil(() => messagesOf('HaK0008').length === 1, 10_000, 'the post to reach Slack');
    const [lease] = await probe.query<{ id: string; owner: string }>(
      `SELECT n.id::text AS id, n.lease_owner AS owner FROM notifications n JOIN groups g ON g.id = n.group_id
       WHERE g.group_key LIKE '%"HaK0008"%' AND n.target_key LIKE 'slack:%' AND n.status IN ('pending', 'failed')`,
    );
    expect(lease?.owner).toBeTruthy();
    const victim = replicas.procs.findIndex((p) => lease!.owner.startsWith(`${p.child.pid}-`));
    expect(victim).toBeGreaterThanOrEqual(0);
    const killedAt = Date.now();
    await replicas.procs[victim]!.kill('SIGKILL');
    const survivor = replicas.procs[1 - victim]!;

    // Once the lease runs out, the survivor claims the item, finds the message and keeps it.
    const found = await survivor.waitForLog(
      (l) => l.msg === 'slack: the previous attempt had posted: its message is kept, not posted again' && String(l.deliveryId) === lease!.id,
      Number(HA_TIMING.OUTBOX_LEASE_MS) + 15_000,
    );
    expect(found.result).toBe('found');
    await waitUntil(async () => (await probe.undelivered('"HaK0008')) === 0, 10_000, 'the item to be marked sent');
    expect(Date.now() - killedAt).toBeGreaterThan(Number(HA_TIMING.OUTBOX_LEASE_MS) - 2_000);
    const messages = messagesOf('HaK0008');
    expect(messages).toHaveLength(1);
    const [row] = await probe.query<{ status: string; ts: string }>(
      `SELECT n.status, s.ts FROM notifications n JOIN slack_messages s ON s.group_id = n.group_id WHERE n.id = $1::bigint`,
      [lease!.id],
    );
    // The group's stored message is the one the dead replica posted: later changes edit it.
    expect(row).toEqual({ status: 'sent', ts: messages[0]!.ts });
  }, 90_000);
});
