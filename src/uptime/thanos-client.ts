/**
 * @module uptime/thanos-client
 * A small client for the Prometheus HTTP query API as Thanos Querier serves it
 * (`/api/v1/query`, `/api/v1/query_range`). Every request carries the Thanos parameters
 * `dedup=true` (merge HA replicas) and `partial_response=false` (a missing store is an error,
 * not a silently smaller number) and an explicit `max_source_resolution`.
 *
 * Failures are never numbers: an unreachable or failing Thanos (network error, timeout, 5xx
 * after retries) is UptimeError `unavailable`; a query Prometheus refuses (400/422
 * `{"status":"error"}`) is UptimeError `query` carrying Prometheus' own error text. Thanos
 * `warnings` are returned with every result so reports can show them.
 *
 * Queries stop, retries included, when the gateway shuts down (`signal`: UptimeError
 * `unavailable`) or when the signal of a client made by `withSignal` aborts (a request whose
 * client went away, a report past its deadline): then they fail with that signal's reason when
 * it is an UptimeError, else as UptimeError `cancelled`.
 *
 * @example
 * const thanos = createThanosClient({ url: 'http://thanos-query:9090' });
 * const { series, warnings } = await thanos.instant('sum_over_time(up[1d])', Date.now(), '0s');
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fixedClientToken, type ClientToken } from '../config/client-token.js';
import type { SourceResolution } from './resolution.js';
import { Semaphore } from './semaphore.js';
import { UptimeError } from './errors.js';
import { rangeAsked, unaskedTimeError } from './step-align.js';
import { refuseThanosCredentialsTogether } from './url-credentials.js';

export interface Sample {
  /** Epoch ms. */
  t: number;
  v: number;
}

export interface Series {
  labels: Record<string, string>;
  samples: Sample[];
}

export interface QueryResult {
  series: Series[];
  warnings: string[];
}

export interface ThanosClient {
  /** The base URL as shown in messages (credentials removed). */
  readonly displayUrl: string;
  /** `/api/v1/query` at `at` (epoch ms). A vector gives one sample per series; a range vector all raw samples. */
  instant(expr: string, at: number, resolution: SourceResolution): Promise<QueryResult>;
  /**
   * `/api/v1/query_range` over [start, end] (epoch ms), split so no request exceeds the points
   * limit. `start` must be a multiple of `stepMs` (`end` is cut to the last step), which a
   * query-frontend leaves alone; a sample
   * at any time not asked for is an UptimeError (uptime/step-align.ts).
   */
  range(expr: string, start: number, end: number, stepMs: number, resolution: SourceResolution): Promise<QueryResult>;
  /**
   * This client (sharing its limit of requests in flight) with its queries also stopped when
   * `signal` aborts: in flight, waiting to retry or not yet sent.
   */
  withSignal(signal: AbortSignal): ThanosClient;
}

export interface ThanosClientOptions {
  url: string;
  /**
   * Bearer token, or one that follows THANOS_TOKEN_FILE (a request refused with 401/403 is made
   * once more at once when the file holds a new token). Basic auth may be given as userinfo in
   * `url`, but not with a token too: the client refuses both (uptime/url-credentials.ts).
   */
  token?: string | ClientToken;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  /** Extra attempts after a network error, timeout, 429 or 5xx; default 2. */
  retries?: number;
  /** First retry delay, doubled each time; default 250 ms. */
  retryDelayMs?: number;
  /** Requests in flight at once; default 8. */
  concurrency?: number;
  /** Prometheus refuses a range query of more points per series than this; default 11 000. */
  maxPointsPerSeries?: number;
  fetch?: typeof fetch;
  /** Aborting it ends every query in flight and refuses new ones (gateway shutdown). */
  signal?: AbortSignal;
}

export const MAX_POINTS_PER_SERIES = 11_000;

interface ApiResponse {
  status?: string;
  data?: { resultType?: string; result?: unknown };
  errorType?: string;
  error?: string;
  warnings?: unknown;
}

/** `THANOS_URL` for messages: never with credentials, never with a trailing slash. */
export function displayThanosUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}

function parseValue(text: unknown): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return typeof text === 'string' ? Number(text) : NaN;
}

function parseSample(pair: unknown): Sample {
  const [t, v] = pair as [number, string];
  return { t: Math.round(t * 1000), v: parseValue(v) };
}

function parseResult(data: ApiResponse['data']): Series[] {
  const result = data?.result;
  switch (data?.resultType) {
    case 'vector':
      return (result as Array<{ metric: Record<string, string>; value: unknown }>).map((r) => ({ labels: r.metric, samples: [parseSample(r.value)] }));
    case 'matrix':
      return (result as Array<{ metric: Record<string, string>; values?: unknown[] }>).map((r) => ({ labels: r.metric, samples: (r.values ?? []).map(parseSample) }));
    case 'scalar':
      return [{ labels: {}, samples: [parseSample(result)] }];
    default:
      throw new Error(`unexpected result type ${JSON.stringify(data?.resultType)}`);
  }
}

