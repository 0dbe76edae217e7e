/**
 * @module testing/alertmanager
 * Runs real Prometheus Alertmanager processes (`prometheus-alertmanager`, Debian package) for
 * tests: one instance or an HA cluster gossiping on 127.0.0.1, each configured with a single
 * webhook receiver pointing at the URL under test. Only test code imports this module.
 *
 * @example
 * const am = await startAlertmanager({ webhookUrl: 'http://127.0.0.1:8080/webhooks/alertmanager', bearerToken: 't' });
 * try {
 *   await am.postAlerts([{ labels: { alertname: 'Down', namespace: 'payments-prod' } }]);
 * } finally {
 *   await am.stop();
 * }
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { findBinary } from './binaries.js';
import { freeTcpPort, freeTcpUdpPort } from './free-port.js';

/** An alert as posted to Alertmanager's `POST /api/v2/alerts` (what Prometheus sends). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string | Date;
  endsAt?: string | Date;
  generatorURL?: string;
}

/** An alert as Alertmanager reports it on `GET /api/v2/alerts` (the fields tests use). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  fingerprint: string;
  generatorURL?: string;
  receivers: { name: string }[];
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

/** The part of `GET /api/v2/status` that describes the HA cluster. */
export interface ClusterStatus {
  /** `ready`, `settling`, or `disabled` when clustering is off. */
  status: string;
  name?: string;
  peers?: { name: string; address: string }[] | null;
}

export interface StartAlertmanagerOptions {
  /** Where the webhook receiver posts (`webhook_configs[].url`). */
  webhookUrl: string;
  /**
   * Name of the webhook receiver; default `webhook`. Alertmanager's notification log keys entries
   * by receiver name and the integration's position in it, so HA peers whose receiver differs
   * there (a config rollout halfway) never see each other's notifications and both send them all.
   */
  receiverName?: string;
  /** Sent as `Authorization: Bearer <token>` via `http_config.authorization.credentials_file`. */
  bearerToken?: string;
  /** Route timing; the defaults make a test see its first notification within about a second. */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  /** `global.resolve_timeout`; Alertmanager's default (5m) when unset. */
  resolveTimeout?: string;
  /**
   * `max_alerts` of the webhook receiver; default 0 (every alert). With N, Alertmanager sends the
   * first N alerts of a group, sorted by labels, and the number left out as `truncatedAlerts`.
   */
  maxAlerts?: number;
  /** `route.group_by`; default `['alertname']`. `['...']` groups by all labels. */
  groupBy?: string[];
  /** Cluster addresses (`host:port`) of peers to join; implies `clusterListen`. */
  peers?: string[];
  /** Listen for cluster gossip on a free 127.0.0.1 port (otherwise HA mode is disabled). */
  clusterListen?: boolean;
  /** Binary to run; default `prometheus-alertmanager` found on PATH. */
  binary?: string;
  /** Bound on waiting for `/-/ready`; default 20 s. */
  readyTimeoutMs?: number;
  /** Extra command-line flags, e.g. `['--log.level=debug']`. */
  extraArgs?: string[];
  /**
   * `--cluster.peer-timeout` (default 500ms): how long peer N waits for peer N-1's notification
   * to gossip in. A tiny value makes every peer send, as happens when gossip is slow or split.
   */
  peerTimeout?: string;
}

/** A running Alertmanager. `stop()` it in `afterEach`/`afterAll`. */
export interface AlertmanagerProcess {
  /** Base URL of the web API, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** `127.0.0.1:<port>` of the gossip listener, when clustering is enabled. */
  readonly clusterAddress: string | undefined;
  /** `POST /api/v2/alerts`; throws on a non-2xx answer (with Alertmanager's error text). */
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  /** Posts the same alerts with `endsAt` = now, which resolves them. */
  resolveAlerts(alerts: PostableAlert[]): Promise<void>;
  /** `GET /api/v2/alerts`. */
  getAlerts(): Promise<GettableAlert[]>;
  /** The `cluster` part of `GET /api/v2/status`. */
  clusterStatus(): Promise<ClusterStatus>;
  /** SIGTERM, wait for exit (SIGKILL after 15 s), remove the temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far (for failure messages). */
  logs(): string;
}

/** An HA cluster of Alertmanagers that have all seen each other. */
export interface AlertmanagerCluster {
  readonly members: readonly AlertmanagerProcess[];
  /** Posts to every member, as Prometheus does with several Alertmanagers configured. */
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  /** Resolves on every member. */
  resolveAlerts(alerts: PostableAlert[]): Promise<void>;
  /** Stops every member, one after another. */
  stop(): Promise<void>;
  /** Logs of every member, labelled. */
  logs(): string;
}

const DEFAULT_READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 15_000;
const START_ATTEMPTS = 3;
const POLL_INTERVAL_MS = 100;

