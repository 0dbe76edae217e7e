/**
 * @module server
 * Wiring only: settings → store, config, notifiers, outbox worker, HTTP server; and an orderly
 * shutdown (stop accepting, finish in-flight deliveries up to a deadline, close the store).
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { ConfigHolder } from './config/config-holder.js';
import { startConfigWatch } from './config/config-watch.js';
import type { GatewaySettings } from './config/env.js';
import { resolvableRoutingKeys, routingKeyResolver } from './config/routing-keys.js';
import type { PagerDutyConfig, RoutingConfig } from './config/types.js';
import type { PagesMode } from './delivery/build-notifiers.js';
import { urlCredentials } from './delivery/redact.js';
import { createApp } from './http/app.js';
import { AcceptedToken, type TokenFileWatch } from './http/auth.js';
import { closingResponses } from './http/closing-responses.js';
import { drainServer } from './http/drain.js';
import { createLogger, type Logger } from './log/logger.js';
import { ScrubList } from './log/scrub-list.js';
import { createMetrics, type ConfigReloadTrigger, type Metrics } from './metrics/metrics.js';
import { buildOutboxWorker } from './outbox/build-worker.js';
import { OutboxWorker } from './outbox/worker.js';
import { DeliveryThread, type OutboxRunner, type RestartBackoff } from './outbox/delivery-thread-host.js';
import type { RoutingKeys } from './outbox/delivery-messages.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import { settledWithin } from './pipeline/settled-within.js';
import { startStormTicker } from './storm/storm-ticker.js';
import { startMaintenanceTicker } from './maintenance/release.js';
import { startHistoryPruner } from './retention/history-pruner.js';
import { ownershipSignature, reattributeFiring } from './pipeline/reattribute.js';
import { openStore, urlPasswords } from './store/open-store.js';
import type { Store } from './store/store.js';
import { createUptime } from './uptime/wiring.js';

export interface GatewayOptions {
  settings: GatewaySettings;
  env: NodeJS.ProcessEnv;
  logger?: Logger;
  /**
   * Where the gateway's own logger writes (default stdout), when no `logger` is given: tests read
   * the lines as an operator would, secrets blanked (a given `logger` blanks nothing).
   */
  logWrite?: (line: string) => void;
  /** Extra CA for PagerDuty over https (tests); production uses NODE_EXTRA_CA_CERTS. */
  pagerDutyCa?: string | Buffer;
  /** Outbox poll interval (ms); the worker is also woken on every accepted webhook. */
  pollMs?: number;
  /** HTTP server timeouts; tests shrink them to show a slow client is cut off. */
  httpTimeouts?: Partial<HttpTimeouts>;
  /** How token files are followed (TOKEN_ROTATION); tests shorten the grace. */
  tokenRotation?: Partial<TokenRotation>;
  /** Clock /metrics measures the oldest waiting notification's age with; tests move it on instead of sleeping. */
  metricsNow?: () => Date;
  /** Monotonic clock (ms) of the `webhook refused` and `no route for this path` lines' throttles (log/line-throttle.ts); tests move it on instead of sleeping. */
  refusalLogNow?: () => number;
  /**
   * Monotonic clock (ms) of the outage lines (log/failure-streak.ts: one per 30 s during an
   * outage): the outbox worker's failed claims, the webhook's store failures, the delivery
   * thread's exits. Tests move it on instead of sleeping. Not on the delivery thread itself.
   */
  outageLogNow?: () => number;
  /**
   * Timers on `outageLogNow`'s clock: the webhook's store-recovery line, written once webhooks
   * have been stored for 30 s with none refused. Tests fire them instead of sleeping. Default: unref'd setTimeout.
   */
  outageLogTimer?: (ms: number, fire: () => void) => () => void;
  /** How a delivery thread that exited is restarted (outbox/delivery-thread-host.ts THREAD_RESTART); tests shorten it. */
  deliveryThreadRestart?: Partial<RestartBackoff>;
}

