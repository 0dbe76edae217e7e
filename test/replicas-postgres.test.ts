/**
 * Several gateway replicas (separate processes) on one PostgreSQL database — issue 6's
 * acceptance: HA Alertmanagers posting every group to every replica yields one Slack message
 * and one PagerDuty incident per group, and resolutions edit that message whichever replica
 * gets them; a SIGKILLed replica's leased work is finished by the others; PostgreSQL going away
 * for 30 s turns webhooks into 503s (never a lost 202) and everything resumes; a rolling restart
 * refuses no webhook on every replica and loses nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../src/config/env.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from '../src/testing/postgres.js';
import { startFakes, waitUntil, type Fakes } from './support/gateway.js';
import type { GatewayProcess } from './support/gateway-process.js';
import { requirePostgresBinaries, startPrivatePostgres, type PrivatePostgres } from './support/postgres-server.js';
import {
  DbProbe,
  firing,
  groupKey,
  inParallel,
  postToAny,
  postWebhook,
  Replicas,
  replicaEnv,
  resolved,
  writeHaConfig,
} from './support/postgres-replicas.js';

describe('OUTBOX_LEASE_MS and DELIVERY_TIMEOUT_MS', () => {
  it('default to a 60 s lease and 10 s calls', () => {
    expect(readSettings({}, '/srv')).toMatchObject({ leaseMs: 60_000, deliveryTimeoutMs: 10_000 });
    expect(readSettings({ OUTBOX_LEASE_MS: '10500', DELIVERY_TIMEOUT_MS: '2500' }, '/srv')).toMatchObject({ leaseMs: 10_500, deliveryTimeoutMs: 2_500 });
  });

  it('refuse a lease that a slow delivery could outlive, saying why', () => {
    expect(() => readSettings({ OUTBOX_LEASE_MS: '20000' }, '/srv')).toThrow(
      /^OUTBOX_LEASE_MS \(20000\) must exceed 25000: .*two calls of up to DELIVERY_TIMEOUT_MS \(10000\) each/,
    );
    expect(() => readSettings({ OUTBOX_LEASE_MS: 'soon' }, '/srv')).toThrow('OUTBOX_LEASE_MS must be an integer');
  });
});

const admin = await requirePostgres();
const binDir = requirePostgresBinaries();
/** Groups of the first scenario (issue 6 asks for 500). */
const GROUPS = Number(process.env.HA_TEST_GROUPS ?? 500);

const NAME = /\b(Ha[A-Z]\d{4})\b/;
const name = (scenario: string, i: number) => `Ha${scenario}${String(i).padStart(4, '0')}`;

let fakes: Fakes;
let config: Awaited<ReturnType<typeof writeHaConfig>>;

/** Top-level Slack messages per test group name. */
function slackMessages(scenario: string) {
  const byName = new Map<string, { ts: string; text: string; replies: number }[]>();
  for (const m of fakes.slack.messages.values()) {
    const n = NAME.exec(m.text)?.[1];
    if (!n?.startsWith(`Ha${scenario}`)) continue;
    byName.set(n, [...(byName.get(n) ?? []), { ts: m.ts, text: m.text, replies: m.replies.length }]);
  }
  return byName;
}

interface PdEvent {
  event_action: string;
  dedup_key: string;
  payload?: { custom_details?: { groupKey?: string } };
}
/** Accepted PagerDuty events of one action, per dedup_key. */
function pagerDutyEvents(action: 'trigger' | 'resolve') {
  const byKey = new Map<string, PdEvent[]>();
  for (const e of fakes.pagerduty.events) {
    const body = e.body as PdEvent;
    if (e.status !== 202 || body.event_action !== action) continue;
    byKey.set(body.dedup_key, [...(byKey.get(body.dedup_key) ?? []), body]);
  }
  return byKey;
}
/** dedup_key → group key, from the triggers. */
function triggerKeys(scenario: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, events] of pagerDutyEvents('trigger')) {
    const gk = events[0]?.payload?.custom_details?.groupKey ?? '';
    if (gk.includes(`"Ha${scenario}`)) out.set(key, gk);
  }
  return out;
}

/** 'notification sent' log lines of a process. */
const sentLines = (p: GatewayProcess) => p.lines.filter((l) => l.msg === 'notification sent');

