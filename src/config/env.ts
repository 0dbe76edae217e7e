/**
 * @module config/env
 * Process environment → typed settings (contract "Environment"). Secrets may come from a file
 * (`X_FILE`), as Kubernetes mounts them; a file wins over nothing, the variable over the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseLogLevel, type LogLevel } from '../log/logger.js';
import { MIN_RETENTION_MS } from '../retention/history-pruner.js';
import { formatDuration, parseDuration } from './duration.js';
import { decimalNumber, wholeNumber } from './env-numbers.js';
import { tokenLines } from './secret-file.js';
import { withinTimerLimit } from './timer-limit.js';
import { defaultRetryPolicy, type RetryPolicy } from '../outbox/retry-policy.js';
import { LEASE_MARGIN_MS } from '../outbox/delivery-deadline.js';
import { readThanosSettings, type ThanosSettings } from '../uptime/settings.js';
import { refuseSlackUrlCredentials } from '../delivery/slack/api-url.js';

export interface GatewaySettings {
  port: number;
  host: string;
  configDir: string;
  databaseUrl: string;
  /** The webhook tokens accepted: one per line of WEBHOOK_TOKEN(_FILE), several during a rotation. */
  webhookTokens?: string[];
  /** WEBHOOK_TOKEN_FILE when the tokens came from it: read again when a presented token does not match (a rotated Secret). */
  webhookTokenFile?: string;
  /** The admin tokens accepted, as `webhookTokens`. */
  adminTokens?: string[];
  /** ADMIN_TOKEN_FILE when the tokens came from it, as `webhookTokenFile`. */
  adminTokenFile?: string;
  slackToken?: string;
  /** SLACK_TOKEN_FILE when the token came from it: read again when Slack refuses the token (a rotated Secret). */
  slackTokenFile?: string;
  slackApiUrl: string;
  pagerDutyEventsUrl: string;
  fallbackTeam: string;
  logLevel: LogLevel;
  maxBodyBytes: number;
  retry: RetryPolicy;
  /** How long SIGTERM waits for in-flight deliveries and HTTP requests (one deadline for both). */
  shutdownGraceMs: number;
  /** Slack calls per second per channel, and the burst allowed before pacing. */
  slackChannelRate: number;
  slackChannelBurst: number;
  /** Base URL of this gateway, for links in Slack messages (digests). */
  publicUrl?: string;
  /** How often quiet storms are looked for. */
  stormTickMs: number;
  /** Storm counting window and quiet period (default one minute; shorter only for tests). */
  stormWindowMs: number;
  /** How often ended maintenance windows are looked for. */
  maintenanceTickMs: number;
  /**
   * How long an outbox claim is exclusive (OUTBOX_LEASE_MS). A replica that dies keeps its
   * claims this long before another replica delivers them; it must outlast one whole delivery.
   */
  leaseMs: number;
  /** Timeout of each Slack / PagerDuty HTTP call (DELIVERY_TIMEOUT_MS). */
  deliveryTimeoutMs: number;
  /** Deliveries in flight at once per replica (OUTBOX_CONCURRENCY, default 8). */
  outboxConcurrency: number;
  /** Deliveries in flight at once to one receiver, Slack or PagerDuty (OUTBOX_RECEIVER_CONCURRENCY, default `receiverConcurrencyFor`). */
  outboxReceiverConcurrency: number;
  /** Deliver on a thread of its own when the store is a SQLite file (OUTBOX_THREAD, default false). */
  outboxThread: boolean;
  /**
   * HISTORY_RETENTION: how long delivered notifications and resolved groups are kept
   * (retention/history-pruner.ts); undefined (unset or `0`): kept for ever.
   */
  historyRetentionMs?: number;
  /** How often a history pruning pass runs (HISTORY_PRUNE_TICK_MS, default an hour). */
  historyPruneTickMs: number;
  /** THANOS_URL (unset: uptime endpoints answer 503) and the query knobs (uptime/settings.ts). */
  thanos: ThanosSettings;
  /**
   * UPTIME_REPORT_TIMEOUT_MS: the deadline of an uptime report served over HTTP (/v1/uptime,
   * the CSV, the pages), after which its queries stop and it answers 503; 0: none. Default 50 s,
   * under the 60 s an ingress commonly allows, which would otherwise answer with its own 504 page.
   */
  uptimeReportTimeoutMs: number;
  /**
   * CONFIG_RELOAD_INTERVAL: how often the config files are looked at for a change, which is then
   * applied as SIGHUP would (config/config-watch.ts); 0: never (SIGHUP and POST /-/reload only).
   */
  configReloadIntervalMs: number;
}