/** How WEBHOOK_TOKEN_FILE and ADMIN_TOKEN_FILE are followed after a Secret rotation (http/auth.ts). */
export interface TokenRotation {
  /**
   * How long the webhook token a swap in the file replaced (none of its tokens still listed) is
   * still accepted: Alertmanagers whose copy of the Secret the kubelet has not updated yet still
   * send it. The admin token has none: people and scripts read the Secret when they call, and a
   * leaked one should stop at once.
   */
  webhookGraceMs: number;
  /** Least time between two reads of a token file, on requests whose token matches none. */
  rereadMs: number;
  /**
   * How often each token file is checked without a request (http/auth.ts `watch`), so every step
   * of a rotation is seen though no webhook comes between them.
   */
  pollMs: number;
  /** Clock for both, in ms (tests); default `performance.now`. */
  now?: () => number;
  /** Given each token file's watch as it starts (tests: a start that failed stopped it). */
  onWatch?: (watch: TokenFileWatch) => void;
}

export const TOKEN_ROTATION: TokenRotation = { webhookGraceMs: 600_000, rereadMs: 1_000, pollMs: 5_000 };

/**
 * At shutdown, after the grace: how long the store's queries still in flight (work given up at
 * the deadline, waiting on a database that stopped answering) may take before their connections
 * are cut. Within the 5 s the manifests leave after SHUTDOWN_GRACE_MS to close the store and exit.
 */
export const STORE_CLOSE_WAIT_MS = 500;

/** Node HTTP server timeouts (ms): how long a client may hold a connection. */
export interface HttpTimeouts {
  /** Idle keep-alive connections are closed after this. */
  keepAliveMs: number;
  /** All request headers must arrive within this (a slowloris client is cut off). */
  headersMs: number;
  /** The whole request, body included, must arrive within this. */
  requestMs: number;
  /** How often Node checks headersMs / requestMs. */
  checkIntervalMs: number;
}

/**
 * keepAlive 310 s, longer than Alertmanager keeps an idle connection (its HTTP client,
 * prometheus/common's, has IdleConnTimeout 5 minutes; Alertmanager 0.25 was measured closing one
 * after 301.4 s): the client, not the server, closes an idle connection, so Alertmanager never
 * sends a POST on a socket the server has just closed (which fails that attempt). Headers within
 * 100 s, the whole request within 120 s (a 5 MiB body gets 2 minutes); requestMs must be at least
 * headersMs (Node refuses otherwise). Neither needs to exceed keepAlive: Node (18 and later) times
 * them from the first byte of each request, not over the idle time between requests (test:
 * property-webhook 'slow clients').
 */
export const HTTP_TIMEOUTS: HttpTimeouts = { keepAliveMs: 310_000, headersMs: 100_000, requestMs: 120_000, checkIntervalMs: 5_000 };

export interface Gateway {
  url: string;
  port: number;
  app: Hono;
  store: Store;
  metrics: Metrics;
  config: ConfigHolder;
  worker: OutboxRunner;
  /** Reload the routing config (POST /-/reload, SIGHUP, changed files): an invalid one keeps the old. Counted by trigger. */
  reload(trigger: ConfigReloadTrigger): Promise<{ ok: boolean; errors: string[] }>;
  /** Graceful stop: refuse new webhooks (503), drain deliveries up to the grace period, close. */
  close(): Promise<void>;
}

/** Teams of the config with a `pagerduty:` block. */
function pagerDutyTeams(config: RoutingConfig | undefined): string[] {
  return config ? [...config.teams.values()].filter((t) => t.pagerduty).map((t) => t.team) : [];
}

/**
 * Whether pages go to PagerDuty or to the log sink. The log sink is the offline quick start's
 * (README): with no PAGERDUTY_EVENTS_URL and no team's routing key resolving, the exact event each
 * page would send is logged instead. Keys are looked up at send time, so this is asked at every
 * send (delivery/build-notifiers.ts) and at every reload, not settled at start: the first key to
 * resolve, whenever it appears (a reload, a key file written later), sends pages for good.
 */
