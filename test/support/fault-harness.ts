/**
 * Fault-injection harness: an estate of four teams that all page (Slack + PagerDuty), the
 * gateway as a real OS process on a fixed port (so it can be killed and restarted where
 * Alertmanager expects it), an Alertmanager-like sender (5xx and connection errors retried with
 * backoff, 4xx not), and readers for metrics and the delivery log.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freeTcpPort } from '../../src/testing/free-port.js';
import { ADMIN_TOKEN, gatewayEnv, SLACK_TOKEN, startFakes, WEBHOOK_TOKEN, type Fakes } from './gateway.js';
import { spawnGateway, type GatewayProcess } from './gateway-process.js';
import { assertNoSecrets } from './secrets.js';

export const FAULT_TEAMS = ['alpha', 'bravo', 'charlie', 'delta'] as const;
export type FaultTeam = (typeof FAULT_TEAMS)[number];
export const FAULT_PD_KEYS: Record<FaultTeam, string> = {
  alpha: 'pd-routing-key-alpha-4f1c9e2a7b',
  bravo: 'pd-routing-key-bravo-8d3e0b6c15',
  charlie: 'pd-routing-key-charlie-2a7f5d9e03',
  delta: 'pd-routing-key-delta-6b0c3e8f41',
};
const keyVar = (team: FaultTeam) => `FAULT_PD_${team.toUpperCase()}_KEY`;

/** Every secret a fault-suite gateway holds, by name (for assertNoSecrets). */
export const FAULT_SECRETS: Record<string, string> = {
  WEBHOOK_TOKEN,
  ADMIN_TOKEN,
  SLACK_TOKEN,
  ...Object.fromEntries(FAULT_TEAMS.map((t) => [keyVar(t), FAULT_PD_KEYS[t]])),
};

export const namespaceOf = (team: FaultTeam) => `${team}-prod`;
export const channelOf = (team: FaultTeam) => `#${team}-alerts`;

export function routesYaml(team: FaultTeam): string {
  return [
    `team: ${team}`,
    'owns:',
    `  namespaces: [${namespaceOf(team)}]`,
    'slack:',
    `  channel: "${channelOf(team)}"`,
    'pagerduty:',
    `  routingKeyEnv: ${keyVar(team)}`,
    'routes:',
    '  - receivers: [pagerduty, slack]',
    // Storm digests are a feature of their own (test/storm*); here every group gets its message.
    'storm:',
    '  maxMessagesPerMinute: 100000',
    '',
  ].join('\n');
}

/** Writes routes/ for the four teams plus the fallback team `platform` into `dir`. */
export async function writeFaultEstate(dir: string): Promise<void> {
  await mkdir(join(dir, 'routes'), { recursive: true });
  for (const team of FAULT_TEAMS) await writeFile(join(dir, 'routes', `${team}.yaml`), routesYaml(team));
  await writeFile(join(dir, 'routes', 'platform.yaml'), 'team: platform\nowns:\n  namespaces: [kube-system]\nslack:\n  channel: "#platform-alerts"\nroutes:\n  - receivers: [slack]\n');
}