/**
 * A secret from `NAME`, else from the file `NAME_FILE`; surrounding whitespace is dropped from
 * both. A Secret made from an `echo`ed file carries a trailing newline, and what presents it
 * (Alertmanager's credentials file, our own bearer parsing) sends it trimmed: kept, it could
 * never match. A value of only whitespace counts as unset.
 */
export function readSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = env[name]?.trim();
  if (direct !== undefined && direct !== '') return direct;
  const file = env[`${name}_FILE`];
  if (file === undefined || file === '') return undefined;
  let value: string;
  try {
    value = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if (plausibleSecretPath(file)) throw new Error(`${name}_FILE: cannot read secret from ${file}: ${(err as Error).message}`);
    // Node's message quotes the path: only the code.
    const code = (err as { code?: unknown }).code;
    throw new Error(
      `${name}_FILE: cannot read secret from the file it names (${typeof code === 'string' ? code : 'error'}); its value is not shown, as it may be the secret itself ` +
        `(it is no absolute path under an existing top-level folder): ${name}_FILE takes the path of a file that holds the secret (a mounted Secret), ${name} the secret itself`,
    );
  }
  if (!value) throw new Error(`${name}_FILE: cannot read secret from ${file}: the file is empty or holds only blank lines`);
  return value;
}

/**
 * Whether a `_FILE` value that could not be read is a path to name in the error, rather than the
 * secret itself set there by mistake (`SLACK_TOKEN_FILE=xoxb-…`, a `secretKeyRef` given to the
 * `_FILE` variable): a mounted Secret's path is absolute and starts in a folder that exists
 * (`/var`, `/etc`, `/run`), a token (even a base64 one with a leading `/`) does not.
 */
function plausibleSecretPath(file: string): boolean {
  const top = /^\/([^/]+)\//.exec(file)?.[1];
  return top !== undefined && existsSync(`/${top}`);
}

/**
 * Tokens from `NAME` / `NAME_FILE` (`readSecret`), one per line, blank lines and surrounding
 * whitespace dropped: several during a rotation, so that both the old and the new token are
 * accepted while clients switch (README, Operations, **Token rotation**).
 */
export function readTokenList(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const text = readSecret(env, name);
  return text === undefined ? undefined : tokenLines(text);
}

/** The file `readSecret` took the secret from (`NAME_FILE`, the variable unset or blank), if any. */
export function secretFile(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (env[name]?.trim()) return undefined;
  const file = env[`${name}_FILE`];
  return file === undefined || file === '' ? undefined : file;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  return wholeNumber(env[name], name, fallback, min);
}

/**
 * A duration in milliseconds that ends up in a timer (a tick, a timeout, a backoff): above
 * `MAX_TIMER_MS` Node would fire it at once, turning an hourly pass into a busy loop.
 */
function timerMs(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const n = int(env, name, fallback, min);
  withinTimerLimit(name, n, env[name]);
  return n;
}

/** A TCP port in plain decimal: `Number()` would also take `0x50`, ` 1e3` or `80.0`. */
function tcpPort(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  // Blank is unset and surrounding whitespace is dropped, as for every number (env-numbers.ts).
  const text = raw?.trim();
  if (text === undefined || text === '') return fallback;
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n <= 65_535)) throw new Error(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  return n;
}

/**
 * An http(s) URL, checked at start: a bad one otherwise surfaced later, as a bare "Invalid URL"
 * after the config loaded or as every delivery failing. The value is not echoed (it may carry
 * credentials).
 */
/**
 * A Slack incoming-webhook URL (Alertmanager's `slack_api_url`) in SLACK_API_URL: every call would
 * go to `<hook>/chat.postMessage` and fail. The URL is a secret (it posts without a token), so
 * the error does not repeat it. A `user:password@` in it is refused too (delivery/slack/api-url.ts).
 */
function refuseSlackWebhookUrl(url: string | undefined): string | undefined {
  if (url !== undefined && /^hooks\.slack(-gov)?\.com$/i.test(new URL(url).hostname)) {
    throw new Error(
      "SLACK_API_URL is an incoming-webhook URL (hooks.slack.com/services/…, as in Alertmanager's slack_api_url): alertgate calls the Web API with a bot token instead. " +
        'Leave SLACK_API_URL unset (https://slack.com/api/) and put the bot token (xoxb-…) in SLACK_TOKEN or SLACK_TOKEN_FILE',
    );
  }
  return url;
}