function pagesMode(config: ConfigHolder, env: NodeJS.ProcessEnv, keyResolvesAtStart: boolean, logger: Logger, onLive: () => void): PagesMode {
  const customEventsUrl = env.PAGERDUTY_EVENTS_URL !== undefined && env.PAGERDUTY_EVENTS_URL !== '';
  let live = customEventsUrl || keyResolvesAtStart;
  if (!live) {
    logger.warn(
      {},
      'no PagerDuty routing key resolves and PAGERDUTY_EVENTS_URL is not set: PagerDuty events are written to the log instead of sent, until a team\'s routing key resolves (keys are looked up at every send)',
    );
  }
  return {
    live: () => live,
    teams: () => pagerDutyTeams(config.current()),
    wentLive: () => {
      if (live) return;
      live = true;
      // A key file written after start goes live at a send: its key joins the logger's scrub list now, not at the next reload.
      onLive();
      logger.info({}, 'a PagerDuty routing key resolves now: PagerDuty events are sent from now on, no longer written to the log');
    },
  };
}

/** Where PagerDuty routing keys come from now, for the delivery thread. */
function routingKeysOf(config: ConfigHolder, env: NodeJS.ProcessEnv, pages: PagesMode): RoutingKeys {
  const current = config.current();
  return {
    pagerduty: current ? [...current.teams.values()].flatMap((t) => (t.pagerduty ? [[t.team, t.pagerduty] as [string, PagerDutyConfig]] : [])) : [],
    retired: config.retiredPagerDutySources(),
    env: { ...env },
    pagesLive: pages.live(),
  };
}

/**
 * The outbox worker: on its own thread for a SQLite file (delivery-thread-host.ts says why),
 * in this process otherwise (`:memory:`, PostgreSQL, or OUTBOX_THREAD=false).
 */
function outboxRunner(
  o: GatewayOptions,
  store: Store,
  config: ConfigHolder,
  pages: PagesMode,
  logger: Logger,
  metrics: Metrics,
  onSecret: (secret: string) => void,
): OutboxRunner {
  const { settings, env } = o;
  if (!settings.slackToken) logger.warn({}, 'SLACK_TOKEN is not set: Slack messages are written to the log instead of sent');
  const owner = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const threadable = store instanceof SqliteStore && store.shareable;
  if (settings.outboxThread && !threadable) {
    // Set and silently ignored, it would pass for on (README: SQLite file stores only).
    const kind = store instanceof SqliteStore ? 'sqlite::memory:' : 'PostgreSQL';
    logger.warn({}, `OUTBOX_THREAD=true has no effect with this store (${kind}): deliveries run on the event loop; the thread needs a SQLite file store`);
  }
  if (settings.outboxThread && threadable) {
    return new DeliveryThread({
      link: () => store.deliveryLink(),
      data: {
        settings,
        logLevel: logger.level ?? settings.logLevel,
        owner,
        ...(o.pollMs ? { pollMs: o.pollMs } : {}),
        ...(o.pagerDutyCa ? { pagerDutyCa: o.pagerDutyCa } : {}),
      },
      routingKeys: () => routingKeysOf(config, env, pages),
      onPagesLive: () => pages.wentLive(),
      onSecret,
      logger,
      metrics,
      ...(o.deliveryThreadRestart ? { restart: o.deliveryThreadRestart } : {}),
      ...(o.outageLogNow ? { logNow: o.outageLogNow } : {}),
    });
  }
  return buildOutboxWorker(settings, {
    store,
    resolveRoutingKey: routingKeyResolver(() => config.current(), env, (team) => config.retiredPagerDuty(team)),
    pages,
    logger,
    metrics,
    owner,
    onSecret,
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
    ...(o.outageLogNow ? { logNow: o.outageLogNow } : {}),
    ...(o.pagerDutyCa ? { pagerDutyCa: o.pagerDutyCa } : {}),
  });
}