/** Gossip timings far shorter than production so a cluster settles in a couple of seconds. */
const FAST_CLUSTER_FLAGS = [
  '--cluster.gossip-interval=50ms',
  '--cluster.pushpull-interval=1s',
  '--cluster.probe-interval=200ms',
  '--cluster.reconnect-interval=1s',
  '--cluster.settle-timeout=10s',
];

/** Children still running, killed if the test process exits without stopping them. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveChildren) child.kill('SIGKILL');
});

function toTimestamp(value: string | Date | undefined): string | undefined {
  return value instanceof Date ? value.toISOString() : value;
}

function serializeAlerts(alerts: PostableAlert[], endsAt?: Date): unknown[] {
  return alerts.map((alert) => ({
    labels: alert.labels,
    ...(alert.annotations !== undefined && { annotations: alert.annotations }),
    ...(alert.startsAt !== undefined && { startsAt: toTimestamp(alert.startsAt) }),
    ...((endsAt ?? alert.endsAt) !== undefined && { endsAt: toTimestamp(endsAt ?? alert.endsAt) }),
    ...(alert.generatorURL !== undefined && { generatorURL: alert.generatorURL }),
  }));
}

/** The Alertmanager configuration file: one route to one webhook receiver. */
function renderConfig(opts: StartAlertmanagerOptions, tokenFile: string | undefined): string {
  const webhook: Record<string, unknown> = {
    url: opts.webhookUrl,
    send_resolved: true,
    max_alerts: opts.maxAlerts ?? 0,
  };
  if (tokenFile !== undefined) {
    webhook['http_config'] = { authorization: { type: 'Bearer', credentials_file: tokenFile } };
  }
  const receiver = opts.receiverName ?? 'webhook';
  const config = {
    ...(opts.resolveTimeout !== undefined && { global: { resolve_timeout: opts.resolveTimeout } }),
    route: {
      receiver,
      group_by: opts.groupBy ?? ['alertname'],
      group_wait: opts.groupWait ?? '1s',
      group_interval: opts.groupInterval ?? '1s',
      repeat_interval: opts.repeatInterval ?? '4h',
    },
    receivers: [{ name: receiver, webhook_configs: [webhook] }],
  };
  return stringify(config);
}

async function delay(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function expectOk(response: Response, what: string): Promise<void> {
  if (!response.ok) {
    throw new Error(`${what}: Alertmanager answered ${response.status}: ${await response.text()}`);
  }
}

/** Thrown when the process exits before it is ready; `portClash` allows a retry. */
class StartFailure extends Error {
  constructor(
    message: string,
    readonly portClash: boolean,
  ) {
    super(message);
  }
}

async function startOnce(
  binary: string,
  opts: StartAlertmanagerOptions,
  dir: string,
  configFile: string,
): Promise<AlertmanagerProcess> {
  const webPort = await freeTcpPort();
  const clustered = opts.clusterListen === true || (opts.peers?.length ?? 0) > 0;
  const clusterAddress = clustered ? `127.0.0.1:${await freeTcpUdpPort()}` : undefined;
  const args = [
    `--config.file=${configFile}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${webPort}`,
    `--cluster.listen-address=${clusterAddress ?? ''}`,
    ...(clusterAddress !== undefined
      ? [`--cluster.advertise-address=${clusterAddress}`, `--cluster.peer-timeout=${opts.peerTimeout ?? '500ms'}`, ...FAST_CLUSTER_FLAGS]
      : []),
    ...(opts.peers ?? []).map((peer) => `--cluster.peer=${peer}`),
    ...(opts.extraArgs ?? []),
  ];

  const output: string[] = [];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  let exited = false;
  // 'close', not 'exit': it comes once stdout and stderr are drained, so the output a failed start
  // is judged by (a port clash to retry) is all there.
  const exit = new Promise<void>((resolve) => {
    child.once('close', () => {
      exited = true;
      liveChildren.delete(child);
      resolve();
    });
    child.once('error', (err) => {
      output.push(`spawn error: ${err.message}\n`);
      exited = true;
      liveChildren.delete(child);
      resolve();
    });
  });
  const logs = (): string => output.join('');
  const url = `http://127.0.0.1:${webPort}`;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exit;
        clearTimeout(timer);
      }
    })();
    return stopping;
  };

  const readyTimeout = opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const deadline = Date.now() + readyTimeout;
  for (;;) {
    if (exited) {
      const text = logs();
      throw new StartFailure(
        `Alertmanager exited before it was ready (exit code ${child.exitCode}):\n${text}`,
        /address already in use/i.test(text),
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new StartFailure(`Alertmanager not ready after ${readyTimeout} ms:\n${logs()}`, false);
    }
    try {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await delay(POLL_INTERVAL_MS);
  }

  const postAlerts = async (alerts: PostableAlert[], endsAt?: Date): Promise<void> => {
    const response = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(serializeAlerts(alerts, endsAt)),
    });
    await expectOk(response, 'POST /api/v2/alerts');
  };

  return {
    url,
    clusterAddress,
    postAlerts: (alerts) => postAlerts(alerts),
    resolveAlerts: (alerts) => postAlerts(alerts, new Date()),
    async getAlerts() {
      const response = await fetch(`${url}/api/v2/alerts`);
      await expectOk(response, 'GET /api/v2/alerts');
      return (await response.json()) as GettableAlert[];
    },
    async clusterStatus() {
      const response = await fetch(`${url}/api/v2/status`);
      await expectOk(response, 'GET /api/v2/status');
      return ((await response.json()) as { cluster: ClusterStatus }).cluster;
    },
    stop,
    logs,
  };
}