describe.skipIf(!admin)('replicas on one PostgreSQL', () => {
  let db: TestDatabase;
  let probe: DbProbe;
  let replicas: Replicas;

  beforeAll(async () => {
    fakes = await startFakes();
    config = await writeHaConfig();
    db = await createTestDatabase(admin!);
    probe = new DbProbe(db.url);
    replicas = new Replicas(replicaEnv(fakes, config.dir, db.url));
    await replicas.start(3);
  }, 90_000);

  afterAll(async () => {
    await replicas?.stopAll();
    await probe?.close();
    await db?.drop();
    await fakes?.close();
    await config?.cleanup();
  });

  it(`dedups ${GROUPS} groups posted to all three replicas at once, and resolves each on another replica`, async () => {
    const names = Array.from({ length: GROUPS }, (_, i) => name('A', i));
    const t0 = Date.now();
    const mark = (what: string) => process.stderr.write(`[ha] ${what} at ${Date.now() - t0} ms\n`);
    // Every group to all three replicas at the same moment, as HA Alertmanager peers do.
    const statuses = await inParallel(names, 16, (n) => Promise.all(replicas.urls.map((url) => postWebhook(url, firing(n)))));
    expect(new Set(statuses.flat())).toEqual(new Set([202]));
    mark('posted');
    await waitUntil(async () => (await probe.undelivered('"HaA')) === 0, 60_000, 'every firing notification to be delivered');

    mark('delivered');
    const posted = slackMessages('A');
    expect(posted.size).toBe(GROUPS);
    expect([...posted.values()].filter((m) => m.length !== 1)).toEqual([]);
    const triggers = triggerKeys('A');
    expect(triggers.size).toBe(GROUPS);
    expect([...pagerDutyEvents('trigger').entries()].filter(([k, e]) => triggers.has(k) && e.length !== 1)).toEqual([]);
    // The two redundant copies of each webhook were decided in the database: suppressed.
    const [counts] = await probe.query<{ sent: number; suppressed: number }>(
      `SELECT count(*) FILTER (WHERE status = 'sent')::integer AS sent, count(*) FILTER (WHERE status = 'suppressed')::integer AS suppressed
       FROM notifications n JOIN groups g ON g.id = n.group_id WHERE g.group_key LIKE '%"HaA%'`,
    );
    expect(counts).toEqual({ sent: 2 * GROUPS, suppressed: 4 * GROUPS });

    // Which replica posted each group's Slack message; the resolution goes to another one.
    const idToName = new Map((await probe.query<{ id: string; group_key: string }>('SELECT id, group_key FROM groups')).map((r) => [r.id, NAME.exec(r.group_key)?.[1] ?? '']));
    const poster = new Map<string, number>();
    replicas.procs.forEach((p, i) => {
      for (const l of sentLines(p)) if (l.receiver === 'slack' && l.kind === 'new') poster.set(idToName.get(String(l.group)) ?? '', i);
    });
    expect(names.filter((n) => !poster.has(n))).toEqual([]);
    const sentBefore = replicas.procs.map((p) => sentLines(p).length);
    const receivers = await inParallel(names, 16, async (n) => {
      const to = ((poster.get(n) ?? 0) + 1) % 3;
      expect(await postWebhook(replicas.urls[to]!, resolved(n))).toBe(202);
      return to;
    });
    mark('resolutions posted');
    await waitUntil(async () => (await probe.undelivered('"HaA')) === 0, 60_000, 'every resolution to be delivered');
    mark('resolutions delivered');

    const after = slackMessages('A');
    expect(after.size).toBe(GROUPS);
    for (const n of names) {
      const [message] = after.get(n) ?? [];
      // The same message (same ts), edited to RESOLVED, with the change in its thread.
      expect(after.get(n)).toHaveLength(1);
      expect(message?.ts).toBe(posted.get(n)?.[0]?.ts);
      expect(message?.text).toMatch(/^RESOLVED/);
      expect(message?.replies).toBeGreaterThanOrEqual(1);
    }
    const resolves = pagerDutyEvents('resolve');
    expect([...triggers.keys()].filter((k) => resolves.get(k)?.length !== 1)).toEqual([]);
    expect(receivers.every((to, i) => to !== poster.get(names[i]!))).toBe(true);
    // Edits were made by replicas other than the one that posted (the DB held the message ref).
    const editors = replicas.procs.map((p, i) => sentLines(p).slice(sentBefore[i]).filter((l) => l.receiver === 'slack').map((l) => [idToName.get(String(l.group)), i] as const));
    const crossReplicaEdits = editors.flat().filter(([n, i]) => poster.get(n ?? '') !== i);
    expect(crossReplicaEdits.length).toBeGreaterThan(0);
    void groupKey;
  }, 150_000);
});
