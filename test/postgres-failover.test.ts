/**
 * A PostgreSQL failover under a gateway taking webhooks: a private primary with a streaming
 * standby, the primary killed (as a crashed node), the standby first reachable at the primary's
 * address while still read-only (a Service repointed before the promotion finished), then
 * promoted. What Alertmanager and the operator see: 503s (never a 4xx, never a 202 that goes
 * missing), /readyz, the gateway reconnecting by itself, and every accepted webhook delivered to
 * Slack once. With asynchronous replication a COMMIT does not wait for the standby, so webhooks
 * answered 202 while it lagged are gone after the failover; with synchronous replication they
 * are not (README, Running several replicas on PostgreSQL, Failure behaviour).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgresBinaries } from './support/postgres-server.js';
import { startPostgresPair, type PostgresPair } from './support/postgres-pair.js';
import { startFakes, waitUntil, type Fakes } from './support/gateway.js';
import { spawnGateway, type GatewayProcess } from './support/gateway-process.js';
import { DbProbe, firing, postWebhook, replicaEnv, writeHaConfig } from './support/postgres-replicas.js';

const binDir = requirePostgresBinaries();
const NAME = /\b(Ha[A-Z]\d{4})\b/;
const name = (scenario: string, i: number) => `Ha${scenario}${String(i).padStart(4, '0')}`;
/**
 * The test's clock, strictly increasing: of two stamps, the smaller was taken first, so
 * `p.answered < t.promoting` means the answer had come before `pg_ctl promote` was started
 * (Date.now() gives both the same millisecond, either order).
 */
let lastStamp = 0;
const now = () => (lastStamp = Math.max(performance.now(), lastStamp + 0.001));

let fakes: Fakes;
/** Every gateway started, ended in afterAll even when its scenario failed half way. */
const gateways: GatewayProcess[] = [];
let config: Awaited<ReturnType<typeof writeHaConfig>>;
beforeAll(async () => {
  fakes = await startFakes();
  config = await writeHaConfig();
});
afterAll(async () => {
  await fakes?.close();
  await config?.cleanup();
});

interface Post {
  name: string;
  status: number | 'refused';
  sent: number;
  answered: number;
}
interface Ready {
  status: number;
  body: string;
  sent: number;
  answered: number;
}

