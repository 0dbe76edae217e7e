/**
 * A team whose PagerDuty routing key source changes (it moves to another PagerDuty service:
 * `routingKeyEnv` A → B, or another key file) while an incident is open. PagerDuty dedups by
 * routing key and dedup_key, so the episode's later events (its updates and its resolve) must go
 * to the key source this group.s incident was triggered with, or the incident on the old service stays open,
 * escalating; new episodes page with the new source. The source is kept with the episode in the
 * store (SQLite or PostgreSQL), so this holds across a restart, and on a replica that never knew it. When the old source yields no key
 * (its file not synced yet after a restart), the event is retried while it has attempts left; on its
 * last it goes with the new key and a warning names the group and the old source.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, requirePostgres } from '../src/testing/postgres.js';
import { useEstateGateways } from './support/estate-gateways.js';
import { PD_PAYMENTS_KEY } from './support/gateway.js';
import { webhook } from './support/payloads.js';
import { assertNoSecrets } from './support/secrets.js';

const PD_PAYMENTS_KEY_B = 'pd-routing-key-payments-service-b-5555';

const rig = useEstateGateways('alertgate-key-moved-', { TEST_PD_PAYMENTS_KEY_B: PD_PAYMENTS_KEY_B });

/** payments' `pagerduty:` block (the estate's names `routingKeyEnv: TEST_PD_PAYMENTS_KEY`) replaced. */
async function paymentsKeySource(line: string): Promise<void> {
  const file = join(rig.configDir, 'routes', 'payments.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace(/^ {2}routingKey(Env|File): .*$/m, `  ${line}`));
}

const critical = (name: string, fingerprint: string, status: 'firing' | 'resolved' = 'firing') => ({
  labels: { alertname: name, namespace: 'payments-prod', severity: 'critical' },
  status,
  fingerprint,
});
const checkout = (...alerts: ReturnType<typeof critical>[]) => webhook('{}:{alertname="Checkout"}', alerts);
async function post(body: unknown): Promise<void> {
  expect((await rig.t.post(body)).status).toBe(202);
  await rig.t.idle();
}
/** Every accepted event as [action, routing key, dedup_key], oldest first. */
const sent = () =>
  rig.fakes.pagerduty.events
    .filter((e) => e.status === 202)
    .map((e) => {
      const b = e.body as { event_action: string; routing_key: string; dedup_key: string };
      return [b.event_action, b.routing_key, b.dedup_key];
    });

describe.each([
  ['on the event loop', 'false'],
  ['on the delivery thread', 'true'],
])('a team moved to another PagerDuty service while its incident is open (%s)', (_where, outboxThread) => {
  it("the episode's update and resolve go with the key it was triggered with; a new group pages with the new key", async () => {
    const t = await rig.start({ OUTBOX_THREAD: outboxThread });
    await post(checkout(critical('CheckoutDown', 'e000000000000001')));
    const [[, keyA, dedupKey]] = sent() as [[string, string, string]];
    expect(keyA).toBe(PD_PAYMENTS_KEY);

    await paymentsKeySource('routingKeyEnv: TEST_PD_PAYMENTS_KEY_B');
    await rig.reload();
    // An alert joins the open episode (an update of the incident), then all of it resolves.
    await post(checkout(critical('CheckoutDown', 'e000000000000001'), critical('CheckoutSlow', 'e000000000000002')));
    await post(checkout(critical('CheckoutDown', 'e000000000000001', 'resolved'), critical('CheckoutSlow', 'e000000000000002', 'resolved')));
    await post(webhook('{}:{alertname="BasketDown"}', [critical('BasketDown', 'e000000000000003')]));

    const events = sent();
    expect(events.slice(0, 3)).toEqual([
      ['trigger', PD_PAYMENTS_KEY, dedupKey],
      ['trigger', PD_PAYMENTS_KEY, dedupKey],
      ['resolve', PD_PAYMENTS_KEY, dedupKey],
    ]);
    expect(events.slice(3).map(([action, key]) => [action, key])).toEqual([['trigger', PD_PAYMENTS_KEY_B]]);
    expect((await t.gw.store.listNotifications({ status: 'dead', limit: 10 })).items).toEqual([]);
    assertNoSecrets(t.logs, { PD_PAYMENTS_KEY, PD_PAYMENTS_KEY_B });
    const stored = await fetch(`${t.gw.url}/v1/notifications?team=payments`).then((r) => r.text());
    expect(stored).not.toContain(PD_PAYMENTS_KEY);
    expect(stored).not.toContain(PD_PAYMENTS_KEY_B);
  });
});

const admin = await requirePostgres();

/** A database both processes use, dropped after the test. */
type Database = () => Promise<{ url: string; drop(): Promise<void> }>;
const databases: [string, Database][] = [['SQLite', () => Promise.resolve({ url: `sqlite:${join(rig.dataDir, 'alertgate.db')}`, drop: () => Promise.resolve() })]];
if (admin) databases.push(['PostgreSQL', () => createTestDatabase(admin)]);

describe.each(databases)('a team moved to another PagerDuty service while alertgate was down (%s)', (_store, database) => {
  it('the resolve, by a process that never knew the old source, still goes with the key the incident was triggered with', async () => {
    const db = await database();
    try {
      await rig.start({ DATABASE_URL: db.url });
      await post(checkout(critical('CheckoutDown', 'e000000000000001')));
      await rig.stop();

      await paymentsKeySource('routingKeyEnv: TEST_PD_PAYMENTS_KEY_B');
      await rig.start({ DATABASE_URL: db.url });
      await post(checkout(critical('CheckoutDown', 'e000000000000001', 'resolved')));
      expect(sent().map(([action, key]) => [action, key])).toEqual([
        ['trigger', PD_PAYMENTS_KEY],
        ['resolve', PD_PAYMENTS_KEY],
      ]);
    } finally {
      await rig.stop();
      await db.drop();
    }
  });
});

describe('a team moved to another PagerDuty service, its old key file unreadable at the resolve', () => {
  const fileA = () => join(rig.dataDir, 'payments-key-a');
  /** payments moved from key file A to B after its incident opened on A; then A goes. */
  async function movedThenFileAGone(env: Record<string, string>) {
    const fileB = join(rig.dataDir, 'payments-key-b');
    await writeFile(fileA(), `${PD_PAYMENTS_KEY}\n`);
    await writeFile(fileB, `${PD_PAYMENTS_KEY_B}\n`);
    await paymentsKeySource(`routingKeyFile: ${fileA()}`);
    const t = await rig.start(env);
    await post(checkout(critical('CheckoutDown', 'e000000000000001')));
    await paymentsKeySource(`routingKeyFile: ${fileB}`);
    await rig.reload();
    await unlink(fileA());
    expect((await t.post(checkout(critical('CheckoutDown', 'e000000000000001', 'resolved')))).status).toBe(202);
    return t;
  }

  it('the resolve is retried, not sent with the new key, and goes with the old key once its file is back (a secret volume still syncing)', async () => {
    const t = await movedThenFileAGone({ DELIVERY_MAX_ATTEMPTS: '1000' });
    const retry = await t.waitForLog((l) => l.msg === 'notification failed; will retry' && l.receiver === 'pagerduty');
    expect(retry.error).toContain(`file ${fileA()} could not be read (ENOENT)`);
    expect(sent().map(([action, key]) => [action, key])).toEqual([['trigger', PD_PAYMENTS_KEY]]);
    // Pending, or claimed again meanwhile: either way not sent, and its last error says why.
    const [resolve] = (await t.gw.store.listNotifications({ team: 'payments', limit: 10 })).items.filter((n) => n.target.type === 'pagerduty' && n.status !== 'sent');
    expect(resolve?.lastError).toContain(`file ${fileA()} could not be read (ENOENT)`);

    await writeFile(fileA(), `${PD_PAYMENTS_KEY}\n`);
    await t.idle();
    expect(sent().map(([action, key]) => [action, key])).toEqual([
      ['trigger', PD_PAYMENTS_KEY],
      ['resolve', PD_PAYMENTS_KEY],
    ]);
    assertNoSecrets(t.logs, { PD_PAYMENTS_KEY, PD_PAYMENTS_KEY_B });
  });

  it('on its last attempt the resolve goes with the new key, and a warning names the group and the old file (never a key)', async () => {
    const t = await movedThenFileAGone({ DELIVERY_MAX_ATTEMPTS: '3' });
    await t.idle();

    expect(sent().map(([action, key]) => [action, key])).toEqual([
      ['trigger', PD_PAYMENTS_KEY],
      ['resolve', PD_PAYMENTS_KEY_B],
    ]);
    const [page] = (await t.gw.store.listNotifications({ team: 'payments', status: 'sent', limit: 10 })).items.filter((n) => n.target.type === 'pagerduty');
    expect(page).toMatchObject({ attempts: 3 });
    const warning = await t.waitForLog((l) => l.level === 'warn' && typeof l.msg === 'string' && l.msg.includes("key source this group's incident was triggered with"));
    expect(warning).toMatchObject({ group: page!.groupId, team: 'payments', keySource: { routingKeyFile: fileA() } });
    assertNoSecrets(t.logs, { PD_PAYMENTS_KEY, PD_PAYMENTS_KEY_B });
  });
});