/** Prometheus takes times as seconds with millisecond precision. */
const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function seriesKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function networkReason(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timed out';
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `${cause.code}${cause.message && !cause.message.includes(cause.code) ? ` (${cause.message})` : ''}`;
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/**
 * Removes our own credentials from text a Thanos (or the proxy in front of it) sent back: an
 * auth proxy that echoes the Authorization header in its error page would otherwise put
 * THANOS_TOKEN into the answers of unauthenticated endpoints and into the logs.
 */
function credentialScrubber(secrets: ReadonlyArray<string | undefined>): (text: string) => string {
  // Very short values would mangle the message and hide nothing worth hiding.
  const known = [...new Set(secrets.filter((s): s is string => !!s && s.length >= 3))].sort((a, b) => b.length - a.length);
  return (text) => known.reduce((t, secret) => t.split(secret).join('***'), text);
}

/** Which credentials a 401/403 refused, and where the operator sets them. */
function refusedCredentials(bearerToken: string | undefined, basic: string | undefined): string {
  if (bearerToken !== undefined) return 'it refused the bearer token of THANOS_TOKEN or THANOS_TOKEN_FILE';
  if (basic !== undefined) return 'it refused the user and password of THANOS_URL';
  return 'it needs credentials and none were sent (set THANOS_TOKEN or THANOS_TOKEN_FILE, or user:password in THANOS_URL)';
}

export function createThanosClient(opts: ThanosClientOptions): ThanosClient {
  return clientWith(opts, new Semaphore(opts.concurrency ?? 8), undefined);
}

/** A client of `opts` whose queries also stop when `caller` aborts; `sem` is shared by all of them. */
function clientWith(opts: ThanosClientOptions, sem: Semaphore, caller: AbortSignal | undefined): ThanosClient {
  const base = new URL(opts.url);
  // Settings refuse both at start; a caller passing both would have its basic auth dropped.
  refuseThanosCredentialsTogether(base, opts.token === undefined || opts.token === '' ? undefined : typeof opts.token === 'string' ? 'THANOS_TOKEN' : 'THANOS_TOKEN_FILE');
  // No gzip: a report makes hundreds of small queries, and compressing and inflating them cost
  // more CPU on both ends than the bytes saved inside a cluster (measured: about a third).
  const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'identity' };
  const password = base.password;
  if (base.username || base.password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
    base.username = '';
    base.password = '';
  }
  const bearer = typeof opts.token === 'string' ? (opts.token ? fixedClientToken(opts.token) : undefined) : opts.token;
  const basicCredentials = headers.authorization?.startsWith('Basic ') ? headers.authorization.slice('Basic '.length) : undefined;
  const basicSecrets = [basicCredentials, password, password && decodeURIComponent(password)];
  /** Headers with the bearer token to send (never with THANOS_URL's basic auth: refused above). */
  const headersWith = (token: string | undefined) => (token === undefined ? headers : { ...headers, authorization: `Bearer ${token}` });
  const root = base.toString().replace(/\/$/, '');
  const displayUrl = displayThanosUrl(opts.url);
  const where = `Thanos at THANOS_URL=${displayUrl}`;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const retries = opts.retries ?? 2;
  const retryDelayMs = opts.retryDelayMs ?? 250;
  const maxPoints = opts.maxPointsPerSeries ?? MAX_POINTS_PER_SERIES;
  const doFetch = opts.fetch ?? fetch;
  const stops = [opts.signal, caller].filter((s): s is AbortSignal => s !== undefined);
  const stop = stops.length > 1 ? AbortSignal.any(stops) : stops[0];

  /** One API call with retries; answers the parsed success body or throws UptimeError. */
  async function call(path: string, params: Record<string, string>, expr: string): Promise<QueryResult> {
    const query = new URLSearchParams({ ...params, dedup: 'true', partial_response: 'false' });
    const url = `${root}${path}?${query}`;
    let lastProblem = '';
    let token = bearer?.current();
    // The token sent, and (after a rotation) the one before: an echoing proxy may quote either.
    let scrub = credentialScrubber([token, ...basicSecrets]);
    /** A refusal of the token was answered with a new one from the file: once per query. */
    let rotated = false;
    let sendAgainNow = false;
    /** Why the query stopped, once `stop` aborted: shutdown, else the caller's reason. */
    const stopped = (): UptimeError => {
      if (opts.signal?.aborted) return new UptimeError('unavailable', `query to ${where} abandoned: the gateway is shutting down`);
      const reason: unknown = caller?.reason;
      return reason instanceof UptimeError ? reason : new UptimeError('cancelled', `query to ${where} stopped: ${reason instanceof Error ? reason.message : String(reason)}`);
    };
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0 && !sendAgainNow) await sleep(retryDelayMs * 2 ** (attempt - 1), undefined, stop ? { signal: stop } : {}).catch(() => undefined);
      sendAgainNow = false;
      if (stop?.aborted) throw stopped();
      let res: Response;
      let body: string;
      try {
        ({ res, body } = await sem.run(async () => {
          // Waiting for a slot may have outlasted the caller: then nothing is sent.
          if (stop?.aborted) throw stopped();
          const timeout = AbortSignal.timeout(timeoutMs);
          const r = await doFetch(url, { headers: headersWith(token), signal: stop ? AbortSignal.any([timeout, stop]) : timeout });
          return { res: r, body: await r.text() };
        }));
      } catch (err) {
        if (stop?.aborted) throw stopped();
        lastProblem = networkReason(err);
        continue;
      }
      let json: ApiResponse | undefined;
      try {
        json = JSON.parse(body) as ApiResponse;
      } catch {
        json = undefined;
      }
      const warnings = Array.isArray(json?.warnings) ? json.warnings.map((w) => scrub(String(w))) : [];
      if (res.ok && json?.status === 'success') {
        try {
          return { series: parseResult(json.data), warnings };
        } catch (err) {
          throw new UptimeError('unavailable', `${where} answered ${path} with a malformed result: ${scrub((err as Error).message)}`);
        }
      }
      if ((res.status === 401 || res.status === 403) && bearer !== undefined && token !== undefined && !rotated) {
        // Refused for its token: THANOS_TOKEN_FILE may hold a new one (a rotated Secret). Made
        // again with it at once, not as one of the retries.
        rotated = true;
        const fresh = await bearer.refused(token, `HTTP ${res.status}`);
        if (fresh !== undefined) {
          scrub = credentialScrubber([fresh, token, ...basicSecrets]);
          token = fresh;
          attempt -= 1;
          sendAgainNow = true;
          continue;
        }
      }
      // A body is scrubbed before the cut, or a cut through the token would leave part of it.
      const text = json?.status === 'error' && json.error ? scrub(json.error) : scrub(body.slice(0, 4_096)).slice(0, 300).trim();
      if (res.status === 429 || res.status >= 500) {
        lastProblem = `HTTP ${res.status}${text ? `: ${text}` : ''}`;
        continue;
      }
      if (json?.status === 'error') {
        throw new UptimeError('query', `${where} refused the query ${JSON.stringify(expr)} (${json.errorType ?? `HTTP ${res.status}`}): ${text}`);
      }
      if (res.status === 401 || res.status === 403) {
        // An auth proxy's refusal: the credentials are at fault, not the kind of API behind it.
        throw new UptimeError('unavailable', `${where} answered HTTP ${res.status} for ${path}: ${refusedCredentials(token, basicCredentials)}${text ? `: ${text}` : ''}`);
      }
      throw new UptimeError('unavailable', `${where} answered HTTP ${res.status} for ${path}; is it a Prometheus-compatible query API? ${text}`);
    }
    throw new UptimeError('unavailable', `cannot query ${where}: ${lastProblem} (after ${retries + 1} attempts)`);
  }

  return {
    displayUrl,
    withSignal: (signal) => clientWith(opts, sem, caller ? AbortSignal.any([caller, signal]) : signal),
    instant: (expr, at, resolution) => call('/api/v1/query', { query: expr, time: seconds(at), max_source_resolution: resolution }, expr),
    async range(expr, start, end, stepMs, resolution) {
      if (!(stepMs > 0)) throw new Error(`step must be positive, got ${stepMs}`);
      // A query-frontend would move any other start (uptime/step-align.ts): a caller's bug.
      if (start % stepMs !== 0) throw new Error(`range query start ${start} is not a multiple of its step ${stepMs} (see uptime/step-align.ts)`);
      // The last evaluation time: the same points, and an end no frontend moves either.
      end = start + Math.floor((end - start) / stepMs) * stepMs;
      // Split into requests of at most maxPoints evaluation times each; steps stay on one grid.
      const chunks: Array<[number, number]> = [];
      for (let s = start; s <= end; s += maxPoints * stepMs) chunks.push([s, Math.min(end, s + (maxPoints - 1) * stepMs)]);
      const parts = await Promise.all(
        chunks.map(async ([s, e]) => {
          const part = await call('/api/v1/query_range', { query: expr, start: seconds(s), end: seconds(e), step: seconds(stepMs), max_source_resolution: resolution }, expr);
          // Callers match samples to what they asked for by time: one at another time is never dropped silently.
          for (const series of part.series) {
            const unasked = series.samples.find(({ t }) => t < s || t > e || (t - s) % stepMs !== 0);
            if (unasked) throw unaskedTimeError(displayUrl, '/api/v1/query_range', unasked.t, rangeAsked(s, e, stepMs));
          }
          return part;
        }),
      );
      const merged = new Map<string, Series>();
      for (const part of parts) {
        for (const s of part.series) {
          const key = seriesKey(s.labels);
          const into = merged.get(key);
          if (into) into.samples.push(...s.samples);
          else merged.set(key, { labels: s.labels, samples: [...s.samples] });
        }
      }
      return { series: [...merged.values()], warnings: [...new Set(parts.flatMap((p) => p.warnings))] };
    },
  };
}