/** Top-level Slack messages per test group name of a scenario. */
function slackMessages(scenario: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of fakes.slack.messages.values()) {
    const n = NAME.exec(m.text)?.[1];
    if (n?.startsWith(`Ha${scenario}`)) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

/**
 * One failover: webhooks from two lanes and a readiness probe all along; once some are accepted,
 * replication stalls (the standby lags) while webhooks keep coming, then the primary dies, the
 * standby answers at its address read-only, and is promoted.
 */
async function failover(pair: PostgresPair, scenario: string) {
  const gateway = await spawnGateway(replicaEnv(fakes, config.dir, pair.url), 60_000);
  gateways.push(gateway);
  const posts: Post[] = [];
  const readiness: Ready[] = [];
  let next = 0;
  let running = true;
  const lane = async () => {
    while (running) {
      const n = name(scenario, next++);
      const sent = now();
      const status = await postWebhook(gateway.url, firing(n));
      posts.push({ name: n, status, sent, answered: now() });
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const probe = async () => {
    while (running) {
      const sent = now();
      const res = await fetch(`${gateway.url}/readyz`).then(async (r) => ({ status: r.status, body: await r.text() }), () => ({ status: 0, body: '' }));
      readiness.push({ ...res, sent, answered: now() });
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const load = [lane(), lane(), probe()];
  const delivered = () => {
    const m = slackMessages(scenario);
    return posts.filter((p) => p.status === 202).every((p) => m.has(p.name));
  };
  const t: Record<string, number> = {};
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await waitUntil(() => posts.filter((p) => p.status === 202).length >= 10, 30_000, 'webhooks accepted before the failover');
    // Every webhook answered before t.replicated is on the standby before it stalls: its COMMIT
    // was flushed on the primary before caughtUp read the primary's WAL position.
    t.replicated = now();
    await pair.caughtUp();
    t.stalling = now();
    await pair.stallReplication(true);
    t.stalled = now();
    // Webhooks keep arriving while the standby lags: 2 s of them. A third lane starts now, so
    // one is sent after the stall even when a synchronous standby holds both lanes' webhooks
    // (their COMMITs wait for it); with an asynchronous one, wait for 3 answered 202 (to be lost).
    load.push(lane());
    await Promise.all([
      sleep(2_000),
      waitUntil(() => pair.synchronous || posts.filter((p) => p.sent > t.stalled! && p.status === 202).length >= 3, 30_000, 'webhooks accepted while the standby lagged'),
    ]);
    await pair.killPrimary();
    t.killed = now();
    await pair.serveOnPrimaryPort();
    t.readOnly = now();
    // What the gateway does against a server still in recovery: 2 s, and at least two webhooks
    // and two probes sent to it and answered (what the assertions look at).
    await Promise.all([
      sleep(2_000),
      waitUntil(
        () => posts.filter((p) => p.sent > t.readOnly!).length >= 2 && readiness.filter((x) => x.sent > t.readOnly!).length >= 2,
        30_000,
        'webhooks and probes answered by the server in recovery',
      ),
    ]);
    t.promoting = now();
    await pair.promote();
    t.promoted = now();
    // And a probe sent after it answered: the last one may have been sent while pg_ctl waited.
    await waitUntil(
      () => posts.filter((p) => p.sent > t.promoted! && p.status === 202).length >= 5 && readiness.some((x) => x.sent > t.promoted!),
      30_000,
      'webhooks accepted and a probe answered after the promotion',
    );
    t.firstAcceptedAfter = Math.min(...posts.filter((p) => p.sent > t.killed! && p.status === 202).map((p) => p.answered));
  } catch (err) {
    running = false;
    await Promise.all(load);
    console.log('FAILED', JSON.stringify({ t, posts: posts.slice(-40), readiness: readiness.slice(-20), lines: gateway.lines.filter((l) => l.level !== 'info' || l.component !== 'http').slice(-60) }, null, 1));
    throw err;
  } finally {
    running = false;
    await Promise.all(load);
  }
  return { gateway, posts, readiness, t, delivered };
}

/** Names of the groups the promoted server holds, among `names`. */
async function stored(url: string, names: string[]): Promise<Set<string>> {
  const probe = new DbProbe(url);
  try {
    const rows = await probe.query<{ group_key: string }>('SELECT group_key FROM groups');
    const keys = rows.map((r) => r.group_key).join('\n');
    return new Set(names.filter((n) => keys.includes(`"${n}"`)));
  } finally {
    await probe.close();
  }
}

function summary(r: Awaited<ReturnType<typeof failover>>) {
  const by = (from: number, to: number) => {
    const c: Record<string, number> = {};
    for (const p of r.posts.filter((p) => p.sent >= from && p.sent < to)) c[String(p.status)] = (c[String(p.status)] ?? 0) + 1;
    return c;
  };
  const rd = (from: number, to: number) => {
    const c: Record<string, number> = {};
    for (const x of r.readiness.filter((x) => x.sent >= from && x.sent < to)) c[`${x.status} ${x.body.slice(0, 60)}`] = (c[`${x.status} ${x.body.slice(0, 60)}`] ?? 0) + 1;
    return c;
  };
  const t = r.t;
  return {
    webhooks: { stalled: by(t.stalled!, t.killed!), down: by(t.killed!, t.readOnly!), readOnly: by(t.readOnly!, t.promoted!), after: by(t.promoted!, Infinity) },
    readyz: { down: rd(t.killed!, t.readOnly!), readOnly: rd(t.readOnly!, t.promoted!), after: rd(t.promoted!, Infinity) },
    ms: { killToReadOnly: t.readOnly! - t.killed!, readOnlyToPromoted: t.promoted! - t.readOnly!, promotedToFirst202: t.firstAcceptedAfter! - t.promoted!, killToFirst202: t.firstAcceptedAfter! - t.killed! },
  };
}

describe.skipIf(!binDir)('a PostgreSQL failover under load', () => {
  let pair: PostgresPair | undefined;
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.kill('SIGKILL')));
    await pair?.destroy();
  });

  it('synchronous standby: no webhook answered 202 is lost; 503s and /readyz 503 until the promotion; resumes by itself; Slack once each', async () => {
    pair = await startPostgresPair(binDir!, { synchronous: true });
    const r = await failover(pair, 'S');
    const { t } = r;
    console.log('synchronous failover', JSON.stringify(summary(r)));
    // Alertmanager retries 5xx and drops 4xx: every webhook got 202 or 503.
    expect(r.posts.filter((p) => p.status !== 202 && p.status !== 503)).toEqual([]);
    // While the standby lagged, COMMITs waited for it: nothing sent then was answered 202.
    expect(r.posts.filter((p) => p.sent >= t.stalled! && p.sent < t.killed! && p.status === 202)).toEqual([]);
    // From the kill until the promotion nothing can commit: every webhook sent after the kill and
    // answered before `pg_ctl promote` started is 503.
    expect(r.posts.filter((p) => p.sent > t.killed! && p.answered < t.promoting! && p.status !== 503)).toEqual([]);
    // The server at the gateway's address in recovery refuses writes, and /readyz says so (it
    // answered 200 "ready" there, while every webhook failed). A probe sent once that server was
    // up and answered before the promotion started ran its query on it, in recovery (the old
    // primary's connections had closed at the kill, before that server was started).
    const probes = r.readiness.filter((x) => x.sent > t.readOnly! && x.answered < t.promoting!);
    expect(probes.length).toBeGreaterThanOrEqual(2);
    for (const x of probes) expect({ status: x.status, body: x.body }).toMatchObject({ status: 503, body: expect.stringContaining('read-only') });
    // Every 202, before and after, is on the promoted server and in Slack once; the gateway never restarted.
    const accepted = r.posts.filter((p) => p.status === 202).map((p) => p.name);
    const kept = await stored(pair.url, accepted);
    expect(accepted.filter((n) => !kept.has(n))).toEqual([]);
    await waitUntil(r.delivered, 30_000, 'every accepted webhook in Slack');
    expect([...slackMessages('S')].filter(([, c]) => c !== 1)).toEqual([]);
    expect(r.gateway.child.exitCode).toBe(null);
    expect(r.readiness.filter((x) => x.sent > t.promoted! && x.status !== 200)).toEqual([]);
  }, 90_000);

  it('asynchronous standby: the webhooks answered 202 while it lagged are gone after the failover (why synchronous replication is needed)', async () => {
    await Promise.all(gateways.map((g) => g.kill('SIGKILL')));
    await pair?.destroy();
    pair = await startPostgresPair(binDir!, { synchronous: false });
    const r = await failover(pair, 'A');
    const { t } = r;
    const accepted = r.posts.filter((p) => p.status === 202);
    const kept = await stored(pair.url, accepted.map((p) => p.name));
    const lost = accepted.filter((p) => !kept.has(p.name));
    const inSlack = slackMessages('A');
    console.log('asynchronous failover', JSON.stringify({ ...summary(r), lost: lost.length, lostButInSlack: lost.filter((p) => inSlack.has(p.name)).length }));
    expect(r.posts.filter((p) => p.status !== 202 && p.status !== 503)).toEqual([]);
    // The COMMITs did not wait for the stalled standby: answered 202, and lost with the primary
    // (at least the 3 sent after the stall); none answered before the standby had caught up.
    expect(lost.filter((p) => p.sent > t.stalled!).length).toBeGreaterThanOrEqual(3);
    expect(lost.filter((p) => p.answered < t.replicated! || p.sent > t.killed!)).toEqual([]);
    // The rest is as with a synchronous standby: the gateway reconnects by itself.
    expect(r.gateway.child.exitCode).toBe(null);
    expect(r.readiness.filter((x) => x.sent > t.promoted! && x.status !== 200)).toEqual([]);
  }, 90_000);
});