function httpUrl(env: NodeJS.ProcessEnv, name: string, example: string, check?: (url: URL) => void): string | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL such as ${example}`);
  // Before the escapes are checked: credentials refused whole need no fixing first.
  check?.(url);
  // node:http decodes them for basic auth and throws "URI malformed" at every send (a password
  // `50%off`); the URL parser takes them as written. Not quoted: they are credentials.
  if (!decodes(url.username) || !decodes(url.password)) {
    throw new Error(`${name}: the user name or password in it is not valid percent-encoding (a % must start an escape such as %25, which is % itself): write a % in them as %25`);
  }
  return raw;
}

function decodes(text: string): boolean {
  try {
    decodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return decimalNumber(env[name], name, fallback);
}

/** Where the gateway keeps its store when `DATABASE_URL` is unset (relative to its working directory). */
export const DEFAULT_DATABASE_URL = 'sqlite:data/alertgate.db';

export function readSettings(env: NodeJS.ProcessEnv, cwd: string): GatewaySettings {
  return {
    port: tcpPort(env, 'PORT', 8080),
    host: env.HOST?.trim() || '0.0.0.0',
    configDir: env.ALERTGATE_CONFIG_DIR?.trim() || cwd,
    // Blank is unset, as `alertgate uptime` reads it (cli/uptime-store): both must find the same store.
    databaseUrl: env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL,
    webhookTokens: readTokenList(env, 'WEBHOOK_TOKEN'),
    webhookTokenFile: secretFile(env, 'WEBHOOK_TOKEN'),
    adminTokens: readTokenList(env, 'ADMIN_TOKEN'),
    adminTokenFile: secretFile(env, 'ADMIN_TOKEN'),
    slackToken: readSecret(env, 'SLACK_TOKEN'),
    slackTokenFile: secretFile(env, 'SLACK_TOKEN'),
    slackApiUrl: refuseSlackWebhookUrl(httpUrl(env, 'SLACK_API_URL', 'https://slack.com/api/', refuseSlackUrlCredentials)) ?? 'https://slack.com/api/',
    pagerDutyEventsUrl: httpUrl(env, 'PAGERDUTY_EVENTS_URL', 'https://events.pagerduty.com') ?? 'https://events.pagerduty.com',
    // As config/load-routes' fallbackTeamFrom reads it (not imported: that would load the routes schema here).
    fallbackTeam: env.FALLBACK_TEAM?.trim() || 'platform',
    logLevel: parseLogLevel(env.LOG_LEVEL),
    maxBodyBytes: int(env, 'WEBHOOK_MAX_BYTES', 5 * 1024 * 1024, 1),
    retry: {
      maxAttempts: int(env, 'DELIVERY_MAX_ATTEMPTS', defaultRetryPolicy.maxAttempts, 1),
      baseDelayMs: timerMs(env, 'DELIVERY_BACKOFF_BASE_MS', defaultRetryPolicy.baseDelayMs, 1),
      maxDelayMs: timerMs(env, 'DELIVERY_BACKOFF_MAX_MS', defaultRetryPolicy.maxDelayMs, 1),
      maxRetryAfterMs: timerMs(env, 'DELIVERY_RETRY_AFTER_MAX_MS', defaultRetryPolicy.maxRetryAfterMs, 0),
    },
    shutdownGraceMs: timerMs(env, 'SHUTDOWN_GRACE_MS', 10_000),
    slackChannelRate: positiveNumber(env, 'SLACK_CHANNEL_RATE', 1),
    slackChannelBurst: int(env, 'SLACK_CHANNEL_BURST', 5, 1),
    publicUrl: httpUrl(env, 'ALERTGATE_PUBLIC_URL', 'https://alertgate.example.com'),
    stormTickMs: timerMs(env, 'STORM_TICK_MS', 5_000, 10),
    stormWindowMs: timerMs(env, 'STORM_WINDOW_MS', 60_000, 100),
    maintenanceTickMs: timerMs(env, 'MAINTENANCE_TICK_MS', 15_000, 10),
    ...deliveryTiming(env),
    ...outboxConcurrency(env),
    outboxThread: flag(env, 'OUTBOX_THREAD', false),
    ...historyRetention(env),
    historyPruneTickMs: timerMs(env, 'HISTORY_PRUNE_TICK_MS', 3_600_000, 10),
    thanos: readThanosSettings(env, readSecret, secretFile),
    uptimeReportTimeoutMs: timerMs(env, 'UPTIME_REPORT_TIMEOUT_MS', 50_000, 0),
    configReloadIntervalMs: configReloadInterval(env),
  };
}

/** A Prometheus duration (`30s`, `5m`) that ends up in a timer; unset or blank: `fallback`. */
function timerDuration(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  return withinTimerLimit(name, namedDuration(name, raw), env[name]);
}

/** A Prometheus duration read from variable `name`, whose name an error starts with. */
function namedDuration(name: string, raw: string): number {
  try {
    return parseDuration(raw);
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`);
  }
}

/** Below this the files would be looked at all the time (`1ms`): a typo for `1m`, most likely. */
const MIN_CONFIG_RELOAD_INTERVAL_MS = 1_000;

