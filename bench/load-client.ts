/**
 * @module bench/load-client
 * The benchmarks' load generator, run as its own process (`node --import tsx bench/load-client.ts
 * '<json LoadSpec>'`) so the server under test never shares an event loop with its load. Sends
 * webhooks (alertgate) or alert batches (Alertmanager) over keep-alive HTTP/1.1 connections
 * (support/raw-http.ts: cheaper than `node:http`, so the load takes less of the CPU both servers
 * share with it), either closed-loop (fixed concurrency: maximum throughput) or open-loop (fixed
 * offered rate), records each request's latency with `process.hrtime`, and prints one JSON
 * `LoadResult` on stdout.
 *
 * Open-loop latency is measured from each request's scheduled start, not its actual one, so a
 * server that falls behind shows it in the latency (no coordinated omission).
 */
import { performance } from 'node:perf_hooks';
import { alertmanagerBody, groupOf, webhookBody } from './support/alerts.js';
import { RawHttpClient, type Status } from './support/raw-http.js';

export interface LoadSpec {
  /** Full URL to POST to. */
  url: string;
  headers?: Record<string, string>;
  /** Body shape: an alertgate webhook or an Alertmanager alerts array. */
  format: 'webhook' | 'alertmanager';
  /** Alerts per request. */
  batch: number;
  /** Distinguishes runs, so groups of two runs never collide. */
  run: string;
  /** First request index (lets a later run continue a numbering). */
  firstRequest?: number;
  /** Every request a new group (default: one in ten repeats a recent one, see support/alerts.ts). */
  noRepeats?: boolean;
  /** Give each group a unique alertname `<prefix><group>` (end-to-end tracking). */
  uniqueAlertnamePrefix?: string;
  /** Closed loop: this many requests in flight at all times. */
  concurrency?: number;
  /** Open loop: this many requests per second, whatever the answers. */
  rate?: number;
  /** Open loop: beyond this many in flight, scheduled requests queue (their latency grows). */
  maxInFlight?: number;
  /** Requests in this period are sent but not counted. */
  warmupMs: number;
  durationMs: number;
  /** Status a successful answer has (202 for alertgate, 200 for Alertmanager). */
  expectStatus: number;
  /** Also return each counted request's group and wall-clock send time (end-to-end tracking). */
  recordSends?: boolean;
}

