/**
 * Test harness for several gateway replicas on one PostgreSQL database: separate processes
 * (`spawnGateway`), a routing config of their own, and the ways Alertmanager talks to an HA
 * gateway — the same webhook to every replica at once (HA peers), or to one replica after
 * another until one accepts it (a client retrying across a Service).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { gatewayEnv, WEBHOOK_TOKEN, type Fakes } from './gateway.js';
import { spawnGateway, type GatewayProcess } from './gateway-process.js';
import { webhook } from './payloads.js';

/**
 * Teams `ha0`…`ha{TEAMS-1}`, team k owning namespace `ha-prod-k`: every alert pages (PagerDuty)
 * and posts (Slack, channel `#ha-k`). Every webhook of a team locks the team's channel storm
 * state, so one team's webhooks take turns on all replicas; several teams let the load spread.
 * Storms are out of the way (the tests count messages, not digests).
 */
export const TEAMS = 8;

const teamRoutes = (k: number) => `team: ha${k}
owns:
  namespaces: [ha-prod-${k}]
slack:
  channel: "#ha-${k}"
pagerduty:
  routingKeyEnv: TEST_PD_PAYMENTS_KEY
storm:
  maxMessagesPerMinute: 100000
routes:
  - receivers: [pagerduty, slack]
`;
const PLATFORM_ROUTES = `team: platform
owns:
  namespaces: [monitoring]
slack:
  channel: "#platform-alerts"
routes:
  - receivers: [slack]
`;

/** A config dir for the replicas; returns it and its cleanup. */
export async function writeHaConfig(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'alertgate-ha-'));
  await mkdir(join(dir, 'routes'));
  for (let k = 0; k < TEAMS; k++) await writeFile(join(dir, 'routes', `ha${k}.yaml`), teamRoutes(k));
  await writeFile(join(dir, 'routes', 'platform.yaml'), PLATFORM_ROUTES);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Timing of the replicas under test: short leases so a dead replica's work moves on quickly. */
export const HA_TIMING = {
  /** Each Slack / PagerDuty call; generous, as a timed-out call that did arrive repeats a message. */
  DELIVERY_TIMEOUT_MS: '4000',
  /** Must exceed 5 s of pacing wait + 2 × the call timeout + 1 s cut before the lease ends (checked at start). */
  OUTBOX_LEASE_MS: '14500',
  SHUTDOWN_GRACE_MS: '3000',
} as const;

export function replicaEnv(fakes: Fakes, configDir: string, databaseUrl: string): Record<string, string> {
  return gatewayEnv(fakes, {
    DATABASE_URL: databaseUrl,
    ALERTGATE_CONFIG_DIR: configDir,
    NODE_EXTRA_CA_CERTS: fakes.tls.certPath,
    // Pacing is per replica and not what these tests look at: out of the way.
    SLACK_CHANNEL_RATE: '100000',
    SLACK_CHANNEL_BURST: '100000',
    LOG_LEVEL: 'info',
    ...HA_TIMING,
  });
}

/** A fixed set of replica slots; a slot's process can be killed and started again. */
export class Replicas {
  readonly procs: GatewayProcess[] = [];

  constructor(private readonly env: Record<string, string>) {}

  async start(count: number): Promise<void> {
    const started = await Promise.allSettled(Array.from({ length: count }, () => spawnGateway(this.env, 60_000)));
    // Keep the ones that did start, so stopAll() ends them even when another failed.
    for (const s of started) if (s.status === 'fulfilled') this.procs.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  }

  get urls(): string[] {
    return this.procs.map((p) => p.url);
  }

  /** Start slot `i` again (after it exited). */
  async restart(i: number): Promise<GatewayProcess> {
    const proc = await spawnGateway(this.env, 60_000);
    this.procs[i] = proc;
    return proc;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.kill('SIGKILL')));
  }

  /** Whether slot `i`'s process is still running. */
  alive(i: number): boolean {
    const c = this.procs[i]?.child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }
}

/** POST a webhook to one replica: its HTTP status, or 'refused' when no answer came. */
export async function postWebhook(url: string, body: unknown): Promise<number | 'refused'> {
  try {
    const res = await fetch(`${url}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 'refused';
  }
}

/**
 * Offer a webhook to the replicas in turn, starting at `first`, until one answers 202 — as a
 * client retrying across replicas would. `accepted: false` when every replica refused it.
 */
export async function postToAny(urls: () => string[], body: unknown, first: number): Promise<{ accepted: boolean; answers: (number | 'refused')[] }> {
  const answers: (number | 'refused')[] = [];
  const list = urls();
  for (let k = 0; k < list.length; k++) {
    const answer = await postWebhook(list[(first + k) % list.length]!, body);
    answers.push(answer);
    if (answer === 202) return { accepted: true, answers };
  }
  return { accepted: false, answers };
}

/** The namespace of test group `name`: its number picks the team. */
function namespaceOf(name: string): string {
  return `ha-prod-${Number(/\d+$/.exec(name)?.[0] ?? 0) % TEAMS}`;
}

/** The firing webhook of test group `name` (one critical alert). */
export function firing(name: string) {
  return webhook(groupKey(name), [{ labels: { alertname: name, namespace: namespaceOf(name), severity: 'critical' } }]);
}

/** The same group, resolved. */
export function resolved(name: string) {
  return webhook(groupKey(name), [{ labels: { alertname: name, namespace: namespaceOf(name), severity: 'critical' }, status: 'resolved' }]);
}

function groupKey(name: string): string {
  return `{}/{severity="critical"}:{alertname="${name}"}`;
}

/** Run `fn` over `items` with at most `width` calls in flight. */
export async function inParallel<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return out;
}

/** Direct reads of the shared database (what the replicas wrote). */
export class DbProbe {
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
    this.pool.on('error', () => undefined);
  }

  async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(sql, params)).rows;
  }

  /** Outbox items still to deliver for groups whose key contains `marker`. */
  async undelivered(marker: string): Promise<number> {
    const [row] = await this.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM notifications n JOIN groups g ON g.id = n.group_id
       WHERE n.status IN ('pending', 'failed') AND g.group_key LIKE '%' || $1 || '%'`,
      [marker],
    );
    return row?.n ?? 0;
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