export interface FaultRig {
  fakes: Fakes;
  /** Temp dir holding config/ and data/. */
  dir: string;
  configDir: string;
  dataDir: string;
  port: number;
  url: string;
  /** The gateway generations started so far (the last is the live one, if any). */
  generations: GatewayProcess[];
  env(extra?: Record<string, string>): Record<string, string>;
  /** Starts a gateway process on the rig's port. */
  start(extra?: Record<string, string>): Promise<GatewayProcess>;
  /** Every log line of every generation. */
  logLines(): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startFaultRig(opts: { dataDir?: string } = {}): Promise<FaultRig> {
  const fakes = await startFakes();
  const dir = await mkdtemp(join(tmpdir(), 'alertgate-faults-'));
  const configDir = join(dir, 'config');
  await writeFaultEstate(configDir);
  const dataDir = opts.dataDir ?? join(dir, 'data');
  const port = await freeTcpPort();
  const generations: GatewayProcess[] = [];
  const env = (extra: Record<string, string> = {}) =>
    gatewayEnv(fakes, {
      PORT: String(port),
      ALERTGATE_CONFIG_DIR: configDir,
      DATABASE_URL: `sqlite:${join(dataDir, 'alertgate.db')}`,
      NODE_EXTRA_CA_CERTS: fakes.tls.certPath,
      LOG_LEVEL: 'info',
      DELIVERY_MAX_ATTEMPTS: '100',
      ...Object.fromEntries(FAULT_TEAMS.map((t) => [keyVar(t), FAULT_PD_KEYS[t]])),
      ...extra,
    });
  return {
    fakes,
    dir,
    configDir,
    dataDir,
    port,
    url: `http://127.0.0.1:${port}`,
    generations,
    env,
    async start(extra = {}) {
      const gw = await spawnGateway(env(extra), 60_000);
      generations.push(gw);
      return gw;
    },
    logLines: () => generations.flatMap((g) => g.lines),
    async close() {
      for (const g of generations) await g.kill('SIGKILL');
      await fakes.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The rig of one test file: started before its tests and closed after them, when every log
 * line of every gateway generation (the killed ones too) is checked for tokens and keys.
 */
export function useFaultRig(): () => FaultRig {
  let rig: FaultRig | undefined;
  beforeAll(async () => {
    rig = await startFaultRig();
  });
  afterAll(async () => {
    if (rig) assertNoSecrets(rig.logLines(), FAULT_SECRETS);
    await rig?.close();
  });
  return () => {
    if (!rig) throw new Error('the fault rig is not started (useFaultRig runs in beforeAll)');
    return rig;
  };
}

export interface SendOutcome {
  /** Final HTTP status (202 or a 4xx that Alertmanager does not retry). */
  status: number;
  /** Attempts made (1 = accepted at once). */
  attempts: number;
  /** Statuses of the failed attempts ('network' for a connection error). */
  failures: (number | 'network')[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * POSTs a webhook the way Alertmanager's webhook notifier does: connection errors and 5xx are
 * retried with exponential backoff and jitter, anything else is final. (Alertmanager starts at
 * ~500 ms; the base here is shorter so a suite with a thousand webhooks stays quick.)
 */
export async function sendLikeAlertmanager(
  url: string,
  body: unknown,
  opts: { baseMs?: number; maxMs?: number; giveUpAfterMs?: number; random?: () => number } = {},
): Promise<SendOutcome> {
  const text = JSON.stringify(body);
  const random = opts.random ?? Math.random;
  const giveUpAt = Date.now() + (opts.giveUpAfterMs ?? 180_000);
  const failures: (number | 'network')[] = [];
  let delay = opts.baseMs ?? 50;
  for (let attempt = 1; ; attempt++) {
    let status: number | 'network';
    try {
      const res = await fetch(`${url}/webhooks/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
        body: text,
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      status = 'network';
    }
    if (status !== 'network' && status < 500) return { status, attempts: attempt, failures };
    failures.push(status);
    if (Date.now() > giveUpAt) throw new Error(`webhook still failing after ${attempt} attempts: ${failures.slice(-5).join(', ')}`);
    await sleep(delay / 2 + (random() * delay) / 2);
    delay = Math.min(delay * 2, opts.maxMs ?? 1000);
  }
}

/** A metric's value (first series matching `labels`, e.g. `code="503"`), undefined when absent. */
export async function metricValue(url: string, name: string, labels = ''): Promise<number | undefined> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name || (labels && !(m[2] ?? '').includes(labels))) continue;
    return Number(m[3]);
  }
  return undefined;
}

export interface NotificationView {
  id: number;
  team: string;
  groupId: string;
  groupKey: string;
  receiver: 'slack' | 'pagerduty';
  kind: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  group: { status: string; alertnames: string[]; firing: number; resolved: number };
}

/** Every notification in the delivery log (all pages), optionally of one status. */
export async function allNotifications(url: string, status?: string): Promise<NotificationView[]> {
  const out: NotificationView[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: '1000', ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
    const page = (await fetch(`${url}/v1/notifications?${q}`).then((r) => r.json())) as { items: NotificationView[]; nextCursor: string | null };
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Bounded wait until the outbox is empty (everything sent or dead), read from /metrics. */
export async function waitForDrain(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const depth = await metricValue(url, 'alertgate_outbox_depth').catch(() => undefined);
    if (depth === 0) return;
    if (Date.now() > deadline) throw new Error(`outbox not drained after ${timeoutMs} ms (depth ${depth})`);
    await sleep(100);
  }
}