/**
 * Starts one Alertmanager on free 127.0.0.1 ports and resolves once `/-/ready` answers 200.
 * Retries with new ports if another process grabbed a port between probe and bind.
 */
export async function startAlertmanager(opts: StartAlertmanagerOptions): Promise<AlertmanagerProcess> {
  const binary = opts.binary ?? findBinary('prometheus-alertmanager');
  if (binary === undefined) {
    throw new Error('prometheus-alertmanager is not on PATH (Debian package prometheus-alertmanager)');
  }
  const dir = await mkdtemp(join(tmpdir(), 'alertgate-am-'));
  try {
    let tokenFile: string | undefined;
    if (opts.bearerToken !== undefined) {
      tokenFile = join(dir, 'webhook-token');
      await writeFile(tokenFile, opts.bearerToken, { mode: 0o600 });
    }
    const configFile = join(dir, 'alertmanager.yml');
    await writeFile(configFile, renderConfig(opts, tokenFile));

    for (let attempt = 1; ; attempt += 1) {
      try {
        const am = await startOnce(binary, opts, dir, configFile);
        return {
          ...am,
          async stop() {
            await am.stop();
            await rm(dir, { recursive: true, force: true });
          },
        };
      } catch (err) {
        if (!(err instanceof StartFailure && err.portClash && attempt < START_ATTEMPTS)) throw err;
      }
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Starts `n` Alertmanagers gossiping on 127.0.0.1 and resolves once every member reports the
 * cluster `ready` with `n` peers — only then does HA deduplication between them apply.
 */
export async function startAlertmanagerCluster(
  n: number,
  opts: Omit<StartAlertmanagerOptions, 'peers' | 'clusterListen'> & {
    settleTimeoutMs?: number;
    /** Per member (by index), options that differ from `opts`: another webhook URL, receiver name. */
    memberOptions?: Partial<Omit<StartAlertmanagerOptions, 'peers' | 'clusterListen'>>[];
  },
): Promise<AlertmanagerCluster> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`cluster size must be a positive integer, got ${n}`);
  const members: AlertmanagerProcess[] = [];
  const cluster: AlertmanagerCluster = {
    members,
    async postAlerts(alerts) {
      await Promise.all(members.map((m) => m.postAlerts(alerts)));
    },
    async resolveAlerts(alerts) {
      await Promise.all(members.map((m) => m.resolveAlerts(alerts)));
    },
    async stop() {
      // One at a time: a member leaving while its peers are alive has its leave message acked
      // at once; members leaving together each wait 10 s for an ack that never comes.
      for (const member of [...members].reverse()) await member.stop();
    },
    logs() {
      return members.map((m, i) => `--- alertmanager #${i} (${m.url}) ---\n${m.logs()}`).join('\n');
    },
  };
  try {
    // The seed first, then the rest join it (they learn of each other through gossip).
    const optionsOf = (i: number) => ({ ...opts, ...opts.memberOptions?.[i] });
    const seed = await startAlertmanager({ ...optionsOf(0), clusterListen: true });
    members.push(seed);
    const seedAddress = seed.clusterAddress as string;
    const others = await Promise.allSettled(
      Array.from({ length: n - 1 }, (_, i) => startAlertmanager({ ...optionsOf(i + 1), peers: [seedAddress] })),
    );
    for (const result of others) if (result.status === 'fulfilled') members.push(result.value);
    const failed = others.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;

    const timeout = opts.settleTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeout;
    for (const member of members) {
      for (;;) {
        const status = await member.clusterStatus();
        if (status.status === 'ready' && (status.peers?.length ?? 0) === n) break;
        if (Date.now() > deadline) {
          throw new Error(
            `cluster of ${n} not ready after ${timeout} ms: ${member.url} reports ` +
              `${JSON.stringify(status)}\n${cluster.logs()}`,
          );
        }
        await delay(POLL_INTERVAL_MS);
      }
    }
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
