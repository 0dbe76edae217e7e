/**
 * @module outbox/delivery-thread
 * The outbox worker on its own thread (see delivery-thread-host.ts for why). It owns what a
 * delivery needs: a read connection to the database, the notifiers, the channel pacer, and a
 * port to the store's writer thread, through which its claims and outcomes join the gateway's
 * group commits. Log lines and metric updates go back to the gateway, batched per turn.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PagesMode } from '../delivery/build-notifiers.js';
import { createRoutingKeyResolver, type RoutingKeyResolver } from '../delivery/pagerduty/routing-key.js';
import { levelEnabled, type Logger, type LogLevel } from '../log/logger.js';
import { openDatabase, READER_CACHE_KIB } from '../store/sqlite/connection.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { prepareStatements } from '../store/sqlite/statements.js';
import { PortWriter } from '../store/sqlite/writer.js';
import { buildOutboxWorker } from './build-worker.js';
import type { DeliveryEvent, DeliveryThreadData, FromDeliveryThread, RoutingKeys, ToDeliveryThread } from './delivery-messages.js';
import type { OutboxMetrics } from './worker.js';

const port = parentPort;
if (!port) throw new Error('delivery-thread must run as a worker thread');
const data = workerData as DeliveryThreadData;

let pending: DeliveryEvent[] = [];
let flushQueued = false;
/**
 * Log lines go in batches, once per turn. Metric updates go at once: the worker records them
 * before it stores the outcome, so whoever sees the stored outcome finds the metric updated too.
 */
function emit(event: DeliveryEvent): void {
  pending.push(event);
  if (event.t !== 'log') flush();
  else if (!flushQueued) {
    flushQueued = true;
    setImmediate(flush);
  }
}
function flush(): void {
  flushQueued = false;
  if (pending.length === 0) return;
  const events = pending;
  pending = [];
  send({ t: 'events', events });
}
function send(msg: FromDeliveryThread): void {
  try {
    port!.postMessage(msg);
  } catch {
    // A field that cannot be cloned (a function in a log field): send the lines as text instead.
    if (msg.t === 'events') {
      port!.postMessage({
        t: 'events',
        events: msg.events.map((e) => (e.t === 'log' ? { ...e, bound: {}, fields: { fields: safeJson(e.fields), bound: safeJson(e.bound) } } : e)),
      } satisfies FromDeliveryThread);
    }
  }
}
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : v));
  } catch {
    return String(value);
  }
}

/** A Logger whose lines the gateway writes (its level, bound fields and secret redaction). */
function relayLogger(min: LogLevel, bound: object = {}): Logger {
  const log = (level: LogLevel) => (fields: object, msg?: string) => {
    if (levelEnabled(level, min)) emit({ t: 'log', level, bound, fields, ...(msg !== undefined ? { msg } : {}) });
  };
  return {
    level: min,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => relayLogger(min, { ...bound, ...fields }),
  };
}

const metrics: OutboxMetrics = {
  notifications: { inc: (labels) => emit({ t: 'notification', labels }) },
  deliveryLatency: { observe: (labels, seconds) => emit({ t: 'latency', labels, seconds }) },
  rateLimited: { inc: (labels) => emit({ t: 'rate-limited', labels }) },
  leaseCuts: { inc: (labels) => emit({ t: 'lease-cut', labels }) },
  staleOutcomes: { inc: (labels) => emit({ t: 'stale-outcome', labels }) },
  slackPostLookups: { inc: (labels) => emit({ t: 'post-lookup', labels }) },
};

const logger = relayLogger(data.logLevel);
/** Routing keys of the gateway's live config (replaced on every reload there). */
function resolverFor(keys: RoutingKeys): RoutingKeyResolver {
  const sources = new Map(keys.pagerduty);
  const retired = new Map(keys.retired);
  return createRoutingKeyResolver((team) => sources.get(team), { env: keys.env, retired: (team) => retired.get(team) });
}
let resolveLive = resolverFor(data.routingKeys);
const resolveRoutingKey: RoutingKeyResolver = (team, action, episode) => resolveLive(team, action, episode);
let pagerDutyTeams = data.routingKeys.pagerduty.map(([team]) => team);
/**
 * Pages go out or are logged: asked at each send, as in the gateway. The gateway hears when a send
 * here ends the dry run, so that a replacement thread starts with pages going out.
 */
let pagesLive = data.routingKeys.pagesLive;
const pages: PagesMode = {
  live: () => pagesLive,
  teams: () => pagerDutyTeams,
  wentLive: () => {
    if (pagesLive) return;
    pagesLive = true;
    emit({ t: 'pagesLive' });
  },
};

// Reads only: its claims and outcomes go to the writer thread through the port.
const db = openDatabase(data.filename, { cacheKiB: READER_CACHE_KIB });
const store = new SqliteStore(db, prepareStatements(db), new PortWriter(data.writerPort), () => new Date());
const worker = buildOutboxWorker(data.settings, {
  store,
  resolveRoutingKey,
  pages,
  logger,
  metrics,
  owner: data.owner,
  // Sent before the line that reports it, so the gateway's logger scrubs it from that line on.
  onSecret: (secret) => emit({ t: 'secret', secret }),
  // Only a Slack token read again, never a routing key: a replacement thread posts to Slack with it.
  onSlackToken: (token) => emit({ t: 'slackToken', token }),
  ...(data.pollMs ? { pollMs: data.pollMs } : {}),
  ...(data.pagerDutyCa ? { pagerDutyCa: data.pagerDutyCa } : {}),
});
// Loaded, connection open: the gateway counts how long this thread stays up from here.
send({ t: 'ready' });
// A thread that replaces one that died: what the old one held is delivered again now, not
// after its lease (the owner is this process's, and only this thread delivers for it).
let stopping = false;
void store.releaseLeases(data.owner).then(
  (released) => {
    if (released > 0) logger.warn({ released }, 'delivery thread restarted: released the notifications its predecessor held');
    if (!stopping) worker.start();
  },
  (err: unknown) => {
    logger.error({ err }, 'delivery thread could not release its predecessor\'s claims; they are delivered when their lease ends');
    if (!stopping) worker.start();
  },
);

port.on('message', (msg: ToDeliveryThread) => {
  switch (msg.t) {
    case 'wake':
      worker.wake();
      return;
    case 'routingKeys':
      resolveLive = resolverFor(msg.routingKeys);
      pagerDutyTeams = msg.routingKeys.pagerduty.map(([team]) => team);
      pagesLive ||= msg.routingKeys.pagesLive;
      return;
    case 'stop':
      stopping = true;
      void worker.stop(msg.deadlineMs).then(async () => {
        await store.close();
        if (pending.length > 0) flush();
        send({ t: 'stopped' });
        port.close();
      });
      return;
  }
});