export interface LoadResult {
  /** Counted (post-warm-up) requests completed, and those with the expected status. */
  requests: number;
  ok: number;
  /** Answers with another status, by status ("error" for a network error). */
  failures: Record<string, number>;
  /** Successful answers to first copies of a group, warm-up included: groups the server accepted. */
  acceptedGroups: number;
  /** Successful answers, warm-up included (for CPU per request of the whole run). */
  allOk: number;
  elapsedS: number;
  okPerS: number;
  alertsPerS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** How late each measured request was handed to its socket after its scheduled start: the client's own share of the latency. */
  sendLagMs: { p50: number; p99: number };
  /** Open loop: the offered rate actually achieved (requests started per second). */
  offeredPerS?: number;
  sends?: { group: number; wallMs: number }[];
  /** CPU seconds this client used (context: it shares the machine with the server). */
  clientCpuS: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const wallNow = (): number => performance.timeOrigin + performance.now();

async function main(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  const maxSockets = spec.concurrency ?? spec.maxInFlight ?? 256;
  const client = new RawHttpClient(url, maxSockets);
  const head = client.head(url.pathname, { 'content-type': 'application/json', ...spec.headers });
  const body = (request: number): { text: string; group: number; repeat: boolean } => {
    const { group, repeat } = spec.noRepeats ? { group: request, repeat: false } : groupOf(request);
    const text =
      spec.format === 'webhook'
        ? webhookBody(spec.run, group, spec.batch, spec.uniqueAlertnamePrefix ? `${spec.uniqueAlertnamePrefix}${group}` : undefined)
        : alertmanagerBody(spec.run, group, spec.batch);
    return { text, group, repeat };
  };

  const send = (text: string): Promise<Status> => client.post(head, text);

  const latencies: number[] = [];
  const sendLags: number[] = [];
  const failures: Record<string, number> = {};
  const sends: { group: number; wallMs: number }[] = [];
  let ok = 0;
  let acceptedGroups = 0;
  let allOk = 0;
  let next = spec.firstRequest ?? 0;
  const startNs = process.hrtime.bigint();
  const msSinceStart = (): number => Number(process.hrtime.bigint() - startNs) / 1e6;
  const measureFrom = spec.warmupMs;
  const endAt = spec.warmupMs + spec.durationMs;
  let measuredStart = Number.NaN;
  let measuredEnd = 0;

  /** One request; `scheduledMs` is when it should have started (open loop) or did (closed). */
  const one = async (scheduledMs: number): Promise<void> => {
    const request = next++;
    const { text, group, repeat } = body(request);
    const counted = scheduledMs >= measureFrom;
    if (counted && spec.recordSends) sends.push({ group, wallMs: wallNow() });
    if (counted) sendLags.push(msSinceStart() - scheduledMs);
    const status = await send(text);
    const doneMs = msSinceStart();
    if (status === spec.expectStatus) allOk += 1;
    if (status === spec.expectStatus && !repeat) acceptedGroups += 1;
    if (!counted) return;
    if (Number.isNaN(measuredStart)) measuredStart = scheduledMs;
    measuredEnd = Math.max(measuredEnd, doneMs);
    latencies.push(doneMs - scheduledMs);
    if (status === spec.expectStatus) ok += 1;
    else {
      const key = status === -1 ? 'error' : String(status);
      failures[key] = (failures[key] ?? 0) + 1;
    }
  };

  let offeredPerS: number | undefined;
  if (spec.concurrency !== undefined) {
    const loop = async (): Promise<void> => {
      while (msSinceStart() < endAt) await one(msSinceStart());
    };
    await Promise.all(Array.from({ length: spec.concurrency }, loop));
  } else if (spec.rate !== undefined) {
    const rate = spec.rate;
    const maxInFlight = spec.maxInFlight ?? 256;
    let scheduled = 0;
    let inFlight = 0;
    const queue: number[] = [];
    const pending = new Set<Promise<void>>();
    const launch = (at: number): void => {
      inFlight += 1;
      const p = one(at).finally(() => {
        inFlight -= 1;
        pending.delete(p);
        const waiting = queue.shift();
        if (waiting !== undefined) launch(waiting);
      });
      pending.add(p);
    };
    // Tick every millisecond; each tick starts every request whose scheduled time has come.
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = msSinceStart();
        // Request j is due at j/rate seconds: those with j <= now × rate are due by now.
        const due = Math.min(Math.floor((Math.min(now, endAt) / 1000) * rate) + 1, Math.ceil((endAt / 1000) * rate));
        while (scheduled < due) {
          const at = (scheduled / rate) * 1000;
          scheduled += 1;
          if (inFlight < maxInFlight) launch(at);
          else queue.push(at);
        }
        if (now >= endAt) return resolve();
        setTimeout(tick, 1);
      };
      tick();
    });
    offeredPerS = (scheduled * 1000) / endAt;
    while (pending.size > 0 || queue.length > 0) await Promise.all([...pending]);
  } else {
    throw new Error('LoadSpec needs concurrency (closed loop) or rate (open loop)');
  }
  client.close();

  const sorted = Float64Array.from(latencies).sort();
  const lags = Float64Array.from(sendLags).sort();
  const elapsedS = Math.max(1e-9, (measuredEnd - measuredStart) / 1000);
  const cpu = process.cpuUsage();
  return {
    requests: latencies.length,
    ok,
    failures,
    acceptedGroups,
    allOk,
    elapsedS,
    okPerS: ok / elapsedS,
    alertsPerS: (ok * spec.batch) / elapsedS,
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
      mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    },
    sendLagMs: { p50: percentile(lags, 50), p99: percentile(lags, 99) },
    ...(offeredPerS !== undefined ? { offeredPerS } : {}),
    ...(spec.recordSends ? { sends } : {}),
    clientCpuS: (cpu.user + cpu.system) / 1e6,
  };
}

const raw = process.argv[2];
if (!raw) {
  process.stderr.write('usage: node --import tsx bench/load-client.ts \'<LoadSpec JSON>\'\n');
  process.exit(2);
}
main(JSON.parse(raw) as LoadSpec).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err: unknown) => {
    process.stderr.write(`load-client: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