function configReloadInterval(env: NodeJS.ProcessEnv): number {
  const ms = timerDuration(env, 'CONFIG_RELOAD_INTERVAL', 30_000);
  if (ms !== 0 && ms < MIN_CONFIG_RELOAD_INTERVAL_MS) {
    throw new Error(`CONFIG_RELOAD_INTERVAL must be at least ${formatDuration(MIN_CONFIG_RELOAD_INTERVAL_MS)} (or 0 for no polling), got "${env.CONFIG_RELOAD_INTERVAL?.trim()}"`);
  }
  return ms;
}

function historyRetention(env: NodeJS.ProcessEnv): { historyRetentionMs?: number } {
  // Blank is unset (keep everything), as for CONFIG_RELOAD_INTERVAL and every number.
  const raw = env.HISTORY_RETENTION?.trim();
  if (raw === undefined || raw === '') return {};
  const ms = namedDuration('HISTORY_RETENTION', raw);
  if (ms === 0) return {};
  if (ms < MIN_RETENTION_MS) throw new Error(`HISTORY_RETENTION must be at least ${formatDuration(MIN_RETENTION_MS)} (or 0 to keep everything), got "${raw}"`);
  return { historyRetentionMs: ms };
}

/**
 * Default deliveries in flight to one receiver while the other has items due: half of the slots
 * (rounded up), so that a receiver whose calls hang until the timeout (PagerDuty down, Slack's
 * API stuck) leaves the other half to the other. A receiver alone may use all slots but one
 * (outbox/worker).
 */
export function receiverConcurrencyFor(concurrency: number): number {
  return Math.ceil(concurrency / 2);
}

/** Slots for deliveries, and how many of them one receiver may hold. */
function outboxConcurrency(env: NodeJS.ProcessEnv): { outboxConcurrency: number; outboxReceiverConcurrency: number } {
  const outboxConcurrency = int(env, 'OUTBOX_CONCURRENCY', 8, 1);
  const outboxReceiverConcurrency = int(env, 'OUTBOX_RECEIVER_CONCURRENCY', receiverConcurrencyFor(outboxConcurrency), 1);
  if (outboxReceiverConcurrency > outboxConcurrency) {
    throw new Error(`OUTBOX_RECEIVER_CONCURRENCY (${outboxReceiverConcurrency}) must not exceed OUTBOX_CONCURRENCY (${outboxConcurrency})`);
  }
  return { outboxConcurrency, outboxReceiverConcurrency };
}

/** A true/false variable (also 1/0, yes/no); unset or empty: the default. */
function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new Error(`${name} must be true or false, got "${env[name]}"`);
}

/**
 * Longest a delivery waits for its Slack channel's pacing slot while holding its claim (the
 * outbox worker uses it; beyond it the item is handed back instead).
 */
export const MAX_PACED_WAIT_MS = 5_000;

/**
 * The outbox lease must give an ordinary delivery time to finish: a delivery is cut
 * LEASE_MARGIN_MS before its lease runs out (outbox/delivery-deadline), so that no other replica
 * claims an item still being sent, and an ordinary one is a pacing wait, then a Slack edit, which
 * is two calls in a row (chat.update, then the thread reply) of up to DELIVERY_TIMEOUT_MS each.
 * (The reply has a pacing slot of its own, but it is reserved with the update's and comes within
 * the same MAX_PACED_WAIT_MS: outbox/slack-slots.) A delivery that takes more calls (a compact
 * resend, a new post for a message that can no longer be edited, a retry with a re-read token) or
 * an unplanned pacing wait is cut at its deadline and retried.
 */
function deliveryTiming(env: NodeJS.ProcessEnv): { leaseMs: number; deliveryTimeoutMs: number } {
  const deliveryTimeoutMs = timerMs(env, 'DELIVERY_TIMEOUT_MS', 10_000, 100);
  const leaseMs = timerMs(env, 'OUTBOX_LEASE_MS', 60_000, 1);
  const leastLease = MAX_PACED_WAIT_MS + 2 * deliveryTimeoutMs + LEASE_MARGIN_MS;
  if (leaseMs <= leastLease) {
    throw new Error(
      `OUTBOX_LEASE_MS (${leaseMs}) must exceed ${leastLease}: a delivery may wait up to ${MAX_PACED_WAIT_MS} ms for its ` +
        `Slack channel's pacing and then make two calls of up to DELIVERY_TIMEOUT_MS (${deliveryTimeoutMs}) each (an edit and its thread reply), ` +
        `and is cut ${LEASE_MARGIN_MS} ms before its lease runs out, so that no other replica sends the notification at the same time ` +
        '(a delivery that needs more calls is cut then and retried)',
    );
  }
  return { leaseMs, deliveryTimeoutMs };
}