const LISTEN_HINTS: Record<string, string> = {
  EADDRINUSE: 'another process listens on this port',
  EADDRNOTAVAIL: 'HOST is not an address of this machine',
  ENOTFOUND: 'HOST is not a known host name',
  EACCES: 'ports below 1024 need privileges',
};

function listenError(host: string, port: number, err: NodeJS.ErrnoException): Error {
  const code = err.code ?? err.message;
  const hint = err.code ? LISTEN_HINTS[err.code] : undefined;
  return new Error(`cannot listen on ${host}:${port}: ${code}${hint ? ` (${hint})` : ''}`, { cause: err });
}

export async function startGateway(o: GatewayOptions): Promise<Gateway> {
  const { settings, env } = o;
  // Everything that authenticates us or to us; the logger scrubs these from every line.
  const scrubList = new ScrubList([
    ...(settings.webhookTokens ?? []),
    ...(settings.adminTokens ?? []),
    settings.slackToken,
    settings.thanos.token,
    ...urlPasswords(settings.thanos.url),
    ...urlPasswords(settings.databaseUrl),
    ...urlCredentials(settings.pagerDutyEventsUrl),
    ...urlCredentials(settings.slackApiUrl),
  ]);
  const logger = o.logger ?? createLogger({ level: settings.logLevel, secrets: scrubList.secrets, ...(o.logWrite ? { write: o.logWrite } : {}) });
  // Commit metrics are bound once the registry exists (it needs the store for the outbox gauge).
  let onCommit: ((stats: { writes: number; seconds: number }) => void) | undefined;
  const store = await openStore(settings.databaseUrl, {
    onConnectionError: (err) => logger.warn({ err }, 'store connection dropped; it will be reopened'),
    onMigration: (e) => {
      if (e.event === 'waiting') {
        logger.info({ waitedSeconds: Math.round(e.waitedMs / 1000) }, 'another replica is migrating the database schema; waiting for it before starting');
      } else if (e.event === 'applying') {
        logger.info({ version: e.version, migration: e.name }, 'applying database schema migration; the server listens once migrations are done');
      } else {
        logger.info({ version: e.version, migration: e.name, seconds: e.ms / 1000 }, 'applied database schema migration');
      }
    },
    onCommit: (stats) => onCommit?.(stats),
  });
  const metrics = createMetrics({
    outboxDepth: () => store.outboxDepth(),
    oldestWaitingCreatedAt: () => store.oldestWaitingCreatedAt(),
    heldGroups: () => store.heldGroupCounts(),
    ...(o.metricsNow ? { now: o.metricsNow } : {}),
    onStoreRead: (err) =>
      err
        ? logger.warn({ err }, 'metrics: cannot read the store; store gauges keep their last values and alertgate_store_up is 0')
        : logger.info({}, 'metrics: the store answers again'),
  });
  onCommit = (stats) => {
    metrics.storeCommitSeconds.observe(stats.seconds);
    metrics.storeCommitWrites.observe(stats.writes);
  };
  const config = new ConfigHolder(settings.configDir, env, logger, metrics);
  const first = await config.reload();
  if (!first.ok) {
    await store.close();
    throw new Error(`invalid configuration in ${settings.configDir}:\n${first.errors.join('\n')}`);
  }
  /** Routing keys that resolve now join the scrub list; answers whether any does. */
  const refreshSecrets = (): boolean => {
    const c = config.current();
    const keys = c ? resolvableRoutingKeys(c, env, config.retiredPagerDutySources()) : [];
    scrubList.setRoutingKeys(keys);
    return keys.length > 0;
  };
  const pages = pagesMode(config, env, refreshSecrets(), logger, () => void refreshSecrets());
  if (settings.webhookTokens === undefined) logger.warn({}, 'WEBHOOK_TOKEN is not set: the webhook accepts unauthenticated requests');
  const rotation: TokenRotation = { ...TOKEN_ROTATION, ...o.tokenRotation };
  const httpLogger = logger.child({ component: 'http' });
  // A token read from a file again after a rotation joins the scrub list; the one it replaced stays
  // on it. Secrets the delivery thread sends with (a Slack token, routing keys) come here too,
  // before its next log line.
  const tokenChanged = (token: string) => scrubList.add(token);
  const webhookToken =
    settings.webhookTokens === undefined
      ? undefined
      : new AcceptedToken({
          tokens: settings.webhookTokens,
          ...(settings.webhookTokenFile ? { file: settings.webhookTokenFile } : {}),
          variable: 'WEBHOOK_TOKEN_FILE',
          graceMs: rotation.webhookGraceMs,
          rereadMs: rotation.rereadMs,
          logger: httpLogger,
          onChange: tokenChanged,
          ...(rotation.now ? { now: rotation.now } : {}),
        });
  const adminToken =
    settings.adminTokens === undefined
      ? undefined
      : new AcceptedToken({
          tokens: settings.adminTokens,
          ...(settings.adminTokenFile ? { file: settings.adminTokenFile } : {}),
          variable: 'ADMIN_TOKEN_FILE',
          rereadMs: rotation.rereadMs,
          logger: httpLogger,
          onChange: tokenChanged,
          ...(rotation.now ? { now: rotation.now } : {}),
        });
  // Each step of a rotation is read as it lands, requests or not (README, Token rotation).
  const tokenWatches = [webhookToken?.watch(rotation.pollMs), adminToken?.watch(rotation.pollMs)].filter((w) => w !== undefined);
  for (const w of tokenWatches) rotation.onWatch?.(w);

  const worker = outboxRunner(o, store, config, pages, logger, metrics, tokenChanged);

  const uptime = createUptime({
    thanos: settings.thanos,
    configDir: settings.configDir,
    env,
    routing: () => config.current(),
    store,
    onEnqueued: () => worker.wake(),
    counted: (team, outcome) => metrics.uptimeReports.inc({ team, outcome }),
    onSecret: tokenChanged,
    logger,
    ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}),
  });

  let accepting = true;
  // Groups gathered into a storm digest by the passes that decide without a webhook (maintenance
  // release, re-attribution) count as a webhook's do (http/webhook.ts).
  const stormDigested = (team: string, groups: number) => metrics.stormGroupsDigested.inc({ team }, groups);
  // At start and after a reload that changed ownership, firing alerts whose owner changed move to
  // it (pipeline/reattribute.ts); passes run one after another, and stop at shutdown.
  const stopReattributing = new AbortController();
  let reattributing: Promise<void> = Promise.resolve();
  const reattribute = () => {
    reattributing = reattributing.then(async () => {
      const current = config.current();
      if (!current || stopReattributing.signal.aborted) return;
      try {
        const r = await reattributeFiring(store, current, {
          signal: stopReattributing.signal,
          onDigested: stormDigested,
          stormWindowMs: settings.stormWindowMs,
          ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}),
        });
        if (r.groups === 0) return;
        logger.info({ moves: r.moves, groups: r.groups }, 'firing alerts moved to the teams that own them now');
        worker.wake();
      } catch (err) {
        if (!stopReattributing.signal.aborted) logger.error({ err }, 'moving firing alerts to their new owners failed; the next config load tries again');
      }
    });
    return reattributing;
  };
  const reload = async (trigger: ConfigReloadTrigger) => {
    const owners = ownershipSignature(config.current());
    // Counted here, by what asked: the log says a reload happened, not why (alertgate_config_reloads_total).
    // The watch's polls re-read an unreadable config: its failure is logged once, not per poll (config-holder.ts).
    const r = await config.reload({ quietRepeat: trigger === 'file_change' }).catch((err: unknown) => {
      metrics.configReloads.inc({ trigger, outcome: 'failure' });
      throw err;
    });
    metrics.configReloads.inc({ trigger, outcome: r.ok ? 'success' : 'failure' });
    if (refreshSecrets()) pages.wentLive();
    if (worker instanceof DeliveryThread) worker.routingKeysChanged();
    uptime.scheduler.sync();
    if (r.ok && ownershipSignature(config.current()) !== owners) void reattribute();
    return r;
  };
  const maintenanceReleased = (team: string, notifications: number) => {
    metrics.maintenanceReleased.inc({ team }, notifications);
    worker.wake();
  };
  // Aborted at shutdown: the HTTP layer's timers (a store-recovery line to come) are cleared.
  const httpShutdown = new AbortController();
  const app = createApp({
    store,
    routing: () => config.current(),
    metrics,
    logger: httpLogger,
    ...(webhookToken ? { webhookToken } : {}),
    ...(adminToken ? { adminToken } : {}),
    maxBodyBytes: settings.maxBodyBytes,
    onAccepted: () => worker.wake(),
    onMaintenanceReleased: maintenanceReleased,
    // The delivery thread claims from its own connection; only a worker on this thread takes hand-offs.
    ...(worker instanceof OutboxWorker ? { handOff: worker } : {}),
    reload: () => reload('api'),
    accepting: () => accepting,
    ...(o.refusalLogNow ? { refusalLogNow: o.refusalLogNow } : {}),
    ...(o.outageLogNow ? { outageLogNow: o.outageLogNow } : {}),
    ...(o.outageLogTimer ? { outageLogTimer: o.outageLogTimer } : {}),
    shutdown: httpShutdown.signal,
    logSecrets: scrubList.secrets,
    ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}),
    stormWindowMs: settings.stormWindowMs,
    uptime: uptime.service,
    uptimeReportTimeoutMs: settings.uptimeReportTimeoutMs,
  });

  const timeouts: HttpTimeouts = { ...HTTP_TIMEOUTS, ...o.httpTimeouts };
  // At shutdown every answer, in flight or not, tells the client to close (http/closing-responses.ts).
  const responses = closingResponses();
  const server: ServerType = await new Promise<ServerType>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: settings.port,
        hostname: settings.host,
        serverOptions: {
          keepAliveTimeout: timeouts.keepAliveMs,
          headersTimeout: timeouts.headersMs,
          requestTimeout: timeouts.requestMs,
          connectionsCheckingInterval: timeouts.checkIntervalMs,
          ServerResponse: responses.ServerResponse,
        },
      },
      () => resolve(s),
    );
    // Without a listener a listen error (port taken, HOST not an address of this machine) is an
    // uncaught exception: a Node stack trace instead of a message saying what to fix.
    s.once('error', (err: NodeJS.ErrnoException) => reject(listenError(settings.host, settings.port, err)));
  }).catch(async (err: unknown) => {
    // The watches started before the listen: left running, an in-process caller kept reading
    // the token files of a gateway that never started.
    for (const w of tokenWatches) w.stop();
    await store.close();
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
  worker.start();
  uptime.scheduler.start();
  // The config may have changed while this process was down.
  void reattribute();
  const maintenanceTicker = startMaintenanceTicker({
    store,
    config: () => config.current(),
    logger: logger.child({ component: 'maintenance' }),
    intervalMs: settings.maintenanceTickMs,
    onReleased: maintenanceReleased,
    onDigested: stormDigested,
    stormWindowMs: settings.stormWindowMs,
    ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}),
  });
  const stormTicker = startStormTicker({
    store,
    config: () => config.current(),
    logger: logger.child({ component: 'storm' }),
    intervalMs: settings.stormTickMs,
    windowMs: settings.stormWindowMs,
    onEnded: () => worker.wake(),
    onPagesReleased: (team, pages) => metrics.stormPagesReleased.inc({ team }, pages),
    ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}),
  });
  const historyPruner =
    settings.historyRetentionMs === undefined
      ? undefined
      : startHistoryPruner({
          store,
          retentionMs: settings.historyRetentionMs,
          logger: logger.child({ component: 'retention' }),
          intervalMs: settings.historyPruneTickMs,
          onPruned: ({ notifications, groups }) => {
            metrics.historyPruned.inc({ kind: 'notification' }, notifications);
            metrics.historyPruned.inc({ kind: 'group' }, groups);
          },
          onPass: (at) => metrics.historyPruneLastPass.set(at.getTime() / 1000),
        });
  // A changed ConfigMap is applied without a signal to every pod (config/config-watch.ts).
  const configWatch = startConfigWatch({
    dir: settings.configDir,
    intervalMs: settings.configReloadIntervalMs,
    lastRead: () => config.lastRead(),
    reload: () => reload('file_change'),
    logger,
  });
  logger.info({ port, host: settings.host, store: store.kind, teams: [...(config.current()?.teams.keys() ?? [])] }, 'alertgate listening');

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    app,
    store,
    metrics,
    config,
    worker,
    reload,
    close: () =>
      (closing ??= (async () => {
        accepting = false;
        responses.closeConnections();
        logger.info({ graceMs: settings.shutdownGraceMs }, 'shutting down: draining deliveries');
        stopReattributing.abort();
        httpShutdown.abort();
        for (const w of tokenWatches) w.stop();
        // The background passes stop at their next store call; the one in flight is waited for,
        // or the store would close under it and its next query fail (logged as an error).
        const passesEnded = Promise.all([configWatch?.stop(), stormTicker.stop(), maintenanceTicker.stop(), historyPruner?.stop(), reattributing]).then(() => true);
        // One deadline for everything, all stopping at once. The worker claims nothing more, so
        // the deliveries it has in flight get the whole grace and nothing it starts later is cut
        // short (and repeated) at the deadline; what comes due meanwhile is another replica's,
        // or the next start's. HTTP requests drain alongside; a scheduled report in the middle
        // of its queries may still queue its post, and is abandoned (its Thanos queries
        // aborted: nothing outlives the shutdown) when its grace is over.
        const graceMs = settings.shutdownGraceMs;
        // Each wait is bounded, whatever the store does (a database that stopped answering keeps
        // a query waiting for the 35 s query timeout): what is given up is logged, named on the
        // last line, and safe, as every webhook answered 202 is committed and every item leased
        // here comes back when its lease expires.
        const gaveUp: string[] = [];
        await Promise.all([
          drainServer(server as Server, { graceMs, onOverdue: () => uptime.abortQueries() }).then((drained) => {
            if (drained) return;
            gaveUp.push('http requests');
            logger.warn({ graceMs }, 'shutdown: HTTP requests still in flight after the grace period were cut off');
          }),
          worker.stop(graceMs).then((given) => void gaveUp.push(...given)),
          uptime.scheduler.stop(graceMs),
          settledWithin(passesEnded, graceMs, false).then((ended) => {
            if (ended) return;
            gaveUp.push('background passes');
            logger.warn({ graceMs }, 'shutdown: background passes (config check, storms, maintenance, history pruning, re-attribution) still running after the grace period; the store is closed under them');
          }),
        ]);
        // PostgreSQL cuts the queries still waiting on the server at STORE_CLOSE_WAIT_MS and says
        // so. (SQLite waits on no server.)
        if ((await store.close(STORE_CLOSE_WAIT_MS)) === 'cut') {
          gaveUp.push('store queries');
          logger.warn({ waitedMs: STORE_CLOSE_WAIT_MS }, 'shutdown: the store did not close in time; its queries still in flight were cut (PostgreSQL rolls back their transactions)');
        }
        logger.info(gaveUp.length > 0 ? { gaveUp } : {}, 'shutdown complete');
      })()),
  };
}
